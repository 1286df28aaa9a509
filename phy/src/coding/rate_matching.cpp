#include "airan/phy/coding/rate_matching.hpp"

#include <algorithm>
#include <array>
#include <cassert>

#include <fmt/format.h>

namespace airan::phy {
namespace {

bool is_modulation_order(int qm) { return qm == 1 || qm == 2 || qm == 4 || qm == 6 || qm == 8 || qm == 10; }

// Visits the selected bits of 5.4.2.1 in runs: calls visit(k, position_in_d, count) for
// consecutive e indices k..k+count-1 that read consecutive positions of d, skipping filler
// bits and wrapping at N_cb. Runs never cross a row of the bit interleaver (E/Qm bits), so
// within a run the interleaved index advances by Qm per bit.
template <typename Visit>
void for_each_selected_run(const RateMatchPlan& plan, int e, Visit visit) {
  const int per_row = e / plan.modulation_order;
  int pos = plan.k0;
  int k = 0;
  while (k < e) {
    if (pos >= plan.filler_begin && pos < plan.filler_end) {
      pos = plan.filler_end;
      if (pos >= plan.ncb) pos = 0;
      continue;
    }
    const int run_end = pos < plan.filler_begin ? plan.filler_begin : plan.ncb;
    const int row_end = (k / per_row + 1) * per_row;
    const int count = std::min({run_end - pos, e - k, row_end - k});
    visit(k, pos, count);
    k += count;
    pos += count;
    if (pos >= plan.ncb) pos = 0;
  }
}

// The interleaver writes bit k of e to f[(k mod E/Qm) * Qm + k / (E/Qm)] (5.4.2.2).
template <int Qm>
void select_and_interleave(const RateMatchPlan& plan, std::span<const std::uint8_t> d, std::span<std::uint8_t> f) {
  const int e = static_cast<int>(f.size());
  const int per_row = e / Qm;
  for_each_selected_run(plan, e, [&](int k, int pos, int count) {
    std::uint8_t* out = f.data() + (k % per_row) * Qm + k / per_row;
    const std::uint8_t* in = d.data() + pos;
    for (int t = 0; t < count; ++t) out[t * Qm] = in[t];
  });
}

template <int Qm>
void deinterleave_and_combine(const RateMatchPlan& plan, std::span<const Llr> f, std::span<Llr> soft) {
  const int e = static_cast<int>(f.size());
  const int per_row = e / Qm;
  for_each_selected_run(plan, e, [&](int k, int pos, int count) {
    const Llr* in = f.data() + (k % per_row) * Qm + k / per_row;
    Llr* out = soft.data() + pos;
    // Gather the strided row into a small contiguous block first, so the saturating
    // additions run as plain vector code.
    constexpr int kBlock = 512;
    std::array<Llr, kBlock> row;
    for (int done = 0; done < count; done += kBlock) {
      const int n = std::min(kBlock, count - done);
      for (int t = 0; t < n; ++t) row[t] = in[(done + t) * Qm];
      for (int t = 0; t < n; ++t) {
        const int sum = out[done + t] + row[t];
        out[done + t] = static_cast<Llr>(std::clamp(sum, -int{kLlrMax}, int{kLlrMax}));
      }
    }
  });
}

template <template <int> class Kernel, typename... Args>
void dispatch_modulation_order(int qm, Args&&... args) {
  switch (qm) {
    case 1: return Kernel<1>::run(args...);
    case 2: return Kernel<2>::run(args...);
    case 4: return Kernel<4>::run(args...);
    case 6: return Kernel<6>::run(args...);
    case 8: return Kernel<8>::run(args...);
    default: return Kernel<10>::run(args...);
  }
}

template <int Qm>
struct SelectKernel {
  static void run(const RateMatchPlan& p, std::span<const std::uint8_t> d, std::span<std::uint8_t> f) {
    select_and_interleave<Qm>(p, d, f);
  }
};

template <int Qm>
struct RecoverKernel {
  static void run(const RateMatchPlan& p, std::span<const Llr> f, std::span<Llr> soft) {
    deinterleave_and_combine<Qm>(p, f, soft);
  }
};

}  // namespace

Status validate(const RateMatchConfig& config) {
  if (!is_modulation_order(config.modulation_order)) {
    return Error{fmt::format("modulation order Qm={} is not one of 1, 2, 4, 6, 8, 10", config.modulation_order)};
  }
  if (config.num_layers < 1 || config.num_layers > 8) {
    return Error{fmt::format("number of layers {} is outside 1..8", config.num_layers)};
  }
  if (config.rv < 0 || config.rv > 3) return Error{fmt::format("redundancy version rv={} is outside 0..3", config.rv)};
  if (config.g <= 0) return Error{fmt::format("coded bits G={} must be positive", config.g)};
  if (config.g % (config.modulation_order * config.num_layers) != 0) {
    return Error{fmt::format("coded bits G={} is not a multiple of Qm*layers={}", config.g,
                             config.modulation_order * config.num_layers)};
  }
  if (config.lbrm_tbs < 0) return Error{fmt::format("TBS_LBRM={} must not be negative", config.lbrm_tbs)};
  return Status::ok();
}

int RateMatchPlan::d_bits_read(int e) const {
  // Without wrap-around the selection reads k0 + e bits plus the filler bits it skips.
  const long long span = static_cast<long long>(k0) + e + (filler_end - filler_begin);
  return static_cast<int>(std::min<long long>(span, ncb));
}

Expected<RateMatchPlan> plan_rate_matching(const CodeBlockSegmentation& seg, const RateMatchConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  RateMatchPlan plan;
  plan.num_blocks = seg.num_blocks;
  plan.n = seg.n;
  plan.modulation_order = config.modulation_order;
  plan.ncb = seg.n;
  if (config.lbrm_tbs > 0) {
    // N_ref = floor(TBS_LBRM / (C * R_LBRM)) with R_LBRM = 2/3.
    const long long n_ref = 3LL * config.lbrm_tbs / (2LL * seg.num_blocks);
    plan.ncb = static_cast<int>(std::min<long long>(seg.n, n_ref));
  }
  plan.filler_begin = seg.k_prime - 2 * seg.z;
  plan.filler_end = seg.k - 2 * seg.z;
  if (plan.ncb <= plan.filler_end) {
    return Error{fmt::format("limited buffer N_cb={} (TBS_LBRM={}) does not reach past the systematic bits",
                             plan.ncb, config.lbrm_tbs)};
  }

  // Table 5.4.2.1-2.
  const int z = seg.z;
  const bool bg1 = seg.base_graph == BaseGraph::bg1;
  const int denominator = (bg1 ? 66 : 50) * z;
  static constexpr int kBg1Numerators[4] = {0, 17, 33, 56};
  static constexpr int kBg2Numerators[4] = {0, 13, 25, 43};
  const int numerator = (bg1 ? kBg1Numerators : kBg2Numerators)[config.rv];
  plan.k0 = static_cast<int>(static_cast<long long>(numerator) * plan.ncb / denominator) * z;

  const int symbols_per_layer = config.g / (config.num_layers * config.modulation_order);  // G'
  const int c = seg.num_blocks;
  const int unit = config.num_layers * config.modulation_order;
  plan.num_small_blocks = c - symbols_per_layer % c;
  plan.e_small = unit * (symbols_per_layer / c);
  plan.e_large = unit * ((symbols_per_layer + c - 1) / c);
  if (plan.e_small == 0) {
    return Error{fmt::format("coded bits G={} leave no bits for some of the {} code blocks", config.g, c)};
  }
  return plan;
}

void rate_match(const RateMatchPlan& plan, std::span<const std::uint8_t> d, std::span<std::uint8_t> f) {
  assert(static_cast<int>(d.size()) >= plan.d_bits_read(static_cast<int>(f.size())));
  assert(static_cast<int>(f.size()) % plan.modulation_order == 0);
  dispatch_modulation_order<SelectKernel>(plan.modulation_order, plan, d, f);
}

void rate_recover(const RateMatchPlan& plan, std::span<const Llr> f, std::span<Llr> soft_buffer, bool combine) {
  assert(static_cast<int>(soft_buffer.size()) >= plan.ncb);
  assert(static_cast<int>(f.size()) % plan.modulation_order == 0);
  if (!combine) std::fill(soft_buffer.begin(), soft_buffer.end(), Llr{0});
  dispatch_modulation_order<RecoverKernel>(plan.modulation_order, plan, f, soft_buffer);
  std::fill(soft_buffer.begin() + plan.filler_begin, soft_buffer.begin() + plan.filler_end, kLlrMax);
}

}  // namespace airan::phy

// Host side of the GPU PUSCH chain (see detail/gpu_pusch_chain_host.hpp).
#include "airan/phy/detail/gpu_pusch_chain_host.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "airan/phy/coding/crc.hpp"

namespace airan::phy::gpu_pusch_chain {

namespace {
// The most code blocks a TB of G coded bits can need: BG1 at the highest code rate of the MCS
// tables (948/1024) carries 8424 payload bits per block; BG2 segments only when R <= 1/4.
int blocks_for_coded_bits(std::size_t g) {
  return static_cast<int>(std::ceil(static_cast<double>(g) * (948.0 / 1024.0) / 8424.0)) + 1;
}
constexpr int kSymbolsPerSlotForSizing = 14;
}  // namespace

Expected<Sizing> sizing(const PuschSlotReceiverConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  const GpuPuschLimits& l = config.limits;
  Sizing s;
  s.max_ues = l.max_ues;
  s.llr_stride = static_cast<std::size_t>(12 * l.max_prbs) * kSymbolsPerSlotForSizing *
                 static_cast<std::size_t>(l.max_layers) * static_cast<std::size_t>(l.max_modulation_order);
  // The UEs of a cell share its PRBs: all of them together carry at most a full grid of
  // max_layers layers (UEs that share PRBs in MU-MIMO share those layers), per cell.
  s.received_capacity = static_cast<std::size_t>(l.max_cells) * static_cast<std::size_t>(12 * l.grid_prbs) *
                        kSymbolsPerSlotForSizing * static_cast<std::size_t>(l.max_layers) *
                        static_cast<std::size_t>(l.max_modulation_order);
  s.max_blocks_per_tb = blocks_for_coded_bits(s.llr_stride);
  s.max_code_blocks = std::min(4096, blocks_for_coded_bits(s.received_capacity) + l.max_ues);
  s.tb_bits_capacity = s.received_capacity;  // TBS <= G at every code rate below 1
  s.crc_table_length = static_cast<int>(s.llr_stride) + 24;
  s.harq_processes = config.harq_processes;
  const long long every_process = static_cast<long long>(s.harq_processes) * s.max_blocks_per_tb;
  if (config.gpu_soft_buffers == 0) {
    if (every_process > 65536) {
      return Error{fmt::format("harq_processes={} x {} code blocks per TB exceeds the 65536 device soft buffers "
                               "(set gpu_soft_buffers to share fewer)",
                               s.harq_processes, s.max_blocks_per_tb)};
    }
    s.soft_buffers = static_cast<int>(every_process);
  } else {
    if (config.gpu_soft_buffers < s.max_blocks_per_tb || config.gpu_soft_buffers > 65536) {
      return Error{fmt::format("gpu_soft_buffers={} is outside {}..65536 (the largest TB of the limits has {} code "
                               "blocks)",
                               config.gpu_soft_buffers, s.max_blocks_per_tb, s.max_blocks_per_tb)};
    }
    s.soft_buffers = static_cast<int>(std::min<long long>(config.gpu_soft_buffers, every_process));
  }
  return s;
}

void SoftBufferPool::reset(int buffers, int processes, int blocks_per_process) {
  per_process_ = blocks_per_process;
  free_.resize(static_cast<std::size_t>(buffers));
  for (int i = 0; i < buffers; ++i) free_[static_cast<std::size_t>(i)] = buffers - 1 - i;  // 0 on top
  held_.assign(static_cast<std::size_t>(processes) * static_cast<std::size_t>(blocks_per_process), -1);
  count_.assign(static_cast<std::size_t>(processes), 0);
  tbs_.assign(static_cast<std::size_t>(processes), -1);
}

Status SoftBufferPool::assign(std::span<const PuschSlotUe> ues) {
  const auto blocks = [&ues](std::size_t u) { return ues[u].plan->sch.segmentation.num_blocks; };
  long long needed = 0;
  long long returned = 0;
  for (std::size_t u = 0; u < ues.size(); ++u) {
    if (!ues[u].new_data) continue;
    needed += blocks(u);
    returned += count_[static_cast<std::size_t>(ues[u].harq_process)];
  }
  if (needed > static_cast<long long>(free_.size()) + returned) {
    return Error{fmt::format("GPU PUSCH receiver: the slot's new data needs {} soft buffers, {} are free and {} "
                             "come back from its HARQ processes (gpu_soft_buffers too small for the traffic)",
                             needed, free_.size(), returned)};
  }
  for (const PuschSlotUe& ue : ues) {
    if (!ue.new_data) continue;
    const auto p = static_cast<std::size_t>(ue.harq_process);
    for (int b = 0; b < count_[p]; ++b) free_.push_back(held_[p * static_cast<std::size_t>(per_process_) + static_cast<std::size_t>(b)]);
    count_[p] = 0;
  }
  for (std::size_t u = 0; u < ues.size(); ++u) {
    if (!ues[u].new_data) continue;
    const auto p = static_cast<std::size_t>(ues[u].harq_process);
    for (int b = 0; b < blocks(u); ++b) {
      held_[p * static_cast<std::size_t>(per_process_) + static_cast<std::size_t>(b)] = free_.back();
      free_.pop_back();
    }
    count_[p] = blocks(u);
    tbs_[p] = ues[u].plan->tbs;
  }
  return Status::ok();
}

void SlotChain::reserve(const Sizing& sizing) {
  ues.reserve(static_cast<std::size_t>(sizing.max_ues));
  rate_recovery.reserve(static_cast<std::size_t>(sizing.max_code_blocks));
  code_blocks.reserve(static_cast<std::size_t>(sizing.max_code_blocks));
  coverage.reserve(static_cast<std::size_t>(sizing.max_ues));
  shape.reserve(1 + 3 * static_cast<std::size_t>(sizing.max_ues));
}

Status plan_slot(const Sizing& sizing, const PuschSlotReceiverConfig& config, std::span<const PuschSlotUe> ues,
                 std::span<const HarqProcess> harq, SoftBufferPool& pool, SlotChain& chain) {
  chain.ues.clear();
  chain.rate_recovery.clear();
  chain.code_blocks.clear();
  chain.coverage.clear();
  chain.shape.clear();
  chain.received_extent = 0;
  chain.tb_bits_extent = 0;
  chain.max_b = 0;
  chain.max_g = 0;
  if (ues.empty()) return Error{"GPU PUSCH receiver: a slot with no UEs"};
  if (static_cast<int>(ues.size()) > sizing.max_ues) {
    return Error{fmt::format("GPU PUSCH receiver: {} UEs in the slot, created for at most {}", ues.size(),
                             sizing.max_ues)};
  }
  chain.shape.push_back(static_cast<int>(ues.size()));
  for (std::size_t u = 0; u < ues.size(); ++u) {
    const PuschSlotUe& ue = ues[u];
    auto fail = [u](const std::string& what) { return Error{fmt::format("GPU PUSCH receiver: UE {}: {}", u, what)}; };
    if (ue.plan == nullptr) return fail("no plan");
    if (ue.cell < 0 || ue.cell >= config.limits.max_cells) {
      return fail(fmt::format("cell {} is outside 0..{}", ue.cell, config.limits.max_cells - 1));
    }
    const PuschPlan& plan = *ue.plan;
    const CodeBlockSegmentation& seg = plan.sch.segmentation;
    const RateMatchPlan& rm = plan.sch.rate_match;
    if (ue.harq_process < 0 || ue.harq_process >= sizing.harq_processes) {
      return fail(fmt::format("harq_process={} is outside 0..{}", ue.harq_process, sizing.harq_processes - 1));
    }
    for (std::size_t v = 0; v < u; ++v) {
      if (ues[v].harq_process == ue.harq_process) {
        return fail(fmt::format("harq_process={} is UE {}'s too", ue.harq_process, v));
      }
    }
    if (static_cast<std::size_t>(plan.g) > sizing.llr_stride || plan.g % plan.modulation_order != 0) {
      return fail(fmt::format("G={} exceeds the {} coded bits of the limits", plan.g, sizing.llr_stride));
    }
    if (seg.num_blocks > sizing.max_blocks_per_tb) {
      return fail(fmt::format("{} code blocks, the limits allow {}", seg.num_blocks, sizing.max_blocks_per_tb));
    }
    if (ue.tb_bits.size() != static_cast<std::size_t>(plan.tbs)) {
      return fail(fmt::format("tb_bits holds {} bits, the TBS is {}", ue.tb_bits.size(), plan.tbs));
    }
    const HarqProcess& h = harq[static_cast<std::size_t>(ue.harq_process)];
    if (!ue.new_data && (pool.tbs(ue.harq_process) != seg.tbs || pool.held(ue.harq_process) != seg.num_blocks)) {
      return fail(fmt::format("a retransmission of TBS {} in {} blocks, HARQ process {} holds TBS {} in {}", seg.tbs,
                              seg.num_blocks, ue.harq_process, pool.tbs(ue.harq_process), pool.held(ue.harq_process)));
    }
    if (chain.received_extent + static_cast<std::size_t>(plan.g) > sizing.received_capacity) {
      return fail(fmt::format("the slot's UEs carry more than the {} coded bits the receiver was sized for "
                              "(limits.grid_prbs x max_layers x max_modulation_order)",
                              sizing.received_capacity));
    }
    if (chain.code_blocks.size() + static_cast<std::size_t>(seg.num_blocks) >
        static_cast<std::size_t>(sizing.max_code_blocks)) {
      return fail(fmt::format("the slot needs more than the {} code blocks the receiver was sized for",
                              sizing.max_code_blocks));
    }
    if (chain.tb_bits_extent + static_cast<std::size_t>(plan.tbs) > sizing.tb_bits_capacity) {
      return fail(fmt::format("the slot's TBs exceed the {} TB bits the receiver was sized for",
                              sizing.tb_bits_capacity));
    }
    const int received_now = rm.d_bits_read(std::max(rm.e_small, rm.e_large));
    const int coverage = ue.new_data ? received_now : std::max(h.coverage, received_now);
    const int llr_count = std::max(seg.k - 2 * seg.z, coverage);
    const auto first_block = static_cast<std::uint32_t>(chain.code_blocks.size());
    for (int r = 0; r < seg.num_blocks; ++r) {
      const std::size_t block = chain.code_blocks.size();
      const std::size_t output = block * static_cast<std::size_t>(kLlrsPerBlockSlot);
      chain.rate_recovery.push_back(rate_recovery_block(
          rm, r, chain.received_extent + static_cast<std::size_t>(rm.offset(r)),
          0 /* the pool's buffer, below */, !ue.new_data, output, llr_count));
      chain.code_blocks.push_back(GpuLdpcCodeBlock{.base_graph = seg.base_graph,
                                                   .z = seg.z,
                                                   .llr_offset = output,
                                                   .llr_count = llr_count,
                                                   .max_iterations = config.receiver.decoder.max_iterations,
                                                   .early_stop = config.receiver.decoder.early_stop,
                                                   .crc_bits = seg.num_blocks > 1 ? seg.k_prime : 0,
                                                   .crc_type = CrcType::crc24b});
    }
    chain.ues.push_back(UeDescriptor{.g = static_cast<std::uint32_t>(plan.g),
                                     .qm = static_cast<std::uint32_t>(plan.modulation_order),
                                     // A retransmission keeps its first transmission's scale (as
                                     // PuschReceiver: HarqSoftBuffer::llr_gain).
                                     .fixed_gain = config.receiver.llr_gain > 0.0F ? config.receiver.llr_gain
                                                   : !ue.new_data                ? h.gain
                                                                                 : 0.0F,
                                     .received_offset = static_cast<std::uint32_t>(chain.received_extent),
                                     .tbs = static_cast<std::uint32_t>(seg.tbs),
                                     .b = static_cast<std::uint32_t>(seg.b),
                                     .payload_per_block = static_cast<std::uint32_t>(seg.payload_bits_per_block()),
                                     .first_block = first_block,
                                     .tb_crc_table = seg.tb_crc_bits == 24 ? 0U : 1U,
                                     .tb_offset = static_cast<std::uint32_t>(chain.tb_bits_extent)});
    chain.coverage.push_back(coverage);
    chain.shape.push_back(seg.num_blocks);
    chain.shape.push_back(static_cast<int>(seg.base_graph));
    chain.shape.push_back(seg.z);
    chain.received_extent += static_cast<std::size_t>(plan.g);
    chain.tb_bits_extent += static_cast<std::size_t>(plan.tbs);
    chain.max_b = std::max(chain.max_b, seg.b);
    chain.max_g = std::max(chain.max_g, plan.g);
  }
  // Every UE is valid: lend the new data its soft buffers, then name them in the descriptors.
  if (Status s = pool.assign(ues); !s) return s;
  for (std::size_t u = 0; u < ues.size(); ++u) {
    for (int r = 0; r < ues[u].plan->sch.segmentation.num_blocks; ++r) {
      chain.rate_recovery[chain.ues[u].first_block + static_cast<std::size_t>(r)].harq_buffer =
          pool.buffer(ues[u].harq_process, r);
    }
  }
  return Status::ok();
}

bool tb_has_energy(const PuschSlotUe& ue, std::uint32_t nonzero, const HarqProcess& before) {
  return nonzero > 0 || (!ue.new_data && before.energy);
}

void commit_harq(std::span<const PuschSlotUe> ues, const SlotChain& chain, std::span<const std::uint32_t> nonzero,
                 std::span<const float> gains, std::span<HarqProcess> harq) {
  for (std::size_t u = 0; u < ues.size(); ++u) {
    HarqProcess& h = harq[static_cast<std::size_t>(ues[u].harq_process)];
    const bool energy = tb_has_energy(ues[u], nonzero[u], h);
    h.coverage = chain.coverage[u];
    h.energy = energy;
    if (ues[u].new_data) h.gain = gains[u];
  }
}

std::vector<std::uint32_t> tb_crc_tables(int length) {
  std::vector<std::uint32_t> t(2 * static_cast<std::size_t>(length));
  const CrcType types[2] = {CrcType::crc24a, CrcType::crc16};
  for (int i = 0; i < 2; ++i) {
    const std::uint8_t one = 1;
    const std::uint32_t generator = crc_compute(types[i], std::span(&one, 1));  // x^L mod g
    std::uint32_t* table = t.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(length);
    table[0] = generator;
    for (int j = 1; j < length; ++j) table[j] = crc_math::times_x(table[j - 1], generator, crc_length(types[i]));
  }
  return t;
}

void emulate_quantize(const KernelParams& p, int ues) {
  for (int u = 0; u < ues; ++u) {
    const GainPartial sums = gain_partial(p, u, 0, 1);
    p.gains[u] = gain_from_sum(p.ues[u], sums.magnitude);
    p.sinr_sums[u] = static_cast<float>(sums.inverse_noise);
    std::uint32_t nonzero = 0;
    for (int i = 0; i < static_cast<int>(p.ues[u].g); ++i) nonzero += quantize_element(p, u, i) ? 1U : 0U;
    p.nonzero[u] = nonzero;
  }
}

void emulate_assemble(const KernelParams& p, int ues) {
  for (int u = 0; u < ues; ++u) {
    std::uint32_t remainder = 0;
    for (int i = 0; i < static_cast<int>(p.ues[u].b); ++i) remainder ^= assemble_element(p, u, i);
    p.tb_remainders[u] = remainder;
  }
}

}  // namespace airan::phy::gpu_pusch_chain

#include "airan/ai/oracle_bound.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace airan::ai {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

bool carries(const SlotKind& kind, Direction d) {
  return d == Direction::downlink ? kind.downlink_data : kind.uplink_data;
}

// Minimum over a window of indices whose both ends only move forward (a monotone deque).
class SlidingMinimum {
 public:
  explicit SlidingMinimum(std::size_t capacity) { entries_.reserve(capacity); }
  void push(std::int64_t index, double value) {
    while (entries_.size() > head_ && entries_.back().value >= value) entries_.pop_back();
    entries_.push_back({index, value});
  }
  // Minimum over pushed indices >= from (pushes are in increasing index order).
  double minimum_from(std::int64_t from) {
    while (head_ < entries_.size() && entries_[head_].index < from) ++head_;
    return head_ < entries_.size() ? entries_[head_].value : kInfinity;
  }

 private:
  struct Entry {
    std::int64_t index;
    double value;
  };
  std::vector<Entry> entries_;
  std::size_t head_ = 0;
};

}  // namespace

Result<OracleBound> compute_oracle_bound(const OracleProblem& problem, const EnergyModel& model) {
  if (auto e = model.validate()) return ErrorMessage{*e};
  if (auto e = problem.cell.validate()) return ErrorMessage{fmt::format("oracle cell: {}", *e)};
  if (problem.slots < 1) return ErrorMessage{fmt::format("oracle slots {} must be >= 1", problem.slots)};
  const PolicyCell& cell = problem.cell;
  const std::int64_t n = problem.slots;
  const double ms = static_cast<double>(cell.slot_duration_ns) * 1e-6;
  const double to_relative = 1.0 / (model.watts_per_relative_unit * 1e-3);  // joules -> relative units
  const auto& radio = model.radio;
  const auto period = static_cast<std::int64_t>(cell.pattern.size());

  // Windows shrunk to the slots of their direction; L[j] = the latest window start among
  // windows that end before j (a data slot at j may follow one at i only when i >= L[j]).
  std::vector<std::int64_t> latest_start_ending_before(static_cast<std::size_t>(n + 1), -1);
  OracleBound bound;
  std::array<double, 2> required_bytes{0.0, 0.0};
  for (const OracleWindow& w : problem.windows) {
    std::int64_t a = std::max<std::int64_t>(0, w.first_slot);
    std::int64_t b = std::min<std::int64_t>(n - 1, w.last_slot);
    std::int64_t steps = 0;
    while (a <= b && !carries(cell.kind(a), w.direction) && steps++ < period) ++a;
    steps = 0;
    while (b >= a && !carries(cell.kind(b), w.direction) && steps++ < period) --b;
    if (a > b || !carries(cell.kind(a), w.direction)) continue;  // no slot can carry it: nobody meets it
    ++bound.windows_used;
    // [downlink, uplink] as max_bytes_per_prb_layer (not the enum's order).
    required_bytes[w.direction == Direction::downlink ? 0 : 1] += static_cast<double>(w.bytes);
    auto& slot = latest_start_ending_before[static_cast<std::size_t>(b + 1)];
    slot = std::max(slot, a);
  }
  for (std::int64_t j = 1; j <= n; ++j) {
    auto& here = latest_start_ending_before[static_cast<std::size_t>(j)];
    here = std::max(here, latest_start_ending_before[static_cast<std::size_t>(j - 1)]);
  }

  // The cheapest slot that can carry data, per direction: an active slot, no PRB, one antenna,
  // every symbol (the evaluation keeps all 14 on in a slot with grants), and the DU's fronthaul.
  const double one_antenna = 1.0 / cell.total_antennas;
  const double fronthaul_joules =
      model.compute.busy_power_w * model.compute.processing_time_us(cell.total_prbs, 1, ComputeWork{}) * 1e-6;
  std::array<double, 2> data_radio{};
  for (int d = 0; d < 2; ++d) data_radio[d] = radio.active_power(static_cast<Direction>(d), 0.0, one_antenna) * ms;
  const double data_compute = fronthaul_joules * to_relative;

  struct SleepCost {
    double power_ms;          // per slot
    double transition;        // per period
    std::int64_t min_slots;
  };
  const std::array<SleepCost, 3> sleeps = {{
      {radio.micro_sleep.relative_power * ms, radio.micro_sleep.transition_energy,
       cell.minimum_sleep_slots[static_cast<int>(RadioState::micro_sleep)]},
      {radio.light_sleep.relative_power * ms, radio.light_sleep.transition_energy,
       cell.minimum_sleep_slots[static_cast<int>(RadioState::light_sleep)]},
      {radio.deep_sleep.relative_power * ms, radio.deep_sleep.transition_energy,
       cell.minimum_sleep_slots[static_cast<int>(RadioState::deep_sleep)]},
  }};

  // best[j]: the cheapest radio + fronthaul energy of slots 0..j with a data slot at j and every
  // window ending before j served; index -1 is the start. Per sleep state, a sliding minimum of
  // best[i] - power * i gives the best predecessor whose gap (j - i - 1 slots) fits the state.
  const auto idx = [](std::int64_t i) { return static_cast<std::size_t>(i + 1); };
  std::vector<double> best(static_cast<std::size_t>(n + 1), kInfinity);
  best[idx(-1)] = 0.0;
  std::array<SlidingMinimum, 3> minima = {SlidingMinimum(static_cast<std::size_t>(n + 1)),
                                          SlidingMinimum(static_cast<std::size_t>(n + 1)),
                                          SlidingMinimum(static_cast<std::size_t>(n + 1))};
  std::array<std::int64_t, 3> pushed_up_to = {-2, -2, -2};
  for (std::int64_t j = 0; j < n; ++j) {
    const SlotKind& kind = cell.kind(j);
    if (!kind.downlink_data && !kind.uplink_data) continue;
    const std::int64_t from = std::max<std::int64_t>(-1, latest_start_ending_before[static_cast<std::size_t>(j)]);
    double predecessor = kInfinity;
    // No gap at all.
    if (j - 1 >= from) predecessor = best[idx(j - 1)];
    for (std::size_t s = 0; s < sleeps.size(); ++s) {
      // Predecessors i with j - i - 1 >= max(1, min_slots).
      const std::int64_t newest = j - 1 - std::max<std::int64_t>(1, sleeps[s].min_slots);
      while (pushed_up_to[s] < newest) {
        ++pushed_up_to[s];
        const std::int64_t i = pushed_up_to[s];
        if (i >= -1 && best[idx(i)] < kInfinity)
          minima[s].push(i, best[idx(i)] - sleeps[s].power_ms * static_cast<double>(i));
      }
      const double m = minima[s].minimum_from(from);
      if (m < kInfinity)
        predecessor = std::min(predecessor, m + sleeps[s].power_ms * static_cast<double>(j - 1) + sleeps[s].transition);
    }
    if (predecessor == kInfinity) continue;
    double cheapest_data = kInfinity;
    for (int d = 0; d < 2; ++d)
      if (carries(kind, static_cast<Direction>(d))) cheapest_data = std::min(cheapest_data, data_radio[d]);
    best[idx(j)] = predecessor + cheapest_data + data_compute;
  }
  // The end: any state for the last gap (its period need not end within the run).
  double total = kInfinity;
  const std::int64_t from_end = std::max<std::int64_t>(-1, latest_start_ending_before[static_cast<std::size_t>(n)]);
  for (std::int64_t i = from_end; i < n; ++i) {
    if (best[idx(i)] == kInfinity) continue;
    const std::int64_t gap = n - 1 - i;
    double gap_cost = 0.0;
    if (gap > 0) {
      gap_cost = kInfinity;
      for (const SleepCost& s : sleeps) gap_cost = std::min(gap_cost, s.power_ms * static_cast<double>(gap) + s.transition);
    }
    total = std::min(total, best[idx(i)] + gap_cost);
  }
  if (total == kInfinity) return ErrorMessage{"oracle: no set of data slots serves every window (internal error)"};

  // The data-slot count of an optimal set is not tracked through the minima; count the slots a
  // greedy latest-placement needs instead (the minimum number of data slots, a property of the
  // windows alone), for the report.
  {
    std::vector<std::pair<std::int64_t, std::int64_t>> shrunk;
    shrunk.reserve(problem.windows.size());
    for (const OracleWindow& w : problem.windows) {
      std::int64_t a = std::max<std::int64_t>(0, w.first_slot);
      std::int64_t b = std::min<std::int64_t>(n - 1, w.last_slot);
      while (b >= a && !carries(cell.kind(b), w.direction)) --b;
      while (a <= b && !carries(cell.kind(a), w.direction)) ++a;
      if (a <= b) shrunk.emplace_back(b, a);
    }
    std::sort(shrunk.begin(), shrunk.end());
    std::int64_t placed = -1;
    for (const auto& [b, a] : shrunk) {
      if (placed >= a) continue;  // a data slot of some direction inside: the relaxation needs no more
      placed = b;
      ++bound.data_slots;
    }
  }

  // PRB-dependent energy of the required bytes at the highest MCS (linear models only).
  double dynamic_radio = 0.0;
  double decoding_compute = 0.0;
  if (radio.prb_exponent == 1.0 && radio.antenna_exponent == 1.0) {
    for (int d = 0; d < 2; ++d) {
      const double per = problem.max_bytes_per_prb_layer[d];
      if (per <= 0.0) continue;
      const double prb_layers = required_bytes[d] / per;
      const double reference = d == 0 ? radio.active_dl_relative_power : radio.active_ul_relative_power;
      dynamic_radio += (reference - radio.static_relative_power) * prb_layers /
                       (static_cast<double>(cell.total_prbs) * cell.total_antennas) * ms;
      decoding_compute += model.compute.busy_power_w *
                          (model.compute.us_per_prb_layer + model.compute.us_per_prb_layer_squared) * prb_layers *
                          1e-6 * to_relative;
    }
  }
  const double idle_compute = model.compute.idle_power_w * ms * 1e-3 * to_relative * static_cast<double>(n);
  const double fronthaul_total = data_compute * static_cast<double>(bound.data_slots);
  // `total` holds radio and fronthaul together; the fronthaul part of the optimum is at least
  // that of the minimum data-slot count, so splitting it off that way keeps radio a bound too.
  bound.energy.compute = idle_compute + decoding_compute + fronthaul_total;
  bound.energy.radio = total - fronthaul_total + dynamic_radio;
  return bound;
}

}  // namespace airan::ai

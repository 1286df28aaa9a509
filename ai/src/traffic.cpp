#include "airan/ai/traffic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace airan::ai {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr double kNsPerSecond = 1e9;

// splitmix64: spreads (seed, flow id, stream) into well-separated mt19937_64 seeds.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint32_t flow_id, std::uint64_t stream) {
  return splitmix64(splitmix64(seed) ^ splitmix64((std::uint64_t{flow_id} << 8) | stream));
}

// The standard distributions are implementation-defined; these are not, so a seed gives the
// same traffic with every standard library.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::int64_t uniform_int(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<double>(hi - lo + 1);
  return std::min(hi, lo + static_cast<std::int64_t>(uniform01(rng) * span));
}

double exponential(std::mt19937_64& rng, double mean) { return -mean * std::log1p(-uniform01(rng)); }

// At least one, mean `mean` (>= 1).
std::int64_t geometric_at_least_one(std::mt19937_64& rng, double mean) {
  if (mean <= 1.0) return 1;
  const double p = 1.0 / mean;
  return 1 + static_cast<std::int64_t>(std::floor(std::log1p(-uniform01(rng)) / std::log1p(-p)));
}

double drift_factor(const FlowConfig& flow) { return 1.0 + flow.clock_drift_ppm * 1e-6; }

}  // namespace

std::string_view to_string(TrafficClass traffic_class) {
  switch (traffic_class) {
    case TrafficClass::motion_control: return "motion_control";
    case TrafficClass::cooperative_robot: return "cooperative_robot";
    case TrafficClass::mobile_robot_control: return "mobile_robot_control";
    case TrafficClass::mobile_robot_video: return "mobile_robot_video";
    case TrafficClass::emergency_stop: return "emergency_stop";
    case TrafficClass::embb: return "embb";
  }
  return "unknown";
}

std::string_view to_string(Direction direction) { return direction == Direction::uplink ? "ul" : "dl"; }

std::string_view to_string(ArrivalPattern pattern) {
  return pattern == ArrivalPattern::periodic ? "periodic" : "poisson";
}

std::optional<std::string> FlowConfig::validate() const {
  const auto where = fmt::format("flow {} ({})", flow_id, to_string(traffic_class));
  if (min_bytes < 1) return fmt::format("{}: min_bytes {} must be >= 1", where, min_bytes);
  if (max_bytes < min_bytes)
    return fmt::format("{}: max_bytes {} must be >= min_bytes {}", where, max_bytes, min_bytes);
  if (interval_ns <= 0) return fmt::format("{}: interval_ns {} must be > 0", where, interval_ns);
  if (deadline_ns <= 0) return fmt::format("{}: deadline_ns {} must be > 0", where, deadline_ns);
  if (phase_ns < 0) return fmt::format("{}: phase_ns {} must be >= 0", where, phase_ns);
  if (jitter_ns < 0) return fmt::format("{}: jitter_ns {} must be >= 0", where, jitter_ns);
  if (pattern == ArrivalPattern::periodic && 2 * jitter_ns >= interval_ns)
    // Beyond half a period two packets of the flow could swap places.
    return fmt::format("{}: jitter_ns {} must be below half of interval_ns {}", where, jitter_ns,
                       interval_ns);
  if (pattern == ArrivalPattern::poisson && jitter_ns != 0)
    return fmt::format("{}: jitter_ns {} applies to periodic flows only; use 0", where, jitter_ns);
  if (!std::isfinite(clock_drift_ppm) || std::abs(clock_drift_ppm) >= 1000.0)
    return fmt::format("{}: clock_drift_ppm {} must be within (-1000, 1000)", where, clock_drift_ppm);
  if (!std::isfinite(burst.episodes_per_second) || burst.episodes_per_second < 0.0)
    return fmt::format("{}: burst.episodes_per_second {} must be >= 0", where, burst.episodes_per_second);
  if (burst.enabled()) {
    if (!std::isfinite(burst.mean_packets_per_episode) || burst.mean_packets_per_episode < 1.0)
      return fmt::format("{}: burst.mean_packets_per_episode {} must be >= 1", where,
                         burst.mean_packets_per_episode);
    if (burst.spacing_ns < 0)
      return fmt::format("{}: burst.spacing_ns {} must be >= 0", where, burst.spacing_ns);
  }
  return std::nullopt;
}

double FlowConfig::mean_packets_per_second() const {
  const double own = kNsPerSecond / (static_cast<double>(interval_ns) * drift_factor(*this));
  const double bursts = burst.enabled() ? burst.episodes_per_second * burst.mean_packets_per_episode : 0.0;
  return own + bursts;
}

Result<TrafficGenerator> TrafficGenerator::create(std::vector<FlowConfig> flows, std::uint64_t seed) {
  std::set<std::uint32_t> ids;
  for (const auto& flow : flows) {
    if (auto error = flow.validate()) return ErrorMessage{*error};
    if (!ids.insert(flow.flow_id).second)
      return ErrorMessage{fmt::format("flow_id {} appears more than once", flow.flow_id)};
  }
  if (flows.size() > std::numeric_limits<std::uint32_t>::max())
    return ErrorMessage{fmt::format("{} flows: too many", flows.size())};
  return TrafficGenerator(std::move(flows), seed);
}

TrafficGenerator::TrafficGenerator(std::vector<FlowConfig> flows, std::uint64_t seed) : flows_(std::move(flows)) {
  states_.resize(flows_.size());
  heap_.reserve(flows_.size());
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    const auto& flow = flows_[i];
    auto& state = states_[i];
    state.schedule_rng.seed(stream_seed(seed, flow.flow_id, 1));
    state.burst_rng.seed(stream_seed(seed, flow.flow_id, 2));
    schedule_own_arrival(i);
    if (flow.burst.enabled()) {
      state.next_episode_ns = flow.phase_ns + std::llround(exponential(state.burst_rng, kNsPerSecond / flow.burst.episodes_per_second));
      refill_burst(i);
    } else {
      state.next_episode_ns = kNever;
      state.next_burst_packet_ns = kNever;
    }
    heap_.push_back({next_arrival_ns(i), flow.flow_id, static_cast<std::uint32_t>(i)});
  }
  std::make_heap(heap_.begin(), heap_.end(), [](const HeapEntry& a, const HeapEntry& b) {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.flow_id > b.flow_id;
  });
}

void TrafficGenerator::schedule_own_arrival(std::size_t index) {
  const auto& flow = flows_[index];
  auto& state = states_[index];
  const double period = static_cast<double>(flow.interval_ns) * drift_factor(flow);
  if (flow.pattern == ArrivalPattern::periodic) {
    // From the index, not by accumulation, so rounding never drifts the schedule.
    const auto nominal = flow.phase_ns + std::llround(static_cast<double>(state.own_index) * period);
    const auto jitter = flow.jitter_ns > 0 ? uniform_int(state.schedule_rng, -flow.jitter_ns, flow.jitter_ns) : 0;
    state.next_own_ns = std::max<std::int64_t>(0, nominal + jitter);
    ++state.own_index;
  } else {
    const auto start = state.own_index == 0 ? flow.phase_ns : state.next_own_ns;
    state.next_own_ns = start + std::llround(exponential(state.schedule_rng, period));
    ++state.own_index;
  }
}

// Keeps a pending burst packet: when the current episode is spent, the next one starts;
// episodes that begin before the current one ends merge into it.
void TrafficGenerator::refill_burst(std::size_t index) {
  const auto& burst = flows_[index].burst;
  auto& state = states_[index];
  const double mean_gap_ns = kNsPerSecond / burst.episodes_per_second;
  if (state.burst_packets_left == 0) {
    state.next_burst_packet_ns = state.next_episode_ns;
    state.burst_packets_left = geometric_at_least_one(state.burst_rng, burst.mean_packets_per_episode);
    state.next_episode_ns += std::max<std::int64_t>(1, std::llround(exponential(state.burst_rng, mean_gap_ns)));
  }
  while (state.next_episode_ns <= state.next_burst_packet_ns) {
    state.burst_packets_left += geometric_at_least_one(state.burst_rng, burst.mean_packets_per_episode);
    state.next_episode_ns += std::max<std::int64_t>(1, std::llround(exponential(state.burst_rng, mean_gap_ns)));
  }
}

std::int64_t TrafficGenerator::next_arrival_ns(std::size_t index) const {
  const auto& state = states_[index];
  return std::min(state.next_own_ns, state.next_burst_packet_ns);
}

void TrafficGenerator::emit_next(std::size_t index, std::vector<Packet>& out) {
  const auto& flow = flows_[index];
  auto& state = states_[index];
  // The flow's own packet wins a tie, so bursts never reorder its schedule.
  const bool own = state.next_own_ns <= state.next_burst_packet_ns;
  auto& size_rng = own ? state.schedule_rng : state.burst_rng;
  Packet packet;
  packet.flow_id = flow.flow_id;
  packet.ue_id = flow.ue_id;
  packet.traffic_class = flow.traffic_class;
  packet.direction = flow.direction;
  packet.from_burst = !own;
  packet.arrival_ns = own ? state.next_own_ns : state.next_burst_packet_ns;
  packet.deadline_ns = packet.arrival_ns + flow.deadline_ns;
  packet.bytes = static_cast<std::uint32_t>(uniform_int(size_rng, flow.min_bytes, flow.max_bytes));
  out.push_back(packet);
  if (own) {
    schedule_own_arrival(index);
  } else {
    --state.burst_packets_left;
    state.next_burst_packet_ns += flow.burst.spacing_ns;
    refill_burst(index);
  }
}

void TrafficGenerator::generate_until(std::int64_t end_ns, std::vector<Packet>& out) {
  const auto later = [](const HeapEntry& a, const HeapEntry& b) {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.flow_id > b.flow_id;
  };
  while (!heap_.empty() && heap_.front().time_ns < end_ns) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    auto& entry = heap_.back();
    emit_next(entry.index, out);
    entry.time_ns = next_arrival_ns(entry.index);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  generated_until_ns_ = std::max(generated_until_ns_, end_ns);
}

std::size_t TrafficGenerator::expected_packets(std::int64_t duration_ns) const {
  double rate = 0.0;
  for (const auto& flow : flows_) rate += flow.mean_packets_per_second();
  const double expected = rate * static_cast<double>(duration_ns) / kNsPerSecond;
  // Margin for the randomness of bursts and Poisson flows, plus one packet per flow for the
  // window's edges.
  return static_cast<std::size_t>(expected * 1.5 + 4.0 * std::sqrt(expected + 1.0)) + flows_.size() + 16;
}

}  // namespace airan::ai

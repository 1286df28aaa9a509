// The factory scenario presets. Every number is listed with its source in docs/energy.md
// ("Traffic model"); values marked "assumption" there have no 3GPP source and are knobs.
#include <array>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "airan/ai/traffic.hpp"

namespace airan::ai {
namespace {

constexpr std::int64_t kUs = 1'000;
constexpr std::int64_t kMs = 1'000'000;

struct MotionControlRow {
  std::int64_t interval_ns;  // transfer interval = survival time
  std::uint32_t bytes;
};
// TS 22.104 Table 5.2-1, the three motion-control rows (see docs/energy.md on confirmation).
constexpr std::array<MotionControlRow, 3> kMotionControlRows{{
    {500 * kUs, 50},
    {1 * kMs, 40},
    {2 * kMs, 20},
}};

constexpr double kMaxClockDriftPpm = 20.0;  // assumption: a typical crystal tolerance
constexpr double kPeriodicJitterFraction = 0.05;  // assumption: jitter up to 5 % of the interval

struct ScenarioShape {
  std::string_view name;
  int robots;
  int embb_ues;
};
constexpr std::array<ScenarioShape, 4> kScenarios{{
    {"factory-10", 10, 0},
    {"factory-50", 50, 0},
    {"factory-200", 200, 0},
    {"mixed", 50, 10},
}};

class ScenarioBuilder {
 public:
  explicit ScenarioBuilder(std::uint64_t seed) : rng_(seed ^ 0x6169616E2D747266ull) {}

  void add_robot(int robot, std::uint32_t ue_id) {
    // The robot's clock drifts against the cell's: every uplink flow of the robot sees the
    // same drift. Downlink flows come from the (network-side, synchronised) controller.
    const double drift_ppm = uniform(-kMaxClockDriftPpm, kMaxClockDriftPpm);

    if (robot % 10 < 3) {
      const auto& row = kMotionControlRows[static_cast<std::size_t>(robot % 3)];
      FlowConfig flow = periodic(ue_id, TrafficClass::motion_control, Direction::uplink, row.interval_ns);
      flow.min_bytes = flow.max_bytes = row.bytes;
      flow.deadline_ns = row.interval_ns;
      flow.clock_drift_ppm = drift_ppm;
      push(flow);
    } else {
      FlowConfig flow = periodic(ue_id, TrafficClass::cooperative_robot, Direction::uplink, 1 * kMs);
      flow.min_bytes = 40;
      flow.max_bytes = 250;
      flow.deadline_ns = 1 * kMs;
      flow.clock_drift_ppm = drift_ppm;
      flow.burst = {.episodes_per_second = 2.0, .mean_packets_per_episode = 3.0, .spacing_ns = 250 * kUs};
      push(flow);
    }

    {
      const std::int64_t interval = uniform_int(10, 50) * kMs;
      FlowConfig flow = periodic(ue_id, TrafficClass::mobile_robot_control, Direction::downlink, interval);
      flow.min_bytes = 40;
      flow.max_bytes = 250;
      flow.deadline_ns = interval;
      flow.burst = {.episodes_per_second = 1.0, .mean_packets_per_episode = 4.0, .spacing_ns = 1 * kMs};
      push(flow);
    }

    {
      FlowConfig flow;
      flow.ue_id = ue_id;
      flow.traffic_class = TrafficClass::emergency_stop;
      flow.direction = Direction::uplink;
      flow.pattern = ArrivalPattern::poisson;
      flow.interval_ns = 10'000 * kMs;  // assumption: one event per 10 s on average
      flow.min_bytes = 40;
      flow.max_bytes = 250;
      flow.deadline_ns = 8 * kMs;
      flow.phase_ns = 0;
      flow.clock_drift_ppm = drift_ppm;
      push(flow);
    }

    // Every 10th robot streams video: 20 streams (200 Mbit/s UL) already load one 100 MHz
    // TDD cell's uplink heavily in factory-200.
    if (robot % 10 == 9) {
      // ~10 Mbit/s: 10,000..15,000 bytes (mean 12,500) every 10 ms.
      FlowConfig flow = periodic(ue_id, TrafficClass::mobile_robot_video, Direction::uplink, 10 * kMs);
      flow.min_bytes = 10'000;
      flow.max_bytes = 15'000;
      flow.deadline_ns = 10 * kMs;
      flow.clock_drift_ppm = drift_ppm;
      push(flow);
    }
  }

  void add_embb_ue(std::uint32_t ue_id) {
    FlowConfig flow;
    flow.ue_id = ue_id;
    flow.traffic_class = TrafficClass::embb;
    flow.direction = Direction::downlink;
    flow.pattern = ArrivalPattern::poisson;
    flow.interval_ns = 1 * kMs;  // assumption: ~1 packet/ms of 500..1500 B, ~8 Mbit/s per UE
    flow.min_bytes = 500;
    flow.max_bytes = 1500;
    flow.deadline_ns = 300 * kMs;  // 5QI 9 packet delay budget, TS 23.501 Table 5.7.4-1
    flow.burst = {.episodes_per_second = 5.0, .mean_packets_per_episode = 50.0, .spacing_ns = 100 * kUs};
    push(flow);
  }

  std::vector<FlowConfig> take() { return std::move(flows_); }

 private:
  FlowConfig periodic(std::uint32_t ue_id, TrafficClass traffic_class, Direction direction, std::int64_t interval) {
    FlowConfig flow;
    flow.ue_id = ue_id;
    flow.traffic_class = traffic_class;
    flow.direction = direction;
    flow.pattern = ArrivalPattern::periodic;
    flow.interval_ns = interval;
    flow.jitter_ns = static_cast<std::int64_t>(kPeriodicJitterFraction * static_cast<double>(interval));
    // Robots start at random points of their cycle, not all at once.
    flow.phase_ns = flow.jitter_ns + uniform_int(0, interval - 1);
    return flow;
  }

  void push(FlowConfig flow) {
    flow.flow_id = static_cast<std::uint32_t>(flows_.size());
    flows_.push_back(flow);
  }

  double uniform(double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng_() >> 11) * 0x1.0p-53);
  }
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<double>(hi - lo + 1);
    return std::min(hi, lo + static_cast<std::int64_t>(static_cast<double>(rng_() >> 11) * 0x1.0p-53 * span));
  }

  std::mt19937_64 rng_;
  std::vector<FlowConfig> flows_;
};

}  // namespace

std::vector<std::string_view> factory_scenario_names() {
  std::vector<std::string_view> names;
  for (const auto& shape : kScenarios) names.push_back(shape.name);
  return names;
}

Result<TrafficScenario> factory_scenario(std::string_view name, std::uint64_t seed) {
  for (const auto& shape : kScenarios) {
    if (shape.name != name) continue;
    ScenarioBuilder builder(seed);
    std::uint32_t ue_id = 1;
    for (int robot = 0; robot < shape.robots; ++robot) builder.add_robot(robot, ue_id++);
    for (int ue = 0; ue < shape.embb_ues; ++ue) builder.add_embb_ue(ue_id++);
    TrafficScenario scenario;
    scenario.name = std::string(name);
    scenario.robots = shape.robots;
    scenario.embb_ues = shape.embb_ues;
    scenario.flows = builder.take();
    return scenario;
  }
  return ErrorMessage{fmt::format("scenario '{}' is unknown; known: factory-10, factory-50, factory-200, mixed", name)};
}

}  // namespace airan::ai

// Industrial traffic: flows of the classes of 3GPP TS 22.104 (motion control, mobile robots,
// emergency stop) and best-effort eMBB, turned into packet arrivals that are reproducible
// from a seed. Where each number comes from: docs/energy.md ("Traffic model").
//
// A flow is periodic (a nominal arrival every transfer interval, moved by jitter and by the
// drift of the robot's clock against the cell's) or sporadic (Poisson arrivals). On top of
// either, an optional burst process adds clusters of extra packets (compound Poisson), because
// measured factory traffic is burstier than the 3GPP models.
//
// Every flow draws from its own random streams, seeded from (seed, flow_id): adding, removing
// or reordering flows never changes the arrivals of the others.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "airan/ai/result.hpp"

namespace airan::ai {

enum class TrafficClass : std::uint8_t {
  motion_control,        // TS 22.104 Table 5.2-1 / A.2.2.1
  cooperative_robot,     // mobile robots, cooperative motion control (A.2.2.3)
  mobile_robot_control,  // mobile robots, standard operation / traffic management (A.2.2.3)
  mobile_robot_video,    // mobile robots, video streaming uplink (A.2.2.3)
  emergency_stop,        // mobile operation panel, emergency stop (A.2.4.1A)
  embb,                  // best-effort eMBB (not in TS 22.104)
};
inline constexpr int kTrafficClassCount = 6;

enum class Direction : std::uint8_t { uplink, downlink };

enum class ArrivalPattern : std::uint8_t {
  periodic,  // one nominal arrival per interval_ns (deterministic periodic communication)
  poisson,   // exponential inter-arrival times with mean interval_ns (sporadic)
};

std::string_view to_string(TrafficClass traffic_class);
std::string_view to_string(Direction direction);
std::string_view to_string(ArrivalPattern pattern);

// Clusters of extra packets on top of the flow's own arrivals: episodes start as a Poisson
// process; each brings a geometrically distributed number of packets (at least one) spaced
// spacing_ns apart. This raises the index of dispersion of the packet count above 1 (Poisson)
// and, for periodic flows, above 0.
struct BurstModel {
  double episodes_per_second = 0.0;  // 0: no bursts
  double mean_packets_per_episode = 0.0;  // >= 1 when episodes_per_second > 0
  std::int64_t spacing_ns = 0;

  bool enabled() const { return episodes_per_second > 0.0; }
};

struct FlowConfig {
  std::uint32_t flow_id = 0;  // unique within a generator; seeds the flow's random streams
  std::uint32_t ue_id = 0;
  TrafficClass traffic_class = TrafficClass::embb;
  Direction direction = Direction::uplink;
  ArrivalPattern pattern = ArrivalPattern::periodic;
  std::uint32_t min_bytes = 1;  // payload size, uniform in [min_bytes, max_bytes]
  std::uint32_t max_bytes = 1;
  std::int64_t interval_ns = 1'000'000;  // transfer interval, or mean inter-arrival (poisson)
  std::int64_t deadline_ns = 1'000'000;  // relative: survival time or latency budget
  std::int64_t phase_ns = 0;             // first nominal arrival (periodic) / start (poisson)
  std::int64_t jitter_ns = 0;            // periodic: uniform in [-jitter, +jitter] around nominal
  double clock_drift_ppm = 0.0;          // robot clock against the cell's: the period seen by
                                         // the cell is interval * (1 + ppm * 1e-6)
  BurstModel burst;

  // Empty when valid; otherwise what is wrong, naming the field and its value.
  std::optional<std::string> validate() const;

  // Long-run packets per second, bursts included (for sizing buffers and for tests).
  double mean_packets_per_second() const;
};

struct Packet {
  std::uint32_t flow_id = 0;
  std::uint32_t ue_id = 0;
  TrafficClass traffic_class = TrafficClass::embb;
  Direction direction = Direction::uplink;
  bool from_burst = false;      // added by the burst process, not the flow's own schedule
  std::int64_t arrival_ns = 0;  // at the cell (UL: the UE's buffer; DL: the gNB's)
  std::int64_t deadline_ns = 0;  // absolute: arrival_ns + the flow's deadline
  std::uint32_t bytes = 0;

  bool operator==(const Packet&) const = default;
};

class TrafficGenerator {
 public:
  // Validates every flow (and that flow ids are unique); the error names the flow and field.
  static Result<TrafficGenerator> create(std::vector<FlowConfig> flows, std::uint64_t seed);

  // Appends, in time order (ties by flow id), every arrival with arrival_ns < end_ns not yet
  // generated. Successive calls with growing end_ns continue the same sequence, so cutting a
  // run into slots gives the same packets as one call. Allocates nothing beyond `out`'s
  // growth: reserve it (expected_packets(duration)) and steady state allocates nothing.
  void generate_until(std::int64_t end_ns, std::vector<Packet>& out);

  // Expected number of packets in a window of duration_ns, with margin, for out.reserve().
  std::size_t expected_packets(std::int64_t duration_ns) const;

  const std::vector<FlowConfig>& flows() const { return flows_; }
  std::int64_t generated_until_ns() const { return generated_until_ns_; }

 private:
  struct FlowState {
    std::mt19937_64 schedule_rng;  // jitter, Poisson gaps, sizes of the flow's own packets
    std::mt19937_64 burst_rng;     // episodes and their packets
    std::int64_t own_index = 0;         // arrivals of the flow's own schedule drawn so far
    std::int64_t next_own_ns = 0;       // next arrival of the flow's own schedule
    std::int64_t next_episode_ns = 0;   // start of the next burst episode
    std::int64_t next_burst_packet_ns = 0;
    std::int64_t burst_packets_left = 0;  // in the current episode
  };

  TrafficGenerator(std::vector<FlowConfig> flows, std::uint64_t seed);
  std::int64_t next_arrival_ns(std::size_t flow) const;
  void schedule_own_arrival(std::size_t flow);
  void refill_burst(std::size_t flow);
  void emit_next(std::size_t flow, std::vector<Packet>& out);

  std::vector<FlowConfig> flows_;
  std::vector<FlowState> states_;
  struct HeapEntry {
    std::int64_t time_ns;
    std::uint32_t flow_id;  // breaks ties, so the order never depends on the heap's layout
    std::uint32_t index;
  };
  // Min-heap of the next arrival of every flow: one entry per flow, fixed after creation.
  std::vector<HeapEntry> heap_;
  std::int64_t generated_until_ns_ = 0;
};

// A named mix of flows: "factory-10", "factory-50", "factory-200" (10/50/200 robots) and
// "mixed" (50 robots plus 10 eMBB UEs). The mix per robot is described in docs/energy.md; the
// seed chooses phases, clock drifts and per-robot intervals, so a name and a seed give one
// scenario.
struct TrafficScenario {
  std::string name;
  int robots = 0;
  int embb_ues = 0;
  std::vector<FlowConfig> flows;
};

std::vector<std::string_view> factory_scenario_names();
Result<TrafficScenario> factory_scenario(std::string_view name, std::uint64_t seed);

}  // namespace airan::ai

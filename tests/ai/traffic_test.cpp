#include "airan/ai/traffic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace airan::ai {
namespace {

constexpr std::int64_t kUs = 1'000;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

FlowConfig periodic_flow(std::uint32_t id, std::int64_t interval, std::int64_t jitter = 0) {
  FlowConfig flow;
  flow.flow_id = id;
  flow.ue_id = id + 100;
  flow.traffic_class = TrafficClass::cooperative_robot;
  flow.direction = Direction::uplink;
  flow.pattern = ArrivalPattern::periodic;
  flow.min_bytes = 40;
  flow.max_bytes = 250;
  flow.interval_ns = interval;
  flow.deadline_ns = interval;
  flow.phase_ns = jitter + 123 * kUs;
  flow.jitter_ns = jitter;
  return flow;
}

FlowConfig poisson_flow(std::uint32_t id, std::int64_t mean_interval) {
  FlowConfig flow;
  flow.flow_id = id;
  flow.ue_id = id + 100;
  flow.traffic_class = TrafficClass::emergency_stop;
  flow.pattern = ArrivalPattern::poisson;
  flow.min_bytes = 40;
  flow.max_bytes = 250;
  flow.interval_ns = mean_interval;
  flow.deadline_ns = 8 * kMs;
  return flow;
}

std::vector<Packet> generate(const std::vector<FlowConfig>& flows, std::uint64_t seed, std::int64_t end_ns) {
  auto generator = TrafficGenerator::create(flows, seed);
  EXPECT_TRUE(generator.has_value()) << (generator ? "" : generator.error());
  std::vector<Packet> out;
  out.reserve(generator->expected_packets(end_ns));
  generator->generate_until(end_ns, out);
  return out;
}

std::vector<Packet> of_flow(const std::vector<Packet>& packets, std::uint32_t flow_id) {
  std::vector<Packet> selected;
  std::copy_if(packets.begin(), packets.end(), std::back_inserter(selected),
               [&](const Packet& p) { return p.flow_id == flow_id; });
  return selected;
}

// Variance over mean of the packet counts in consecutive windows: 1 for Poisson, 0 for a
// strictly periodic flow, above 1 for bursty traffic.
double index_of_dispersion(const std::vector<Packet>& packets, std::int64_t window_ns, std::int64_t end_ns) {
  std::vector<double> counts(static_cast<std::size_t>(end_ns / window_ns), 0.0);
  for (const auto& p : packets) {
    const auto w = static_cast<std::size_t>(p.arrival_ns / window_ns);
    if (w < counts.size()) counts[w] += 1.0;
  }
  const double mean = std::accumulate(counts.begin(), counts.end(), 0.0) / static_cast<double>(counts.size());
  double variance = 0.0;
  for (double c : counts) variance += (c - mean) * (c - mean);
  variance /= static_cast<double>(counts.size() - 1);
  return variance / mean;
}

TEST(TrafficGenerator, SameSeedSamePacketsOtherSeedOthers) {
  const auto scenario = factory_scenario("factory-10", 7);
  ASSERT_TRUE(scenario.has_value());
  const auto a = generate(scenario->flows, 42, 2 * kSecond);
  const auto b = generate(scenario->flows, 42, 2 * kSecond);
  const auto c = generate(scenario->flows, 43, 2 * kSecond);
  ASSERT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(TrafficGenerator, SlotBySlotEqualsOneCall) {
  const auto scenario = factory_scenario("mixed", 3);
  ASSERT_TRUE(scenario.has_value());
  const auto whole = generate(scenario->flows, 9, 200 * kMs);
  auto generator = TrafficGenerator::create(scenario->flows, 9);
  ASSERT_TRUE(generator.has_value());
  std::vector<Packet> sliced;
  for (std::int64_t t = 500 * kUs; t <= 200 * kMs; t += 500 * kUs) generator->generate_until(t, sliced);
  EXPECT_EQ(whole, sliced);
  EXPECT_EQ(generator->generated_until_ns(), 200 * kMs);
}

TEST(TrafficGenerator, ArrivalsInTimeOrderWithAbsoluteDeadlines) {
  const auto scenario = factory_scenario("mixed", 11);
  ASSERT_TRUE(scenario.has_value());
  const auto packets = generate(scenario->flows, 5, 1 * kSecond);
  std::map<std::uint32_t, std::int64_t> deadline_of;
  for (const auto& flow : scenario->flows) deadline_of[flow.flow_id] = flow.deadline_ns;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) {
      ASSERT_LE(packets[i - 1].arrival_ns, packets[i].arrival_ns) << i;
    }
    ASSERT_LT(packets[i].arrival_ns, 1 * kSecond);
    ASSERT_EQ(packets[i].deadline_ns, packets[i].arrival_ns + deadline_of.at(packets[i].flow_id));
  }
}

TEST(TrafficGenerator, AddingOrRemovingFlowsLeavesOthersUnchanged) {
  std::vector<FlowConfig> flows = {periodic_flow(1, 1 * kMs, 50 * kUs), poisson_flow(2, 5 * kMs),
                                   periodic_flow(3, 10 * kMs, 200 * kUs)};
  flows[0].burst = {.episodes_per_second = 5.0, .mean_packets_per_episode = 3.0, .spacing_ns = 100 * kUs};
  const auto before = generate(flows, 77, 1 * kSecond);

  auto changed = flows;
  changed.erase(changed.begin() + 1);           // drop flow 2
  changed.insert(changed.begin(), poisson_flow(9, 1 * kMs));  // add flow 9 in front
  const auto after = generate(changed, 77, 1 * kSecond);

  for (std::uint32_t id : {1u, 3u}) {
    const auto a = of_flow(before, id);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a, of_flow(after, id)) << "flow " << id;
  }
}

TEST(TrafficGenerator, PeriodicFlowKeepsItsIntervalSizesAndJitterBounds) {
  const std::int64_t interval = 2 * kMs;
  const std::int64_t jitter = 100 * kUs;
  auto flow = periodic_flow(4, interval, jitter);
  const auto packets = generate({flow}, 1, 10 * kSecond);
  ASSERT_EQ(packets.size(), static_cast<std::size_t>((10 * kSecond - flow.phase_ns) / interval) + 1);
  double bytes = 0.0;
  std::int64_t max_offset = 0;
  for (std::size_t k = 0; k < packets.size(); ++k) {
    const auto nominal = flow.phase_ns + static_cast<std::int64_t>(k) * interval;
    const auto offset = packets[k].arrival_ns - nominal;
    ASSERT_LE(std::abs(offset), jitter) << k;
    max_offset = std::max(max_offset, std::abs(offset));
    ASSERT_GE(packets[k].bytes, flow.min_bytes);
    ASSERT_LE(packets[k].bytes, flow.max_bytes);
    bytes += packets[k].bytes;
  }
  // Uniform jitter reaches near its bound over 5000 draws; sizes average to the middle.
  EXPECT_GT(max_offset, jitter * 9 / 10);
  EXPECT_NEAR(bytes / static_cast<double>(packets.size()), (40.0 + 250.0) / 2.0, 3.0);
}

TEST(TrafficGenerator, ClockDriftStretchesThePeriod) {
  auto steady = periodic_flow(5, 1 * kMs);
  auto drifting = steady;
  drifting.clock_drift_ppm = 200.0;  // the robot's clock runs slow: a longer period at the cell
  const auto a = generate({steady}, 2, 10 * kSecond);
  const auto b = generate({drifting}, 2, 10 * kSecond);
  ASSERT_GE(a.size(), 9999u);
  ASSERT_GE(b.size(), 9997u);
  // After 9997 periods of 1 ms the drift adds 9997 * 1 ms * 200e-6 = 1.9994 ms.
  const std::size_t k = 9997;
  EXPECT_NEAR(static_cast<double>(b[k].arrival_ns - a[k].arrival_ns), 1.9994e6, 1.0);
  EXPECT_EQ(a.size() - b.size(), 2u);
}

TEST(TrafficGenerator, PoissonFlowHasItsMeanRateAndDispersionOne) {
  const auto packets = generate({poisson_flow(6, 1 * kMs)}, 3, 20 * kSecond);
  // 20000 expected; 5 standard deviations = 707.
  EXPECT_NEAR(static_cast<double>(packets.size()), 20000.0, 707.0);
  EXPECT_NEAR(index_of_dispersion(packets, 10 * kMs, 20 * kSecond), 1.0, 0.15);
}

TEST(TrafficGenerator, BurstsMakeTrafficBurstierThanPoisson) {
  auto flow = periodic_flow(7, 1 * kMs);
  flow.burst = {.episodes_per_second = 20.0, .mean_packets_per_episode = 10.0, .spacing_ns = 100 * kUs};
  const auto packets = generate({flow}, 4, 20 * kSecond);
  const auto plain = generate({periodic_flow(7, 1 * kMs)}, 4, 20 * kSecond);

  const double bursty_dispersion = index_of_dispersion(packets, 10 * kMs, 20 * kSecond);
  EXPECT_GT(bursty_dispersion, 2.0);  // Poisson would give 1
  EXPECT_LT(index_of_dispersion(plain, 10 * kMs, 20 * kSecond), 0.05);

  const auto burst_packets = std::count_if(packets.begin(), packets.end(), [](const Packet& p) { return p.from_burst; });
  // 20 episodes/s x 10 packets x 20 s = 4000; episodes are Poisson and sizes geometric, so
  // allow a wide band.
  EXPECT_NEAR(static_cast<double>(burst_packets), 4000.0, 800.0);
  EXPECT_NEAR(static_cast<double>(packets.size()) / 20.0, flow.mean_packets_per_second(), 40.0);
  // The flow's own schedule is untouched by its bursts.
  std::vector<Packet> own;
  std::copy_if(packets.begin(), packets.end(), std::back_inserter(own), [](const Packet& p) { return !p.from_burst; });
  EXPECT_EQ(own, plain);
}

TEST(TrafficGenerator, SteadyStateAllocatesNothingOnceReserved) {
  const auto scenario = factory_scenario("factory-50", 8);
  ASSERT_TRUE(scenario.has_value());
  auto generator = TrafficGenerator::create(scenario->flows, 8);
  ASSERT_TRUE(generator.has_value());
  std::vector<Packet> slot_packets;
  slot_packets.reserve(generator->expected_packets(10 * kMs));
  const auto capacity = slot_packets.capacity();
  std::size_t total = 0;
  // A scheduler's loop: each slot's arrivals into a buffer reused from slot to slot.
  for (std::int64_t t = 500 * kUs; t <= 2 * kSecond; t += 500 * kUs) {
    slot_packets.clear();
    generator->generate_until(t, slot_packets);
    total += slot_packets.size();
  }
  EXPECT_EQ(slot_packets.capacity(), capacity);
  EXPECT_GT(total, 50'000u);
  EXPECT_LE(static_cast<double>(total), static_cast<double>(generator->expected_packets(2 * kSecond)));
}

TEST(TrafficGenerator, RejectsInvalidFlowsNamingTheField) {
  auto too_much_jitter = periodic_flow(1, 1 * kMs, 600 * kUs);
  auto result = TrafficGenerator::create({too_much_jitter}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("jitter_ns"), std::string::npos) << result.error();

  auto sizes = periodic_flow(1, 1 * kMs);
  sizes.max_bytes = 10;
  result = TrafficGenerator::create({sizes}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("max_bytes"), std::string::npos) << result.error();

  auto burst = periodic_flow(1, 1 * kMs);
  burst.burst.episodes_per_second = 1.0;
  burst.burst.mean_packets_per_episode = 0.5;
  result = TrafficGenerator::create({burst}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("burst.mean_packets_per_episode"), std::string::npos) << result.error();

  result = TrafficGenerator::create({periodic_flow(1, 1 * kMs), poisson_flow(1, 1 * kMs)}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("flow_id 1"), std::string::npos) << result.error();
}

TEST(FactoryScenario, PresetsHaveTheDocumentedMix) {
  struct Expected {
    std::string_view name;
    int robots, embb, flows;
  };
  // Per robot: one motion-control or cooperative flow, control, e-stop; every 10th robot video.
  for (const auto& e : {Expected{"factory-10", 10, 0, 31}, Expected{"factory-50", 50, 0, 155},
                        Expected{"factory-200", 200, 0, 620}, Expected{"mixed", 50, 10, 165}}) {
    const auto scenario = factory_scenario(e.name, 1);
    ASSERT_TRUE(scenario.has_value()) << e.name;
    EXPECT_EQ(scenario->robots, e.robots);
    EXPECT_EQ(scenario->embb_ues, e.embb);
    EXPECT_EQ(static_cast<int>(scenario->flows.size()), e.flows) << e.name;
    std::map<TrafficClass, int> per_class;
    for (const auto& flow : scenario->flows) {
      EXPECT_FALSE(flow.validate().has_value()) << *flow.validate();
      ++per_class[flow.traffic_class];
    }
    EXPECT_EQ(per_class[TrafficClass::motion_control] + per_class[TrafficClass::cooperative_robot], e.robots);
    EXPECT_EQ(per_class[TrafficClass::mobile_robot_control], e.robots);
    EXPECT_EQ(per_class[TrafficClass::emergency_stop], e.robots);
    EXPECT_EQ(per_class[TrafficClass::mobile_robot_video], e.robots / 10);
    EXPECT_EQ(per_class[TrafficClass::embb], e.embb);
    EXPECT_TRUE(TrafficGenerator::create(scenario->flows, 1).has_value());
  }
  EXPECT_EQ(factory_scenario_names().size(), 4u);
}

TEST(FactoryScenario, SeedChoosesPhasesAndDriftsReproducibly) {
  const auto a = factory_scenario("factory-10", 1);
  const auto b = factory_scenario("factory-10", 1);
  const auto c = factory_scenario("factory-10", 2);
  ASSERT_TRUE(a && b && c);
  int same_phase = 0;
  for (std::size_t i = 0; i < a->flows.size(); ++i) {
    EXPECT_EQ(a->flows[i].phase_ns, b->flows[i].phase_ns);
    EXPECT_EQ(a->flows[i].clock_drift_ppm, b->flows[i].clock_drift_ppm);
    same_phase += a->flows[i].phase_ns == c->flows[i].phase_ns ? 1 : 0;
  }
  EXPECT_LT(same_phase, static_cast<int>(a->flows.size()) / 2);
}

TEST(FactoryScenario, UnknownNameSaysWhichNamesExist) {
  const auto scenario = factory_scenario("factory-11", 1);
  ASSERT_FALSE(scenario.has_value());
  EXPECT_NE(scenario.error().find("factory-11"), std::string::npos);
  EXPECT_NE(scenario.error().find("factory-200"), std::string::npos);
}

}  // namespace
}  // namespace airan::ai

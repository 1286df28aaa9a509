// The period predictor, the energy policies (minimum sleep periods, registry) and the oracle's
// bound (exact optimum of its relaxation, never above a feasible schedule's ledger energy).
#include "airan/ai/energy_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airan/ai/arrival_predictor.hpp"
#include "airan/ai/oracle_bound.hpp"

namespace airan::ai {
namespace {

constexpr std::int64_t kMs = 1'000'000;

FlowConfig periodic_flow(std::int64_t interval_ns, std::int64_t jitter_ns, double drift_ppm) {
  FlowConfig f;
  f.flow_id = 0;
  f.ue_id = 1;
  f.traffic_class = TrafficClass::motion_control;
  f.direction = Direction::uplink;
  f.pattern = ArrivalPattern::periodic;
  f.min_bytes = f.max_bytes = 40;
  f.interval_ns = interval_ns;
  f.deadline_ns = interval_ns;
  f.phase_ns = 300'000;
  f.jitter_ns = jitter_ns;
  f.clock_drift_ppm = drift_ppm;
  return f;
}

// Share of the flow's own arrivals (after a warm-up) that fall inside the forecast window made
// just before they came; also checks the window is narrow against the period.
double hit_rate(const FlowConfig& flow, std::int64_t duration_ns, std::int64_t* widest_spread = nullptr) {
  auto gen = TrafficGenerator::create({flow}, 7);
  EXPECT_TRUE(gen.has_value());
  std::vector<Packet> packets;
  gen->generate_until(duration_ns, packets);
  auto predictor = make_period_predictor(1);
  int hits = 0;
  int tries = 0;
  std::int64_t widest = 0;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i >= 20 && !packets[i].from_burst) {
      // Forecast from the previous arrival's time (what a policy sees before this one).
      const ArrivalForecast f = predictor->forecast(0, packets[i - 1].arrival_ns);
      EXPECT_TRUE(f.known);
      ++tries;
      if (std::llabs(packets[i].arrival_ns - f.next_ns) <= f.spread_ns) ++hits;
      widest = std::max(widest, f.spread_ns);
    }
    predictor->observe(0, packets[i].arrival_ns);
  }
  if (widest_spread) *widest_spread = widest;
  return tries == 0 ? 0.0 : static_cast<double>(hits) / tries;
}

TEST(PeriodPredictor, LearnsAJitteredPeriodicFlow) {
  std::int64_t widest = 0;
  const double rate = hit_rate(periodic_flow(kMs, 50'000, 0.0), 2000 * kMs, &widest);
  EXPECT_GE(rate, 0.99);
  // The window stays well below the period: a policy can sleep between arrivals.
  EXPECT_LT(widest, kMs / 3);
}

TEST(PeriodPredictor, FollowsADriftingClock) {
  // +200 ppm: after 10 s the flow is 2 ms (two periods) away from the nominal grid; a fixed
  // nominal period would miss every window by then, the running estimate does not.
  EXPECT_GE(hit_rate(periodic_flow(kMs, 20'000, 200.0), 10'000 * kMs), 0.99);
  EXPECT_GE(hit_rate(periodic_flow(kMs / 2, 10'000, -150.0), 10'000 * kMs), 0.99);
}

TEST(PeriodPredictor, IgnoresBurstPacketsForThePeriod) {
  FlowConfig flow = periodic_flow(kMs, 20'000, 0.0);
  flow.burst = BurstModel{20.0, 4.0, 100'000};
  EXPECT_GE(hit_rate(flow, 5000 * kMs), 0.97);
}

TEST(PeriodPredictor, MovesOnByWholePeriodsAndNeedsHistory) {
  auto predictor = make_period_predictor(2);
  EXPECT_FALSE(predictor->forecast(0, 0).known);
  predictor->observe(0, 0);
  predictor->observe(0, kMs);
  EXPECT_FALSE(predictor->forecast(0, kMs).known);  // one gap only
  for (int k = 2; k <= 10; ++k) predictor->observe(0, k * kMs);
  const ArrivalForecast now = predictor->forecast(0, 10 * kMs);
  ASSERT_TRUE(now.known);
  EXPECT_NEAR(static_cast<double>(now.next_ns), 11.0 * kMs, 1000.0);
  // 5.5 periods later without an arrival: the next window is the one not yet over.
  const std::int64_t later = 15 * kMs + kMs / 2;
  const ArrivalForecast moved = predictor->forecast(0, later);
  EXPECT_GE(moved.next_ns + moved.spread_ns, later);
  EXPECT_LE(moved.next_ns, later + kMs);
  EXPECT_NEAR(static_cast<double>(moved.next_ns % kMs), 0.0, 1000.0);
  // Unknown flows are ignored, the other flow is untouched.
  predictor->observe(99, 5);
  EXPECT_FALSE(predictor->forecast(1, 0).known);
  EXPECT_FALSE(predictor->forecast(99, 0).known);
}

PolicyCell test_cell() {
  PolicyCell cell;
  cell.slot_duration_ns = 125'000;
  cell.total_prbs = 100;
  cell.total_antennas = 4;
  cell.pattern = {{true, false, false}, {false, true, true}, {false, true, true}, {false, true, true}};
  const EnergyModel model = default_energy_model();
  for (int s = 0; s < kRadioStateCount; ++s) {
    const auto ns = model.radio.minimum_sleep_ns(static_cast<RadioState>(s));
    cell.minimum_sleep_slots[static_cast<std::size_t>(s)] = (ns + cell.slot_duration_ns - 1) / cell.slot_duration_ns;
  }
  return cell;
}

// Every registered policy, fed random observations (sparse traffic so that timers fire), keeps
// every sleep period at least as long as its minimum: the ledger accepts every slot.
TEST(EnergyPolicies, RespectMinimumSleepPeriods) {
  const PolicyCell cell = test_cell();
  std::vector<FlowConfig> flows = {periodic_flow(20 * kMs, 100'000, 0.0)};
  for (const PolicyFamily& family : energy_policy_families()) {
    for (const PolicyVariant& variant : family.variants) {
      auto policy = variant.make(flows.size());
      policy->reset(cell, flows);
      auto ledger = EnergyLedger::create(default_energy_model(), cell.slot_duration_ns);
      ASSERT_TRUE(ledger.has_value());
      std::mt19937_64 rng(3);
      std::vector<LinkObservation> links;
      RadioState state = RadioState::active;
      std::int64_t in_state = 0;
      std::int64_t sleep_slots = 0;
      for (std::int64_t s = 0; s < 20'000; ++s) {
        links.clear();
        if (rng() % 400 == 0) {
          LinkObservation link;
          link.direction = cell.kind(s).uplink_data ? Direction::uplink : Direction::downlink;
          link.buffered_bytes = 40;
          link.earliest_deadline_slot = s + 8;
          link.prbs_needed = 1;
          links.push_back(link);
        }
        if (s % 160 == 0) policy->on_arrival_observed(0, s * cell.slot_duration_ns);
        SlotObservation obs;
        obs.slot_index = s;
        obs.slot_start_ns = s * cell.slot_duration_ns;
        obs.kind = cell.kind(s);
        obs.links = links;
        obs.ledger_state = state;
        obs.slots_in_state = in_state;
        const EnergyDecision d = policy->decide(obs);
        SlotActivity a;
        a.state = d.state;
        a.total_prbs = cell.total_prbs;
        a.total_antennas = cell.total_antennas;
        a.active_antennas = std::clamp(d.active_antennas, 1, cell.total_antennas);
        a.processed = d.state == RadioState::active;
        ASSERT_EQ(ledger->account_slot(a), AccountStatus::ok)
            << family.name << " (" << variant.parameters << ") slot " << s << " state " << to_string(d.state);
        in_state = d.state == state ? in_state + 1 : 1;
        state = d.state;
        sleep_slots += d.state == RadioState::light_sleep || d.state == RadioState::deep_sleep ? 1 : 0;
      }
      EXPECT_EQ(ledger->rejected_slots(), 0);
      if (family.name == "timer-sleep") {
        EXPECT_GT(sleep_slots, 0) << variant.parameters;
      }
    }
  }
}

// With one learned 20 ms uplink flow, the predictive policy listens around each forecast and
// sleeps (light sleep, 48 slots at least) in between; without a forecast it listens at every
// SR occasion.
TEST(EnergyPolicies, PredictivePolicyListensAroundForecastsAndSleepsBetween) {
  PolicyCell cell = test_cell();
  cell.pattern = {{true, false, false}, {false, true, true}, {false, true, true}, {false, true, true},
                  {false, true, true}, {false, true, true}, {false, true, true}, {false, true, true}};
  FlowConfig flow = periodic_flow(20 * kMs, 0, 0.0);
  flow.deadline_ns = 20 * kMs;
  const std::vector<FlowConfig> flows = {flow};
  auto predictor = make_period_predictor(1);
  auto policy = make_predictive_policy(PredictiveConfig{}, *predictor);
  policy->reset(cell, flows);
  auto ledger = EnergyLedger::create(default_energy_model(), cell.slot_duration_ns);
  ASSERT_TRUE(ledger.has_value());
  RadioState state = RadioState::active;
  std::int64_t in_state = 0;
  int active_late = 0;
  int light_late = 0;
  int heard_late = 0;
  std::int64_t pending_since = -1;
  std::int64_t worst_delay = 0;
  constexpr std::int64_t kPeriodSlots = 160;  // 20 ms
  for (std::int64_t s = 0; s < 40 * kPeriodSlots; ++s) {
    SlotObservation obs;
    obs.slot_index = s;
    obs.slot_start_ns = s * cell.slot_duration_ns;
    obs.kind = cell.kind(s);
    obs.ledger_state = state;
    obs.slots_in_state = in_state;
    const EnergyDecision d = policy->decide(obs);
    SlotActivity a;
    a.state = d.state;
    a.total_prbs = cell.total_prbs;
    a.total_antennas = cell.total_antennas;
    a.active_antennas = 1;
    ASSERT_EQ(ledger->account_slot(a), AccountStatus::ok) << "slot " << s;
    in_state = d.state == state ? in_state + 1 : 1;
    state = d.state;
    // An arrival every 160 slots at slot 5 of the period; the UE's SR is heard at the first SR
    // occasion with the radio on.
    if (s % kPeriodSlots == 5) pending_since = s;
    if (pending_since >= 0 && obs.kind.listens_uplink && d.state == RadioState::active) {
      policy->on_arrival_observed(0, obs.slot_start_ns);
      if (s >= 10 * kPeriodSlots) {
        ++heard_late;
        worst_delay = std::max(worst_delay, s - pending_since);
      }
      pending_since = -1;
    }
    if (s >= 10 * kPeriodSlots) {
      active_late += d.state == RadioState::active ? 1 : 0;
      light_late += d.state == RadioState::light_sleep ? 1 : 0;
    }
  }
  EXPECT_EQ(heard_late, 30);       // every arrival heard...
  EXPECT_LE(worst_delay, 1);       // ...at once: the radio listens when the forecast says
  EXPECT_LT(active_late, 30 * 20); // about 17 of 160 slots per period (window and wake-up), not 140
  EXPECT_GT(light_late, 30 * 100); // light sleep in between
}

TEST(EnergyPolicies, RegistryByName) {
  const auto names = energy_policy_names();
  for (const char* expected :
       {"always-on", "micro-sleep", "timer-sleep", "antenna-muting", "oracle", "ai", "ai-no-forecast", "ai-learned"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  EXPECT_EQ(find_energy_policy("no-such-policy"), nullptr);
  ASSERT_NE(find_energy_policy("oracle"), nullptr);
  EXPECT_TRUE(find_energy_policy("oracle")->is_oracle);
  // A variant is one line: the predictive policy's tuning sets over another predictor.
  const PolicyFamily extra = predictive_policy_family("ai-test-variant", "the ai policy under another name", make_period_predictor);
  ASSERT_TRUE(register_energy_policy(extra).has_value());
  ASSERT_NE(find_energy_policy("ai-test-variant"), nullptr);
  EXPECT_EQ(find_energy_policy("ai-test-variant")->variants.front().make(1)->name(), "ai-test-variant");
  const auto again = register_energy_policy(extra);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().find("registered already"), std::string::npos);
}

TEST(EnergyPolicies, ConfigValidatorsNameTheField) {
  const TimerSleepConfig timer{0, 0};
  EXPECT_NE(timer.validate()->find("idle_slots_before_light"), std::string::npos);
  const AntennaMutingConfig muting{2.0, 1};
  EXPECT_NE(muting.validate()->find("load_threshold"), std::string::npos);
  PredictiveConfig p;
  p.antenna_fill = -1.0;
  EXPECT_NE(p.validate()->find("antenna_fill"), std::string::npos);
  EXPECT_FALSE(PredictiveConfig{}.validate().has_value());
}

// A model whose light sleep fits a short test (4 slots at 125 us).
EnergyModel short_sleep_model() {
  EnergyModel m = default_energy_model();
  m.radio.light_sleep.transition_time_ms = 0.5;
  m.radio.deep_sleep.transition_time_ms = 1.0;
  return m;
}

// The bound equals the cheapest ledger energy over every data-slot set that serves the windows
// (gaps filled with each allowed sleep state), and no feasible set is cheaper: brute force.
TEST(OracleBound, IsTheOptimumOfItsRelaxationAndNeverAboveAFeasibleSchedule) {
  const EnergyModel model = short_sleep_model();
  PolicyCell cell = test_cell();
  cell.pattern = {{false, true, true}};  // every slot uplink
  auto ledger0 = EnergyLedger::create(model, cell.slot_duration_ns);
  ASSERT_TRUE(ledger0.has_value());
  for (int s = 0; s < kRadioStateCount; ++s)
    cell.minimum_sleep_slots[static_cast<std::size_t>(s)] = ledger0->minimum_sleep_slots(static_cast<RadioState>(s));
  constexpr int kSlots = 14;
  OracleProblem problem;
  problem.cell = cell;
  problem.slots = kSlots;
  problem.windows = {{Direction::uplink, 1, 3, 0}, {Direction::uplink, 2, 4, 0}, {Direction::uplink, 11, 12, 0}};
  auto bound = compute_oracle_bound(problem, model);
  ASSERT_TRUE(bound.has_value()) << bound.error();
  EXPECT_EQ(bound->data_slots, 2);

  double cheapest = 1e300;
  for (int mask = 0; mask < (1 << kSlots); ++mask) {
    bool feasible = true;
    for (const OracleWindow& w : problem.windows) {
      bool hit = false;
      for (std::int64_t s = w.first_slot; s <= w.last_slot; ++s) hit |= (mask >> s) & 1;
      feasible &= hit;
    }
    if (!feasible) continue;
    // Each gap in one sleep state; try the three states for every gap (3^gaps, gaps <= 3 here
    // when few data slots; cap the enumeration at 4 gaps).
    std::vector<std::pair<int, int>> gaps;  // [start, length]
    for (int s = 0; s < kSlots;) {
      if ((mask >> s) & 1) {
        ++s;
        continue;
      }
      int e = s;
      while (e < kSlots && !((mask >> e) & 1)) ++e;
      gaps.emplace_back(s, e - s);
      s = e;
    }
    if (gaps.size() > 4) continue;
    int combinations = 1;
    for (std::size_t g = 0; g < gaps.size(); ++g) combinations *= 3;
    for (int c = 0; c < combinations; ++c) {
      std::vector<RadioState> state(kSlots, RadioState::active);
      int code = c;
      for (const auto& [start, length] : gaps) {
        const auto st = static_cast<RadioState>(1 + code % 3);
        code /= 3;
        for (int s = start; s < start + length; ++s) state[static_cast<std::size_t>(s)] = st;
      }
      auto ledger = EnergyLedger::create(model, cell.slot_duration_ns);
      bool ok = true;
      for (int s = 0; s < kSlots && ok; ++s) {
        SlotActivity a;
        a.state = state[static_cast<std::size_t>(s)];
        a.direction = Direction::uplink;
        a.total_prbs = cell.total_prbs;
        a.total_antennas = cell.total_antennas;
        a.active_antennas = 1;
        a.processed = a.state == RadioState::active;
        ok = ledger->account_slot(a) == AccountStatus::ok;
      }
      if (!ok) continue;  // a sleep period shorter than its minimum: not a valid schedule
      const double total = ledger->totals().total();
      EXPECT_LE(bound->energy.total(), total + 1e-9) << "mask " << mask << " combination " << c;
      cheapest = std::min(cheapest, total);
    }
  }
  EXPECT_NEAR(bound->energy.total(), cheapest, 1e-9);
}

TEST(OracleBound, ErrorsNameWhatIsWrong) {
  OracleProblem problem;
  problem.cell = test_cell();
  problem.slots = 0;
  const auto r = compute_oracle_bound(problem, default_energy_model());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("slots"), std::string::npos);
}

}  // namespace
}  // namespace airan::ai

// The energy evaluation's invariants: energy accounting adds up, no packet is counted delivered
// after its deadline, always-on meets the motion-control deadlines, the oracle's bound is never
// beaten by a policy without misses, every policy keeps the ledger's rules, runs reproduce.
#include "airan/mac/energy_evaluation.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace airan::mac {
namespace {

EnergyEvaluationConfig short_config(const char* scenario, double seconds, std::uint64_t seed = 1) {
  EnergyEvaluationConfig c;
  c.scenario = scenario;
  c.duration_s = seconds;
  c.seed = seed;
  return c;
}

std::unique_ptr<ai::EnergyPolicy> first_variant(const char* name, std::size_t flows) {
  const ai::PolicyFamily* family = ai::find_energy_policy(name);
  EXPECT_NE(family, nullptr) << name;
  return family->variants.front().make(flows);
}

std::size_t flow_count(const EnergyEvaluationConfig& c) { return ai::factory_scenario(c.scenario, c.seed)->flows.size(); }

TEST(EnergyEvaluation, EnergyAccountingAddsUp) {
  const auto config = short_config("factory-10", 0.2);
  for (const char* name : {"always-on", "micro-sleep", "ai"}) {
    auto policy = first_variant(name, flow_count(config));
    auto r = run_energy_evaluation(config, *policy);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_NEAR(r->energy.radio + r->energy.compute, r->energy.total(), 1e-9);
    EXPECT_NEAR(r->sum_of_slot_charges, r->energy.total(), 1e-6 * r->energy.total()) << name;
    EXPECT_EQ(r->ledger_rejections, 0);
    std::int64_t slots = 0;
    for (auto n : r->slots_in_state) slots += n;
    EXPECT_EQ(slots, r->slots);
    EXPECT_EQ(r->slots, 1600);  // 0.2 s at 120 kHz
    EXPECT_GT(r->energy.radio, 0.0);
    EXPECT_GT(r->energy.compute, 0.0);
  }
}

TEST(EnergyEvaluation, NoPacketIsCountedDeliveredAfterItsDeadline) {
  // A flat BLER curve and link adaptation aiming at 50 % make HARQ retransmissions frequent,
  // so that ACKs after the deadline exist.
  auto config = short_config("factory-10", 0.3);
  config.bler_decades_per_db = 0.02;
  config.cell.link_adaptation.bler_target = 0.5;
  config.cell.link_adaptation.step_up_db = 0.5;
  config.cell.link_adaptation.initial_offset_db = 2.0;
  auto policy = first_variant("always-on", flow_count(config));
  std::vector<PacketOutcome> outcomes;
  auto r = run_energy_evaluation(config, *policy, {}, &outcomes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  std::int64_t delivered = 0;
  std::int64_t acked_late = 0;
  for (const PacketOutcome& p : outcomes) {
    if (p.delivered) {
      ++delivered;
      EXPECT_TRUE(p.counted);
      EXPECT_LE(p.last_ack_end_ns, p.deadline_ns);
      EXPECT_GE(p.last_ack_end_ns, p.arrival_ns);
    }
    if (p.counted && !p.delivered && p.last_ack_end_ns > p.deadline_ns) ++acked_late;
  }
  EXPECT_GT(delivered, 1000);
  EXPECT_GT(acked_late, 0) << "the test needs late retransmissions to mean something";
  EXPECT_EQ(r->late_deliveries, 0);
}

TEST(EnergyEvaluation, AlwaysOnMeetsMotionControlDeadlines) {
  const auto config = short_config("factory-50", 0.5);
  auto policy = first_variant("always-on", flow_count(config));
  auto r = run_energy_evaluation(config, *policy);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ClassOutcome& mc = r->classes[static_cast<int>(ai::TrafficClass::motion_control)];
  EXPECT_GT(mc.packets, 8000);
  EXPECT_EQ(mc.missed, 0);
}

TEST(EnergyEvaluation, OracleIsNeverBeatenByAPolicyWithoutMisses) {
  for (const char* scenario : {"factory-10", "mixed"}) {
    const auto config = short_config(scenario, 0.2);
    auto oracle = oracle_energy_bound(config);
    ASSERT_TRUE(oracle.has_value()) << oracle.error().message;
    int compared = 0;
    for (const ai::PolicyFamily& family : ai::energy_policy_families()) {
      if (family.is_oracle) continue;
      for (const ai::PolicyVariant& v : family.variants) {
        auto policy = v.make(flow_count(config));
        auto r = run_energy_evaluation(config, *policy);
        ASSERT_TRUE(r.has_value()) << family.name << ": " << r.error().message;
        if (!r->zero_misses()) continue;
        ++compared;
        EXPECT_GE(r->energy.total(), oracle->energy.total()) << scenario << " " << family.name << " " << v.parameters;
      }
    }
    EXPECT_GT(compared, 3) << scenario;
  }
}

TEST(EnergyEvaluation, ReproducibleFromTheSeed) {
  const auto a_config = short_config("factory-10", 0.1, 5);
  auto p1 = first_variant("ai", flow_count(a_config));
  auto p2 = first_variant("ai", flow_count(a_config));
  auto a = run_energy_evaluation(a_config, *p1);
  auto b = run_energy_evaluation(a_config, *p2);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->energy.total(), b->energy.total());
  EXPECT_EQ(a->delivered_bits, b->delivered_bits);
  EXPECT_EQ(a->slots_in_state, b->slots_in_state);
  const auto c_config = short_config("factory-10", 0.1, 6);
  auto p3 = first_variant("ai", flow_count(c_config));
  auto c = run_energy_evaluation(c_config, *p3);
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(a->delivered_bits, c->delivered_bits);
}

TEST(EnergyEvaluation, ConfigErrorsNameTheField) {
  auto config = short_config("factory-10", 0.1);
  config.duration_s = -1;
  auto policy = first_variant("always-on", 31);
  auto r = run_energy_evaluation(config, *policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("duration_s"), std::string::npos);
  config = short_config("factory-7", 0.1);
  r = run_energy_evaluation(config, *policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("factory-10"), std::string::npos);  // lists the known ones
}

// The statistical link passed explicitly is the default link: the same energy, deliveries and
// misses, at the default SINRs (no TB fails) and at low SINRs with a shallow waterfall (HARQ
// retransmissions and misses, so the order of the link's random draws matters).
TEST(EnergyEvaluation, ExplicitStatisticalLinkIsTheDefault) {
  for (const char* policy_name : {"always-on", "ai", "micro-sleep"}) {
    for (const bool low_sinr : {false, true}) {
      auto config = short_config("factory-10", 0.5, 3);
      if (low_sinr) {
        config.min_sinr_db = -2;
        config.max_sinr_db = 4;
        config.bler_decades_per_db = 0.3;
      }
      auto default_policy = first_variant(policy_name, flow_count(config));
      auto by_default = run_energy_evaluation(config, *default_policy);
      auto explicit_policy = first_variant(policy_name, flow_count(config));
      auto link = make_statistical_link();
      auto with_link = run_energy_evaluation(config, *explicit_policy, {}, nullptr, link.get());
      ASSERT_TRUE(by_default.has_value()) << by_default.error().message;
      ASSERT_TRUE(with_link.has_value()) << with_link.error().message;
      const std::string what = std::string(policy_name) + (low_sinr ? " (low SINR)" : "");
      EXPECT_DOUBLE_EQ(with_link->energy.total(), by_default->energy.total()) << what;
      EXPECT_DOUBLE_EQ(with_link->energy.radio, by_default->energy.radio) << what;
      EXPECT_EQ(with_link->delivered_bits, by_default->delivered_bits) << what;
      for (std::size_t c = 0; c < with_link->classes.size(); ++c) {
        EXPECT_EQ(with_link->classes[c].missed, by_default->classes[c].missed) << what << " class " << c;
      }
      EXPECT_GT(with_link->link.tbs, 0) << what;
      EXPECT_EQ(with_link->link.sinr_measurements, 0) << what;  // the statistical link measures nothing
      if (low_sinr) {
        EXPECT_LT(with_link->link.crc_pass, with_link->link.tbs) << what;
      } else {
        EXPECT_EQ(with_link->link.crc_pass, with_link->link.tbs) << what;
      }
    }
  }
}

}  // namespace
}  // namespace airan::mac

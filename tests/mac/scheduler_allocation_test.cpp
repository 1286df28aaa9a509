// The per-slot path must not allocate: counts operator new calls while schedule() and feedback()
// run. The replacement operators count only while this test switches counting on; otherwise they
// are plain malloc/free, so the rest of mac_tests is unaffected.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "airan/mac/energy_evaluation.hpp"
#include "airan/mac/scheduler.hpp"

#include "../support/allocation_counter.hpp"

using airan::test_support::g_allocations;
using airan::test_support::g_counting;
using airan::test_support::kAllocationCountingAvailable;

namespace airan::mac {
namespace {

TEST(SchedulerAllocation, ScheduleAndFeedbackDoNotAllocate) {
  if (!kAllocationCountingAvailable) GTEST_SKIP() << "operator new is the sanitizer's in this build";
  CellConfig cell;
  cell.bwp_size = 106;
  cell.tdd = TddConfig{.numerology = 1, .period_us = 2500, .downlink_slots = 3, .downlink_symbols = 10,
                       .uplink_slots = 1, .uplink_symbols = 2};
  std::vector<UeConfig> ues;
  for (std::uint16_t r = 1; r <= 12; ++r) {
    UeConfig ue;
    ue.rnti = r;
    ue.max_layers = {1 + r % 4, 1 + r % 2};
    ue.initial_sinr_db = {2.0 * r, 1.5 * r};
    if (r % 3 == 0) ue.configured_grant = ConfiguredGrantConfig{.periodicity_slots = 5, .offset_slots = 4, .rb_size = 4};
    ues.push_back(ue);
  }
  auto scheduler = Scheduler::create(cell, ues);
  ASSERT_TRUE(scheduler) << scheduler.error().message;
  SlotDecision decision = scheduler->make_slot_decision();
  // The counter sees allocations at all (else a zero below would prove nothing).
  g_counting = true;
  int* volatile probe = new int(1);
  g_counting = false;
  delete probe;
  ASSERT_EQ(g_allocations.exchange(0), 1);
  long grants = 0;
  for (std::int64_t slot = 0; slot < 400; ++slot) {
    for (const UeContext& ue : scheduler->ues()) {
      if (ue.link(Direction::downlink).buffer.size() < 100) {
        ASSERT_TRUE(scheduler->enqueue(ue.rnti, Direction::downlink, 700 + 13 * ue.rnti, slot + 30));
      }
      if (ue.link(Direction::uplink).buffer.size() < 100) {
        ASSERT_TRUE(scheduler->enqueue(ue.rnti, Direction::uplink, 300 + 7 * ue.rnti, slot + 30));
      }
    }
    g_counting = true;
    const SlotLimits limits{.allowed = slot % 7 != 0, .max_prbs = 40 + static_cast<int>(slot % 60),
                            .max_layers = 1 + static_cast<int>(slot % 4)};
    const Status scheduled = scheduler->schedule(slot, limits, decision);
    for (const Grant& g : decision.grants) {
      // A tenth of the TBs fail once; some feedback never comes (timeouts).
      if ((slot + g.rnti) % 13 == 0) continue;
      const Status fed = scheduler->feedback(g.rnti, g.direction, g.harq_process, (slot + g.rnti) % 10 != 0, 10.0);
      if (!fed) ADD_FAILURE() << fed.message();
    }
    g_counting = false;
    ASSERT_TRUE(scheduled) << scheduled.message();
    grants += static_cast<long>(decision.grants.size());
  }
  EXPECT_GT(grants, 400);
  EXPECT_EQ(g_allocations.load(), 0);
}

// The energy evaluation's slot loop (traffic, observation, policy, scheduler, link, HARQ,
// deliveries, ledger) allocates nothing in steady state: counted between two progress calls
// (slots 4096 and 8192) of a mixed-scenario run under the predictive policy and always-on.
TEST(SchedulerAllocation, EnergyEvaluationSlotLoopDoesNotAllocate) {
  if (!kAllocationCountingAvailable) GTEST_SKIP() << "operator new is the sanitizer's in this build";
  EnergyEvaluationConfig config;
  config.scenario = "mixed";
  config.duration_s = 1.2;  // 9600 slots: progress at 0, 4096, 8192 and the last
  for (const char* name : {"ai", "always-on"}) {
    auto policy = ai::find_energy_policy(name)->variants.front().make(ai::factory_scenario("mixed", 1)->flows.size());
    int calls = 0;
    long counted = -1;
    auto r = run_energy_evaluation(config, *policy, [&](double) {
      ++calls;
      if (calls == 2) {
        g_allocations = 0;
        g_counting = true;
      } else if (calls == 3) {
        g_counting = false;
        counted = g_allocations.load();
      }
    });
    g_counting = false;
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_GE(calls, 3);
    EXPECT_EQ(counted, 0) << name << ": allocations in slots 4096..8191";
  }
}

}  // namespace
}  // namespace airan::mac

#include "airan/mac/scheduler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "airan/mac/grant_to_pdu.hpp"
#include "airan/phy/coding/tbs.hpp"

namespace airan::mac {
namespace {

// 30 kHz, 2.5 ms DDDSU with 10 DL and 2 UL symbols in S: slots 0-2 D, 3 S, 4 U (and so on).
CellConfig test_cell() {
  CellConfig cell;
  cell.cell_id = 17;
  cell.bwp_start = 0;
  cell.bwp_size = 51;
  cell.tdd = TddConfig{.numerology = 1, .period_us = 2500, .downlink_slots = 3, .downlink_symbols = 10,
                       .uplink_slots = 1, .uplink_symbols = 2};
  cell.harq.num_processes = 16;
  return cell;
}

UeConfig test_ue(std::uint16_t rnti, double sinr_db = 15.0, int dl_layers = 1, int ul_layers = 1) {
  UeConfig ue;
  ue.rnti = rnti;
  ue.max_layers = {dl_layers, ul_layers};
  ue.initial_sinr_db = {sinr_db, sinr_db};
  return ue;
}

Scheduler make_scheduler(const CellConfig& cell, const std::vector<UeConfig>& ues) {
  auto scheduler = Scheduler::create(cell, ues);
  EXPECT_TRUE(scheduler) << scheduler.error().message;
  return std::move(*scheduler);
}

void keep_full(Scheduler& s, Direction d) {
  for (const UeContext& ue : s.ues()) {
    if (ue.link(d).buffer.bytes() < 200000) {
      ASSERT_TRUE(s.enqueue(ue.rnti, d, 200000));
    }
  }
}

void ack_all(Scheduler& s, const SlotDecision& decision) {
  for (const Grant& g : decision.grants) ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, true));
}

void expect_error_mentions(const Status& status, const char* needle) {
  ASSERT_FALSE(status) << needle;
  EXPECT_NE(status.message().find(needle), std::string::npos) << status.message();
}

TEST(Scheduler, CreationValidatesCellAndUes) {
  CellConfig cell = test_cell();
  cell.harq.num_processes = 4;
  expect_error_mentions(Scheduler::create(cell, {}).status(), "harq: num_processes=4");
  cell = test_cell();
  cell.tdd.period_us = 3000;
  expect_error_mentions(Scheduler::create(cell, {}).status(), "tdd: period_us=3000");
  cell = test_cell();
  cell.uplink.x_overhead = 6;
  expect_error_mentions(Scheduler::create(cell, {}).status(), "uplink.x_overhead=6");
  cell = test_cell();
  cell.downlink.dmrs.num_cdm_groups_without_data = 1;  // 4 layers of type 1 need 2 CDM groups
  expect_error_mentions(Scheduler::create(cell, {}).status(), "downlink: 14 symbols with 4 layers");
  cell = test_cell();
  cell.downlink.max_layers = 2;
  const std::vector<UeConfig> too_many_layers = {test_ue(1, 10, 4)};
  expect_error_mentions(Scheduler::create(cell, too_many_layers).status(), "max_layers[downlink]=4");
  const std::vector<UeConfig> twice = {test_ue(5), test_ue(5)};
  expect_error_mentions(Scheduler::create(test_cell(), twice).status(), "rnti is used twice");
  std::vector<UeConfig> bad_cg = {test_ue(5)};
  bad_cg[0].configured_grant = ConfiguredGrantConfig{.periodicity_slots = 10, .offset_slots = 10};
  expect_error_mentions(Scheduler::create(test_cell(), bad_cg).status(), "configured_grant.offset_slots=10");
  bad_cg[0].configured_grant = ConfiguredGrantConfig{.periodicity_slots = 10, .offset_slots = 4, .mcs_index = 29};
  expect_error_mentions(Scheduler::create(test_cell(), bad_cg).status(), "configured_grant.mcs_index=29");
}

TEST(Scheduler, SlotDirectionsFollowTheTddPattern) {
  const CellConfig cell = test_cell();
  Scheduler s = make_scheduler(cell, {test_ue(0x100)});
  SlotDecision decision = s.make_slot_decision();
  for (std::int64_t slot = 0; slot < 20; ++slot) {
    keep_full(s, Direction::downlink);
    keep_full(s, Direction::uplink);
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    ASSERT_EQ(decision.grants.size(), 1u) << slot;
    const Grant& g = decision.grants[0];
    EXPECT_TRUE(decision.active);
    switch (slot % 5) {
      case 3:  // S: the 10 downlink symbols
        EXPECT_EQ(decision.slot_type, SlotType::special);
        EXPECT_EQ(g.direction, Direction::downlink);
        EXPECT_EQ(g.num_symbols, 10);
        break;
      case 4:
        EXPECT_EQ(decision.slot_type, SlotType::uplink);
        EXPECT_EQ(g.direction, Direction::uplink);
        EXPECT_EQ(g.num_symbols, 14);
        break;
      default:
        EXPECT_EQ(decision.slot_type, SlotType::downlink);
        EXPECT_EQ(g.direction, Direction::downlink);
        EXPECT_EQ(g.num_symbols, 14);
    }
    EXPECT_EQ(g.rb_start, 0);
    EXPECT_EQ(g.rb_size, cell.bwp_size);  // a full buffer takes the whole BWP
    ack_all(s, decision);
  }
}

TEST(Scheduler, TbsIsThePhysOwn) {
  CellConfig cell = test_cell();
  cell.downlink.x_overhead = 6;
  Scheduler s = make_scheduler(cell, {test_ue(1, 25.0, 2, 1), test_ue(2, 5.0, 1, 1), test_ue(3, 12.0, 4, 1)});
  SlotDecision decision = s.make_slot_decision();
  int checked = 0;
  for (std::int64_t slot = 0; slot < 40; ++slot) {
    // Small and odd buffers, so PRB counts vary.
    for (const UeContext& ue : s.ues()) {
      ASSERT_TRUE(s.enqueue(ue.rnti, Direction::downlink, 137 + 211 * static_cast<int>(slot % 7) * ue.rnti));
      ASSERT_TRUE(s.enqueue(ue.rnti, Direction::uplink, 95 + 173 * static_cast<int>(slot % 5) * ue.rnti));
    }
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    for (const Grant& g : decision.grants) {
      const SlotTime t = slot_time(slot, cell.numerology());
      auto plan = g.direction == Direction::downlink ? phy::plan_pdsch(pdsch_config_for(g, cell, t.slot))
                                                     : phy::plan_pusch(pusch_config_for(g, cell, t.slot));
      ASSERT_TRUE(plan) << plan.error().message;
      EXPECT_EQ(g.tbs_bytes * 8, plan->tbs);
      // And straight from 38.214 5.1.3.2 with the DMRS overhead of the plan.
      phy::TbsConfig tbs;
      tbs.n_prb = g.rb_size;
      tbs.n_symb_sh = g.num_symbols;
      tbs.n_dmrs_prb = 12 * g.num_symbols - plan->data_res_per_prb;
      tbs.n_oh_prb = g.direction == Direction::downlink ? 6 : 0;
      tbs.n_layers = g.layers;
      EXPECT_EQ(g.tbs_bytes * 8, *phy::tbs_determine(tbs, *phy::mcs_lookup(g.mcs_table, g.mcs_index)));
      EXPECT_EQ(g.tbs_bytes, s.tbs_bytes(g.direction, g.num_symbols, g.rb_size, g.mcs_index, g.layers));
      EXPECT_LE(g.payload_bytes, g.tbs_bytes);
      ++checked;
    }
    ack_all(s, decision);
  }
  EXPECT_GT(checked, 60);
}

TEST(Scheduler, UplinkGrantsBecomeValidPuschPdus) {
  CellConfig cell = test_cell();
  cell.uplink.max_layers = 2;
  cell.uplink.data_scrambling_id = 500;
  std::vector<UeConfig> ues = {test_ue(0x4601, 20.0, 1, 2), test_ue(0x4602, 12.0, 1, 1)};
  Scheduler s = make_scheduler(cell, ues);
  SlotDecision decision = s.make_slot_decision();
  int pdus = 0;
  bool saw_retransmission = false;
  for (std::int64_t slot = 0; slot < 60; ++slot) {
    for (const UeContext& ue : s.ues()) ASSERT_TRUE(s.enqueue(ue.rnti, Direction::uplink, 200));
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    const SlotTime t = slot_time(slot, cell.numerology());
    for (const Grant& g : decision.grants) {
      if (g.direction == Direction::downlink) {
        EXPECT_FALSE(to_pusch_pdu(g, cell, t.sfn, t.slot));
        continue;
      }
      auto pdu = to_pusch_pdu(g, cell, t.sfn, t.slot);
      ASSERT_TRUE(pdu) << pdu.error().message;
      ASSERT_TRUE(to_pusch_config(*pdu));
      EXPECT_EQ(pdu->rnti, g.rnti);
      EXPECT_EQ(pdu->sfn, t.sfn);
      EXPECT_EQ(pdu->slot, t.slot);
      EXPECT_EQ(pdu->cellId, 17);
      EXPECT_EQ(pdu->rbStart, g.rb_start);
      EXPECT_EQ(pdu->rbSize, g.rb_size);
      EXPECT_EQ(pdu->mcsIndex, g.mcs_index);
      EXPECT_EQ(pdu->mcsTable, 1);  // FAPI's 256QAM table
      EXPECT_EQ(pdu->TBSize, g.tbs_bytes);
      EXPECT_EQ(pdu->nrOfLayers, g.layers);
      EXPECT_EQ(pdu->dmrsPorts, (1 << g.layers) - 1);
      EXPECT_EQ(pdu->rvIndex, g.rv);
      EXPECT_EQ(pdu->harqProcessID, g.harq_process);
      EXPECT_EQ(pdu->newData, g.retransmission ? 0 : 1);
      EXPECT_EQ(pdu->dataScramblingId, 500);
      EXPECT_EQ(pdu->transformPrecoding, 1);
      saw_retransmission |= g.retransmission;
      ++pdus;
      // Every other uplink TB fails once, so retransmissions (newData 0, rv 2) are converted too.
      ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, g.retransmission || slot % 10 != 4));
    }
    for (const Grant& g : decision.grants) {
      if (g.direction == Direction::downlink) {
        ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, true));
      }
    }
  }
  EXPECT_GE(pdus, 20);
  EXPECT_TRUE(saw_retransmission);
  // A grant whose TBS disagrees with 38.214 is refused.
  Grant wrong;
  wrong.direction = Direction::uplink;
  wrong.rnti = 9;
  wrong.rb_size = 10;
  wrong.mcs_index = 5;
  wrong.tbs_bytes = 1;
  expect_error_mentions(to_pusch_pdu(wrong, cell, 0, 4).status(), "tbs_bytes=1");
}

TEST(Scheduler, DownlinkGrantsBecomeValidPdschPdus) {
  CellConfig cell = test_cell();
  cell.downlink.max_layers = 4;
  cell.downlink.dmrs.num_cdm_groups_without_data = 2;
  std::vector<UeConfig> ues = {test_ue(0x4601, 25.0, 4, 1), test_ue(0x4602, 8.0, 1, 1)};
  Scheduler s = make_scheduler(cell, ues);
  SlotDecision decision = s.make_slot_decision();
  int pdus = 0;
  bool saw_retransmission = false, saw_short_slot = false;
  for (std::int64_t slot = 0; slot < 60; ++slot) {
    for (const UeContext& ue : s.ues()) ASSERT_TRUE(s.enqueue(ue.rnti, Direction::downlink, 3000));
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    const SlotTime t = slot_time(slot, cell.numerology());
    for (const Grant& g : decision.grants) {
      if (g.direction == Direction::uplink) {
        EXPECT_FALSE(to_pdsch_pdu(g, cell, t.sfn, t.slot));
        ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, true));
        continue;
      }
      auto pdu = to_pdsch_pdu(g, cell, t.sfn, t.slot);
      ASSERT_TRUE(pdu) << pdu.error().message;
      auto config = to_pdsch_config(*pdu);
      ASSERT_TRUE(config) << config.error().message;
      EXPECT_EQ(config->num_layers, g.layers);
      EXPECT_EQ(pdu->rnti, g.rnti);
      EXPECT_EQ(pdu->slot, t.slot);
      EXPECT_EQ(pdu->rbStart, g.rb_start);
      EXPECT_EQ(pdu->rbSize, g.rb_size);
      EXPECT_EQ(pdu->StartSymbolIndex, g.start_symbol);
      EXPECT_EQ(pdu->NrOfSymbols, g.num_symbols);
      EXPECT_EQ(pdu->TBSize, g.tbs_bytes);
      EXPECT_EQ(pdu->nrOfLayers, g.layers);
      EXPECT_EQ(pdu->rvIndex, g.rv);
      EXPECT_EQ(pdu->harqProcessID, g.harq_process);
      EXPECT_EQ(pdu->newData, g.retransmission ? 0 : 1);
      saw_retransmission |= g.retransmission;
      saw_short_slot |= g.num_symbols < 14;
      ++pdus;
      ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, g.retransmission || slot % 5 != 1));
    }
  }
  EXPECT_GE(pdus, 40);
  EXPECT_TRUE(saw_retransmission);
  EXPECT_TRUE(saw_short_slot);  // the downlink symbols of S slots
}

TEST(Scheduler, RetransmissionsComeFirstWithTheNextRedundancyVersion) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 15.0), test_ue(2, 25.0)});
  SlotDecision decision = s.make_slot_decision();
  ASSERT_TRUE(s.enqueue(1, Direction::downlink, 800));
  ASSERT_TRUE(s.schedule(0, SlotLimits{}, decision));
  ASSERT_EQ(decision.grants.size(), 1u);
  const Grant first = decision.grants[0];
  EXPECT_EQ(first.rnti, 1);
  EXPECT_EQ(first.rv, 0);
  EXPECT_FALSE(first.retransmission);
  ASSERT_TRUE(s.feedback(1, Direction::downlink, first.harq_process, false));
  // UE 2 now has more data than the BWP can carry and the better channel; UE 1 has no new data.
  ASSERT_TRUE(s.enqueue(2, Direction::downlink, 500000));
  const int mcs_after_nack = s.link_adapted_mcs(0, Direction::downlink);
  ASSERT_TRUE(s.schedule(1, SlotLimits{}, decision));
  ASSERT_EQ(decision.grants.size(), 2u);
  const Grant& retx = decision.grants[0];
  EXPECT_EQ(retx.rnti, 1);
  EXPECT_TRUE(retx.retransmission);
  EXPECT_EQ(retx.rv, 2);
  EXPECT_EQ(retx.ndi, first.ndi);
  EXPECT_EQ(retx.harq_process, first.harq_process);
  EXPECT_EQ(retx.rb_start, 0);
  EXPECT_EQ(retx.rb_size, first.rb_size);
  EXPECT_EQ(retx.mcs_index, first.mcs_index);  // not the lower MCS the OLLA now gives
  EXPECT_LT(mcs_after_nack, first.mcs_index + 1);
  EXPECT_EQ(retx.tbs_bytes, first.tbs_bytes);
  EXPECT_EQ(retx.payload_bytes, first.payload_bytes);
  const Grant& fresh = decision.grants[1];
  EXPECT_EQ(fresh.rnti, 2);
  EXPECT_EQ(fresh.rb_start, retx.rb_size);
  EXPECT_EQ(fresh.rb_start + fresh.rb_size, 51);
  // Second NACK: rv 3, then rv 1, then the TB is dropped (4 transmissions by default). Slot 2
  // and 5 are D slots (3 is S: too few symbols to repeat the TB, 4 is U).
  const int expected_rv[] = {3, 1};
  const std::int64_t slots[] = {2, 5};
  for (int k = 0; k < 2; ++k) {
    ASSERT_TRUE(s.feedback(1, Direction::downlink, first.harq_process, false));
    ASSERT_TRUE(s.schedule(slots[k], SlotLimits{}, decision));
    ASSERT_FALSE(decision.grants.empty());
    EXPECT_EQ(decision.grants[0].rnti, 1);
    EXPECT_EQ(decision.grants[0].rv, expected_rv[k]);
  }
  ASSERT_TRUE(s.feedback(1, Direction::downlink, first.harq_process, false));
  const LinkState& link = s.ues()[0].link(Direction::downlink);
  EXPECT_EQ(link.harq.counters().failures, 1);
  EXPECT_EQ(link.harq.counters().lost_payload_bytes, 800);
  EXPECT_EQ(link.harq.counters().retransmissions, 3);
}

TEST(Scheduler, RetransmissionWaitsForRoomAndSymbols) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 15.0)});
  SlotDecision decision = s.make_slot_decision();
  ASSERT_TRUE(s.enqueue(1, Direction::downlink, 100000));
  ASSERT_TRUE(s.schedule(2, SlotLimits{}, decision));  // D slot, whole BWP
  const Grant first = decision.grants[0];
  ASSERT_EQ(first.rb_size, 51);
  ASSERT_TRUE(s.feedback(1, Direction::downlink, first.harq_process, false));
  // Slot 3 is S (10 symbols): the 14-symbol TB cannot be repeated there; it may send new data.
  ASSERT_TRUE(s.schedule(3, SlotLimits{}, decision));
  for (const Grant& g : decision.grants) EXPECT_FALSE(g.retransmission);
  for (const Grant& g : decision.grants) ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, true));
  // Slot 5 (D) with only 30 PRBs allowed: no room for 51 either.
  ASSERT_TRUE(s.schedule(5, SlotLimits{.max_prbs = 30}, decision));
  for (const Grant& g : decision.grants) EXPECT_FALSE(g.retransmission);
  for (const Grant& g : decision.grants) ASSERT_TRUE(s.feedback(g.rnti, g.direction, g.harq_process, true));
  ASSERT_TRUE(s.schedule(6, SlotLimits{}, decision));
  ASSERT_FALSE(decision.grants.empty());
  EXPECT_TRUE(decision.grants[0].retransmission);
  EXPECT_EQ(decision.grants[0].harq_process, first.harq_process);
}

TEST(Scheduler, ConfiguredGrantsAppearOnTheirPeriod) {
  std::vector<UeConfig> ues = {test_ue(7, 10.0), test_ue(8, 20.0)};
  // Every 10 slots from slot 4: slots 4, 14, 24, ... (all U slots of DDDSU).
  ues[0].configured_grant = ConfiguredGrantConfig{.periodicity_slots = 10, .offset_slots = 4, .rb_size = 6,
                                                  .mcs_index = 4, .layers = 1};
  Scheduler s = make_scheduler(test_cell(), ues);
  SlotDecision decision = s.make_slot_decision();
  std::vector<std::int64_t> cg_slots;
  for (std::int64_t slot = 0; slot < 100; ++slot) {
    if (slot == 50) {
      ASSERT_TRUE(s.enqueue(7, Direction::uplink, 40));  // a small periodic payload
    }
    ASSERT_TRUE(s.enqueue(8, Direction::uplink, 100000));  // the other UE always has data
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    for (const Grant& g : decision.grants) {
      if (g.rnti == 7) {
        EXPECT_TRUE(g.configured_grant);
        EXPECT_EQ(g.rb_size, 6);
        EXPECT_EQ(g.mcs_index, 4);
        EXPECT_EQ(g.tbs_bytes, s.tbs_bytes(Direction::uplink, 14, 6, 4, 1));
        EXPECT_EQ(g.payload_bytes, slot == 54 ? 40 : 0);
        EXPECT_EQ(g.rb_start, 0);  // before the PF grant of UE 8
        cg_slots.push_back(slot);
      } else if (g.direction == Direction::uplink) {
        EXPECT_FALSE(g.configured_grant);
        EXPECT_EQ(g.rb_start, slot % 10 == 4 ? 6 : 0);
      }
    }
    ack_all(s, decision);
  }
  const std::vector<std::int64_t> expected = {4, 14, 24, 34, 44, 54, 64, 74, 84, 94};
  EXPECT_EQ(cg_slots, expected);
  EXPECT_EQ(s.ues()[0].configured_grants_skipped, 0);
  // A CG TB's CRC does not move the outer loop (its MCS is not link-adapted).
  EXPECT_EQ(s.ues()[0].link(Direction::uplink).outer_loop.offset_db(), 0.0);
}

TEST(Scheduler, LimitsAreRespected) {
  CellConfig cell = test_cell();
  Scheduler s = make_scheduler(cell, {test_ue(1, 20.0, 4, 1), test_ue(2, 10.0, 2, 1), test_ue(3, 5.0, 1, 1)});
  SlotDecision decision = s.make_slot_decision();
  for (std::int64_t slot = 0; slot < 50; ++slot) {
    keep_full(s, Direction::downlink);
    const int max_prbs = 5 + static_cast<int>(slot % 4) * 13;
    const SlotLimits limits{.allowed = true, .max_prbs = max_prbs, .max_layers = 1 + static_cast<int>(slot % 3)};
    ASSERT_TRUE(s.schedule(slot, limits, decision));
    EXPECT_LE(decision.prbs_used, max_prbs);
    int end = 0;
    for (const Grant& g : decision.grants) {
      EXPECT_EQ(g.rb_start, end);  // contiguous, no overlap
      end = g.rb_start + g.rb_size;
      EXPECT_LE(g.layers, limits.max_layers);
    }
    EXPECT_LE(end, max_prbs);
    ack_all(s, decision);
  }
  // Off: no grant, buffers and HARQ untouched.
  const std::int64_t before = s.ues()[0].link(Direction::downlink).buffer.bytes();
  const std::int64_t grants_before = s.ues()[0].link(Direction::downlink).harq.counters().new_transmissions;
  ASSERT_TRUE(s.schedule(50, SlotLimits{.allowed = false}, decision));
  EXPECT_TRUE(decision.grants.empty());
  EXPECT_FALSE(decision.active);
  EXPECT_EQ(decision.prbs_used, 0);
  EXPECT_EQ(s.ues()[0].link(Direction::downlink).buffer.bytes(), before);
  EXPECT_EQ(s.ues()[0].link(Direction::downlink).harq.counters().new_transmissions, grants_before);
  ASSERT_TRUE(s.schedule(51, SlotLimits{.max_prbs = 0}, decision));
  EXPECT_TRUE(decision.grants.empty());
}

TEST(Scheduler, SwitchedOffSlotsSkipConfiguredGrantsAndKeepRetransmissionsWaiting) {
  std::vector<UeConfig> ues = {test_ue(7)};
  ues[0].configured_grant = ConfiguredGrantConfig{.periodicity_slots = 5, .offset_slots = 4, .rb_size = 4};
  Scheduler s = make_scheduler(test_cell(), ues);
  SlotDecision decision = s.make_slot_decision();
  ASSERT_TRUE(s.schedule(4, SlotLimits{.allowed = false}, decision));
  EXPECT_TRUE(decision.grants.empty());
  EXPECT_EQ(s.ues()[0].configured_grants_skipped, 1);
  ASSERT_TRUE(s.schedule(9, SlotLimits{}, decision));
  ASSERT_EQ(decision.grants.size(), 1u);
  ASSERT_TRUE(s.feedback(7, Direction::uplink, decision.grants[0].harq_process, false));
  ASSERT_TRUE(s.schedule(14, SlotLimits{.allowed = false}, decision));
  ASSERT_TRUE(s.schedule(19, SlotLimits{}, decision));
  ASSERT_EQ(decision.grants.size(), 1u);  // the retransmission takes the UE's slot
  EXPECT_TRUE(decision.grants[0].retransmission);
  EXPECT_TRUE(decision.grants[0].configured_grant);
  EXPECT_EQ(decision.grants[0].rv, 2);
}

// Full buffers and immediate ACKs over many DL slots: delivered bytes per UE and grants per UE.
struct Shares {
  std::map<std::uint16_t, std::int64_t> bytes;
  std::map<std::uint16_t, int> grants;
};
Shares run_full_buffer(Scheduler& s, int slots) {
  Shares shares;
  SlotDecision decision = s.make_slot_decision();
  for (std::int64_t slot = 0; slot < slots; ++slot) {
    keep_full(s, Direction::downlink);
    EXPECT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    for (const Grant& g : decision.grants) {
      if (g.direction != Direction::downlink) continue;
      shares.bytes[g.rnti] += g.payload_bytes;
      shares.grants[g.rnti] += 1;
    }
    ack_all(s, decision);
  }
  return shares;
}

TEST(Scheduler, ProportionalFairSharesEquallyBetweenEqualUes) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 12.0), test_ue(2, 12.0), test_ue(3, 12.0), test_ue(4, 12.0)});
  const Shares shares = run_full_buffer(s, 2000);
  std::int64_t total = 0;
  for (const auto& [rnti, bytes] : shares.bytes) total += bytes;
  ASSERT_EQ(shares.bytes.size(), 4u);
  for (const auto& [rnti, bytes] : shares.bytes) {
    EXPECT_NEAR(static_cast<double>(bytes) / static_cast<double>(total), 0.25, 0.01) << "rnti " << rnti;
  }
}

TEST(Scheduler, ProportionalFairGivesTheFasterUeMoreButEqualisesTheMetric) {
  // Same SINR, but UE 2 may use two layers: at 25 dB rank adaptation takes them, for a higher
  // rate per PRB (two layers at the MCS of the SINR less the layer loss). Every TB is ACKed, so
  // the outer loop raises both UEs' MCS over the run: the rates to compare are the final ones.
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 25.0, 1), test_ue(2, 25.0, 2)});
  const Shares shares = run_full_buffer(s, 4000);
  const auto one = s.rank_adapted(0, Direction::downlink, 4);
  const auto two = s.rank_adapted(1, Direction::downlink, 4);
  ASSERT_EQ(one.layers, 1);
  ASSERT_EQ(two.layers, 2);
  const double rate_ratio = 2.0 * s.mcs_selector(Direction::downlink).entry(two.mcs_index).spectral_efficiency /
                            s.mcs_selector(Direction::downlink).entry(one.mcs_index).spectral_efficiency;
  ASSERT_GT(rate_ratio, 1.2);
  const double byte_ratio = static_cast<double>(shares.bytes.at(2)) / static_cast<double>(shares.bytes.at(1));
  EXPECT_NEAR(byte_ratio, rate_ratio, 0.1 * rate_ratio);
  // PF with constant rates gives equal time: each UE gets about half of the slots ...
  const double grant_ratio = static_cast<double>(shares.grants.at(2)) / shares.grants.at(1);
  EXPECT_NEAR(grant_ratio, 1.0, 0.05);
  // ... and rate / average throughput ends up the same for both.
  const double metric_ratio =
      s.proportional_fair_metric(1, Direction::downlink) / s.proportional_fair_metric(0, Direction::downlink);
  EXPECT_NEAR(metric_ratio, 1.0, 0.1);
  // A lower SINR also gets a fair share of the slots, not of the bytes.
  Scheduler t = make_scheduler(test_cell(), {test_ue(1, 5.0), test_ue(2, 20.0)});
  const Shares by_sinr = run_full_buffer(t, 4000);
  EXPECT_GT(by_sinr.bytes.at(2), 2 * by_sinr.bytes.at(1));
  EXPECT_NEAR(static_cast<double>(by_sinr.grants.at(2)) / by_sinr.grants.at(1), 1.0, 0.05);
}

TEST(Scheduler, RankAdaptationTakesMoreLayersOnlyWhenTheyCarryMore) {
  CellConfig cell = test_cell();
  cell.downlink.max_layers = 4;
  cell.downlink.dmrs.num_cdm_groups_without_data = 2;
  Scheduler s = make_scheduler(cell, {test_ue(1, 2.0, 4), test_ue(2, 14.0, 4), test_ue(3, 40.0, 4)});
  const McsSelector& selector = s.mcs_selector(Direction::downlink);
  const double loss2 = cell.link_adaptation.layer_sinr_loss_db(2);
  EXPECT_NEAR(loss2, 10.0 * std::log10(2.0) + cell.link_adaptation.multi_layer_loss_db, 1e-12);
  EXPECT_EQ(cell.link_adaptation.layer_sinr_loss_db(1), 0.0);
  int previous_layers = 0;
  for (int ue = 0; ue < 3; ++ue) {
    const auto choice = s.rank_adapted(ue, Direction::downlink, 4);
    // The choice beats (or ties, with fewer layers) every other usable layer count: one whose
    // per-layer SINR reaches the lowest MCS.
    const double sinr = s.ues()[static_cast<std::size_t>(ue)].link(Direction::downlink).sinr_db;
    const double chosen = choice.layers * selector.entry(choice.mcs_index).spectral_efficiency;
    for (int l = 1; l <= 4; ++l) {
      const double layer_sinr = sinr - cell.link_adaptation.layer_sinr_loss_db(l);
      if (l > 1 && layer_sinr < selector.required_sinr_db(0)) continue;
      const int mcs = selector.select(layer_sinr);
      EXPECT_LE(l * selector.entry(mcs).spectral_efficiency, chosen + 1e-12) << "ue " << ue << ", " << l << " layers";
    }
    EXPECT_GE(choice.layers, previous_layers);  // more SINR, never fewer layers
    previous_layers = choice.layers;
    EXPECT_LE(s.rank_adapted(ue, Direction::downlink, 1).layers, 1);  // the policy's cap holds
  }
  EXPECT_EQ(s.rank_adapted(0, Direction::downlink, 4).layers, 1);  // 2 dB: one layer
  EXPECT_EQ(s.rank_adapted(2, Direction::downlink, 4).layers, 4);  // 40 dB: all four

  // A SINR measured on a two-layer transmission is per layer: the MAC keeps the one-layer value.
  SlotDecision decision = s.make_slot_decision();
  ASSERT_TRUE(s.enqueue(3, Direction::downlink, 4000));
  ASSERT_TRUE(s.schedule(0, SlotLimits{.max_layers = 2}, decision));
  ASSERT_EQ(decision.grants.size(), 1U);
  ASSERT_EQ(decision.grants[0].layers, 2);
  ASSERT_TRUE(s.feedback(3, Direction::downlink, decision.grants[0].harq_process, true, 20.0));
  EXPECT_NEAR(s.ues()[2].link(Direction::downlink).sinr_db, 20.0 + loss2, 1e-12);
}

class FavourRnti : public UePriority {
 public:
  FavourRnti(std::uint16_t favoured, std::uint16_t excluded) : favoured_(favoured), excluded_(excluded) {}
  double priority(const UeContext& ue, Direction, std::int64_t) const override {
    if (ue.rnti == excluded_) return -1.0;
    return ue.rnti == favoured_ ? 1.0 : 0.0;
  }

 private:
  std::uint16_t favoured_;
  std::uint16_t excluded_;
};

TEST(Scheduler, PriorityHookOrdersBeforeProportionalFair) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 20.0), test_ue(2, 20.0), test_ue(3, 20.0)});
  SlotDecision decision = s.make_slot_decision();
  const FavourRnti policy(3, 1);
  for (std::int64_t slot = 0; slot < 10; ++slot) {
    for (const UeContext& ue : s.ues()) ASSERT_TRUE(s.enqueue(ue.rnti, Direction::downlink, 500));
    ASSERT_TRUE(s.schedule(slot, SlotLimits{.priority = &policy}, decision));
    if (decision.slot_type == SlotType::uplink) continue;
    ASSERT_EQ(decision.grants.size(), 2u) << slot;  // 500 bytes each fit easily; UE 1 excluded
    EXPECT_EQ(decision.grants[0].rnti, 3);           // favoured, although served every slot
    EXPECT_EQ(decision.grants[1].rnti, 2);
    ack_all(s, decision);
  }
  EXPECT_EQ(s.ues()[0].link(Direction::downlink).grants, 0);
}

TEST(Scheduler, HarqProcessesRunOutWithoutFeedbackAndTimeOut) {
  CellConfig cell = test_cell();
  cell.harq = HarqConfig{.num_processes = 8, .max_transmissions = 2, .feedback_timeout_slots = 20};
  Scheduler s = make_scheduler(cell, {test_ue(1)});
  SlotDecision decision = s.make_slot_decision();
  int new_tx = 0;
  int retx = 0;
  for (std::int64_t slot = 0; slot < 40; ++slot) {
    keep_full(s, Direction::downlink);
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    for (const Grant& g : decision.grants) {
      if (slot < 20) {
        EXPECT_FALSE(g.retransmission);
        ++new_tx;
      } else {
        retx += g.retransmission ? 1 : 0;
      }
    }
  }
  EXPECT_EQ(new_tx, 8);  // no feedback: all 8 processes busy after 8 downlink slots
  EXPECT_GT(retx, 0);    // after 20 slots without CRC the processes retransmit
  const HarqCounters& c = s.ues()[0].link(Direction::downlink).harq.counters();
  EXPECT_GT(c.timeouts, 0);
}

TEST(Scheduler, FeedbackDrivesTheOuterLoopAndSinr) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1, 15.0)});
  SlotDecision decision = s.make_slot_decision();
  const int mcs_before = s.link_adapted_mcs(0, Direction::uplink);
  std::int64_t slot = 4;
  for (int k = 0; k < 6; ++k, slot += 5) {
    ASSERT_TRUE(s.enqueue(1, Direction::uplink, 300));
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    ASSERT_EQ(decision.grants.size(), 1u);
    if (decision.grants[0].retransmission) {
      ASSERT_TRUE(s.feedback(1, Direction::uplink, decision.grants[0].harq_process, true));
      continue;
    }
    ASSERT_TRUE(s.feedback(1, Direction::uplink, decision.grants[0].harq_process, false));
  }
  EXPECT_LT(s.ues()[0].link(Direction::uplink).outer_loop.offset_db(), -0.5);
  EXPECT_LT(s.link_adapted_mcs(0, Direction::uplink), mcs_before);
  // The PHY's SINR replaces the report.
  ASSERT_TRUE(s.feedback(1, Direction::uplink, 0, true, 3.5));
  EXPECT_EQ(s.ues()[0].link(Direction::uplink).sinr_db, 3.5);
  expect_error_mentions(s.feedback(99, Direction::uplink, 0, true), "rnti=99");
  expect_error_mentions(s.feedback(1, Direction::uplink, 16, true), "harq_process=16");
  // CQI 15 of table 2 asks for the top of the 256QAM table (with no OLLA offset).
  ASSERT_TRUE(s.report_cqi(1, CqiTable::table2_qam256, 15));
  EXPECT_EQ(s.link_adapted_mcs(0, Direction::downlink), 27);
  expect_error_mentions(s.report_cqi(1, CqiTable::table2_qam256, 0), "out of range");
}

TEST(Scheduler, ExpiredPacketsAreDroppedNotSent) {
  Scheduler s = make_scheduler(test_cell(), {test_ue(1)});
  SlotDecision decision = s.make_slot_decision();
  ASSERT_TRUE(s.enqueue(1, Direction::uplink, 100, 2));   // due before the first U slot (4)
  ASSERT_TRUE(s.enqueue(1, Direction::uplink, 200, 10));
  EXPECT_EQ(s.ues()[0].link(Direction::uplink).buffer.earliest_deadline(), 2);
  for (std::int64_t slot = 0; slot <= 4; ++slot) ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
  ASSERT_EQ(decision.grants.size(), 1u);
  EXPECT_EQ(decision.grants[0].payload_bytes, 200);
  EXPECT_EQ(s.ues()[0].link(Direction::uplink).expired_bytes, 100);
}

TEST(Scheduler, ScheduleDoesNotGrowTheDecisionAndRejectsBadCalls) {
  CellConfig cell = test_cell();
  cell.max_grants_per_slot = 3;
  std::vector<UeConfig> ues;
  for (std::uint16_t r = 1; r <= 8; ++r) ues.push_back(test_ue(r));
  Scheduler s = make_scheduler(cell, ues);
  SlotDecision decision = s.make_slot_decision();
  const Grant* storage = decision.grants.data();
  for (std::int64_t slot = 0; slot < 30; ++slot) {
    for (const UeContext& ue : s.ues()) ASSERT_TRUE(s.enqueue(ue.rnti, Direction::downlink, 50));
    ASSERT_TRUE(s.schedule(slot, SlotLimits{}, decision));
    EXPECT_LE(decision.grants.size(), 3u);
    EXPECT_EQ(decision.grants.data(), storage);
    ack_all(s, decision);
  }
  SlotDecision unreserved;
  expect_error_mentions(s.schedule(30, SlotLimits{}, unreserved), "make_slot_decision");
  expect_error_mentions(s.schedule(29, SlotLimits{}, decision), "slot_index=29");
  expect_error_mentions(s.enqueue(77, Direction::downlink, 10), "rnti=77");
  expect_error_mentions(s.enqueue(1, Direction::downlink, 0), "bytes=0");
}

TEST(Scheduler, SlotTimeWrapsTheSfn) {
  EXPECT_EQ(slot_time(0, 1).sfn, 0);
  EXPECT_EQ(slot_time(23, 1).sfn, 1);
  EXPECT_EQ(slot_time(23, 1).slot, 3);
  EXPECT_EQ(slot_time(1024 * 20 + 5, 1).sfn, 0);
  EXPECT_EQ(slot_time(1024 * 20 + 5, 1).slot, 5);
}

}  // namespace
}  // namespace airan::mac

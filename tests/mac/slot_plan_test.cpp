#include "airan/mac/slot_plan.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace airan::mac {
namespace {

phy::PuschConfig config_with(int layers, int dmrs_type, int length, int additional, phy::PuschMappingType mapping,
                             int start, int symbols) {
  phy::PuschConfig c;
  c.n_cell_id = 101;
  c.slot_number = 7;
  c.bwp_start = 3;
  c.bwp_size = 52;
  c.rb_start = 4;
  c.rb_size = 40;
  c.rnti = 0x4601;
  c.num_layers = layers;
  c.num_antenna_ports = layers;
  c.dmrs.config_type = dmrs_type;
  c.dmrs.length = length;
  c.dmrs.additional_position = additional;
  c.dmrs.num_cdm_groups_without_data = 2;
  c.mapping_type = mapping;
  c.start_symbol = start;
  c.num_symbols = symbols;
  c.mcs_table = phy::McsTable::qam256;
  c.mcs_index = 15;
  return c;
}

TEST(SlotPlan, PduRoundTripReproducesThePhyPlan) {
  const std::vector<phy::PuschConfig> configs = {
      config_with(1, 1, 1, 1, phy::PuschMappingType::a, 0, 14), config_with(2, 2, 2, 1, phy::PuschMappingType::a, 0, 14),
      config_with(4, 1, 1, 3, phy::PuschMappingType::a, 0, 14), config_with(1, 1, 1, 2, phy::PuschMappingType::b, 2, 10),
      config_with(2, 2, 1, 0, phy::PuschMappingType::b, 4, 7)};
  for (const phy::PuschConfig& c : configs) {
    auto plan = phy::plan_pusch(c);
    ASSERT_TRUE(plan) << plan.error().message;
    const PuschPdu pdu = make_pusch_pdu(*plan, 513);
    auto parsed = pusch_pdu_from_json(nlohmann::json::parse(to_json(pdu).dump()));
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto config = to_pusch_config(*parsed);
    ASSERT_TRUE(config) << config.error().message;
    auto replanned = phy::plan_pusch(*config);
    ASSERT_TRUE(replanned);
    EXPECT_EQ(replanned->tbs, plan->tbs);
    EXPECT_EQ(replanned->g, plan->g);
    EXPECT_EQ(replanned->is_dmrs_symbol, plan->is_dmrs_symbol);
    EXPECT_EQ(replanned->scrambling_c_init, plan->scrambling_c_init);
    EXPECT_EQ(parsed->sfn, 513);
    EXPECT_EQ(parsed->TBSize * 8, plan->tbs);
  }
}

TEST(SlotPlan, ErrorsNameTheField) {
  auto plan = *phy::plan_pusch(config_with(1, 1, 1, 1, phy::PuschMappingType::a, 0, 14));
  PuschPdu pdu = make_pusch_pdu(plan, 0);
  auto check = [](const PuschPdu& p, const char* needle) {
    auto config = to_pusch_config(p);
    ASSERT_FALSE(config) << needle;
    EXPECT_NE(config.error().message.find(needle), std::string::npos) << config.error().message;
  };
  PuschPdu bad = pdu;
  bad.TBSize += 1;
  check(bad, "TBSize");
  bad = pdu;
  bad.ulDmrsSymbPos = 0b110;  // symbols 1 and 2: no table gives that
  check(bad, "ulDmrsSymbPos");
  bad = pdu;
  bad.qamModOrder = 2;
  check(bad, "qamModOrder");
  bad = pdu;
  bad.dmrsPorts = 0b11;  // two ports for one layer
  check(bad, "dmrsPorts");
  bad = pdu;
  bad.rnti = 0;
  check(bad, "rnti");

  nlohmann::json j = to_json(pdu);
  j["mcsIdx"] = 3;  // a typo
  auto typo = pusch_pdu_from_json(j);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("mcsIdx"), std::string::npos);
  j = to_json(pdu);
  j.erase("rbSize");
  EXPECT_NE(pusch_pdu_from_json(j).error().message.find("rbSize"), std::string::npos);
}

TEST(SlotPlan, LoadNamesFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / ("airan_plan_" + std::to_string(::getpid()) + ".jsonl");
  auto plan = *phy::plan_pusch(config_with(2, 1, 1, 1, phy::PuschMappingType::a, 0, 14));
  {
    std::ofstream out(path);
    write_slot_plan_line(out, make_pusch_pdu(plan, 1));
    write_slot_plan_line(out, make_pusch_pdu(plan, 2));
  }
  auto loaded = load_slot_plan(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->pusch.size(), 2U);
  EXPECT_TRUE(loaded->pdsch.empty());
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"pduType\": \"PUSCH\"}\n";
  }
  auto broken = load_slot_plan(path);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find(":3:"), std::string::npos) << broken.error().message;
  std::filesystem::remove(path);
  EXPECT_FALSE(load_slot_plan(path));
}

phy::PdschConfig pdsch_with(int layers, int dmrs_type, int length, int additional, int type_a_position) {
  phy::PdschConfig c;
  c.n_cell_id = 101;
  c.slot_number = 3;
  c.bwp_start = 0;
  c.bwp_size = 51;
  c.rb_start = 5;
  c.rb_size = 30;
  c.rnti = 0x4611;
  c.num_layers = layers;
  c.dmrs.config_type = dmrs_type;
  c.dmrs.length = length;
  c.dmrs.additional_position = additional;
  c.dmrs.type_a_position = type_a_position;
  c.dmrs.num_cdm_groups_without_data = 2;
  c.mcs_table = phy::McsTable::qam256;
  c.mcs_index = 20;
  return c;
}

TEST(SlotPlan, PdschPduRoundTripReproducesThePhyPlan) {
  for (const phy::PdschConfig& c : {pdsch_with(1, 1, 1, 1, 2), pdsch_with(2, 1, 1, 2, 3), pdsch_with(4, 2, 2, 1, 2),
                                    pdsch_with(3, 1, 1, 0, 2)}) {
    auto plan = phy::plan_pdsch(c);
    ASSERT_TRUE(plan) << plan.error().message;
    const PdschPdu pdu = make_pdsch_pdu(*plan, 77);
    const nlohmann::json j = to_json(pdu);
    EXPECT_EQ(j["pduType"], "PDSCH");
    EXPECT_FALSE(j.contains("ulDmrsSymbPos"));
    auto parsed = pdsch_pdu_from_json(nlohmann::json::parse(j.dump()));
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto config = to_pdsch_config(*parsed);
    ASSERT_TRUE(config) << config.error().message;
    auto replanned = phy::plan_pdsch(*config);
    ASSERT_TRUE(replanned);
    EXPECT_EQ(replanned->tbs, plan->tbs);
    EXPECT_EQ(replanned->g, plan->g);
    EXPECT_EQ(replanned->is_dmrs_symbol, plan->is_dmrs_symbol);
    // The downlink c_init carries the codeword index q (38.211 7.3.1.1): same as the source plan.
    EXPECT_EQ(replanned->scrambling_c_init, plan->scrambling_c_init);
    EXPECT_EQ(config->num_layers, c.num_layers);
    EXPECT_EQ(config->dmrs.ports, plan->config.dmrs.ports);
  }
}

TEST(SlotPlan, PdschErrorsNameTheField) {
  const PdschPdu pdu = make_pdsch_pdu(*phy::plan_pdsch(pdsch_with(2, 1, 1, 1, 2)), 0);
  auto check = [](const PdschPdu& p, const char* needle) {
    auto config = to_pdsch_config(p);
    ASSERT_FALSE(config) << needle;
    EXPECT_NE(config.error().message.find(needle), std::string::npos) << config.error().message;
  };
  PdschPdu bad = pdu;
  bad.TBSize -= 1;
  check(bad, "TBSize");
  bad = pdu;
  bad.dlDmrsSymbPos = 0b1;  // symbol 0 only: before the type A position
  check(bad, "dlDmrsSymbPos");
  bad = pdu;
  bad.nrOfLayers = 5;
  check(bad, "nrOfLayers");
  bad = pdu;
  bad.mcsTable = 3;  // a transform-precoding table: uplink only
  check(bad, "mcsTable");
  bad = pdu;
  bad.targetCodeRate += 50;
  check(bad, "targetCodeRate");

  nlohmann::json j = to_json(pdu);
  j["ulDmrsSymbPos"] = 4;  // an uplink field in a downlink PDU
  auto wrong = pdsch_pdu_from_json(j);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("ulDmrsSymbPos"), std::string::npos) << wrong.error().message;
  j = to_json(pdu);
  j.erase("dlDmrsSymbPos");
  EXPECT_NE(pdsch_pdu_from_json(j).error().message.find("dlDmrsSymbPos"), std::string::npos);
}

TEST(SlotPlan, LoadSplitsUplinkAndDownlinkAndRejectsUnknownPduTypes) {
  const auto path =
      std::filesystem::temp_directory_path() / ("airan_plan_dl_" + std::to_string(::getpid()) + ".jsonl");
  const auto ul = *phy::plan_pusch(config_with(1, 1, 1, 1, phy::PuschMappingType::a, 0, 14));
  const auto dl = *phy::plan_pdsch(pdsch_with(2, 1, 1, 1, 2));
  {
    std::ofstream out(path);
    write_slot_plan_line(out, make_pdsch_pdu(dl, 4));
    write_slot_plan_line(out, make_pusch_pdu(ul, 4));
    write_slot_plan_line(out, make_pdsch_pdu(dl, 5));
  }
  auto loaded = load_slot_plan(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->pusch.size(), 1U);
  ASSERT_EQ(loaded->pdsch.size(), 2U);
  EXPECT_EQ(loaded->pdsch[0].sfn, 4);
  EXPECT_EQ(loaded->pdsch[1].sfn, 5);
  EXPECT_EQ(loaded->pdsch[1].nrOfLayers, 2);
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"pduType\": \"PUCCH\"}\n";
  }
  auto broken = load_slot_plan(path);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find(":4: field 'pduType'"), std::string::npos) << broken.error().message;
  std::filesystem::remove(path);
}

TEST(SlotPlan, TbCrc32IsTheIeeeCrc) {
  // "123456789" as MSB-first bits: CRC-32/ISO-HDLC check value 0xCBF43926.
  std::vector<std::uint8_t> bits;
  for (char ch : std::string("123456789")) {
    for (int k = 7; k >= 0; --k) bits.push_back(static_cast<std::uint8_t>((ch >> k) & 1));
  }
  EXPECT_EQ(tb_crc32(bits), 0xCBF43926U);
}

}  // namespace
}  // namespace airan::mac

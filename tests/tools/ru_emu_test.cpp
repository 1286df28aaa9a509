// `airan ru-emu`: scenario validation, the three files it writes and what a DU makes of them.
#include <gtest/gtest.h>

#include "tools_test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/io/fronthaul.hpp"
#include "airan/io/fronthaul_json.hpp"
#include "airan/io/pcap.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/ru_emu.hpp"
#include "airan/scenario.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::run_airan;
using test_support::kScenarioDir;
using test_support::read_text;
using test_support::TempDir;

namespace fs = std::filesystem;



// A small cell: 24 PRB, 2 rx, DDSUU, 2 UEs (the second every other UL slot), 10 slots.
constexpr const char* kSmall = R"(
cell: {numerology: 1, prbs: 24, rx_antennas: 2, cell_id: 7, tdd_pattern: DDSUU}
fronthaul: {compression: bfp9, dynamic_header: true, ta3_us: 70, jitter_us: 5}
slots: 10
seed: 3
ues:
  - {rnti: 100, prbs: [0, 12], mcs: 4, layers: 1, snr_db: 25, channel: tdla30, doppler_hz: 10}
  - {rnti: 101, prbs: [12, 12], mcs: 9, mcs_table: qam256, layers: 2, snr_db: 30, channel: tdlb100,
     doppler_hz: 10, period_slots: 2}
)";

Scenario small_scenario(const std::string& extra = "") {
  auto s = parse_scenario(std::string(kSmall) + extra);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return *s;
}

std::string parse_error(const std::string& yaml) {
  auto s = parse_scenario(yaml);
  EXPECT_FALSE(s) << "parsed, but expected an error:\n" << yaml;
  return s ? std::string() : s.error().message;
}

struct Assembled {
  io::AssemblerCounters counters;
  std::vector<io::SlotTime> complete_slots;
  long long packets = 0;
  bool time_ordered = true;
};

// Feeds a trace to a SlotAssembler configured from TRACE.cell.json; on_slot sees each slot.
// With frame_zero false the assembler takes its timing reference from the first packet.
Assembled assemble(const fs::path& trace, const std::function<void(const io::AssembledSlot&)>& on_slot = {},
                   bool frame_zero = true) {
  Assembled out;
  auto config = io::load_fronthaul_config(ru_emu_cell_path(trace));
  EXPECT_TRUE(config) << (config ? "" : config.error().message);
  if (!config) return out;
  auto assembler = io::SlotAssembler::create(*config);
  EXPECT_TRUE(assembler);
  if (!assembler) return out;
  if (frame_zero) assembler->set_frame_zero_time(static_cast<std::int64_t>(kRuEmuEpochNs));
  auto reader = io::PcapReader::open(trace.string());
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().message);
  if (!reader) return out;
  auto handle = [&](const io::AssembledSlot& slot) {
    if (slot.complete) out.complete_slots.push_back(slot.time);
    if (on_slot) on_slot(slot);
  };
  io::Packet packet;
  std::uint64_t last_ts = 0;
  for (;;) {
    auto more = reader->next(packet);
    EXPECT_TRUE(more);
    if (!more || !*more) break;
    ++out.packets;
    if (packet.timestamp_ns < last_ts) out.time_ordered = false;
    last_ts = packet.timestamp_ns;
    assembler->on_frame(packet.data, static_cast<std::int64_t>(packet.timestamp_ns), handle);
  }
  assembler->flush(handle);
  out.counters = assembler->counters();
  return out;
}

io::EaxcCounters sum(const std::vector<io::EaxcCounters>& v) {
  io::EaxcCounters s;
  for (const auto& c : v) {
    s.total_msgs_rcvd += c.total_msgs_rcvd;
    s.rx_on_time += c.rx_on_time;
    s.rx_early += c.rx_early;
    s.rx_late += c.rx_late;
    s.rx_corrupt += c.rx_corrupt;
    s.rx_pkt_dupl += c.rx_pkt_dupl;
    s.prbs_duplicate += c.prbs_duplicate;
    s.seq_id_gaps += c.seq_id_gaps;
    s.seq_id_reordered += c.seq_id_reordered;
    s.prbs_received += c.prbs_received;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Scenario loading and validation

TEST(ScenarioLoad, ParsesKeysAndDefaults) {
  const Scenario s = small_scenario();
  EXPECT_EQ(s.cell.prbs, 24);
  EXPECT_EQ(s.cell.rx_antennas, 2);
  EXPECT_EQ(s.cell.tdd_pattern, "DDSUU");
  EXPECT_EQ(s.fronthaul.compression.method, io::CompressionMethod::block_floating_point);
  EXPECT_EQ(s.fronthaul.compression.iq_width, 9);
  EXPECT_TRUE(s.fronthaul.dynamic_header);
  EXPECT_EQ(s.fronthaul.mtu, 9000);
  ASSERT_EQ(s.ues.size(), 2U);
  EXPECT_EQ(s.ues[1].mcs_table, phy::McsTable::qam256);
  EXPECT_EQ(s.ues[1].period_slots, 2);
  EXPECT_EQ(s.ues[0].dmrs.type, 1);
  EXPECT_FALSE(s.impairments.any());
  // Only U slots carry PUSCH.
  EXPECT_FALSE(is_uplink_slot(s, 0));
  EXPECT_FALSE(is_uplink_slot(s, 2));
  EXPECT_TRUE(is_uplink_slot(s, 3));
  EXPECT_TRUE(is_uplink_slot(s, 9));
}

TEST(ScenarioLoad, BandwidthGivesTheMaximumTransmissionBandwidth) {
  const std::string ue = "ues: [{rnti: 1, prbs: [0, 10], mcs: 5}]\n";
  auto a = parse_scenario("cell: {numerology: 1, bandwidth_mhz: 20, rx_antennas: 4}\n" + ue);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->cell.prbs, 51);
  auto b = parse_scenario("cell: {numerology: 1, bandwidth_mhz: 100}\n" + ue);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cell.prbs, 273);
  const std::string e = parse_error("cell: {numerology: 1, bandwidth_mhz: 7}\n" + ue);
  EXPECT_NE(e.find("cell.bandwidth_mhz"), std::string::npos) << e;
  const std::string both = parse_error("cell: {numerology: 1, bandwidth_mhz: 20, prbs: 51}\n" + ue);
  EXPECT_NE(both.find("not both"), std::string::npos) << both;
}

TEST(ScenarioLoad, UnknownKeysNameTheirPath) {
  std::string e = parse_error(std::string(kSmall) + "colour: blue\n");
  EXPECT_NE(e.find("colour: unknown key"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 24, rx_antenas: 2}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1}]\n");
  EXPECT_NE(e.find("cell.rx_antenas: unknown key"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1}, {rnti: 2, prbs: [4, 4], mcs: 1, snr: 3}]\n");
  EXPECT_NE(e.find("ues[1].snr: unknown key"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1, dmrs: {typ: 2}}]\n");
  EXPECT_NE(e.find("ues[0].dmrs.typ: unknown key"), std::string::npos) << e;
  e = parse_error(std::string(kSmall) + "impairments: {lost: 0.1}\n");
  EXPECT_NE(e.find("impairments.lost: unknown key"), std::string::npos) << e;
}

TEST(ScenarioLoad, OverlappingPrbsNameBothUes) {
  const std::string e = parse_error(R"(
cell: {prbs: 51, rx_antennas: 2}
ues:
  - {rnti: 1, prbs: [0, 20], mcs: 5}
  - {rnti: 2, prbs: [20, 10], mcs: 5}
  - {rnti: 3, prbs: [25, 10], mcs: 5}
)");
  EXPECT_NE(e.find("ues[2].prbs: [25, 10] overlaps ues[1].prbs: [20, 10]"), std::string::npos) << e;
  // UEs that never share a slot may use the same PRBs.
  auto ok = parse_scenario(R"(
cell: {prbs: 51}
ues:
  - {rnti: 1, prbs: [0, 20], mcs: 5, period_slots: 2, slot_offset: 0}
  - {rnti: 2, prbs: [0, 20], mcs: 5, period_slots: 4, slot_offset: 1}
)");
  EXPECT_TRUE(ok) << ok.error().message;
  const std::string shared = parse_error(R"(
cell: {prbs: 51}
ues:
  - {rnti: 1, prbs: [0, 20], mcs: 5, period_slots: 2, slot_offset: 1}
  - {rnti: 2, prbs: [10, 20], mcs: 5, period_slots: 4, slot_offset: 3}
)");
  EXPECT_NE(shared.find("ues[1].prbs"), std::string::npos) << shared;
  EXPECT_NE(shared.find("ues[0].prbs"), std::string::npos) << shared;
}

TEST(ScenarioLoad, BadMcsNamesTheUeAndTheTable) {
  std::string e = parse_error(R"(
cell: {prbs: 51, rx_antennas: 2}
ues:
  - {rnti: 1, prbs: [0, 20], mcs: 5}
  - {rnti: 2, prbs: [20, 10], mcs: 40, mcs_table: qam256}
)");
  EXPECT_NE(e.find("ues[1].mcs: 40 is outside 0..27 for table qam256"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 51}\nues: [{rnti: 1, prbs: [0, 4], mcs: 29}]\n");
  EXPECT_NE(e.find("ues[0].mcs: 29 is outside 0..28 for table qam64"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 51}\nues: [{rnti: 1, prbs: [0, 4], mcs: 3, mcs_table: qam512}]\n");
  EXPECT_NE(e.find("ues[0].mcs_table: 'qam512' is not one of"), std::string::npos) << e;
  e = parse_error("cell: {prbs: 51}\nues: [{rnti: 1, prbs: [0, 4], mcs: three}]\n");
  EXPECT_NE(e.find("ues[0].mcs: 'three' is not an integer"), std::string::npos) << e;
}

TEST(ScenarioLoad, BadCompressionNamesTheKey) {
  for (const char* bad : {"bfp17", "bfp", "zip", "mu_law0", "bfp9x"}) {
    const std::string e =
        parse_error(fmt::format("cell: {{prbs: 24}}\nfronthaul: {{compression: {}}}\nues: [{{rnti: 1, prbs: [0, 4], mcs: 1}}]\n", bad));
    EXPECT_NE(e.find(fmt::format("fronthaul.compression: '{}' is not", bad)), std::string::npos) << e;
  }
  for (const char* good : {"none", "bfp9", "bfp14", "bfp16", "mu_law8", "block_scaling9"}) {
    EXPECT_TRUE(parse_compression(good)) << good;
  }
  EXPECT_EQ(parse_compression("mu_law8")->method, io::CompressionMethod::mu_law);
}

TEST(ScenarioLoad, OtherErrorsNameTheirKey) {
  const std::string ue = "ues: [{rnti: 1, prbs: [0, 4], mcs: 1}]\n";
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: DDX}\n" + ue).find("cell.tdd_pattern"), std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: DDS}\n" + ue).find("no U slot"), std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, rx_antennas: 17}\n" + ue).find("cell.rx_antennas: 17 is outside 1..16"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [20, 8], mcs: 1}]\n").find("ues[0].prbs: [20, 8]"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1, layers: 2}]\n")
                .find("ues[0].layers: 2 is more than cell.rx_antennas 1"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1, channel: tdlz}]\n")
                .find("ues[0].channel"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 1}, {rnti: 1, prbs: [4, 4], mcs: 1}]\n")
                .find("ues[1].rnti: 1 is also the rnti of ues[0]"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\n" + ue + "impairments: {loss: 1.5}\n").find("impairments.loss: 1.5"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, rx_antennas: 4}\nfronthaul: {eaxc_split: [4, 4, 6, 1]}\n" + ue)
                .find("fronthaul.eaxc_split"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24}\nues: [{rnti: 1, mcs: 1}]\n").find("ues[0].prbs: is required"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: [1, 2]\n" + ue).find("cell: is a list"), std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24\n").find("not valid YAML"), std::string::npos);
}

TEST(ScenarioLoad, DownlinkUesAreCheckedAsDownlink) {
  const std::string dl = "{rnti: 2, direction: downlink, prbs: [0, 4], mcs: 5";
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: U}\nues: [" + dl + "}]\n").find("no D slot"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: DU}\nues: [" + dl + ", snr_db: 20}]\n")
                .find("ues[0].snr_db: applies to uplink UEs only"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: DU}\nues: [{rnti: 2, direction: sideways, prbs: [0, 4], "
                        "mcs: 5}]\n")
                .find("ues[0].direction: 'sideways' is not uplink or downlink"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, rx_antennas: 4, tx_antennas: 2, tdd_pattern: DU}\nues: [" + dl +
                        ", layers: 4}]\n")
                .find("ues[0].layers: 4 is more than cell.tx_antennas 2"),
            std::string::npos);
  EXPECT_NE(parse_error("cell: {prbs: 24, tdd_pattern: DU}\nues: [" + dl + ", mcs_table: tp_qam64}]\n")
                .find("not a PDSCH table"),
            std::string::npos);
  // A downlink UE and an uplink UE may use the same PRBs: they are never in the same slot; a
  // DL-only cell needs no U slot.
  auto both = parse_scenario("cell: {prbs: 24, tdd_pattern: DU}\nues: [" + dl +
                             "}, {rnti: 3, prbs: [0, 4], mcs: 5}]\n");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_TRUE(both->ues[0].downlink);
  EXPECT_FALSE(both->ues[1].downlink);
  EXPECT_EQ(both->cell.tx_antennas, 1);
  EXPECT_TRUE(parse_scenario("cell: {prbs: 24, tdd_pattern: DDDSU}\nues: [" + dl + "}]\n"));
}

TEST(ScenarioLoad, ShippedScenariosLoad) {
  for (const char* name : {"demo.yaml", "100mhz-4t4r.yaml", "impaired.yaml", "ul-dl.yaml"}) {
    auto s = load_scenario(kScenarioDir / name);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_GE(s->ues.size(), 1U) << name;
  }
  auto demo = load_scenario(kScenarioDir / "demo.yaml");
  ASSERT_TRUE(demo);
  EXPECT_EQ(demo->cell.prbs, 51);
  EXPECT_EQ(demo->cell.rx_antennas, 4);
  EXPECT_EQ(demo->ues.size(), 3U);
  EXPECT_FALSE(demo->impairments.any());
  auto big = load_scenario(kScenarioDir / "100mhz-4t4r.yaml");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->cell.prbs, 273);
  EXPECT_EQ(big->cell.rx_antennas, 4);
  auto impaired = load_scenario(kScenarioDir / "impaired.yaml");
  ASSERT_TRUE(impaired);
  EXPECT_TRUE(impaired->impairments.any());
  const auto missing = load_scenario(kScenarioDir / "no-such.yaml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no-such.yaml"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Emulation

TEST(RuEmu, WritesTraceSlotPlanAndCellConfig) {
  TempDir dir;
  const Scenario s = small_scenario();
  RuEmuOptions o;
  o.output = dir.path() / "trace.pcap";
  auto r = run_ru_emu(s, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(fs::exists(dir.path() / "trace.pcap"));
  EXPECT_EQ(r->plan, dir.path() / "trace.plan.jsonl");
  EXPECT_EQ(r->cell, dir.path() / "trace.cell.json");
  EXPECT_EQ(r->slots, 10);
  EXPECT_EQ(r->uplink_slots, 4);  // slots 3, 4, 8, 9 of DDSUU
  EXPECT_EQ(r->pdus, 4 + 2);
  EXPECT_EQ(r->packets, 4 * 14 * 2);  // one packet per symbol and eAxC (24 PRB fit the MTU)
  EXPECT_EQ(r->injected, RuEmuInjected{});

  auto plan = mac::load_slot_plan(r->plan);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->pusch.size(), 6U);
  EXPECT_TRUE(plan->pdsch.empty());
  std::map<int, int> per_rnti;
  for (const mac::PuschPdu& pdu : plan->pusch) {
    const long long index = pdu.sfn * 20LL + pdu.slot;
    EXPECT_TRUE(is_uplink_slot(s, index)) << "PDU in slot " << index;
    EXPECT_TRUE(pdu.tbCrc32.has_value());
    EXPECT_EQ(pdu.cellId, 7);
    EXPECT_EQ(pdu.bwpSize, 24);
    ++per_rnti[pdu.rnti];
  }
  EXPECT_EQ(per_rnti[100], 4);
  EXPECT_EQ(per_rnti[101], 2);
  // Both PDUs of one slot come together, one per UE.
  EXPECT_EQ(plan->pusch[0].slot, 3);
  EXPECT_EQ(plan->pusch[0].rnti, 100);
  EXPECT_EQ(plan->pusch[1].slot, 3);
  EXPECT_EQ(plan->pusch[1].rnti, 101);
  EXPECT_EQ(plan->pusch[2].slot, 4);

  auto cell = io::load_fronthaul_config(r->cell);
  ASSERT_TRUE(cell) << cell.error().message;
  EXPECT_EQ(cell->carrier_prbs, 24);
  EXPECT_EQ(cell->eaxc_ids, (std::vector<std::uint16_t>{0, 1}));
  EXPECT_TRUE(cell->uplane.uplink.dynamic);
  EXPECT_EQ(cell->uplane.uplink.static_comp.iq_width, 9);
  EXPECT_FLOAT_EQ(cell->iq_scale, r->iq_scale);
}

// Receives every PDU of the plan from the assembled slots of the trace (as `airan replay` does);
// returns the number whose TB passed its CRC and matches the plan's tbCrc32.
struct Decoded {
  Assembled assembled;
  int pdus = 0;
  int ok = 0;
};
Decoded decode_trace(const fs::path& trace) {
  Decoded d;
  auto plan = mac::load_slot_plan(ru_emu_plan_path(trace));
  EXPECT_TRUE(plan) << (plan ? "" : plan.error().message);
  if (!plan) return d;
  auto receiver = phy::PuschReceiver::create(phy::PuschReceiverConfig{});
  EXPECT_TRUE(receiver);
  if (!receiver) return d;
  d.assembled = assemble(trace, [&](const io::AssembledSlot& slot) {
    for (const mac::PuschPdu& pdu : plan->pusch) {
      const int per_subframe = 1 << pdu.subcarrierSpacing;
      if (pdu.sfn % 256 != slot.time.frame || pdu.slot != slot.time.subframe * per_subframe + slot.time.slot) continue;
      ++d.pdus;
      auto config = mac::to_pusch_config(pdu);
      ASSERT_TRUE(config) << config.error().message;
      auto pusch = phy::plan_pusch(*config);
      ASSERT_TRUE(pusch);
      phy::HarqSoftBuffer harq;
      std::vector<std::uint8_t> tb(static_cast<std::size_t>(pusch->tbs));
      auto result = (*receiver)->receive(*pusch, *slot.grid, true, harq, tb);
      ASSERT_TRUE(result);
      if (result->tb_crc_ok && mac::tb_crc32(tb) == pdu.tbCrc32) ++d.ok;
    }
  });
  return d;
}

TEST(RuEmu, TraceAssemblesIntoCompleteOnTimeSlotsThatDecode) {
  TempDir dir;
  const Scenario s = small_scenario();
  RuEmuOptions o;
  o.output = dir.path() / "trace.pcapng";
  o.format = io::PcapFormat::pcapng;
  auto r = run_ru_emu(s, o);
  ASSERT_TRUE(r) << r.error().message;
  const Decoded d = decode_trace(o.output);
  const Assembled& a = d.assembled;
  EXPECT_TRUE(a.time_ordered);
  EXPECT_EQ(a.packets, r->packets);
  EXPECT_EQ(a.counters.slots_complete, 4U);
  EXPECT_EQ(a.counters.slots_incomplete, 0U);
  EXPECT_EQ(a.counters.malformed, 0U);
  EXPECT_EQ(a.counters.unknown_eaxc, 0U);
  const io::EaxcCounters c = sum(a.counters.eaxc);
  EXPECT_EQ(c.total_msgs_rcvd, static_cast<std::uint64_t>(r->packets));
  EXPECT_EQ(c.rx_on_time, c.total_msgs_rcvd);  // ta3 70 us + jitter 5 us: inside 0..300 us
  EXPECT_EQ(c.rx_early + c.rx_late + c.rx_corrupt + c.rx_pkt_dupl + c.prbs_duplicate + c.seq_id_gaps, 0U);
  // High SNR, low MCS: every TB decodes from the DU's view of the trace.
  EXPECT_EQ(d.pdus, 6);
  EXPECT_EQ(d.ok, 6);
}

TEST(RuEmu, DemoScenarioDecodesClean) {
  TempDir dir;
  auto s = load_scenario(kScenarioDir / "demo.yaml");
  ASSERT_TRUE(s) << s.error().message;
  RuEmuOptions o;
  o.output = dir.path() / "demo.pcap";
  auto r = run_ru_emu(*s, o);
  ASSERT_TRUE(r) << r.error().message;
  const Decoded d = decode_trace(o.output);
  EXPECT_EQ(d.assembled.counters.slots_complete, static_cast<std::uint64_t>(r->uplink_slots));
  EXPECT_EQ(d.assembled.counters.slots_incomplete, 0U);
  EXPECT_EQ(d.pdus, r->pdus);
  EXPECT_EQ(d.ok, r->pdus);
}

TEST(RuEmu, SameSeedSameFilesOtherSeedOtherTrace) {
  TempDir dir;
  const Scenario s = small_scenario();
  RuEmuOptions o;
  o.output = dir.path() / "a.pcap";
  ASSERT_TRUE(run_ru_emu(s, o));
  o.output = dir.path() / "b.pcap";
  ASSERT_TRUE(run_ru_emu(s, o));
  o.output = dir.path() / "c.pcap";
  o.seed = 99;
  ASSERT_TRUE(run_ru_emu(s, o));
  EXPECT_EQ(read_text(dir.path() / "a.pcap"), read_text(dir.path() / "b.pcap"));
  EXPECT_EQ(read_text(dir.path() / "a.plan.jsonl"), read_text(dir.path() / "b.plan.jsonl"));
  EXPECT_NE(read_text(dir.path() / "a.pcap"), read_text(dir.path() / "c.pcap"));
  EXPECT_NE(read_text(dir.path() / "a.plan.jsonl"), read_text(dir.path() / "c.plan.jsonl"));
}

TEST(RuEmu, InjectedImpairmentsAreCountedExactlyAndReproducibly) {
  TempDir dir;
  Scenario s = small_scenario(
      "impairments: {loss: 0.04, duplicate: 0.04, reorder: 0.04, late: 0.04, corrupt: 0.04}\n");
  s.slots = 40;  // 16 UL slots, 448 packets
  RuEmuOptions o;
  o.output = dir.path() / "x.pcap";
  auto r = run_ru_emu(s, o);
  ASSERT_TRUE(r) << r.error().message;
  const RuEmuInjected& i = r->injected;
  const long long sent = r->uplink_slots * 14 * 2;
  EXPECT_EQ(r->packets, sent - i.lost + i.duplicated);
  for (long long n : {i.lost, i.duplicated, i.reordered, i.late, i.corrupt}) EXPECT_GT(n, 0);

  o.output = dir.path() / "y.pcap";
  auto again = run_ru_emu(s, o);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->injected, r->injected);
  EXPECT_EQ(read_text(dir.path() / "x.pcap"), read_text(dir.path() / "y.pcap"));

  // What the DU sees matches what was injected, packet for packet.
  const Assembled a = assemble(dir.path() / "x.pcap");
  EXPECT_TRUE(a.time_ordered);
  EXPECT_EQ(a.packets, r->packets);
  const io::EaxcCounters c = sum(a.counters.eaxc);
  const auto u = [](long long v) { return static_cast<std::uint64_t>(v); };
  EXPECT_EQ(c.total_msgs_rcvd, u(r->packets));
  EXPECT_EQ(c.rx_late, u(i.late));
  EXPECT_EQ(c.rx_corrupt, u(i.corrupt));
  EXPECT_EQ(a.counters.malformed, u(i.corrupt));
  EXPECT_EQ(a.counters.codec[io::CodecError::bad_num_prb], u(i.corrupt));
  EXPECT_EQ(c.rx_on_time, u(r->packets - i.late - i.corrupt));  // the window is checked after parsing
  EXPECT_EQ(c.rx_early, 0U);
  EXPECT_EQ(c.rx_pkt_dupl, u(i.duplicated));
  EXPECT_EQ(c.seq_id_gaps, u(i.lost));  // reordered and duplicated SeqIds are not losses
  // Each swap puts one SeqId behind; a late packet does too unless nothing of its eAxC overtook it.
  EXPECT_GE(c.seq_id_reordered, u(i.reordered));
  EXPECT_LE(c.seq_id_reordered, u(i.reordered + i.late));
  EXPECT_EQ(c.prbs_duplicate, u(i.duplicated * 24));  // each duplicate repeats a whole 24-PRB symbol
  EXPECT_EQ(a.counters.prbs_missing, u((i.lost + i.late + i.corrupt) * 24));
  // A DU that takes its timing from the first packet (as `airan replay` does) sees the same.
  const Assembled b = assemble(dir.path() / "x.pcap", {}, false);
  const io::EaxcCounters cb = sum(b.counters.eaxc);
  EXPECT_EQ(cb.rx_late, u(i.late));
  EXPECT_EQ(cb.rx_early, 0U);
  EXPECT_EQ(cb.rx_on_time, c.rx_on_time);

  o.seed = 1234;
  o.output = dir.path() / "z.pcap";
  auto other = run_ru_emu(s, o);
  ASSERT_TRUE(other);
  EXPECT_NE(other->injected, r->injected);
}

TEST(RuEmu, UdpVlanAndSplitMtuRoundTrip) {
  TempDir dir;
  auto s = parse_scenario(R"(
cell: {numerology: 0, prbs: 52, rx_antennas: 3, tdd_pattern: U}
fronthaul: {compression: mu_law8, udp_port: 5000, vlan: 12, mtu: 1000, eaxc_split: [4, 4, 4, 4]}
slots: 3
ues:
  - {rnti: 9, prbs: [4, 30], mcs: 2, snr_db: 20, channel: awgn}
)");
  ASSERT_TRUE(s) << s.error().message;
  RuEmuOptions o;
  o.output = dir.path() / "udp.pcap";
  auto r = run_ru_emu(*s, o);
  ASSERT_TRUE(r) << r.error().message;
  // 52 PRB of 25 bytes need two 1000-byte packets per symbol and eAxC.
  EXPECT_EQ(r->packets, 3 * 14 * 3 * 2);
  const Assembled a = assemble(o.output);
  EXPECT_EQ(a.counters.slots_complete, 3U);
  EXPECT_EQ(a.counters.malformed + a.counters.not_oran, 0U);
  EXPECT_EQ(sum(a.counters.eaxc).rx_on_time, static_cast<std::uint64_t>(r->packets));
}

TEST(RuEmu, RejectsBadOptions) {
  const Scenario s = small_scenario();
  RuEmuOptions o;
  EXPECT_FALSE(run_ru_emu(s, o));  // no output
  o.output = "/no/such/dir/trace.pcap";
  EXPECT_FALSE(run_ru_emu(s, o));
  o.output = fs::temp_directory_path() / "airan_ru_emu_never.pcap";
  o.slots = 0;
  const auto r = run_ru_emu(s, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--slots 0"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The binary


TEST(RuEmuCli, DemoScenarioWritesTheThreeFiles) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  const CommandRun r = run_airan(fmt::format("ru-emu {} -o {} --json", (kScenarioDir / "demo.yaml").string(), trace.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  for (const char* key : {"slots", "uplink_slots", "pdus", "packets", "injected"}) EXPECT_TRUE(j.contains(key)) << key;
  for (const char* key : {"lost", "duplicated", "reordered", "late", "corrupt"}) {
    EXPECT_EQ(j["injected"].value(key, -1), 0) << key;
  }
  EXPECT_GT(j["pdus"].get<int>(), 0);
  EXPECT_TRUE(fs::exists(trace));
  EXPECT_TRUE(fs::exists(dir.path() / "demo.plan.jsonl"));
  EXPECT_TRUE(fs::exists(dir.path() / "demo.cell.json"));
  auto plan = mac::load_slot_plan(dir.path() / "demo.plan.jsonl");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(static_cast<long long>(plan->pusch.size()), j["pdus"].get<long long>());

  // Text summary, --slots, --seed and pcapng by --pcapng.
  const fs::path ng = dir.path() / "short.pcapng";
  const CommandRun t = run_airan(
      fmt::format("ru-emu {} -o {} --pcapng --slots 5 --seed 4", (kScenarioDir / "impaired.yaml").string(), ng.string()));
  ASSERT_EQ(t.exit_code, 0) << t.output;
  EXPECT_NE(t.output.find("5 slots"), std::string::npos) << t.output;
  EXPECT_NE(t.output.find("injected (uplink): lost"), std::string::npos) << t.output;
  auto reader = io::PcapReader::open(ng.string());
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->format(), io::PcapFormat::pcapng);
}

TEST(RuEmuCli, BadScenarioExitsTwo) {
  TempDir dir;
  const fs::path bad = dir.path() / "bad.yaml";
  std::ofstream(bad) << "cell: {prbs: 24}\nues: [{rnti: 1, prbs: [0, 4], mcs: 40}]\n";
  CommandRun r = run_airan(fmt::format("ru-emu {} -o {}", bad.string(), (dir.path() / "t.pcap").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("ues[0].mcs: 40 is outside 0..28"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "t.pcap"));
  r = run_airan(fmt::format("ru-emu {} -o {}", (dir.path() / "missing.yaml").string(), (dir.path() / "t.pcap").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_airan(fmt::format("ru-emu {}", (kScenarioDir / "demo.yaml").string()));  // no -o
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_airan("ru-emu --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--pcapng"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace airan::tools

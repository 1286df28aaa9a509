// `airan replay`: traces from the RU emulator through DPDK (net_pcap) and libpcap, counters
// against what was injected, TBs against the plan's CRCs, and the command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/replay.hpp"
#include "airan/ru_emu.hpp"
#include "airan/scenario.hpp"
#include "tools_test_support.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::run_airan;
using test_support::kScenarioDir;
using test_support::TempDir;
namespace fs = std::filesystem;


RuEmuSummary emulate(const fs::path& scenario_file, const fs::path& trace, std::optional<long long> slots = {}) {
  auto scenario = load_scenario(scenario_file);
  EXPECT_TRUE(scenario) << (scenario ? "" : scenario.error().message);
  RuEmuOptions options;
  options.output = trace;
  options.slots = slots;
  auto summary = run_ru_emu(*scenario, options);
  EXPECT_TRUE(summary) << (summary ? "" : summary.error().message);
  return *summary;
}

ReplayReport replay(const fs::path& trace, const std::string& io) {
  ReplayOptions options;
  options.trace = trace.string();
  options.io = io;
  options.backend = "cpu";
  auto report = run_replay(options);
  EXPECT_TRUE(report) << (report ? "" : report.error().message);
  return report ? *report : ReplayReport{};
}

bool dpdk_usable(const fs::path& trace, std::string& why) {
  ReplayOptions options;
  options.trace = trace.string();
  options.io = "dpdk";
  auto report = run_replay(options);
  if (!report) why = report.error().message;
  return static_cast<bool>(report);
}

TEST(Replay, CleanTraceDecodesEveryTbThroughPcapAndDpdkAlike) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "demo.yaml", trace);
  const ReplayReport r = replay(trace, "pcap");
  EXPECT_EQ(r.packets.total, emu.packets);
  EXPECT_EQ(r.packets.on_time, emu.packets);
  EXPECT_EQ(r.packets.late + r.packets.early + r.packets.lost + r.packets.duplicate + r.packets.malformed, 0);
  EXPECT_EQ(r.slots, emu.uplink_slots);
  EXPECT_EQ(r.tbs.scheduled, emu.pdus);
  EXPECT_EQ(r.tbs.crc_pass, emu.pdus);
  EXPECT_EQ(r.bler, 0.0);
  EXPECT_GT(r.throughput_mbps, 0.0);
  EXPECT_GT(r.mean_sinr_db, 10.0);
  EXPECT_GT(r.slot.p50, 0.0);
  EXPECT_LE(r.slot.p50, r.slot.p99);
  EXPECT_LE(r.slot.p99, r.slot.max);

  std::string why;
  if (!dpdk_usable(trace, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
  const ReplayReport d = replay(trace, "dpdk");
  EXPECT_EQ(to_json(d)["packets"], to_json(r)["packets"]);
  EXPECT_EQ(to_json(d)["tbs"], to_json(r)["tbs"]);
  EXPECT_EQ(d.slots, r.slots);
  EXPECT_EQ(d.mean_sinr_db, r.mean_sinr_db);
}

// Both directions in one capture: the RU's uplink decoded, the DU's PDSCH checked against the
// plan's PDSCH PDUs, each flow counted on its own (shared eAxC ids, told apart by dataDirection).
TEST(Replay, DownlinkPdschOfTheDuIsCheckedBesideTheUplink) {
  TempDir dir;
  const fs::path trace = dir.path() / "ul-dl.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "ul-dl.yaml", trace);
  // DDDSU over 40 slots: 24 D slots; UE 3 in each, UE 4 in every other one.
  EXPECT_EQ(emu.downlink_slots, 24);
  EXPECT_EQ(emu.pdsch_pdus, 24 + 12);
  EXPECT_EQ(emu.pdus, 2 * 8);
  EXPECT_GT(emu.downlink_packets, 0);
  std::optional<ReplayReport> pcap;
  for (const std::string io : {"pcap", "dpdk"}) {
    if (io == "dpdk") {
      std::string why;
      if (!dpdk_usable(trace, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
    }
    SCOPED_TRACE(io);
    const ReplayReport r = replay(trace, io);
    EXPECT_EQ(r.packets.total, emu.packets);
    EXPECT_EQ(r.packets.on_time, emu.packets - emu.downlink_packets);
    EXPECT_EQ(r.downlink_messages, emu.downlink_packets);
    EXPECT_EQ(r.packets.lost + r.packets.late + r.packets.malformed + r.packets.duplicate, 0);
    EXPECT_EQ(r.tbs.crc_pass, emu.pdus);
    ASSERT_TRUE(r.pdsch.present);
    EXPECT_EQ(r.pdsch.slots, emu.downlink_slots);
    EXPECT_EQ(r.pdsch.packets.on_time, emu.downlink_packets);
    EXPECT_EQ(r.pdsch.packets.late + r.pdsch.packets.early + r.pdsch.packets.lost + r.pdsch.packets.corrupt, 0);
    EXPECT_EQ(r.pdsch.tbs.scheduled, emu.pdsch_pdus);
    EXPECT_EQ(r.pdsch.tbs.crc_pass, emu.pdsch_pdus);
    EXPECT_EQ(r.pdsch.bler, 0.0);
    EXPECT_GT(r.pdsch.throughput_mbps, 0.0);
    EXPECT_TRUE(r.passed());
    const nlohmann::json j = to_json(r);
    EXPECT_EQ(j["pdsch"]["tbs"]["crc_pass"], emu.pdsch_pdus);
    EXPECT_EQ(j["packets"]["downlink"], emu.downlink_packets);
    if (pcap) {
      EXPECT_EQ(j["pdsch"], to_json(*pcap)["pdsch"]);
      EXPECT_EQ(j["packets"], to_json(*pcap)["packets"]);
    }
    pcap = r;
  }
}

// A PDSCH PDU whose TB is not what the DU sent fails the check and the exit code says so.
TEST(Replay, DownlinkTbThatDiffersFromThePlanFails) {
  TempDir dir;
  const fs::path trace = dir.path() / "ul-dl.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "ul-dl.yaml", trace, 10);
  const fs::path plan = ru_emu_plan_path(trace);
  std::ifstream in(plan);
  std::string text, line;
  bool changed = false;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (!changed && j["pduType"] == "PDSCH") {
      j["tbCrc32"] = j["tbCrc32"].get<std::uint32_t>() ^ 1U;
      changed = true;
    }
    text += j.dump() + "\n";
  }
  in.close();
  ASSERT_TRUE(changed);
  std::ofstream(plan) << text;
  const ReplayReport r = replay(trace, "pcap");
  EXPECT_EQ(r.tbs.crc_pass, emu.pdus);
  EXPECT_EQ(r.pdsch.tbs.crc_fail, 1);
  EXPECT_EQ(r.pdsch.tbs.crc_pass, emu.pdsch_pdus - 1);
  EXPECT_FALSE(r.passed());
  const CommandRun run = run_airan(fmt::format("replay {} --io pcap", trace.string()));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("downlink  the DU's PDSCH"), std::string::npos) << run.output;
}

// 273 PRBs x 4 antennas: U-plane frames of about 7.7 kB, beyond a default 2 kB mbuf.
// The cell's fronthaul settings may come from the scenario YAML itself: the same report as with
// the cell.json ru-emu wrote.
TEST(Replay, CellSettingsFromTheScenarioYaml) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  emulate(kScenarioDir / "demo.yaml", trace);
  ReplayOptions options;
  options.trace = trace.string();
  options.io = "pcap";
  auto from_json = run_replay(options);
  options.cell = (kScenarioDir / "demo.yaml").string();
  auto from_yaml = run_replay(options);
  ASSERT_TRUE(from_json && from_yaml);
  EXPECT_EQ(to_json(*from_yaml)["packets"], to_json(*from_json)["packets"]);
  EXPECT_EQ(to_json(*from_yaml)["tbs"], to_json(*from_json)["tbs"]);
  EXPECT_EQ(from_yaml->tbs.crc_pass, from_yaml->tbs.scheduled);
}

TEST(Replay, JumboFramesOfA100MHzCarrierPassDpdkWhole) {
  TempDir dir;
  const fs::path trace = dir.path() / "wide.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "100mhz-4t4r.yaml", trace, 10);
  std::string why;
  if (!dpdk_usable(trace, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
  const ReplayReport r = replay(trace, "dpdk");
  EXPECT_EQ(r.packets.total, emu.packets);
  EXPECT_EQ(r.packets.on_time, emu.packets);
  EXPECT_EQ(r.packets.oversize + r.packets.malformed, 0);
  EXPECT_EQ(r.tbs.crc_pass, emu.pdus);
}

// The matrix a lab would try first: 1, 2 and 4 layers; BFP9, BFP14 and uncompressed 16-bit IQ;
// TDL channels at high SNR. Every TB passes, every packet is on time, pcap and DPDK agree.
struct MatrixCase {
  const char* name;
  const char* compression;
  int layers;
  int mcs;
  const char* channel;
};

class ReplayMatrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(ReplayMatrix, EveryTbPassesAndBothIosAgree) {
  const MatrixCase& c = GetParam();
  const std::string yaml = fmt::format(R"(
cell: {{numerology: 1, prbs: 24, rx_antennas: 4, cell_id: 12, tdd_pattern: DU}}
fronthaul: {{compression: {}, dynamic_header: true, ta3_us: 70, jitter_us: 3}}
slots: 8
seed: 5
ues:
  - {{rnti: 300, prbs: [0, 14], mcs: {}, layers: {}, snr_db: 32, channel: {}, doppler_hz: 10}}
  - {{rnti: 301, prbs: [14, 10], mcs: 5, layers: 1, snr_db: 25, channel: tdla30, doppler_hz: 5}}
)",
                                       c.compression, c.mcs, c.layers, c.channel);
  auto scenario = parse_scenario(yaml);
  ASSERT_TRUE(scenario) << scenario.error().message;
  TempDir dir;
  RuEmuOptions options;
  options.output = dir.path() / "matrix.pcap";
  auto emu = run_ru_emu(*scenario, options);
  ASSERT_TRUE(emu) << emu.error().message;
  const ReplayReport r = replay(options.output, "pcap");
  EXPECT_EQ(r.packets.total, emu->packets);
  EXPECT_EQ(r.packets.on_time, emu->packets);
  EXPECT_EQ(r.tbs.scheduled, emu->pdus);
  EXPECT_EQ(r.tbs.crc_pass, emu->pdus);
  std::string why;
  if (!dpdk_usable(options.output, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
  const ReplayReport d = replay(options.output, "dpdk");
  EXPECT_EQ(to_json(d)["packets"], to_json(r)["packets"]);
  EXPECT_EQ(to_json(d)["tbs"], to_json(r)["tbs"]);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ReplayMatrix,
                         ::testing::Values(MatrixCase{"OneLayerBfp9", "bfp9", 1, 20, "tdla30"},
                                           MatrixCase{"TwoLayersBfp14", "bfp14", 2, 16, "tdlb100"},
                                           MatrixCase{"FourLayersUncompressed", "none", 4, 9, "tdlc300"},
                                           MatrixCase{"TwoLayersBfp9", "bfp9", 2, 10, "tdla30"}),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(Replay, ImpairedTraceCountsWhatWasInjected) {
  TempDir dir;
  const fs::path trace = dir.path() / "impaired.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "impaired.yaml", trace);
  ASSERT_GT(emu.injected.lost + emu.injected.late + emu.injected.corrupt, 0);
  for (const std::string io : {"pcap", "dpdk"}) {
    if (io == "dpdk") {
      std::string why;
      if (!dpdk_usable(trace, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
    }
    SCOPED_TRACE(io);
    const ReplayReport r = replay(trace, io);
    EXPECT_EQ(r.packets.total, emu.packets);
    EXPECT_EQ(r.packets.lost, emu.injected.lost);
    EXPECT_EQ(r.packets.duplicate, emu.injected.duplicated);
    EXPECT_EQ(r.packets.late, emu.injected.late);
    EXPECT_EQ(r.packets.malformed, emu.injected.corrupt);
    EXPECT_EQ(r.packets.on_time, emu.packets - emu.injected.late - emu.injected.corrupt);
    EXPECT_EQ(r.tbs.scheduled, emu.pdus);
    EXPECT_EQ(r.tbs.crc_pass + r.tbs.crc_fail + r.tbs.missing_slot, r.tbs.scheduled);
    // Missing symbols cost TBs: not all of them survive, and BLER says how many did not.
    EXPECT_LT(r.tbs.crc_pass, r.tbs.scheduled);
    EXPECT_DOUBLE_EQ(r.bler, static_cast<double>(r.tbs.scheduled - r.tbs.crc_pass) / static_cast<double>(r.tbs.scheduled));
  }
}

// ru-emu starts frame 0 at 1,700,000,000 s Unix time. Against the GPS frame grid (315,964,800 s
// less 18 leap seconds; 1,384,035,218 s between them = 540,638,757 cycles of 2.56 s + 80 ms) every
// packet is 80 ms off its slot: none is on time. The first-packet reference keeps them all.
TEST(Replay, GpsTimeReferenceJudgesTheWindowOnTheGpsGrid) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  const RuEmuSummary emu = emulate(kScenarioDir / "demo.yaml", trace);
  ReplayOptions options;
  options.trace = trace.string();
  options.io = "pcap";
  options.time_reference = "gps";
  auto gps = run_replay(options);
  ASSERT_TRUE(gps) << gps.error().message;
  EXPECT_EQ(gps->packets.on_time, 0);
  EXPECT_EQ(gps->packets.early + gps->packets.late, emu.packets);
  options.time_reference = "first";
  auto first = run_replay(options);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->packets.on_time, emu.packets);
}

// A capture cut mid-record: the packets before the cut are replayed, the cut is said, the check
// fails; libpcap and DPDK (net_pcap) agree on where it ends.
TEST(Replay, TruncatedCaptureIsReportedUpToTheCut) {
  TempDir dir;
  const fs::path whole = dir.path() / "demo.pcap";
  emulate(kScenarioDir / "demo.yaml", whole);
  const fs::path cut = dir.path() / "cut.pcap";
  {
    std::ifstream in(whole, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  fs::copy_file(dir.path() / "demo.plan.jsonl", dir.path() / "cut.plan.jsonl");
  fs::copy_file(dir.path() / "demo.cell.json", dir.path() / "cut.cell.json");
  const ReplayReport p = replay(cut, "pcap");
  EXPECT_NE(p.capture_error.find("truncated"), std::string::npos) << p.capture_error;
  EXPECT_GT(p.packets.total, 0);
  EXPECT_GT(p.tbs.missing_slot, 0);
  EXPECT_EQ(p.tbs.decoded + p.tbs.missing_slot, p.tbs.scheduled);
  const CommandRun cli = run_airan(fmt::format("replay {} --io pcap", cut.string()));
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("CAPTURE CUT SHORT"), std::string::npos) << cli.output;
  std::string why;
  if (!dpdk_usable(whole, why)) GTEST_SKIP() << "DPDK EAL cannot start here: " << why;
  const ReplayReport d = replay(cut, "dpdk");
  EXPECT_EQ(d.capture_error, p.capture_error);
  EXPECT_EQ(to_json(d)["packets"], to_json(p)["packets"]);
  EXPECT_EQ(to_json(d)["tbs"], to_json(p)["tbs"]);
}

// The plan of another emulation (another seed: other TBs) does not match the trace: every TB is
// decoded and fails its check; nothing crashes.
TEST(Replay, PlanOfAnotherTraceFailsEveryTb) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  emulate(kScenarioDir / "demo.yaml", trace);
  auto scenario = load_scenario(kScenarioDir / "demo.yaml");
  ASSERT_TRUE(scenario);
  RuEmuOptions other;
  other.output = dir.path() / "other.pcap";
  other.seed = 99;
  ASSERT_TRUE(run_ru_emu(*scenario, other));
  ReplayOptions options;
  options.trace = trace.string();
  options.io = "pcap";
  options.plan = (dir.path() / "other.plan.jsonl").string();
  auto r = run_replay(options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tbs.decoded, r->tbs.scheduled);
  EXPECT_EQ(r->tbs.crc_pass, 0);
  EXPECT_EQ(r->bler, 1.0);
}

TEST(Replay, BadInputIsNamed) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  emulate(kScenarioDir / "demo.yaml", trace);
  auto error_of = [&](const std::function<void(ReplayOptions&)>& change) {
    ReplayOptions o;
    o.trace = trace.string();
    change(o);
    auto r = run_replay(o);
    EXPECT_FALSE(r);
    if (!r) std::cout << "  error: " << r.error().message << "\n";
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.trace = (dir.path() / "none.pcap").string(); }).find("no such trace"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.io = "rdma"; }).find("--io rdma"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.backend = "tpu"; }).find("--backend tpu"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.speed = "-2"; }).find("--speed -2"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.speed = "fast"; }).find("--speed fast"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.equalizer = "ml"; }).find("--equalizer ml"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.time_reference = "ntp"; }).find("--time-reference ntp"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.plan = (dir.path() / "none.jsonl").string(); }).find("slot plan"), std::string::npos);
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.cell = (dir.path() / "none.json").string(); }).find("fronthaul settings"), std::string::npos);

  // A plan that does not fit the cell: a BWP beyond the carrier.
  const fs::path plan = dir.path() / "demo.plan.jsonl";
  std::ifstream in(plan);
  std::string first;
  std::getline(in, first);
  auto pdu = nlohmann::json::parse(first);
  pdu["bwpStart"] = 40;
  const fs::path bad_plan = dir.path() / "bad.plan.jsonl";
  std::ofstream(bad_plan) << pdu.dump() << "\n";
  EXPECT_NE(error_of([&](ReplayOptions& o) { o.plan = bad_plan.string(); }).find("beyond the carrier"), std::string::npos);
}

TEST(ReplayCli, ExitCodesJsonAndReport) {
  TempDir dir;
  const fs::path clean = dir.path() / "demo.pcap";
  const fs::path impaired = dir.path() / "impaired.pcap";
  emulate(kScenarioDir / "demo.yaml", clean);
  emulate(kScenarioDir / "impaired.yaml", impaired);
  const fs::path report = dir.path() / "report.json";

  const CommandRun ok = run_airan(fmt::format("replay {} --io pcap --json --report {}", clean.string(), report.string()),
                                  /*merge_stderr=*/false);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const auto printed = nlohmann::json::parse(ok.output, nullptr, false);
  ASSERT_FALSE(printed.is_discarded()) << ok.output;
  std::ifstream report_in(report);
  const auto written = nlohmann::json::parse(report_in, nullptr, false);
  ASSERT_FALSE(written.is_discarded());
  EXPECT_EQ(printed["tbs"], written["tbs"]);
  for (const char* key : {"trace", "io", "backend", "slots", "slot_budget_us", "packets", "tbs", "throughput_mbps", "bler",
                          "mean_sinr_db", "latency_us", "slots_within_budget"}) {
    EXPECT_TRUE(printed.contains(key)) << key;
  }
  for (const char* stage : {"fronthaul", "channel_estimation", "equalization", "demapping", "decoding", "slot"}) {
    for (const char* q : {"p50", "p99", "p999", "max", "mean"}) EXPECT_TRUE(printed["latency_us"][stage].contains(q)) << stage << q;
  }
  EXPECT_EQ(printed["bler"], 0.0);

  // TBs lost to the impairments: the check fails (exit 1), the report still comes.
  const CommandRun failed = run_airan(fmt::format("replay {} --io pcap", impaired.string()));
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("CRC fail"), std::string::npos) << failed.output;

  // Real-time pacing replays the same packets.
  const CommandRun paced = run_airan(fmt::format("replay {} --io pcap --speed 4 --json", clean.string()), false);
  ASSERT_EQ(paced.exit_code, 0) << paced.output;
  EXPECT_EQ(nlohmann::json::parse(paced.output)["packets"], printed["packets"]);

  for (const std::string& args : {std::string("replay"), fmt::format("replay {}", (dir.path() / "x.pcap").string()),
                                 fmt::format("replay {} --io carrier-pigeon", clean.string()),
                                 fmt::format("replay {} --speed 0", clean.string()),
                                 fmt::format("replay {} --backend cuda", clean.string())}) {
    const CommandRun bad = run_airan(args);
    EXPECT_EQ(bad.exit_code, 2) << args << "\n" << bad.output;
  }
  EXPECT_EQ(run_airan("replay --help").exit_code, 0);
}

TEST(ReplayCli, PlotsAreWrittenAsPng) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)";
  }
  TempDir dir;
  const fs::path trace = dir.path() / "impaired.pcap";
  emulate(kScenarioDir / "impaired.yaml", trace);
  const fs::path plots = dir.path() / "plots";
  const CommandRun r = run_airan(fmt::format("replay {} --io pcap --plots {}", trace.string(), plots.string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;  // the impaired trace loses TBs; the plots still come
  for (const char* png : {"latency_cdf.png", "per_slot.png"}) {
    std::ifstream in(plots / png, std::ios::binary);
    std::string signature(8, '\0');
    in.read(signature.data(), 8);
    EXPECT_EQ(signature, std::string("\x89PNG\r\n\x1a\n", 8)) << png;
  }
  // The data behind them: one row per assembled slot, failed TBs visible as BLER > 0.
  std::ifstream data(plots / "per_slot.dat");
  std::string line;
  int rows = 0;
  bool some_failed = false;
  while (std::getline(data, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++rows;
    std::istringstream fields(line);
    double n, frame, subframe, slot, tbs, pass;
    fields >> n >> frame >> subframe >> slot >> tbs >> pass;
    some_failed = some_failed || pass < tbs;
  }
  EXPECT_GT(rows, 0);
  EXPECT_TRUE(some_failed);
  EXPECT_EQ(run_airan(fmt::format("replay {} --io pcap --plots /proc/no/such", trace.string())).exit_code, 2);
}

}  // namespace
}  // namespace airan::tools

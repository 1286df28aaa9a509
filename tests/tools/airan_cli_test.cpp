// The `airan` command as a lab uses it: exit codes, --help, --json, reproducibility.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/sim_ldpc.hpp"
#include "tools_test_support.hpp"
#include "airan/sim_pusch.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::run_airan;


const std::string kUlschDir = std::string(AIRAN_TEST_DATA_DIR) + "/vectors/ulsch";

TEST(AiranCli, HelpEverywhereExitsZero) {
  for (const char* args :
       {"--help", "version --help", "vectors check --help", "sim ldpc --help", "sim pusch --help", "demo --help",
        "replay --help", "inspect --help", "ru-emu --help"}) {
    const CommandRun r = run_airan(args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << args;
  }
}

TEST(AiranCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_airan("no-such-command").exit_code, 2);
  EXPECT_EQ(run_airan("sim ldpc --z 385").exit_code, 2);
  EXPECT_EQ(run_airan("sim ldpc --bg 3").exit_code, 2);
  EXPECT_EQ(run_airan("sim ldpc --parity-rows 99").exit_code, 2);
  EXPECT_EQ(run_airan("vectors check /no/such/dir").exit_code, 2);
  EXPECT_EQ(run_airan("vectors check").exit_code, 2);
}

TEST(AiranCli, VectorsCheckPassesTheVendoredUlschCases) {
  const CommandRun r = run_airan("vectors check " + kUlschDir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 passed, 0 failed"), std::string::npos) << r.output;
  const CommandRun j = run_airan("vectors check --json " + kUlschDir);
  ASSERT_EQ(j.exit_code, 0);
  const auto report = nlohmann::json::parse(j.output);
  EXPECT_EQ(report["passed"], 4);
  EXPECT_EQ(report["cases"].size(), 4U);
}

TEST(AiranCli, VectorsCheckFailsOnACorruptedCopy) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airan_corrupt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(kUlschDir)) {
    if (entry.path().filename().string().rfind("case_003", 0) == 0) fs::copy(entry.path(), dir / entry.path().filename());
  }
  {
    FILE* f = std::fopen((dir / "case_003.codeword.bin").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 10, SEEK_SET);
    const int byte = std::fgetc(f);
    std::fseek(f, 10, SEEK_SET);
    std::fputc(byte ^ 1, f);
    std::fclose(f);
  }
  const CommandRun r = run_airan("vectors check " + dir.string());
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL case_003"), std::string::npos) << r.output;
}

// The main job: the embedded demo scenario emulated and replayed; every TB decodes, no packet is
// lost, and it is the trace `airan ru-emu data/scenarios/demo.yaml` writes.
TEST(AiranCli, DemoEmulatesAndReplaysItsScenario) {
  const CommandRun r = run_airan("demo --json", /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_GT(j["tbs"]["scheduled"].get<int>(), 0);
  EXPECT_EQ(j["tbs"]["crc_pass"], j["tbs"]["scheduled"]);
  EXPECT_EQ(j["packets"]["total"], j["emulated"]["packets"]);
  EXPECT_EQ(j["packets"]["on_time"], j["packets"]["total"]);
  EXPECT_EQ(j["bler"], 0.0);
  // The MAC-driven section: energy and deadlines next to the PHY, against always-on.
  ASSERT_TRUE(j.contains("mac"));
  EXPECT_EQ(j["mac"]["scenario"], "factory-10");
  EXPECT_EQ(j["mac"]["policy"], "ai");
  EXPECT_GT(j["mac"]["phy"]["tbs"].get<int>(), 0);
  EXPECT_EQ(j["mac"]["mac"]["late_deliveries"], 0);
  EXPECT_GT(j["mac"]["mac"]["saved_vs_always_on_pct"].get<double>(), 0.0);
  EXPECT_TRUE(j["mac"]["invariant_failures"].empty());

  test_support::TempDir dir;
  const auto kept = run_airan(fmt::format("demo --json --io pcap --keep {}", (dir.path() / "kept").string()), false);
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  const std::string trace = (dir.path() / "from_yaml.pcap").string();
  ASSERT_EQ(run_airan(fmt::format("ru-emu {}/../../data/scenarios/demo.yaml -o {}", AIRAN_TEST_DATA_DIR, trace)).exit_code,
            0);
  std::ifstream a(dir.path() / "kept" / "demo.pcap", std::ios::binary);
  std::ifstream b(trace, std::ios::binary);
  const std::string bytes_a((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
  const std::string bytes_b((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(bytes_a.empty());
  EXPECT_EQ(bytes_a, bytes_b);

  const CommandRun plain = run_airan("");
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("CRC pass"), std::string::npos) << plain.output;
  EXPECT_NE(plain.output.find("saved vs always-on"), std::string::npos) << plain.output;
  EXPECT_EQ(run_airan("demo --io carrier-pigeon").exit_code, 2);
}

TEST(AiranCli, VersionReportsBackends) {
  const CommandRun r = run_airan("version --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_FALSE(j["version"].get<std::string>().empty());
  if (!j["gpu_available"].get<bool>()) {
    EXPECT_FALSE(j["gpu_unavailable_reason"].get<std::string>().empty());
  }
}

TEST(SimLdpc, ResultsDoNotDependOnThreadCount) {
  SimLdpcOptions options;
  options.base_graph = 2;
  options.z = 64;
  options.parity_rows = 6;
  options.snr_db = 1.0;
  options.codewords = 40;
  options.threads = 1;
  auto one = run_sim_ldpc(options);
  options.threads = 3;
  auto three = run_sim_ldpc(options);
  ASSERT_TRUE(one && three);
  EXPECT_EQ(one->block_errors, three->block_errors);
  EXPECT_EQ(one->bit_errors, three->bit_errors);
  EXPECT_GT(one->block_errors, 0);  // 1 dB is below this code's threshold: errors must show
  EXPECT_LT(one->block_errors, 40 + 1);
  EXPECT_EQ(one->codeword_bits, (10 + 6 - 2) * 64);
}

TEST(SimLdpc, HighSnrDecodesEverything) {
  SimLdpcOptions options;
  options.z = 96;
  options.parity_rows = 8;
  options.snr_db = 8.0;
  options.codewords = 30;
  auto r = run_sim_ldpc(options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->block_errors, 0);
  EXPECT_DOUBLE_EQ(r->bler(), 0.0);
}

TEST(SimPusch, EveryChannelDecodesAtHighSnrAndThreadsDoNotChangeResults) {
  for (const char* channel : {"awgn", "tdla30", "tdlb100", "tdlc300"}) {
    SimPuschOptions o;
    o.prb = 24;
    o.layers = 2;
    o.rx = 4;
    o.mcs = 10;
    o.channel = channel;
    o.doppler_hz = 30;
    o.snr_db = 25;
    o.slots = 6;
    o.threads = 1;
    auto one = run_sim_pusch(o);
    ASSERT_TRUE(one) << channel << ": " << one.error().message;
    EXPECT_EQ(one->tb_errors, 0) << channel;
    EXPECT_GT(one->throughput_mbps, 0.0);
    o.threads = 2;
    auto two = run_sim_pusch(o);
    ASSERT_TRUE(two);
    EXPECT_DOUBLE_EQ(one->mean_sinr_db, two->mean_sinr_db) << channel;
  }
}

TEST(SimPusch, LowSnrFailsAndBadOptionsAreErrors) {
  SimPuschOptions o;
  o.prb = 12;
  o.mcs = 20;
  o.channel = "awgn";
  o.snr_db = -5;
  o.slots = 4;
  auto r = run_sim_pusch(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tb_errors, 4);  // 64QAM R=0.55 at -5 dB cannot decode
  o.channel = "tdlx";
  EXPECT_FALSE(run_sim_pusch(o));
  o.channel = "awgn";
  o.rx = 1;
  o.layers = 2;
  EXPECT_FALSE(run_sim_pusch(o));
  EXPECT_EQ(run_airan("sim pusch --channel nonsense --slots 1").exit_code, 2);
}

}  // namespace
}  // namespace airan::tools

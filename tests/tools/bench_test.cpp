// `airan bench`: a small run end to end, its JSON against docs/bench.schema.json (validated by
// Debian's python3-jsonschema, installed by scripts/setup.sh), the figures' relations, --compare
// and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/bench_command.hpp"
#include "tools_test_support.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::read_text;
using test_support::run_airan;
using test_support::TempDir;
namespace fs = std::filesystem;

const fs::path kSchema = fs::path(AIRAN_TEST_DATA_DIR) / ".." / ".." / "docs" / "bench.schema.json";

// Runs Debian's jsonschema validator on `document`; returns "" when valid, else why not.
std::string schema_violation(const fs::path& document) {
  const std::string command = fmt::format(
      "/usr/bin/python3 -c \"import json, sys, jsonschema; s = json.load(open(sys.argv[1])); "
      "jsonschema.Draft202012Validator.check_schema(s); "
      "jsonschema.validate(json.load(open(sys.argv[2])), s, cls=jsonschema.Draft202012Validator)\" {} {} 2>&1",
      kSchema.string(), document.string());
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "cannot run /usr/bin/python3";
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return output.empty() ? "validator failed" : output;
}

// One small run shared by the tests (20 MHz 2T2R, 1 and 2 layers, 6 slots, 2 repeats).
const nlohmann::json& small_result() {
  static const nlohmann::json result = [] {
    BenchOptions o;
    o.configs = {"20MHz-2T2R"};
    o.layers = {1, 2};
    o.slots = 6;
    o.repeats = 2;
    auto r = run_bench(o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json();
  }();
  return result;
}

TEST(Bench, SmallRunHasConsistentFigures) {
  const nlohmann::json& r = small_result();
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["schema"], "airan-bench/1");
  ASSERT_EQ(r["cases"].size(), 2U);
  for (const auto& c : r["cases"]) {
    SCOPED_TRACE(c["layers"].get<int>());
    EXPECT_EQ(c["config"], "20MHz-2T2R");
    EXPECT_EQ(c["prbs"], 51);
    EXPECT_EQ(c["slots"], 12);  // 6 slots x 2 repeats
    EXPECT_EQ(c["repeat_p50_us"].size(), 2U);
    EXPECT_DOUBLE_EQ(c["slot_budget_us"].get<double>(), 500.0);
    for (const char* stage : {"fronthaul", "channel_estimation", "equalization", "demapping", "decoding", "slot"}) {
      const auto& s = c["latency_us"][stage];
      EXPECT_GT(s["p50"].get<double>(), 0.0) << stage;
      EXPECT_LE(s["p50"].get<double>(), s["p99"].get<double>()) << stage;
      EXPECT_LE(s["p99"].get<double>(), s["max"].get<double>()) << stage;
    }
    // The slot is the sum of its stages, so its median is at least the largest stage median.
    EXPECT_GE(c["latency_us"]["slot"]["max"].get<double>(), c["latency_us"]["decoding"]["p50"].get<double>());
    // High SNR: every TB decodes, so the throughput counts every TB bit.
    EXPECT_DOUBLE_EQ(c["tb_crc_pass_rate"].get<double>(), 1.0);
    EXPECT_GT(c["throughput_mbps"].get<double>(), 0.0);
    EXPECT_GT(c["air_throughput_mbps"].get<double>(), 0.0);
    const double mean = c["latency_us"]["slot"]["mean"].get<double>();
    const double p99 = c["latency_us"]["slot"]["p99"].get<double>();
    const int expected_capacity = std::min(static_cast<int>(std::floor(500.0 / mean)),
                                           static_cast<int>(std::floor(1500.0 / p99)));
    EXPECT_EQ(c["capacity_cells_per_core"].get<int>(), expected_capacity);
    for (const char* share : {"within_slot_budget", "within_pusch_budget"}) {
      EXPECT_GE(c[share].get<double>(), 0.0);
      EXPECT_LE(c[share].get<double>(), 1.0);
    }
    EXPECT_LE(c["within_slot_budget"].get<double>(), c["within_pusch_budget"].get<double>());
  }
  // Two layers carry about twice the bits of one over the same air time.
  EXPECT_GT(r["cases"][1]["air_throughput_mbps"].get<double>(), 1.5 * r["cases"][0]["air_throughput_mbps"].get<double>());
  ASSERT_EQ(r["fronthaul"].size(), 3U);
  for (const auto& f : r["fronthaul"]) {
    EXPECT_GT(f["packets_per_s"].get<double>(), 0.0);
    EXPECT_NEAR(f["share_of_25gbe"].get<double>(), f["gbit_per_s"].get<double>() / 25.0, 1e-9);
  }
  EXPECT_FALSE(r["machine"]["cpu_model"].get<std::string>().empty());
}

TEST(Bench, JsonValidatesAgainstItsSchema) {
  TempDir dir;
  const fs::path out = dir.path() / "bench.json";
  std::ofstream(out) << small_result().dump(2);
  EXPECT_EQ(schema_violation(out), "") << "scripts/setup.sh installs python3-jsonschema";
  // The validator does reject what the schema forbids.
  nlohmann::json broken = small_result();
  broken["cases"][0]["latency_us"].erase("slot");
  const fs::path bad = dir.path() / "broken.json";
  std::ofstream(bad) << broken.dump();
  EXPECT_NE(schema_violation(bad), "");
}

TEST(Bench, CompareFlagsRegressionsBeyondTheNoise) {
  const nlohmann::json& r = small_result();
  auto same = compare_bench(r, r);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->regressions, 0);
  EXPECT_EQ(same->compared, 2 * 6);
  // A baseline ten times faster in every stage: everything regressed.
  nlohmann::json fast = r;
  for (auto& c : fast["cases"]) {
    for (auto& [stage, s] : c["latency_us"].items()) s["p50"] = s["p50"].get<double>() / 10.0;
    c["noise"] = 0.0;
  }
  auto slower = compare_bench(r, fast);
  ASSERT_TRUE(slower);
  EXPECT_EQ(slower->regressions, slower->compared);
  EXPECT_NE(slower->table.find("REGRESSION"), std::string::npos);
  // A noisy baseline widens the threshold: a 20 % slowdown within 3 x 10 % noise is not flagged.
  nlohmann::json noisy = r;
  for (auto& c : noisy["cases"]) {
    for (auto& [stage, s] : c["latency_us"].items()) s["p50"] = s["p50"].get<double>() / 1.2;
    c["noise"] = 0.10;
  }
  auto within = compare_bench(r, noisy);
  ASSERT_TRUE(within);
  EXPECT_EQ(within->regressions, 0);
  EXPECT_FALSE(compare_bench(r, nlohmann::json{{"slots", 3}}));
}

TEST(BenchCli, CompareExitCodesPlotsAndBadInput) {
  TempDir dir;
  const fs::path base = dir.path() / "base.json";
  const CommandRun first = run_airan(fmt::format(
      "bench --config 20MHz-2T2R --layers 1 --slots 4 --repeats 1 --no-fronthaul --json {} --plots {}", base.string(),
      (dir.path() / "plots").string()));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("20MHz-2T2R"), std::string::npos) << first.output;
  EXPECT_TRUE(fs::file_size(dir.path() / "plots" / "latency_cdf.png") > 0);
  EXPECT_TRUE(fs::file_size(dir.path() / "plots" / "capacity.png") > 0);

  nlohmann::json fast = nlohmann::json::parse(read_text(base));
  for (auto& c : fast["cases"]) {
    for (auto& [stage, s] : c["latency_us"].items()) s["p50"] = s["p50"].get<double>() / 10.0;
  }
  const fs::path fast_path = dir.path() / "fast.json";
  std::ofstream(fast_path) << fast.dump();
  const CommandRun regressed = run_airan(fmt::format(
      "bench --config 20MHz-2T2R --layers 1 --slots 4 --repeats 1 --no-fronthaul --compare {}", fast_path.string()));
  EXPECT_EQ(regressed.exit_code, 1) << regressed.output;
  EXPECT_NE(regressed.output.find("REGRESSION"), std::string::npos) << regressed.output;

  const CommandRun unknown = run_airan("bench --config 7MHz-9T9R");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("100MHz-4T4R"), std::string::npos) << unknown.output;  // lists the known ones
  EXPECT_EQ(run_airan("bench --layers 5").exit_code, 2);
  const CommandRun cuda = run_airan("bench --backend cuda");
  EXPECT_EQ(cuda.exit_code, 2);
  EXPECT_NE(cuda.output.find("CUDA"), std::string::npos) << cuda.output;
  const fs::path not_bench = dir.path() / "other.json";
  std::ofstream(not_bench) << "{\"slots\": 3}";
  EXPECT_EQ(run_airan(fmt::format("bench --config 20MHz-2T2R --layers 1 --slots 2 --repeats 1 --no-fronthaul "
                                  "--compare {}",
                                  not_bench.string()))
                .exit_code,
            2);
}

}  // namespace
}  // namespace airan::tools

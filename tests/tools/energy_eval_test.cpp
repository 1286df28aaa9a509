// `airan energy-eval`: the JSON keys of the issue, the exit codes on bad input, the plots.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tools_test_support.hpp"

namespace airan::tools {
namespace {

using test_support::read_text;
using test_support::run_airan;
using test_support::TempDir;

TEST(EnergyEvalCommand, JsonHoldsTheIssuesKeysPerScenarioAndPolicy) {
  TempDir dir;
  const auto json_path = dir.path() / "energy.json";
  const auto r = run_airan("energy-eval --scenario factory-10 --policies always-on,oracle,micro-sleep,ai "
                           "--duration-s 0.1 --json " + json_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("factory-10"), std::string::npos);
  const auto j = nlohmann::json::parse(read_text(json_path));
  ASSERT_EQ(j["scenarios"].size(), 1u);
  const auto& scenario = j["scenarios"][0];
  EXPECT_EQ(scenario["name"], "factory-10");
  ASSERT_EQ(scenario["policies"].size(), 4u);
  for (const auto& p : scenario["policies"]) {
    for (const char* key : {"radio", "compute", "total", "per_bit"}) EXPECT_TRUE(p["energy"].contains(key)) << key;
    EXPECT_NEAR(p["energy"]["radio"].get<double>() + p["energy"]["compute"].get<double>(),
                p["energy"]["total"].get<double>(), 1e-9);
    EXPECT_TRUE(p.contains("saved_vs_always_on_pct"));
    EXPECT_TRUE(p.contains("oracle_fraction"));
    EXPECT_TRUE(p.contains("embb_throughput_mbps"));
    for (const char* c : {"motion_control", "cooperative_robot", "mobile_robot_control", "mobile_robot_video",
                          "emergency_stop", "embb"})
      EXPECT_TRUE(p["deadline_miss_rate"].contains(c)) << c;
  }
  EXPECT_EQ(scenario["policies"][0]["policy"], "always-on");
  EXPECT_DOUBLE_EQ(scenario["policies"][0]["saved_vs_always_on_pct"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(scenario["policies"][1]["oracle_fraction"].get<double>(), 1.0);  // the oracle itself
  EXPECT_TRUE(j["invariant_failures"].empty());
}

TEST(EnergyEvalCommand, BadInputExitsTwoAndListsTheValidNames) {
  auto r = run_airan("energy-eval --scenario factory-7 --duration-s 0.1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("factory-200"), std::string::npos) << r.output;
  r = run_airan("energy-eval --scenario factory-10 --policies always-on,nap --duration-s 0.1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("antenna-muting"), std::string::npos) << r.output;
  r = run_airan("energy-eval --duration-s -3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("duration_s"), std::string::npos) << r.output;
}

TEST(EnergyEvalCommand, PlotsEnergyAgainstLoadAndTheMissRate) {
  TempDir dir;
  const auto r = run_airan("energy-eval --scenario factory-10 --scenario factory-50 --policies always-on,oracle,ai "
                           "--duration-s 0.05 --plots " + (dir.path() / "plots").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* png : {"energy_vs_load.png", "miss_rate.png"})
    EXPECT_GT(std::filesystem::file_size(dir.path() / "plots" / png), 1000u) << png;
}

}  // namespace
}  // namespace airan::tools

// `airan traffic`: the CSV dump (the learned predictor's training data) and the JSON summary.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/traffic_command.hpp"
#include "tools_test_support.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::run_airan;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TrafficCommand, CsvIsTimeOrderedAndReproducible) {
  TrafficDumpOptions o;
  o.scenario = "factory-10";
  o.seed = o.traffic_seed = 4;
  o.duration_s = 0.2;
  std::ostringstream out, err;
  ASSERT_EQ(run_traffic_dump(o, out, err), kExitOk) << err.str();
  const auto lines = lines_of(out.str());
  ASSERT_GT(lines.size(), 1000u);
  EXPECT_EQ(lines[0], "flow,ue,class,direction,from_burst,arrival_ns,deadline_ns,bytes");
  long long previous = -1;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cols;
    std::istringstream row(lines[i]);
    for (std::string c; std::getline(row, c, ',');) cols.push_back(c);
    ASSERT_EQ(cols.size(), 8u) << lines[i];
    const long long arrival = std::stoll(cols[5]);
    EXPECT_GE(arrival, previous) << lines[i];
    EXPECT_LT(arrival, 200'000'000);
    EXPECT_GT(std::stoll(cols[6]), arrival) << "absolute deadline after the arrival";
    previous = arrival;
  }
  std::ostringstream again;
  ASSERT_EQ(run_traffic_dump(o, again, err), kExitOk);
  EXPECT_EQ(out.str(), again.str()) << "one scenario, seed and duration give one dump";
}

TEST(TrafficCommand, JsonSummaryCountsTheDumpsPackets) {
  TrafficDumpOptions o;
  o.scenario = "mixed";
  o.seed = o.traffic_seed = 2;
  o.duration_s = 0.1;
  std::ostringstream csv, summary, err;
  ASSERT_EQ(run_traffic_dump(o, csv, err), kExitOk);
  o.json = true;
  ASSERT_EQ(run_traffic_dump(o, summary, err), kExitOk);
  const auto j = nlohmann::json::parse(summary.str());
  EXPECT_EQ(j["packets"].get<std::size_t>() + 1, lines_of(csv.str()).size());
  EXPECT_EQ(j["flows"].get<int>(), 165);
  std::size_t per_class = 0;
  for (const auto& [name, c] : j["classes"].items()) per_class += c["packets"].get<std::size_t>();
  EXPECT_EQ(per_class, j["packets"].get<std::size_t>());
  EXPECT_TRUE(j["classes"].contains("embb"));
  EXPECT_GT(j["downlink_mbit_per_second"].get<double>(), 10.0);
}

TEST(TrafficCommand, HelpAndUsageErrors) {
  const CommandRun help = run_airan("traffic --help");
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_NE(help.output.find("Usage"), std::string::npos);
  const CommandRun unknown = run_airan("traffic --scenario factory-3");
  EXPECT_EQ(unknown.exit_code, kExitUsage);
  EXPECT_NE(unknown.output.find("factory-3"), std::string::npos);
  EXPECT_EQ(run_airan("traffic --duration 0").exit_code, kExitUsage);
  EXPECT_EQ(run_airan("traffic --seed banana").exit_code, kExitUsage);
  const CommandRun json = run_airan("traffic --duration 0.05 --json", false);
  EXPECT_EQ(json.exit_code, kExitOk);
  EXPECT_EQ(nlohmann::json::parse(json.output)["scenario"], "factory-10");
}

}  // namespace
}  // namespace airan::tools

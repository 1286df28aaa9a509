#include "airan/traffic_command.hpp"

#include <array>
#include <cmath>
#include <iostream>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/ai/traffic.hpp"
#include "airan/cli.hpp"

namespace airan::tools {
namespace {

constexpr double kNsPerSecond = 1e9;
// Generated in chunks so that a long dump streams instead of holding every packet.
constexpr std::int64_t kChunkNs = 100'000'000;
constexpr double kMaxDurationS = 3600.0;

struct ClassCounters {
  std::uint64_t packets = 0;
  std::uint64_t burst_packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t uplink_bytes = 0;
};

}  // namespace

int run_traffic_dump(const TrafficDumpOptions& options, std::ostream& out, std::ostream& err) {
  if (!(options.duration_s > 0.0) || options.duration_s > kMaxDurationS) {
    err << fmt::format("airan traffic: --duration {} is out of range (0, {}] seconds\n", options.duration_s, kMaxDurationS);
    return kExitUsage;
  }
  auto scenario = ai::factory_scenario(options.scenario, options.seed);
  if (!scenario) {
    err << "airan traffic: --scenario: " << scenario.error() << "\n";
    return kExitUsage;
  }
  const std::size_t flow_count = scenario->flows.size();
  auto generator = ai::TrafficGenerator::create(scenario->flows, options.traffic_seed);
  if (!generator) {
    err << "airan traffic: " << generator.error() << "\n";
    return kExitUsage;
  }
  const auto duration_ns = static_cast<std::int64_t>(std::llround(options.duration_s * kNsPerSecond));

  std::array<ClassCounters, ai::kTrafficClassCount> per_class{};
  std::uint64_t total_packets = 0;
  std::uint64_t uplink_bytes = 0;
  std::uint64_t downlink_bytes = 0;
  std::vector<ai::Packet> chunk;
  chunk.reserve(generator->expected_packets(kChunkNs));
  if (!options.json) out << "flow,ue,class,direction,from_burst,arrival_ns,deadline_ns,bytes\n";
  for (std::int64_t end = 0; end < duration_ns;) {
    end = std::min(duration_ns, end + kChunkNs);
    chunk.clear();
    generator->generate_until(end, chunk);
    for (const ai::Packet& p : chunk) {
      auto& c = per_class[static_cast<std::size_t>(p.traffic_class)];
      ++c.packets;
      c.burst_packets += p.from_burst ? 1 : 0;
      c.bytes += p.bytes;
      (p.direction == ai::Direction::uplink ? uplink_bytes : downlink_bytes) += p.bytes;
      ++total_packets;
      if (!options.json) {
        out << fmt::format("{},{},{},{},{},{},{},{}\n", p.flow_id, p.ue_id, ai::to_string(p.traffic_class),
                           ai::to_string(p.direction), p.from_burst ? 1 : 0, p.arrival_ns, p.deadline_ns, p.bytes);
      }
    }
  }
  if (!options.json) return kExitOk;

  const auto mbit_per_s = [&](std::uint64_t bytes) { return static_cast<double>(bytes) * 8.0 / 1e6 / options.duration_s; };
  nlohmann::json classes = nlohmann::json::object();
  for (int c = 0; c < ai::kTrafficClassCount; ++c) {
    const auto& counters = per_class[static_cast<std::size_t>(c)];
    if (counters.packets == 0) continue;
    classes[std::string(ai::to_string(static_cast<ai::TrafficClass>(c)))] = {
        {"packets", counters.packets},
        {"burst_packets", counters.burst_packets},
        {"packets_per_second", static_cast<double>(counters.packets) / options.duration_s},
        {"mbit_per_second", mbit_per_s(counters.bytes)}};
  }
  const nlohmann::json summary = {{"scenario", scenario->name},
                                  {"seed", options.seed},
                                  {"traffic_seed", options.traffic_seed},
                                  {"duration_s", options.duration_s},
                                  {"flows", flow_count},
                                  {"robots", scenario->robots},
                                  {"embb_ues", scenario->embb_ues},
                                  {"packets", total_packets},
                                  {"packets_per_second", static_cast<double>(total_packets) / options.duration_s},
                                  {"uplink_mbit_per_second", mbit_per_s(uplink_bytes)},
                                  {"downlink_mbit_per_second", mbit_per_s(downlink_bytes)},
                                  {"classes", classes}};
  out << summary.dump(2) << "\n";
  return kExitOk;
}

void add_traffic_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<TrafficDumpOptions>();
  auto traffic_seed_given = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "traffic",
      "Dump the packet arrivals of a factory scenario as CSV (flow,ue,class,direction,from_burst,arrival_ns,"
      "deadline_ns,bytes) or a JSON summary. Traffic model: docs/energy.md");
  cmd->add_option("-s,--scenario", options->scenario, "factory-10, factory-50, factory-200 or mixed")->capture_default_str();
  cmd->add_option("--seed", options->seed, "scenario seed (phases, clock drifts, intervals)")->capture_default_str();
  auto* traffic_seed = cmd->add_option("--traffic-seed", options->traffic_seed,
                                       "generator seed (jitter, bursts, sizes); default: --seed");
  cmd->add_option("-d,--duration", options->duration_s, "seconds of traffic")->capture_default_str();
  cmd->add_flag("--json", options->json, "print a summary (packets per class, rates, load) instead of the CSV");
  cmd->callback([options, traffic_seed, &exit_code] {
    TrafficDumpOptions o = *options;
    if (traffic_seed->count() == 0) o.traffic_seed = o.seed;
    exit_code = run_traffic_dump(o, std::cout, std::cerr);
  });
}

}  // namespace airan::tools

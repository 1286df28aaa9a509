// `airan traffic`: the arrivals of a factory scenario, as CSV (for inspection and as the
// learned arrival predictor's training data) or as a JSON summary.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace airan::tools {

struct TrafficDumpOptions {
  std::string scenario = "factory-10";
  std::uint64_t seed = 1;          // scenario seed (phases, drifts, intervals)
  std::uint64_t traffic_seed = 1;  // generator seed (jitter, bursts, sizes)
  double duration_s = 1.0;
  bool json = false;               // summary instead of the per-packet CSV
};

// Writes the dump or the summary to `out`; returns an exit code (kExitUsage with a message on
// `err` for an unknown scenario or an impossible duration).
int run_traffic_dump(const TrafficDumpOptions& options, std::ostream& out, std::ostream& err);

void add_traffic_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

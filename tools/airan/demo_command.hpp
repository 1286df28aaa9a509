// `airan demo` (also `airan` with no arguments): the main job on its embedded default. The demo
// scenario (data/scenarios/demo.yaml, compiled in) is emulated into a trace in a temporary
// folder by the RU emulator, replayed into the pipeline through DPDK (net_pcap, the same path as
// a NIC; libpcap when the EAL cannot start here, said on stderr) and the replay report printed.
// Then the MAC-driven cell (mac_run.hpp): factory-10 under the ai policy for kDemoMacDurationS of
// air time, every grant through the PHY, against always-on; its report follows (in the JSON: "mac",
// with the keys of `airan run --scenario --json`). Exit 1 also when that run breaks an invariant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace airan::tools {

inline constexpr double kDemoMacDurationS = 0.05;  // 400 slots of 125 us

struct DemoOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's
  std::string io = "dpdk";            // dpdk (falls back to pcap with a reason) or pcap
  std::string keep;                   // a folder to keep the trace, plan and cell files in
  bool json = false;
};

// Returns the exit code: 0 when every TB of the plan decodes with a passing CRC.
int run_demo(const DemoOptions& options);
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

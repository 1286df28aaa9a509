// `airan demo` (also `airan` with no arguments): the main job on its embedded default. The demo
// scenario (data/scenarios/demo.yaml, compiled in) is emulated into a trace in a temporary
// folder by the RU emulator, replayed into the pipeline through DPDK (net_pcap, the same path as
// a NIC; libpcap when the EAL cannot start here, said on stderr) and the replay report printed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace airan::tools {

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

// `airan demo` (also `airan` with no arguments): the main job on its embedded default.
#pragma once

#include <cstdint>

namespace CLI {
class App;
}

namespace airan::tools {

struct DemoOptions {
  double snr_db = 4.0;
  std::uint64_t seed = 1;
  bool json = false;
};

// Returns the exit code: 0 when the transport block decodes with a passing CRC.
int run_demo(const DemoOptions& options);
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

#include "airan/version_command.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/phy/cpu_features.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::tools {

std::string version_string() { return AIRAN_VERSION; }

void add_version_command(CLI::App& app, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("version", "Print the version, the build and the backends this machine can run");
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([json, &exit_code] {
    const phy::GpuInfo& gpu = phy::detect_gpu();
    const std::string cuda_archs = AIRAN_CUDA_ARCHITECTURES_STRING;
    if (*json) {
      nlohmann::json j = {{"version", AIRAN_VERSION},
                          {"build_type", AIRAN_BUILD_TYPE},
                          {"cpu_isa", phy::to_string(phy::best_cpu_isa())},
                          {"cuda_built", gpu.built_with_cuda},
                          {"cuda_architectures", cuda_archs},
                          {"gpu_available", gpu.available},
                          {"gpu", gpu.available ? gpu.name : ""},
                          {"gpu_compute_capability", gpu.compute_capability},
                          {"gpu_unavailable_reason", gpu.reason}};
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("airan {} ({})\n", AIRAN_VERSION, AIRAN_BUILD_TYPE);
      std::cout << fmt::format("CPU kernels: {}\n", phy::to_string(phy::best_cpu_isa()));
      std::cout << fmt::format("CUDA backend: {}\n",
                               gpu.built_with_cuda ? fmt::format("built (sm {})", cuda_archs) : "not built");
      std::cout << fmt::format("GPU: {}\n", gpu.available ? fmt::format("{} (compute capability {}.{})", gpu.name,
                                                                         gpu.compute_capability / 10,
                                                                         gpu.compute_capability % 10)
                                                           : "none: " + gpu.reason + "; using the CPU backend");
    }
    exit_code = kExitOk;
  });
}

}  // namespace airan::tools

#include "airan/demo_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/demo_scenario.hpp"
#include "airan/mac_run.hpp"
#include "airan/replay.hpp"
#include "airan/ru_emu.hpp"
#include "airan/scenario.hpp"
#include "airan/work_folder.hpp"

namespace airan::tools {

int run_demo(const DemoOptions& options) {
  if (options.io != "dpdk" && options.io != "pcap") {
    std::cerr << "airan demo: --io " << options.io << " is not dpdk or pcap\n";
    return kExitUsage;
  }
  auto scenario = parse_scenario(kDemoScenarioYaml);
  if (!scenario) {
    std::cerr << "airan demo: the embedded scenario: " << scenario.error().message << "\n";
    return kExitUsage;
  }
  WorkFolder folder(options.keep, "airan-demo");
  if (folder.path().empty()) {
    std::cerr << "airan demo: cannot create " << (options.keep.empty() ? "a temporary folder" : options.keep) << "\n";
    return kExitUsage;
  }
  RuEmuOptions emu_options;
  emu_options.output = folder.path() / "demo.pcap";
  emu_options.seed = options.seed;
  auto emulated = run_ru_emu(*scenario, emu_options);
  if (!emulated) {
    std::cerr << "airan demo: ru-emu: " << emulated.error().message << "\n";
    return kExitUsage;
  }

  ReplayOptions replay_options;
  replay_options.trace = emulated->trace.string();
  replay_options.io = options.io;
  auto report = run_replay(replay_options);
  if (!report && options.io == "dpdk") {
    std::cerr << "airan demo: DPDK cannot receive here (" << report.error().message << "); replaying with libpcap\n";
    replay_options.io = "pcap";
    report = run_replay(replay_options);
  }
  if (!report) {
    std::cerr << "airan demo: replay: " << report.error().message << "\n";
    return kExitUsage;
  }

  // The MAC-driven part: a factory cell's traffic scheduled under the ai policy, every grant through
  // the PHY, against always-on on the same traffic (`airan run --scenario`).
  MacRunOptions mac_options;
  mac_options.scenario = "factory-10";
  mac_options.policy = "ai";
  mac_options.duration_s = kDemoMacDurationS;
  if (options.seed) mac_options.seed = *options.seed;
  auto mac_run = run_mac_pipeline(mac_options);
  if (!mac_run) {
    std::cerr << "airan demo: MAC-driven run: " << mac_run.error().message << "\n";
    return kExitUsage;
  }

  const bool passed = report->passed() && mac_run->invariant_failures.empty();
  const int exit_code = passed ? kExitOk : kExitCheckFailed;
  if (options.json) {
    nlohmann::json j = to_json(*report);
    j["scenario"] = "data/scenarios/demo.yaml (embedded)";
    j["emulated"] = {{"slots", emulated->slots},
                     {"uplink_slots", emulated->uplink_slots},
                     {"pdus", emulated->pdus},
                     {"packets", emulated->packets}};
    if (!options.keep.empty()) j["kept"] = folder.path().string();
    j["mac"] = to_json(*mac_run);
    std::cout << j.dump(2) << "\n";
    return exit_code;
  }
  const Scenario& s = *scenario;
  std::cout << fmt::format(
      "airan demo: {} UEs on a {} PRB cell at {} kHz with {} receive antennas (data/scenarios/demo.yaml)\n",
      s.ues.size(), s.cell.prbs, 15 << s.cell.numerology, s.cell.rx_antennas);
  std::cout << fmt::format("  ru-emu    {} slots ({} uplink), {} PUSCH PDUs, {} U-plane packets\n", emulated->slots,
                           emulated->uplink_slots, emulated->pdus, emulated->packets);
  std::cout << format_report(*report);
  std::cout << "\n" << format_mac_run(*mac_run);
  if (!options.keep.empty()) {
    std::cout << fmt::format("  kept      {} (replay it: airan replay {})\n", folder.path().string(),
                             emulated->trace.string());
  }
  return exit_code;
}

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "The main job on its embedded default (also what `airan` alone runs): emulate the demo scenario's "
              "UEs and RU into a fronthaul trace, replay it through DPDK into the PHY, report");
  cmd->add_option("--seed", options->seed, "seed of the emulation (default: the scenario's)");
  cmd->add_option("--io", options->io, "dpdk or pcap")->capture_default_str();
  cmd->add_option("--keep", options->keep, "keep TRACE.pcap, its plan and cell files in this folder");
  cmd->add_flag("--json", options->json, "print the report as JSON");
  cmd->callback([options, &exit_code] { exit_code = run_demo(*options); });
}

}  // namespace airan::tools

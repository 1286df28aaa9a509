// The `airan` command: one binary, one subcommand per job a lab does.
#include <iostream>

#include <CLI/CLI.hpp>

#include "airan/bench_command.hpp"
#include "airan/cli.hpp"
#include "airan/demo_command.hpp"
#include "airan/energy_eval.hpp"
#include "airan/inspect.hpp"
#include "airan/replay.hpp"
#include "airan/ru_emu.hpp"
#include "airan/run_command.hpp"
#include "airan/sim_ldpc.hpp"
#include "airan/sim_pusch.hpp"
#include "airan/traffic_command.hpp"
#include "airan/vectors_check.hpp"
#include "airan/version_command.hpp"

int main(int argc, char** argv) {
  using namespace airan::tools;
  CLI::App app{"airan: an open AI-RAN signal-processing pipeline (5G NR PHY on CPU and GPU)", "airan"};
  app.set_version_flag("--version", version_string());
  int exit_code = kExitOk;

  add_demo_command(app, exit_code);
  add_version_command(app, exit_code);
  add_vectors_command(app, exit_code);
  add_replay_command(app, exit_code);
  add_inspect_command(app, exit_code);
  add_ru_emu_command(app, exit_code);
  add_run_command(app, exit_code);
  add_bench_command(app, exit_code);
  add_traffic_command(app, exit_code);
  add_energy_eval_command(app, exit_code);
  CLI::App* sim = app.add_subcommand("sim", "Link-level simulations");
  sim->require_subcommand(1);
  add_sim_ldpc_command(*sim, exit_code);
  add_sim_pusch_command(*sim, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and the usage line
    return kExitUsage;
  }
  // `airan` alone runs the main job, as `airan demo` does.
  if (app.get_subcommands().empty()) return run_demo(DemoOptions{});
  return exit_code;
}

// PNG charts of a replay, drawn by gnuplot (Debian's gnuplot-nox, installed by scripts/setup.sh):
//   latency_cdf.png  the CDF of each stage's and the slot's processing time per slot, log time
//                    axis, with the slot budget marked
//   per_slot.png     per assembled slot: mean SINR of its TBs, and its BLER (failed / planned)
// The data (latency_cdf.dat, per_slot.dat) and the script (plots.gp) stay next to them, so a lab
// can restyle the charts or plot the numbers elsewhere.
#pragma once

#include <filesystem>
#include <initializer_list>

#include "airan/phy/expected.hpp"
#include "airan/replay.hpp"

namespace airan::tools {

// Writes the two PNGs into `folder` (created when missing). Errors name the file or say that
// gnuplot is missing or failed (with its message).
Status write_replay_plots(const ReplayReport& report, const std::filesystem::path& folder);

// Runs gnuplot on `script` inside `folder` and checks that it wrote every PNG named; errors
// quote gnuplot's message (shared by the commands that plot).
Status run_gnuplot(const std::filesystem::path& folder, const char* script, std::initializer_list<const char*> pngs);

}  // namespace airan::tools

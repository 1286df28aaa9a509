#include "airan/plots.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace airan::tools {
namespace {

namespace fs = std::filesystem;

struct Stage {
  const char* title;
  double ReplaySlotRecord::*field;
};

constexpr std::array<Stage, 6> kStages = {{{"fronthaul", &ReplaySlotRecord::fronthaul_us},
                                           {"channel estimation", &ReplaySlotRecord::channel_estimation_us},
                                           {"equalization", &ReplaySlotRecord::equalization_us},
                                           {"demapping", &ReplaySlotRecord::demapping_us},
                                           {"decoding", &ReplaySlotRecord::decoding_us},
                                           {"slot (end to end)", &ReplaySlotRecord::processing_us}}};

// One gnuplot data block per stage (separated by two blank lines: gnuplot's `index`):
// time in us, then the share of slots at or below it.
std::string latency_cdf_data(const std::vector<ReplaySlotRecord>& slots) {
  std::string out;
  std::vector<double> values;
  for (const Stage& stage : kStages) {
    values.clear();
    for (const ReplaySlotRecord& s : slots) values.push_back(std::max(s.*stage.field, 0.01));
    std::sort(values.begin(), values.end());
    out += fmt::format("# {}\n", stage.title);
    for (std::size_t i = 0; i < values.size(); ++i) {
      out += fmt::format("{:.3f} {:.6f}\n", values[i], static_cast<double>(i + 1) / static_cast<double>(values.size()));
    }
    out += "\n\n";
  }
  return out;
}

std::string per_slot_data(const std::vector<ReplaySlotRecord>& slots) {
  std::string out = "# n frame subframe slot tbs crc_pass sinr_db bler processing_us\n";
  for (std::size_t n = 0; n < slots.size(); ++n) {
    const ReplaySlotRecord& s = slots[n];
    const std::string sinr = s.tbs > 0 ? fmt::format("{:.3f}", s.mean_sinr_db) : std::string("NaN");
    const std::string bler =
        s.tbs > 0 ? fmt::format("{:.4f}", static_cast<double>(s.tbs - s.crc_pass) / s.tbs) : std::string("NaN");
    out += fmt::format("{} {} {} {} {} {} {} {} {:.3f}\n", n, s.frame, s.subframe, s.slot, s.tbs, s.crc_pass, sinr,
                       bler, s.processing_us);
  }
  return out;
}

std::string gnuplot_script(const ReplayReport& r) {
  std::string out;
  out += "set terminal pngcairo size 1000,600 font 'sans,10'\n";
  out += "set datafile missing 'NaN'\nset grid\nset key bottom right\n";
  out += "set output 'latency_cdf.png'\n";
  out += fmt::format("set title \"{}: processing time per slot ({} slots, {} backend)\" noenhanced\n",
                     fs::path(r.trace).filename().string(), r.slots, r.backend);
  out += "set xlabel 'time (us)'\nset ylabel 'share of slots'\nset logscale x\nset yrange [0:1.02]\n";
  out += fmt::format("set arrow from {0},0 to {0},1.02 nohead dashtype 2 lw 2 lc rgb 'red'\n", r.slot_budget_us);
  out += fmt::format("set label 'slot budget {:.0f} us' at {},0.05 rotate by 90 offset -1,0 tc rgb 'red'\n",
                     r.slot_budget_us, r.slot_budget_us);
  out += "plot ";
  for (std::size_t i = 0; i < kStages.size(); ++i) {
    out += fmt::format("{}'latency_cdf.dat' index {} using 1:2 with steps lw {} title '{}'", i ? ", \\\n     " : "", i,
                       i + 1 == kStages.size() ? 3 : 1, kStages[i].title);
  }
  out += "\n\nunset arrow\nunset label\nunset logscale x\nset autoscale\n";
  out += "set output 'per_slot.png'\n";
  out += fmt::format("set title \"{}: per slot (BLER {:.3g}, mean SINR {:.1f} dB)\" noenhanced\n",
                     fs::path(r.trace).filename().string(), r.bler, r.mean_sinr_db);
  out += "set xlabel 'assembled slot (arrival order)'\nset ylabel 'mean SINR of its TBs (dB)'\n";
  out += "set y2label 'BLER'\nset y2range [0:1.05]\nset ytics nomirror\nset y2tics\nset key top right\n";
  out += "plot 'per_slot.dat' using 1:7 with linespoints pt 7 ps 0.6 title 'SINR', \\\n"
         "     'per_slot.dat' using 1:8 axes x1y2 with impulses lw 3 lc rgb 'red' title 'BLER'\n";
  return out;
}

Status write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) return Error{fmt::format("{}: cannot write", path.string())};
  return Status::ok();
}

}  // namespace

Status write_replay_plots(const ReplayReport& report, const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (!fs::is_directory(folder)) return Error{fmt::format("--plots {}: cannot create the folder", folder.string())};
  if (report.per_slot.empty()) return Error{"--plots: no slot was assembled, nothing to plot"};
  for (const auto& [name, text] : {std::pair<const char*, std::string>{"latency_cdf.dat", latency_cdf_data(report.per_slot)},
                                   {"per_slot.dat", per_slot_data(report.per_slot)},
                                   {"plots.gp", gnuplot_script(report)}}) {
    if (Status s = write_file(folder / name, text); !s) return s;
  }

  return run_gnuplot(folder, "plots.gp", {"latency_cdf.png", "per_slot.png"});
}

Status run_gnuplot(const fs::path& folder, const char* script, std::initializer_list<const char*> pngs) {
  std::error_code ec;
  // gnuplot runs in the folder (the script names its files relative to it); its stderr goes to
  // gnuplot.log so a failure can be quoted.
  const fs::path log = fs::absolute(folder) / "gnuplot.log";  // opened after the chdir
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, folder.c_str());
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::array<char*, 3> argv = {const_cast<char*>("gnuplot"), const_cast<char*>(script), nullptr};
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    return Error{fmt::format("--plots: cannot run gnuplot ({}); scripts/setup.sh installs gnuplot-nox",
                             std::strerror(spawn_error))};
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::stringstream message;
    message << in.rdbuf();
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 127) return Error{"--plots: gnuplot not found; scripts/setup.sh installs gnuplot-nox"};
    return Error{fmt::format("--plots: gnuplot failed (exit {}): {}", code, message.str())};
  }
  for (const char* png : pngs) {
    if (!fs::exists(folder / png) || fs::file_size(folder / png, ec) == 0) {
      return Error{fmt::format("--plots: gnuplot wrote no {}", (folder / png).string())};
    }
  }
  fs::remove(log, ec);
  return Status::ok();
}

}  // namespace airan::tools

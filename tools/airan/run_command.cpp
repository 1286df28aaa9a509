#include "airan/run_command.hpp"

#include <array>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/dpdk_device.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/ai/traffic.hpp"
#include "airan/mac_run.hpp"
#include "airan/pacer.hpp"
#include "airan/ru_emu.hpp"

namespace airan::tools {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

struct ReceivedFrame {
  rte_mbuf* mbuf = nullptr;
  std::int64_t arrival_ns = 0;
};

// Single-producer, single-consumer ring of received frames (fixed size, no allocation once
// made). The receive thread stamps arrival times and hands frames over, so the pipeline's PUSCH
// decoding does not delay the timestamps of frames that arrive meanwhile: the reception window
// judges when a frame arrived, not when this program got round to it.
class FrameRing {
 public:
  explicit FrameRing(std::size_t capacity_power_of_two)
      : slots_(capacity_power_of_two), mask_(capacity_power_of_two - 1) {}
  bool push(const ReceivedFrame& f) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) == slots_.size()) return false;
    slots_[head & mask_] = f;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }
  bool pop(ReceivedFrame& f) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    f = slots_[tail & mask_];
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

 private:
  std::vector<ReceivedFrame> slots_;
  std::size_t mask_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

extern "C" void on_stop_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

// SIGINT/SIGTERM set g_stop for the life of the object (no SA_RESTART: nothing here blocks in
// a system call that must resume), then the previous handlers come back.
class StopSignals {
 public:
  StopSignals() {
    g_stop.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// `airan run --scenario`: the MAC-driven emulated cell (mac_run.hpp); returns the exit code.
int run_emulated_cell(const MacRunOptions& options, const std::string& report_path, bool json) {
  auto report = run_mac_pipeline(options);
  if (!report) {
    std::cerr << "airan run: " << report.error().message << "\n";
    return kExitUsage;
  }
  const nlohmann::json j = to_json(*report);
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << j.dump(2) << "\n";
    if (!out) {
      std::cerr << "airan run: cannot write " << report_path << "\n";
      return kExitUsage;
    }
  }
  std::cout << (json ? j.dump(2) + "\n" : format_mac_run(*report)) << std::flush;
  return report->invariant_failures.empty() ? kExitOk : kExitCheckFailed;
}

}  // namespace

Expected<LiveResult> run_live(const LiveOptions& o, const std::atomic<bool>& stop,
                              const std::function<void(const std::string&)>& ready) {
  if (o.port.empty()) return Error{"--port: no port given (a PCI address or a DPDK vdev string)"};
  if (o.duration_s < 0) return Error{fmt::format("--duration {} is negative", o.duration_s)};
  if (o.idle_timeout_s < 0) return Error{fmt::format("--idle-timeout {} is negative", o.idle_timeout_s)};
  if (o.packets < 0) return Error{fmt::format("--packets {} is negative", o.packets)};
  auto cell = load_cell_settings(o.cell);
  if (!cell) return Error{cell.error().message + " (--cell: the fronthaul settings, TRACE.cell.json from ru-emu or a scenario YAML)"};
  auto slot_plan = mac::load_slot_plan(o.plan);
  if (!slot_plan) return Error{slot_plan.error().message + " (--plan: the slot plan, e.g. TRACE.plan.jsonl from ru-emu)"};
  auto pipeline = ReplayPipeline::create(*cell, *slot_plan, o.pipeline);
  if (!pipeline) return pipeline.error();
  ReplayPipeline& p = **pipeline;
  auto device = DpdkDevice::open(o.port, cell->mtu, "airan_run_pool");
  if (!device) return device.error();
  io::DpdkPort& port = (*device)->port();
  if (ready) ready((*device)->name());

  // This thread receives and stamps; a worker thread runs the pipeline. Frames pass through a
  // ring of the pool's size, so every mbuf the port can hand out fits.
  FrameRing ring(8192);
  std::atomic<bool> receiving_done{false};
  std::thread worker([&] {
    ReceivedFrame f;
    for (;;) {
      if (!ring.pop(f)) {
        if (receiving_done.load(std::memory_order_acquire)) {
          if (!ring.pop(f)) break;  // drained: the receive loop pushes nothing more
        } else {
          // Idle: sleep rather than spin (the receive thread stamps arrival times, so the
          // worker's wake-up delay changes no timestamp).
          std::this_thread::sleep_for(std::chrono::microseconds(50));
          continue;
        }
      }
      const std::span<const std::uint8_t> bytes = io::mbuf::data(f.mbuf);
      if (io::mbuf::packet_length(f.mbuf) != bytes.size()) {
        p.count_oversize();  // beyond the MTU: split over mbufs, dropped
      } else {
        p.on_frame(bytes, f.arrival_ns);
      }
      io::mbuf::free(f.mbuf);
    }
  });

  TimerSlack slack;
  const RealtimePriority priority(50);
  if (!priority.ok()) std::cerr << "airan run: receive thread: " << priority.why() << "\n";
  LiveResult result;
  const auto start = Clock::now();
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  const auto idle = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.idle_timeout_s));
  std::optional<Clock::time_point> last_packet;
  std::optional<bool> nic_time;  // the first frame decides: NIC timestamps or the steady clock
  long long received = 0;
  std::array<rte_mbuf*, 32> burst{};
  for (;;) {
    const auto now = Clock::now();
    if (stop.load(std::memory_order_relaxed)) {
      result.stopped_by = "signal";
      break;
    }
    if (o.duration_s > 0 && now - start >= duration) {
      result.stopped_by = "duration";
      break;
    }
    if (o.packets > 0 && received >= o.packets) {
      result.stopped_by = "packets";
      break;
    }
    if (o.idle_timeout_s > 0 && last_packet && now - *last_packet >= idle) {
      result.stopped_by = "idle-timeout";
      break;
    }
    std::size_t want = burst.size();
    if (o.packets > 0) want = std::min<std::size_t>(want, static_cast<std::size_t>(o.packets - received));
    const std::uint16_t n = port.rx_burst(std::span<rte_mbuf*>(burst.data(), want));
    if (n == 0) {
      // A short sleep rather than a busy poll: with a kernel-backed port (af_packet) the
      // kernel's own receive work (softirq, ksoftirqd) needs a core, and a spinning poller on a
      // small machine holds frames back in bunches of hundreds of microseconds. With 1 us of
      // timer slack the sleep adds about 10 us to the arrival times, well within the window.
      std::this_thread::sleep_for(std::chrono::microseconds(10));
      continue;
    }
    // One clock read per burst: its frames were all queued by the time rx_burst returned.
    const auto arrival = Clock::now();
    last_packet = arrival;
    received += n;
    const std::int64_t arrival_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(arrival.time_since_epoch()).count();
    if (!nic_time) nic_time = port.rx_timestamp_ns(burst[0]).has_value();
    for (std::uint16_t i = 0; i < n; ++i) {
      const ReceivedFrame f{burst[i], *nic_time ? port.rx_timestamp_ns(burst[i]).value_or(arrival_ns) : arrival_ns};
      // A full ring (the pipeline far behind) holds reception up: the NIC queue then fills and
      // drops, which the report shows as lost packets.
      while (!ring.push(f)) std::this_thread::yield();
    }
  }
  receiving_done.store(true, std::memory_order_release);
  worker.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  device->reset();  // the port closes before the report is built
  auto report = p.finish();
  if (!report) return report.error();
  report->command = "run";
  report->trace = o.port;
  report->io = "dpdk";
  result.report = std::move(*report);
  return result;
}

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<LiveOptions>();
  auto report_path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto mac_run = std::make_shared<MacRunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Two modes. Live reception (--port, --cell, --plan): receive fronthaul from a NIC or DPDK vdev through the "
      "replay pipeline (slots assembled, PUSCH decoded, report); ends on --duration, --packets, --idle-timeout or "
      "Ctrl-C. Emulated cell (--scenario NAME, not with --port): a factory scenario's traffic through the MAC "
      "scheduler under an energy policy, every grant through UE emulation, channel, fronthaul and the PHY, CRCs back "
      "to HARQ; prints PHY results next to energy and deadline figures, against always-on on the same traffic");
  CLI::Option* port = cmd->add_option(
      "--port", o->port, "live: PCI address of a DPDK-bound NIC (0000:3b:00.0) or a DPDK vdev (net_af_packet0,iface=eth1)");
  CLI::Option* cell = cmd->add_option("--cell", o->cell, "live: fronthaul settings (JSON, as TRACE.cell.json from ru-emu)");
  CLI::Option* plan = cmd->add_option("--plan", o->plan, "live: slot plan (JSON Lines, as TRACE.plan.jsonl from ru-emu)");
  CLI::Option* scenario = cmd->add_option("--scenario", mac_run->scenario,
                                          "emulated cell: a factory scenario (" + [] {
                                            std::string names;
                                            for (auto n : ai::factory_scenario_names())
                                              names += (names.empty() ? "" : ", ") + std::string(n);
                                            return names;
                                          }() + ")");
  CLI::Option* policy = cmd->add_option("--policy", mac_run->policy, "emulated cell: the energy policy (default ai)");
  CLI::Option* duration_s =
      cmd->add_option("--duration-s", mac_run->duration_s, "emulated cell: seconds of air time (default 0.1)");
  CLI::Option* seed = cmd->add_option("--seed", mac_run->seed, "emulated cell: seed of traffic, channels and noise (default 1)");
  CLI::Option* prbs = cmd->add_option("--prbs", mac_run->prbs,
                                      "emulated cell: PRBs of the cell (default 264: the energy evaluation's 400 MHz at "
                                      "120 kHz; 66 is 100 MHz and about 3x faster)");
  for (CLI::Option* live : {port, cell, plan}) scenario->excludes(live);
  for (CLI::Option* emulated : {policy, duration_s, seed, prbs}) emulated->needs(scenario);
  cmd->add_option("--duration", o->duration_s, "stop after this many seconds (0: no limit)")->capture_default_str();
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "stop after this many seconds without a frame, once one came (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--packets", o->packets, "stop after this many frames (0: no limit)")->capture_default_str();
  cmd->add_option("--backend", o->pipeline.backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--equalizer", o->pipeline.equalizer, "mmse, zf or mmse-irc")->capture_default_str();
  cmd->add_option("--time-reference", o->pipeline.time_reference,
                  "reception window reference: first (first packet mid-window) or gps (NIC timestamps in PTP-synced "
                  "UTC)")
      ->capture_default_str();
  cmd->add_option("--gps-leap-seconds", o->pipeline.gps_leap_seconds, "GPS - UTC for --time-reference gps")
      ->capture_default_str();
  cmd->add_option("--report", *report_path, "write the report as JSON to this file");
  cmd->add_flag("--json", *json, "print the report as JSON");
  cmd->callback([o, report_path, json, mac_run, scenario, &exit_code] {
    if (*scenario) {
      mac_run->link.backend = o->pipeline.backend;
      exit_code = run_emulated_cell(*mac_run, *report_path, *json);
      return;
    }
    if (o->port.empty() || o->cell.empty() || o->plan.empty()) {
      std::cerr << "airan run: live reception needs --port, --cell and --plan (or --scenario NAME for the emulated "
                   "cell)\n";
      exit_code = kExitUsage;
      return;
    }
    StopSignals signals;
    auto result = run_live(*o, g_stop, [&](const std::string& name) {
      std::cerr << fmt::format("airan run: receiving on {} (Ctrl-C ends the run and prints the report)\n", name)
                << std::flush;
    });
    if (!result) {
      std::cerr << "airan run: " << result.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    nlohmann::json j = to_json(result->report);
    j["port"] = o->port;
    j["stopped_by"] = result->stopped_by;
    j["seconds"] = result->seconds;
    if (!report_path->empty()) {
      std::ofstream out(*report_path);
      out << j.dump(2) << "\n";
      if (!out) {
        std::cerr << "airan run: cannot write " << *report_path << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    std::cout << (*json ? j.dump(2) + "\n"
                        : format_report(result->report) +
                              fmt::format("  stopped   by {} after {:.1f} s\n", result->stopped_by, result->seconds))
              << std::flush;
    const ReplayReport& r = result->report;
    exit_code = r.passed() ? kExitOk : kExitCheckFailed;
  });
}

}  // namespace airan::tools

// `airan run --port PCI|VDEV --cell CELL.json --plan PLAN.jsonl`: live reception. Frames come
// from a NIC (or any DPDK vdev, e.g. net_af_packet on a Linux interface) and go through the
// pipeline of `airan replay` (ReplayPipeline): slot assembly against the reception window,
// PUSCH decoding of the plan's PDUs, the same report.
//
// Arrival time of a frame: the NIC's rx timestamp when the driver attaches one (decided on the
// first frame), else the steady clock when its burst was received. The reception window's
// reference is the first U-plane frame (it is taken as mid-window), as in replay.
//
// Threads: the calling thread polls the port (sleeping 10 us when it is empty, with 1 us timer
// slack, at SCHED_FIFO 50 when allowed) and stamps each burst; a worker thread runs the
// pipeline. Frames pass between them through a fixed ring (no allocation per packet), so the
// time PUSCH decoding takes does not make the frames that arrive meanwhile look late.
//
// The run ends at the first of: --duration seconds since the port opened, --packets frames
// received, --idle-timeout seconds without a frame after the first one, SIGINT/SIGTERM. The
// report is printed in every case. Exit status as replay: 0 when every TB of the plan passed
// its CRC (a planned slot that never came counts as failed), 1 otherwise, 2 on bad usage or
// when the port cannot be opened.
//
// The JSON is replay's (trace = the port string, io = "dpdk") plus
//   port, stopped_by (duration | packets | idle-timeout | signal), seconds (run time).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "airan/phy/expected.hpp"
#include "airan/replay.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct LiveOptions {
  std::string port;  // PCI address or vdev string (see dpdk_device.hpp)
  std::string cell;  // fronthaul settings (io::load_fronthaul_config)
  std::string plan;  // slot plan (mac::load_slot_plan)
  double duration_s = 0;      // 0: no limit
  double idle_timeout_s = 0;  // 0: no limit
  long long packets = 0;      // 0: no limit
  PipelineOptions pipeline{.command = "run"};
};

struct LiveResult {
  ReplayReport report;
  std::string stopped_by;
  double seconds = 0;
};

// `stop` ends the run from elsewhere (a signal handler); `ready(device name)` is called once
// the port receives.
Expected<LiveResult> run_live(const LiveOptions& options, const std::atomic<bool>& stop,
                              const std::function<void(const std::string&)>& ready = {});

void add_run_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

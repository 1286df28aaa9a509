// `airan replay TRACE`: a fronthaul capture through the pipeline. Packets enter through DPDK
// (net_pcap vdev: the same code path as a live NIC) or libpcap, slots are assembled, each UE's
// PUSCH of the slot plan is received and its TB checked; the report gives the packet counters,
// TB counts, throughput, BLER, SINR and per-stage latency percentiles against the slot budget.
//
// Report JSON (--report FILE / --json), keys stable:
//   trace, io, backend, slots, slots_incomplete, slot_budget_us,
//   capture_error        null, or why the capture ended early (a truncated or corrupt record:
//                        the report covers the packets before it, and the exit code is 1)
//   packets {total, on_time, early, late, lost, duplicate, malformed, not_oran, unknown_eaxc,
//            oversize (frames beyond the cell's MTU: dropped before the assembler),
//            downlink (downlink U-plane messages: not part of the uplink counts)},
//   tbs {scheduled, decoded, crc_pass, crc_fail, missing_slot},
//   throughput_mbps      TB bits that passed their CRC per second of air time of the trace
//   bler                 (scheduled - crc_pass) / scheduled: a TB whose slot never came counts
//   mean_sinr_db         over decoded TBs
//   latency_us {fronthaul, channel_estimation, equalization, demapping, decoding, phy, gpu, slot}:
//       each {p50, p99, p999, max, mean}; phy = the slot receiver's wall time for the slot's
//       PUSCHs; slot = fronthaul + phy. The per-stage entries are the CPU backend's (zeros on
//       CUDA, whose stages overlap on the device); gpu = the device time of the slot's launches
//       (CUDA; null on the CPU)
//   slots_within_budget  share of slots whose processing took at most the slot duration
//   pdsch                null without PDSCH PDUs in the plan; else the check of the DU's downlink
//                        in the capture, decoded as a UE would (no channel):
//                        {slots, packets {on_time, early, late, lost, duplicate, corrupt} (against
//                        the DU's transmit window T1a), tbs {scheduled, decoded, crc_pass,
//                        crc_fail, missing_slot}, throughput_mbps, bler}
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/io/fronthaul.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/phy/expected.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct ReplayOptions {
  std::string trace;
  std::string plan;    // default: TRACE with .plan.jsonl
  std::string cell;    // default: TRACE with .cell.json
  std::string io = "dpdk";
  std::string backend = "auto";
  std::string speed = "max";  // max, realtime, or a factor (2 = twice real time)
  std::string equalizer = "mmse";
  // Reception-window reference: "first" (the first packet arrived mid-window; for any capture)
  // or "gps" (timestamps are PTP-synced UTC: frame 0 from the GPS epoch, less the leap seconds).
  std::string time_reference = "first";
  int gps_leap_seconds = 18;
  std::string plots;  // a folder for latency_cdf.png and per_slot.png (gnuplot); empty: none
};

struct LatencyStats {
  double p50 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

// Percentiles (nearest rank), maximum and mean of a sample; zeros when it is empty.
LatencyStats latency_stats(std::vector<double> values);

// One assembled slot: what the plots draw.
struct ReplaySlotRecord {
  int frame = 0, subframe = 0, slot = 0;  // radio time as the fronthaul carried it
  int tbs = 0, crc_pass = 0;              // TBs of the plan in this slot
  double mean_sinr_db = 0;                // over its decoded TBs (0 when none)
  // Per stage (CPU backend; the CUDA backend's stages overlap on the device and are not split).
  double fronthaul_us = 0, channel_estimation_us = 0, equalization_us = 0, demapping_us = 0, decoding_us = 0;
  double phy_us = 0;         // the slot receiver's wall time: every PUSCH of the slot, all stages
  double gpu_us = -1;        // CUDA backend: device time of the slot's launches; -1 on the CPU
  double processing_us = 0;  // fronthaul + phy: the slot's end-to-end time
};

struct ReplayReport {
  std::string command = "replay";  // the command that made it (the text report's first line)
  std::string trace, io, backend;
  std::string capture_error;  // why the capture ended early (truncated, corrupt); empty when whole
  long long slots = 0;
  long long slots_incomplete = 0;  // closed with PRBs missing (losses, or cut by the capture's end)
  double slot_budget_us = 0;
  struct {
    long long total = 0, on_time = 0, early = 0, late = 0, lost = 0, duplicate = 0, malformed = 0, not_oran = 0,
              unknown_eaxc = 0, oversize = 0;
  } packets;
  struct {
    long long scheduled = 0, decoded = 0, crc_pass = 0, crc_fail = 0, missing_slot = 0;
  } tbs;
  double throughput_mbps = 0, bler = 0, mean_sinr_db = 0, slots_within_budget = 0;
  long long tb_bits_passed = 0;  // bits of the TBs that passed (not in the JSON: throughput is)
  LatencyStats fronthaul, channel_estimation, equalization, demapping, decoding, phy, gpu, slot;
  std::vector<ReplaySlotRecord> per_slot;  // in arrival order (not in the JSON)
  long long downlink_messages = 0;         // packets.downlink
  // The downlink check (present when the plan has PDSCH PDUs).
  struct Pdsch {
    bool present = false;
    long long slots = 0;
    struct {
      long long on_time = 0, early = 0, late = 0, lost = 0, duplicate = 0, corrupt = 0;
    } packets;
    struct {
      long long scheduled = 0, decoded = 0, crc_pass = 0, crc_fail = 0, missing_slot = 0;
    } tbs;
    double throughput_mbps = 0, bler = 0;
  } pdsch;
  // Every planned TB (uplink and downlink) passed and the capture was whole.
  bool passed() const;
};

// What the pipeline needs besides the cell and the plan (shared by replay and run).
struct PipelineOptions {
  std::string backend = "auto";  // auto (cuda where a GPU is usable), cpu or cuda
  std::string equalizer = "mmse";
  std::string time_reference = "first";  // as ReplayOptions
  int gps_leap_seconds = 18;
  std::string command = "replay";  // names the command in the backend note on stderr
};

// The receive pipeline of `airan replay` and `airan run`: the slot plan indexed by radio time,
// the PUSCH receiver warmed up on each allocation shape, the slot assembler, per-slot PUSCH
// decoding of the plan's PDUs and the report; with PDSCH PDUs in the plan, a second assembler
// for the downlink flow and a UE-side check of each PDSCH (outside the latency figures). Frames come from whatever reads packets (a
// capture, a NIC); on_frame does not allocate once the slot buffers and grids are sized.
class ReplayPipeline {
 public:
  // Checks the options and the plan against the cell (numerology, BWP within the carrier).
  static Expected<std::unique_ptr<ReplayPipeline>> create(const io::FronthaulConfig& cell,
                                                          const mac::SlotPlan& plan,
                                                          const PipelineOptions& options);
  ~ReplayPipeline();
  ReplayPipeline(const ReplayPipeline&) = delete;
  ReplayPipeline& operator=(const ReplayPipeline&) = delete;

  // One received frame (Ethernet onwards) and its arrival time in ns (any clock: the window
  // reference is the first packet unless time_reference is gps).
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns);
  // A frame that did not fit one buffer (beyond the cell's MTU): counted, dropped.
  void count_oversize();
  long long packets() const;
  const io::FronthaulConfig& cell() const;
  // Closes the open slots and builds the report (trace and io are the caller's to fill).
  // An error when a PUSCH receive failed.
  Expected<ReplayReport> finish();

 private:
  struct State;
  explicit ReplayPipeline(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

// Bytes of mbuf data room for one whole frame of the cell's MTU (Ethernet, VLAN and headroom on
// top): the assembler reads a frame as one contiguous span.
int mbuf_data_room_for_mtu(int mtu);

// progress(capture bytes read so far), every 256 packets.
Expected<ReplayReport> run_replay(const ReplayOptions& options, const std::function<void(long long)>& progress = {});
nlohmann::json to_json(const ReplayReport& report);
std::string format_report(const ReplayReport& report);

void add_replay_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

// `airan ru-emu SCENARIO.yaml -o TRACE.pcap`: emulates the UEs of a scenario and an O-RAN RU on
// the uplink, and writes what a DU would capture on its fronthaul port:
//   TRACE.pcap (or .pcapng)  the U-plane frames, timestamped as they would arrive at the DU
//   TRACE.plan.jsonl         the slot plan: one FAPI PUSCH PDU per UE and UL slot (PDSCH PDU per
//                            downlink UE and DL slot), with tbCrc32
//   TRACE.cell.json          the fronthaul settings of the cell (io::save_fronthaul_config)
// the three files `airan replay` reads.
//
// Per uplink slot of the TDD pattern, for each UE scheduled in it: a random TB (seeded by
// item_seed(seed, slot, 16 + ue)), the PUSCH transmitter's grid over the carrier (the UE's BWP
// is the carrier; PRBs outside its allocation are zero), the UE's channel model (realised at
// the slot's time; tx ports = layers, rx = cell antennas), scaled by sqrt(snr_linear / layers)
// so that the UE's SNR holds per receive port, summed into the cell's receive grid; then AWGN of
// variance 1 per RE once per slot. The RU packs the grid (io::UplanePacker, eAxC r = receive
// port r) and each frame is timestamped at
//   kRuEmuEpochNs + slot cycle + symbol_air_time_ns + ta3 + uniform[0, jitter)
// Frame 0 of slot 0 starts at kRuEmuEpochNs (1,700,000,000 s, a multiple of the 10.24 s SFN
// period), so a reader can set SlotAssembler::set_frame_zero_time(kRuEmuEpochNs).
//
// Impairments, drawn per packet (one uniform draw; a packet gets at most one):
//   loss       not written
//   duplicate  written twice (same timestamp)
//   reorder    swapped with the next packet of the same eAxC in the slot: each takes the
//              other's timestamp, so the later packet is written first (file in time order)
//   late       timestamp + 400 us (beyond the 300 us reception window: counted Rx_late)
//   corrupt    the U-plane section header's startPrbu set to 1023: the codec rejects the
//              section (bad_num_prb; counted malformed and Rx_corrupt), its PRBs are missing
// The first packet of the trace is never impaired (a DU may take its timing reference from it).
// The file is written in timestamp order (late packets land among later slots' packets).
//
// Downlink UEs (direction: downlink) add what the DU sends to the RU in the D slots of the TDD
// pattern: per scheduled UE a random TB (item_seed(seed, slot, 16 + ue)) through the PDSCH
// transmitter, its layers on downlink eAxCs 0..layers-1 (no channel: the capture sits at the
// DU's port), packed with dataDirection = downlink from the DU's MAC to the RU's, each frame
// stamped kRuEmuEpochNs + slot cycle + symbol_air_time_ns - t1a + uniform[0, jitter); a PDSCH
// PDU per UE and slot goes to the plan. Impairments apply to the uplink only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "airan/io/pcap.hpp"
#include "airan/phy/expected.hpp"
#include "airan/scenario.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

inline constexpr std::uint64_t kRuEmuEpochNs = 1'700'000'000ULL * 1'000'000'000ULL;
inline constexpr std::int64_t kRuEmuLateNs = 400'000;

struct RuEmuOptions {
  std::filesystem::path output;             // TRACE.pcap / TRACE.pcapng
  io::PcapFormat format = io::PcapFormat::pcap;
  std::optional<long long> slots;           // overrides the scenario's
  std::optional<std::uint64_t> seed;        // overrides the scenario's
};

struct RuEmuInjected {
  long long lost = 0;
  long long duplicated = 0;
  long long reordered = 0;  // packets moved behind the next one (each swap counts once)
  long long late = 0;
  long long corrupt = 0;
  friend bool operator==(const RuEmuInjected&, const RuEmuInjected&) = default;
};

struct RuEmuSummary {
  long long slots = 0;
  long long uplink_slots = 0;
  long long downlink_slots = 0;
  long long pdus = 0;  // PUSCH PDUs
  long long pdsch_pdus = 0;
  long long downlink_packets = 0;  // of `packets`: the DU's downlink frames
  long long packets = 0;  // frames written (duplicates included, lost ones not)
  RuEmuInjected injected;
  float iq_scale = 0.0F;
  std::filesystem::path trace, plan, cell;
};

// TRACE.plan.jsonl and TRACE.cell.json next to the trace: its name without its extension.
std::filesystem::path ru_emu_plan_path(const std::filesystem::path& trace);
std::filesystem::path ru_emu_cell_path(const std::filesystem::path& trace);

// iq_scale of the scenario, or by default 4096 / sqrt(1 + max UE SNR): the strongest UE's
// received RE power sits 18 dB below int16 full scale.
float ru_emu_iq_scale(const Scenario& scenario);

// The fronthaul settings a DU needs for a cell: from JSON (TRACE.cell.json, io::load_fronthaul_config)
// or, for a .yaml/.yml file, from a scenario's cell and fronthaul sections (as ru-emu sends them).
Expected<io::FronthaulConfig> load_cell_settings(const std::filesystem::path& path);

Expected<RuEmuSummary> run_ru_emu(const Scenario& scenario, const RuEmuOptions& options,
                                  const std::function<void(long long)>& progress = {});

// `--tx PORT`: the trace's frames sent through a DPDK port (PCI address or vdev string, as for
// `airan run --port`), paced at their capture timestamps divided by `speed` (1: real time; 0:
// as fast as the port takes them). The first frame goes at once.
struct RuEmuTxResult {
  std::string device;  // the DPDK device name
  long long frames = 0;  // in the trace
  long long sent = 0;    // taken by the driver
  double seconds = 0;
};
Expected<RuEmuTxResult> transmit_trace(const std::filesystem::path& trace, const std::string& port, double speed,
                                       int mtu);

void add_ru_emu_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

// O-RAN 7.2x uplink/downlink IQ over eCPRI U-plane: the packer (grid -> frames, the RU side of
// the uplink and the DU side of the downlink) and the slot assembler (frames -> grid, the DU
// side of the uplink), with the reception-window and per-eAxC counters of O-RAN WG4 CUS.
//
// A fronthaul carrier here is one cell: `carrier_prbs` PRBs at numerology mu, one eAxC per grid
// port (eaxc_ids[p] carries port p). IQ crosses the fronthaul as int16 (after compression
// and decompression); the PHY grid is complex float with float 1.0 = `iq_scale` int16 units.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"
#include "airan/io/oran/uplane.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::io {

// Reception window of the uplink U-plane at the O-DU (O-RAN CUS: Ta4_min..Ta4_max after the
// symbol's air time at the antenna).
struct ReceptionWindow {
  std::int64_t ta4_min_ns = 0;
  std::int64_t ta4_max_ns = 300'000;
  // Off when arrival times carry no radio timing (e.g. packets replayed at full speed from a
  // source that does not keep capture timestamps): every packet then counts as on time.
  bool enabled = true;
};

struct FronthaulConfig {
  int numerology = 1;
  int carrier_prbs = 273;
  EaxcSplit eaxc_split;
  std::vector<std::uint16_t> eaxc_ids{0};  // eAxC id of each grid port
  UplaneConfig uplane;                      // compression (static or dynamic) per direction
  DataDirection direction = DataDirection::uplink;
  FrameBuildConfig frame;                   // Ethernet/VLAN/UDP of the packets the packer builds
  FrameParseConfig frame_parse;             // what the assembler accepts
  float iq_scale = 4096.0F;                 // int16 units per float unit (18 dB of headroom)
  int mtu = 9000;                           // largest Ethernet payload; sections split to fit
  ReceptionWindow window;
  int slots_in_flight = 4;                  // assembler: slots held open at once
  // The downlink of the same carrier (DU -> RU), when this config describes the uplink: its
  // eAxCs (empty: the uplink's ids; the two flows differ in dataDirection) and the O-DU
  // transmit window T1a_min_up..T1a_max_up before the symbol's air time, which a capture at
  // the DU's port shows (set them to the DU's configured window).
  std::vector<std::uint16_t> downlink_eaxc_ids;
  std::int64_t t1a_min_up_ns = 71'000;
  std::int64_t t1a_max_up_ns = 428'000;

  Status validate() const;
  // The same carrier seen in the downlink: direction, eAxCs and the window (arrival minus air
  // time within -T1a_max_up..-T1a_min_up) of the downlink flow.
  FronthaulConfig downlink() const;
  int symbols_per_slot() const { return 14; }
  int ports() const { return static_cast<int>(eaxc_ids.size()); }
};

// SFN 0 starts at the GPS epoch (1980-01-06T00:00:00Z) and every 10.24 s after (O-RAN WG4 CUS
// timing). For capture timestamps in Unix time (UTC), frame 0 therefore starts at this instant,
// less GPS - UTC leap seconds (18 since 2017), modulo the 2.56 s frameId cycle.
inline constexpr std::int64_t kGpsEpochUnixNs = 315'964'800LL * 1'000'000'000;
inline constexpr std::int64_t gps_frame_zero_unix_ns(int gps_leap_seconds) {
  return kGpsEpochUnixNs - static_cast<std::int64_t>(gps_leap_seconds) * 1'000'000'000;
}

// Radio time of a slot: frame (0..255), subframe (0..9), slot within the subframe.
struct SlotTime {
  int frame = 0;
  int subframe = 0;
  int slot = 0;
  friend bool operator==(const SlotTime&, const SlotTime&) = default;
};

// Slot index within the 256-frame cycle, and back.
int slot_index(const SlotTime& t, int numerology);
SlotTime slot_time(int index, int numerology);
int slots_per_frame_cycle(int numerology);  // 2560 * 2^mu
// Air time of a symbol relative to the start of frame 0, with the longer CP every 0.5 ms.
std::int64_t symbol_air_time_ns(const SlotTime& t, int symbol, int numerology);

// Builds the U-plane frames of one slot.
class UplanePacker {
 public:
  static Expected<UplanePacker> create(const FronthaulConfig& config);

  // Calls emit(frame bytes, symbol) for every frame of the slot: per symbol and port, the
  // allocation split into as many sections/packets as the MTU needs. The frame span is valid
  // during the call. Sequence ids advance per eAxC.
  Status pack_slot(const phy::ResourceGrid& grid, const SlotTime& time,
                   const std::function<void(std::span<const std::uint8_t>, int symbol)>& emit);

  // The grid the receiver will see: the packed grid after compression and decompression.
  Status quantize(const phy::ResourceGrid& grid, phy::ResourceGrid& out) const;

 private:
  explicit UplanePacker(const FronthaulConfig& config);
  FronthaulConfig config_;
  std::vector<std::uint8_t> seq_ids_;
  std::vector<std::uint8_t> frame_;
  std::vector<std::int16_t> iq_;
  std::vector<std::uint8_t> compressed_;
  int prbs_per_packet_ = 0;
};

// Per-eAxC counters, named after O-RAN WG4 CUS (M-plane) performance counters.
struct EaxcCounters {
  std::uint64_t total_msgs_rcvd = 0;  // Total_msgs_rcvd
  std::uint64_t rx_on_time = 0;       // Rx_on_time
  std::uint64_t rx_early = 0;         // Rx_early
  std::uint64_t rx_late = 0;          // Rx_late (includes packets for slots already closed)
  std::uint64_t rx_corrupt = 0;       // Rx_corrupt: messages rejected by the codec or with sections
                                      // that do not decompress or fit the carrier
  std::uint64_t rx_pkt_dupl = 0;      // Rx_pkt_dupl: packets whose PRBs had all been received
  std::uint64_t prbs_duplicate = 0;   // PRBs received twice (any packet)
  std::uint64_t seq_id_gaps = 0;      // SeqIds never seen (packets lost before us); a late
                                      // arrival of a skipped SeqId takes it back
  std::uint64_t seq_id_reordered = 0; // packets behind the newest SeqId (arrived out of order)
  std::uint64_t prbs_received = 0;
};

struct AssemblerCounters {
  std::uint64_t frames = 0;
  std::uint64_t not_oran = 0;       // frames that are not eCPRI U-plane for this cell
  std::uint64_t malformed = 0;      // rejected by the codec (codec.by_code says why)
  std::uint64_t sections_corrupt = 0;  // parsed, but not decompressible or outside the carrier
  std::uint64_t unknown_eaxc = 0;
  std::uint64_t wrong_direction = 0;
  CodecCounters codec;
  std::vector<EaxcCounters> eaxc;   // per grid port
  std::uint64_t slots_complete = 0;
  std::uint64_t slots_incomplete = 0;
  std::uint64_t prbs_missing = 0;   // in slots closed incomplete
  // Descriptor mode only: valid sections dropped because the slot's descriptor list or payload
  // arena was full (their PRBs count as missing; sized right at create, this stays 0).
  std::uint64_t sections_dropped_full = 0;
};

// Descriptor mode: one accepted section (or, where some of its PRBs had already arrived, one run
// of its new PRBs), still compressed. Its num_prb * compressed_prb_bytes({method, iq_width})
// bytes start payload_offset bytes into AssembledSlot::payload. The GPU order step
// (cuda/gpu_fronthaul_order.hpp) decompresses these into the device grid. Within a slot no two
// descriptors cover the same (port, symbol, PRB): first arrival wins, as in grid mode.
struct SectionDescriptor {
  std::uint32_t payload_offset = 0;
  std::uint16_t port = 0;
  std::uint8_t symbol = 0;
  CompressionMethod method = CompressionMethod::none;
  std::uint16_t start_prb = 0;
  std::uint16_t num_prb = 0;
  std::uint8_t iq_width = 16;
  friend bool operator==(const SectionDescriptor&, const SectionDescriptor&) = default;
};

// Where descriptor mode puts sections. The arena is the caller's (e.g. GpuFronthaulOrder's
// pinned, mapped host_arena(), which the GPU reads in place) and is split into slots_in_flight
// equal parts, one per open slot; it must outlive the assembler.
struct SectionOutput {
  std::span<std::uint8_t> arena;
  int max_sections_per_slot = 0;  // descriptors per slot, 1..65535
};

// One slot the assembler has closed. The grid (grid mode) or the descriptors and payload
// (descriptor mode) are valid during the on_slot call only: the assembler may reuse the slot's
// buffer (and arena part) for the very packet that closed it, before on_frame returns. So a GPU
// run that reads the payload must complete before on_slot returns (synchronize in the callback).
struct AssembledSlot {
  SlotTime time;
  const phy::ResourceGrid* grid = nullptr;            // grid mode; nullptr in descriptor mode
  std::span<const SectionDescriptor> sections;        // descriptor mode
  std::span<const std::uint8_t> payload;              // descriptor mode: the slot's part of the arena, bytes used
  bool complete = false;
  int prbs_missing = 0;
};

class SlotAssembler {
 public:
  // Grid mode: every accepted section is decompressed into the slot's host grid.
  static Expected<SlotAssembler> create(const FronthaulConfig& config);
  // Descriptor mode: every accepted section's compressed bytes are copied into the slot's part
  // of output.arena and described by a SectionDescriptor; no grid is made. Parsing, window,
  // SeqId, duplicate and corruption counting are those of grid mode (the same counters for the
  // same packets). Buffers are sized here; the data path does not allocate.
  static Expected<SlotAssembler> create(const FronthaulConfig& config, const SectionOutput& output);

  // Reception-window reference: the time (ns, same clock as the arrival times) at which frame 0
  // starts. Without it, the first U-plane packet sets it (assuming it arrived mid-window).
  void set_frame_zero_time(std::int64_t ns) { frame_zero_ns_ = ns; }

  // Parses one received frame, classifies it against the reception window, decompresses its
  // sections into the slot's grid and updates the counters. Closed slots go to `on_slot`.
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns,
                const std::function<void(const AssembledSlot&)>& on_slot);
  // Closes every open slot (end of a capture).
  void flush(const std::function<void(const AssembledSlot&)>& on_slot);

  const AssemblerCounters& counters() const { return counters_; }

 private:
  void track_seq_id(int port, std::uint8_t seq_id, EaxcCounters& c);
  struct SlotBuffer {
    int index = -1;  // slot_index, -1 when free
    phy::ResourceGrid grid;
    std::vector<std::uint64_t> received;  // PRB bitmap per (port, symbol), words_per_symbol_ each
    int prbs = 0;
    // Descriptor mode.
    std::span<std::uint8_t> arena;            // this slot's part of SectionOutput::arena
    std::size_t arena_used = 0;
    std::vector<SectionDescriptor> sections;  // sized max_sections_per_slot at create
    int section_count = 0;
  };
  explicit SlotAssembler(const FronthaulConfig& config);
  SlotBuffer* buffer_for(int index, const std::function<void(const AssembledSlot&)>& on_slot);
  void close(SlotBuffer& buffer, const std::function<void(const AssembledSlot&)>& on_slot);
  // Counts the packet against the reception window; false when it is too late to use.
  bool classify_and_keep(const SlotTime& time, int symbol, std::int64_t arrival_ns, EaxcCounters& c);
  // Writes one section into the slot; returns the number of PRBs that were new.
  int write_section(SlotBuffer& buffer, int port, int symbol, const UplaneSection& section, EaxcCounters& c);
  // Descriptor mode's write_section: the same checks and counting, the section kept compressed.
  int record_section(SlotBuffer& buffer, int port, int symbol, const UplaneSection& section, EaxcCounters& c);

  FronthaulConfig config_;
  bool descriptor_mode_ = false;
  std::vector<SlotBuffer> slots_;
  int words_per_symbol_ = 0;
  int newest_index_ = -1;
  std::optional<std::int64_t> frame_zero_ns_;
  std::vector<std::optional<std::uint8_t>> last_seq_;  // newest SeqId per port
  std::vector<std::bitset<256>> seq_seen_;             // which of the last 128 SeqIds arrived
  AssemblerCounters counters_;
  EcpriPdu pdu_;
  UplaneMessage message_;
  std::vector<std::int16_t> iq_;
};

}  // namespace airan::io

// Slot-level MAC scheduler for UL and DL on a TDD carrier: UE contexts, HARQ, link adaptation
// and a proportional-fair baseline, with per-slot limits set from outside (the energy-aware
// policies of ai/ decide whether a slot is active, how many PRBs and layers it may use, and
// which UEs go first).
//
// Per slot (`schedule`):
//   1. housekeeping: HARQ feedback timeouts, expired packets dropped, PF averages decay;
//   2. nothing more when the limits say the slot is off; otherwise the slot's direction comes from
//      the TDD pattern: D slots and the downlink symbols of S slots carry PDSCH, U slots PUSCH
//      (the uplink symbols of S slots are not scheduled);
//   3. retransmissions first (same MCS, PRB count, layers and symbols, so the same TBS; next rv);
//   4. configured grants (uplink, type 1) whose period falls on this slot, with their own PRB
//      count and MCS, whether or not the UE has data (the gNB must listen anyway);
//   5. proportional fair over the UEs with buffered data: metric = achievable rate (spectral
//      efficiency of the rank-adapted layers x their MCS) / average delivered throughput. Each
//      UE gets the PRBs its buffer needs (the smallest TBS that holds it), up to what is left.
// At most one grant per UE per slot; PRBs are allocated contiguously from the bottom of the BWP
// (resource allocation type 1) in the order above. TBS is 38.214's (phy::tbs_determine).
//
// `feedback` takes the PHY's CRC (and SINR) per HARQ process: it frees or NACKs the process,
// steps the outer loop (first transmissions of dynamic grants only: the BLER target is the
// initial BLER, and a configured grant's MCS is not link-adapted) and adds delivered bits to the
// PF average. Throughput that is scheduled but not acknowledged yet counts in the PF metric too,
// so a UE is not picked slot after slot while its feedback is in flight.
//
// No allocation in `schedule` and `feedback`: the UE table, packet buffers and the scratch of
// the sort are sized at creation; SlotDecision comes from make_slot_decision() with its grant
// vector reserved for max_grants_per_slot.
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "airan/mac/harq.hpp"
#include "airan/mac/link_adaptation.hpp"
#include "airan/mac/tdd_pattern.hpp"
#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy/pusch/pusch_config.hpp"

namespace airan::mac {

enum class Direction : std::uint8_t { downlink = 0, uplink = 1 };
inline constexpr std::int64_t kNoDeadline = INT64_MAX;
inline constexpr int kMaxLayers = 4;

// What every PDSCH or PUSCH of the cell shares; the scheduler picks PRBs, MCS, layers and HARQ.
struct SharedChannelConfig {
  phy::McsTable mcs_table = phy::McsTable::qam256;
  // First symbol of the shared channel (downlink: after the CORESET, 0..3 for mapping type A;
  // uplink: 0). Full slots use start_symbol..13, S slots start_symbol..(their DL symbols - 1).
  int start_symbol = 0;
  // Mapping type A DMRS; ports are 0..layers-1 per grant. The CDM groups without data must cover
  // the ports of max_layers (type 1: 2 groups for 3..4 layers).
  phy::DmrsConfig dmrs;
  int max_layers = 4;   // the cell's antennas in this direction, 1..4
  int x_overhead = 0;   // xOverhead of 38.214: 0, 6, 12, 18
  std::optional<std::uint16_t> data_scrambling_id;  // default N_ID^cell
};

struct CellConfig {
  int cell_id = 0;    // 0..1007
  int bwp_start = 0;  // CRB of the BWP
  int bwp_size = 273; // PRBs, 1..275
  TddConfig tdd;      // numerology included
  SharedChannelConfig downlink;
  SharedChannelConfig uplink;
  HarqConfig harq;
  LinkAdaptationConfig link_adaptation;
  double pf_time_constant_slots = 100.0;  // of the exponential average (> 1)
  int max_grants_per_slot = 16;
  int max_packets_per_buffer = 256;       // per UE and direction

  Status validate() const;
  int numerology() const { return tdd.numerology; }
};

// Uplink configured grant type 1 (38.321 5.8.2): a fixed allocation every periodicity slots.
struct ConfiguredGrantConfig {
  int periodicity_slots = 10;  // > 0
  int offset_slots = 0;        // 0..periodicity-1: grants in slots with slot % periodicity == offset
  int rb_size = 10;
  int mcs_index = 0;
  int layers = 1;
};

struct UeConfig {
  std::uint16_t rnti = 1;
  std::array<int, 2> max_layers{1, 1};             // [downlink, uplink], 1..4
  std::array<double, 2> initial_sinr_db{10.0, 10.0};  // until the first report
  std::optional<ConfiguredGrantConfig> configured_grant;  // uplink
};

struct Packet {
  int bytes = 0;
  std::int64_t deadline_slot = kNoDeadline;  // last slot it may be sent in
};

// FIFO of buffered packets with a fixed capacity (DL: the gNB's queue; UL: what the UE reported).
class PacketBuffer {
 public:
  PacketBuffer() = default;
  explicit PacketBuffer(int capacity) : packets_(static_cast<std::size_t>(capacity)) {}

  bool push(const Packet& packet);  // false when full
  // Takes up to `bytes` from the head (a packet may be split); returns the bytes taken.
  int take(int bytes);
  // Drops the packets whose deadline is before `slot`; returns the bytes dropped.
  int drop_expired(std::int64_t slot);

  std::int64_t bytes() const { return bytes_; }
  int size() const { return size_; }
  int capacity() const { return static_cast<int>(packets_.size()); }
  bool empty() const { return size_ == 0; }
  // Earliest deadline among the buffered packets (kNoDeadline when none has one).
  std::int64_t earliest_deadline() const;
  const Packet& at(int i) const { return packets_[(head_ + static_cast<std::size_t>(i)) % packets_.size()]; }

 private:
  std::vector<Packet> packets_;
  std::size_t head_ = 0;
  int size_ = 0;
  std::int64_t bytes_ = 0;
};

// One UE in one direction.
struct LinkState {
  PacketBuffer buffer;
  HarqEntity harq;
  OuterLoop outer_loop;
  double sinr_db = 0.0;             // latest report (UL: PHY measurement; DL: CQI equivalent)
  int max_layers = 1;
  double average_throughput_bits = 0.0;  // delivered bits per slot of this direction, averaged
  std::int64_t expired_bytes = 0;        // dropped past their deadline
  std::int64_t grants = 0;               // slots in which the UE got a grant
  std::int64_t ignored_feedback = 0;     // late or duplicate CRCs
};

struct UeContext {
  std::uint16_t rnti = 0;
  std::array<LinkState, 2> links;  // [downlink, uplink]
  std::optional<ConfiguredGrantConfig> configured_grant;
  std::int64_t configured_grants_skipped = 0;  // period hit but no room, no process or slot off

  LinkState& link(Direction d) { return links[static_cast<std::size_t>(d)]; }
  const LinkState& link(Direction d) const { return links[static_cast<std::size_t>(d)]; }
};

struct Grant {
  Direction direction = Direction::downlink;
  std::uint16_t rnti = 0;
  int ue_index = 0;
  int rb_start = 0;  // within the BWP
  int rb_size = 0;
  int start_symbol = 0;
  int num_symbols = 14;
  phy::McsTable mcs_table = phy::McsTable::qam256;
  int mcs_index = 0;
  int tbs_bytes = 0;
  int payload_bytes = 0;  // buffered bytes carried (<= tbs_bytes; a retransmission repeats them)
  int layers = 1;
  int harq_process = 0;
  int rv = 0;
  bool ndi = false;
  bool retransmission = false;
  bool configured_grant = false;
};

struct SlotDecision {
  std::int64_t slot_index = 0;
  SlotType slot_type = SlotType::downlink;
  bool active = false;  // false: limits switched the slot off (or it carries no direction)
  int prbs_used = 0;
  std::vector<Grant> grants;  // reserved by make_slot_decision(); never grows in schedule()
};

// Policy hook for the energy-aware layer: a priority per UE and slot. Higher priorities are
// served first by the PF stage (PF order within equal priorities); a negative priority keeps the
// UE out of the PF stage in this slot (retransmissions and configured grants still run).
class UePriority {
 public:
  virtual ~UePriority() = default;
  virtual double priority(const UeContext& ue, Direction direction, std::int64_t slot_index) const = 0;
};

struct SlotLimits {
  bool allowed = true;       // false: no grant at all in this slot (HARQ and buffers keep waiting)
  int max_prbs = INT_MAX;    // PRBs the slot may use (capped by the BWP)
  int max_layers = kMaxLayers;  // layers (antennas) per grant
  const UePriority* priority = nullptr;  // optional ordering hook
};

class Scheduler {
 public:
  static Expected<Scheduler> create(const CellConfig& cell, std::span<const UeConfig> ues);

  // A decision whose grant vector holds max_grants_per_slot without reallocating.
  SlotDecision make_slot_decision() const;

  // Buffers a packet (bytes > 0); errors name an unknown rnti or a full buffer.
  Status enqueue(std::uint16_t rnti, Direction direction, int bytes, std::int64_t deadline_slot = kNoDeadline);
  Status report_sinr(std::uint16_t rnti, Direction direction, double sinr_db);
  // Downlink CQI (38.214 5.2.2.1): kept as the SINR that the SINR model needs for the CQI's
  // spectral efficiency, so SINR and CQI reports feed one link adaptation.
  Status report_cqi(std::uint16_t rnti, CqiTable table, int cqi);

  // slot_index counts slots from SFN 0 slot 0 and increases from call to call (slots may be
  // skipped). Errors: a decision that was not made by make_slot_decision (too small to fill
  // without allocating), a slot index that does not increase.
  Status schedule(std::int64_t slot_index, const SlotLimits& limits, SlotDecision& out);
  // The PHY's result for the latest transmission of a HARQ process; sinr_db updates the report.
  Status feedback(std::uint16_t rnti, Direction direction, int harq_process, bool crc_ok,
                  std::optional<double> sinr_db = std::nullopt);

  // The MCS link adaptation would pick now for one layer, and the PF metric of a UE.
  int link_adapted_mcs(int ue_index, Direction direction) const;
  double proportional_fair_metric(int ue_index, Direction direction) const;
  // Rank adaptation: the layer count (up to the UE's and `max_layers`) and its MCS that carry
  // the most bits per RE, each layer's SINR lowered by LinkAdaptationConfig::layer_sinr_loss_db;
  // a tie goes to fewer layers.
  struct RankChoice {
    int layers = 1;
    int mcs_index = 0;
  };
  RankChoice rank_adapted(int ue_index, Direction direction, int max_layers) const;
  // TBS in bytes of a grant shape in a slot of `num_symbols` symbols (0 when it does not plan).
  int tbs_bytes(Direction direction, int num_symbols, int rb_size, int mcs_index, int layers) const;

  const CellConfig& cell() const { return cell_; }
  const TddPattern& tdd() const { return tdd_; }
  const McsSelector& mcs_selector(Direction d) const { return selectors_[static_cast<std::size_t>(d)]; }
  std::span<const UeContext> ues() const { return ues_; }
  int ue_index(std::uint16_t rnti) const;  // -1 when unknown

 private:
  // Start and length of the shared channel in a slot of one direction, and its DMRS overhead.
  struct Shape {
    bool valid = false;
    int start_symbol = 0;
    int num_symbols = 0;
    int dmrs_res_per_prb = 0;
  };
  struct Candidate {
    int ue_index;
    double priority;
    double metric;
  };

  const Shape* shape_for(Direction direction, int num_symbols) const;
  std::int64_t in_flight_bits(const LinkState& link) const;
  int smallest_prbs_for(Direction direction, const Shape& shape, std::int64_t bytes, int max_prbs, int mcs,
                        int layers) const;
  void housekeeping(std::int64_t slot_index);
  bool add_grant(SlotDecision& out, const Grant& grant);

  CellConfig cell_;
  TddPattern tdd_;
  std::array<McsSelector, 2> selectors_;
  // [direction][0: full slot, 1: special slot]
  std::array<std::array<Shape, 2>, 2> shapes_{};
  std::vector<UeContext> ues_;
  std::vector<Candidate> candidates_;      // scratch of the PF stage
  std::vector<std::uint8_t> granted_;      // per UE: granted in the current slot
  std::int64_t last_slot_ = -1;
};

}  // namespace airan::mac

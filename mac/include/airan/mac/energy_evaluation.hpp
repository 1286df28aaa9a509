// The energy evaluation of issue 7: a factory scenario's traffic through the MAC scheduler under an
// energy policy of ai/, a link model, HARQ and the EnergyLedger, slot by slot; and the oracle's
// bound for the same traffic. The cell, the rules and why: docs/energy.md ("Evaluation").
//
// Per slot s (duration T, start s*T):
//   1. the policy decides from an ai::SlotObservation (the scheduler's buffers and HARQ, the
//      ledger's state) what the radio does; the decision becomes mac::SlotLimits;
//   2. the scheduler grants (EDF priority when the policy asks); the SlotLink carries them: by
//      default each TB succeeds with the probability of a waterfall BLER curve around the MCS's
//      required SINR (seeded); tools' PhyLink runs the real PHY and fronthaul instead. The CRC
//      (and a measured SINR) goes back through Scheduler::feedback (HARQ, OLLA);
//   3. a packet counts as delivered only when every byte of it is in an ACKed TB whose slot ended
//      at or before the packet's deadline; a retransmission that ends later delivers nothing;
//   4. the ledger accounts the slot: active slots with grants keep 14 symbols on, active slots
//      without keep the control symbols when the policy asks for symbol DTX (else 14); the DU
//      processes every active slot (fronthaul for the active antennas plus the grants' work);
//   5. uplink packets reach the scheduler only through an SR occasion (U slots, the uplink
//      symbols of S slots, at the end of the slot) whose radio is active: the packet must have
//      arrived by the occasion (slot start + 12/14 T) and can be granted from the next slot;
//      downlink packets are the gNB's own and can be granted from the slot after their arrival.
// Deadlines: the last slot a packet may use is the one that ends at or before its deadline.
// No allocation per slot: buffers, HARQ bookkeeping and the per-packet records are sized before
// the first slot.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "airan/ai/energy_model.hpp"
#include "airan/ai/energy_policy.hpp"
#include "airan/ai/oracle_bound.hpp"
#include "airan/ai/traffic.hpp"
#include "airan/mac/scheduler.hpp"
#include "airan/phy/expected.hpp"

namespace airan::mac {

// Numerology 3 (120 kHz, FR2), 400 MHz (264 PRBs), TDD "DUUUUUUU" with a 1 ms period,
// the low-spectral-efficiency MCS table and link adaptation at a 1e-5 BLER target (URLLC).
CellConfig default_energy_cell();

struct EnergyEvaluationConfig {
  std::string scenario = "factory-10";
  std::uint64_t seed = 1;     // scenario (phases, drifts) and traffic; the link uses seed + 1
  double duration_s = 10.0;   // of air time
  ai::EnergyModel energy_model = ai::default_energy_model();
  CellConfig cell = default_energy_cell();
  int antennas = 4;           // the RU's antennas (both directions)
  double min_sinr_db = 18.0;  // per-UE mean SINR, uniform in [min, max] from the seed
  double max_sinr_db = 26.0;
  // Waterfall slope of the BLER curve: decades of BLER per dB above the MCS's required SINR
  // (where the BLER is 10 %).
  double bler_decades_per_db = 1.0;

  Status validate() const;
};

// --- The link: what carries a slot's grants ---------------------------------------------------------

// What a link learns before the first slot of a run. A link may serve several runs (e.g. a policy
// and always-on over the same traffic): start() resets it, so every run sees the same channels.
struct SlotLinkSetup {
  const CellConfig* cell = nullptr;
  std::span<const UeConfig> ues;  // initial_sinr_db is each UE's mean SINR
  int antennas = 4;               // the RU's antennas (both directions)
  std::uint64_t seed = 1;         // the link's own seed (the evaluation's seed + 1)
  double bler_decades_per_db = 1.0;
};

// One slot's grants, as the scheduler made them.
struct SlotLinkInput {
  std::int64_t slot_index = 0;
  const SlotDecision* decision = nullptr;
  const Scheduler* scheduler = nullptr;  // the UEs' SINR reports, MCS tables, the cell
};

// What happened to one grant's TB.
struct GrantResult {
  bool crc_ok = false;
  std::optional<double> sinr_db;  // measured by the receiver (the MAC's SINR report); none: not measured
};

// Per-run figures of the link (the run fills them from the GrantResults).
struct LinkFigures {
  std::int64_t tbs = 0;
  std::int64_t crc_pass = 0;
  std::int64_t sinr_measurements = 0;
  double sinr_sum_db = 0.0;
  double bler() const { return tbs == 0 ? 0.0 : static_cast<double>(tbs - crc_pass) / static_cast<double>(tbs); }
  double mean_sinr_db() const { return sinr_measurements == 0 ? 0.0 : sinr_sum_db / static_cast<double>(sinr_measurements); }
};

class SlotLink {
 public:
  virtual ~SlotLink() = default;
  virtual Status start(const SlotLinkSetup& setup) = 0;
  // Carries every grant of the slot; results[i] is decision->grants[i] (results.size() == grants).
  // A link must not reorder or skip grants: HARQ feedback goes back in grant order.
  virtual Status carry(const SlotLinkInput& input, std::span<GrantResult> results) = 0;
};

// The statistical link: each TB succeeds with the probability of a waterfall BLER curve (10 % at
// the MCS's required SINR, bler_decades_per_db decades lower per dB above) at the SINR the
// scheduler holds for the UE; seeded; measures no SINR. What run_energy_evaluation uses without
// a link.
std::unique_ptr<SlotLink> make_statistical_link();

struct ClassOutcome {
  std::int64_t packets = 0;    // with their deadline inside the run
  std::int64_t delivered = 0;  // in time
  std::int64_t missed = 0;     // late, lost (HARQ failure, full buffer) or still waiting
  double miss_rate() const { return packets == 0 ? 0.0 : static_cast<double>(missed) / static_cast<double>(packets); }
};

struct EnergyRunResult {
  std::string policy;
  std::string parameters;
  bool is_oracle = false;
  std::int64_t slots = 0;
  double slot_duration_ms = 0.0;
  ai::EnergyBreakdown energy;            // relative units over the run
  double joules_per_relative_unit = 0.0; // watts_per_relative_unit / 1000
  std::array<ClassOutcome, ai::kTrafficClassCount> classes{};
  std::int64_t delivered_bits = 0;       // of packets delivered in time
  double embb_throughput_mbps = 0.0;     // eMBB bits delivered in time per second of air time
  double offered_mbps = 0.0;             // all packets' bits per second
  std::array<std::int64_t, ai::kRadioStateCount> slots_in_state{};
  // Invariants, checked by the run and by tests.
  std::int64_t ledger_rejections = 0;    // a policy broke a minimum sleep period
  std::int64_t late_deliveries = 0;      // delivered packets whose last ACK ended after the deadline (must be 0)
  double sum_of_slot_charges = 0.0;      // radio + compute charged slot by slot (== energy.total())
  LinkFigures link;                      // TBs carried, CRC passes, measured SINR

  double total_joules() const { return energy.total() * joules_per_relative_unit; }
  double joules_per_slot(double relative) const { return slots == 0 ? 0.0 : relative * joules_per_relative_unit / static_cast<double>(slots); }
  double joules_per_bit() const { return delivered_bits == 0 ? 0.0 : total_joules() / static_cast<double>(delivered_bits); }
  bool zero_misses() const;
  // Motion-control misses (the 1e-5 target).
  double motion_control_miss_rate() const { return classes[static_cast<int>(ai::TrafficClass::motion_control)].miss_rate(); }
};

// One packet's fate, for tests (run_energy_evaluation fills it when given).
struct PacketOutcome {
  ai::TrafficClass traffic_class = ai::TrafficClass::embb;
  ai::Direction direction = ai::Direction::uplink;
  std::int64_t arrival_ns = 0;
  std::int64_t deadline_ns = 0;
  bool counted = false;    // deadline inside the run
  bool delivered = false;  // counted as delivered in time
  std::int64_t last_ack_end_ns = -1;  // end of the slot of the latest ACK of its bytes; -1: none
};

// Runs one policy over the scenario. Errors: configuration, a scheduler error, a link error, a
// policy that broke a minimum sleep period (the ledger rejected a slot). `progress` (optional)
// gets the share of slots done. `link` carries the grants (none: the statistical link); a SINR
// it measures goes into Scheduler::feedback, so link adaptation runs on the measurement.
Expected<EnergyRunResult> run_energy_evaluation(const EnergyEvaluationConfig& config, ai::EnergyPolicy& policy,
                                                const std::function<void(double)>& progress = {},
                                                std::vector<PacketOutcome>* outcomes = nullptr,
                                                SlotLink* link = nullptr);

// The oracle's bound (ai/oracle_bound.hpp) for the same scenario, seed and duration.
Expected<EnergyRunResult> oracle_energy_bound(const EnergyEvaluationConfig& config);

// The policy cell the evaluation gives policies (for tests and tools).
Expected<ai::PolicyCell> energy_policy_cell(const EnergyEvaluationConfig& config);

}  // namespace airan::mac

// Energy-aware slot policies: per slot, what the radio does (active or one of the sleep states),
// whether the scheduler may grant in it, how many PRBs and antennas it may use and whether UEs
// are served earliest deadline first. The policies see an ai-level observation of the slot (no
// mac types: ai depends on no other airan folder); mac/energy_evaluation.hpp runs them against
// the scheduler, a link model and the EnergyLedger.
//
// The rules every policy must follow (the evaluation checks them and fails the run otherwise):
//  - a sleep period lasts at least its state's minimum (minimum_sleep_slots): while the ledger is
//    in a sleep state for fewer slots than that, the decision must keep that state;
//  - a radio that is not active hears nothing: an uplink packet reaches the scheduler only by a
//    scheduling request in a slot with an SR occasion (slot_kind listens_uplink) whose radio is
//    active, and can be granted from the next uplink slot on.
//
// Policies (registry: energy_policy_names(), make_energy_policy()):
//   always-on        every slot active, every symbol, PRB and antenna on; PF.
//   micro-sleep      slots with nothing to send micro-sleep; SR occasions stay listening with
//                    symbol DTX (only the control symbols on) so that uplink traffic is heard.
//   timer-sleep      micro-sleep, plus light / deep sleep after a number of idle slots; sleeping
//                    through arrivals costs deadlines (what the tuning measures).
//   antenna-muting   micro-sleep, plus fewer antennas in slots whose PRB load is below a threshold.
//   ai               the predictive policy (PredictivePolicy): an ArrivalPredictor learns each
//                    flow's timing; the radio sleeps until a forecast window (or an unpredictable
//                    flow's deadline budget) needs it, packets are served as late as their deadline
//                    safely allows so that flows share active slots, EDF, and the fewest antennas
//                    that carry the slot's load. Its predictor is the period predictor (make_period_predictor); the
//                    ablation against the learned predictor is one more registry entry.
// The oracle is not a per-slot policy: it is the bound of oracle_bound.hpp.
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airan/ai/arrival_predictor.hpp"
#include "airan/ai/energy_model.hpp"
#include "airan/ai/result.hpp"
#include "airan/ai/traffic.hpp"

namespace airan::ai {

// What a slot of the TDD period can carry.
struct SlotKind {
  bool downlink_data = false;   // D slots and S slots with downlink symbols
  bool uplink_data = false;     // U slots
  bool listens_uplink = false;  // has an SR occasion (PUCCH: U slots, the uplink symbols of S)
};

// The cell as policies plan with it; fixed for a run.
struct PolicyCell {
  std::int64_t slot_duration_ns = 125'000;
  int total_prbs = 0;
  int total_antennas = 0;
  int control_symbols = 2;  // symbols an active slot without data keeps on (PDCCH / PUCCH)
  std::vector<SlotKind> pattern;  // one TDD period, from slot 0
  std::array<std::int64_t, kRadioStateCount> minimum_sleep_slots{};  // [state]: 0 for active

  // Empty when valid; otherwise what is wrong.
  std::optional<std::string> validate() const;
  const SlotKind& kind(std::int64_t slot) const { return pattern[static_cast<std::size_t>(slot % static_cast<std::int64_t>(pattern.size()))]; }
};

// One UE in one direction with something to send, as the scheduler knows it.
struct LinkObservation {
  std::uint32_t ue_index = 0;
  Direction direction = Direction::uplink;
  std::int64_t buffered_bytes = 0;
  std::int64_t earliest_deadline_slot = INT64_MAX;  // last slot its most urgent packet may use
  int prbs_needed = 0;            // for the buffered bytes at the UE's current MCS with one layer
  bool retransmission_pending = false;
};

struct SlotObservation {
  std::int64_t slot_index = 0;
  std::int64_t slot_start_ns = 0;
  SlotKind kind;
  // Links with buffered data or a pending retransmission (both directions), in UE order.
  std::span<const LinkObservation> links;
  RadioState ledger_state = RadioState::active;  // state of the previous slot
  std::int64_t slots_in_state = 0;               // consecutive slots in it so far
};

struct EnergyDecision {
  RadioState state = RadioState::active;
  bool schedule = true;           // grants allowed (active only); false: listen / hold
  int max_prbs = INT_MAX;
  int active_antennas = INT_MAX;  // clamped to 1..total_antennas
  bool symbol_dtx = false;        // an active slot without data keeps only the control symbols on
  bool earliest_deadline_first = false;
};

class EnergyPolicy {
 public:
  virtual ~EnergyPolicy() = default;
  virtual std::string_view name() const = 0;
  // The parameters as "key=value ..." ("" when none): what the tables report.
  virtual std::string parameters() const = 0;
  // Before a run: the cell and the flows (index = flow id order of the scenario).
  virtual void reset(const PolicyCell& cell, std::span<const FlowConfig> flows) = 0;
  // The gNB learned of an arrival of `flow` at observed_ns (downlink: the packet's arrival;
  // uplink: the SR occasion that reported it).
  virtual void on_arrival_observed(std::uint32_t /*flow*/, std::int64_t /*observed_ns*/) {}
  // Allocates nothing and never throws.
  virtual EnergyDecision decide(const SlotObservation& slot) = 0;
};

// --- The policies --------------------------------------------------------------------------------

std::unique_ptr<EnergyPolicy> make_always_on_policy();
std::unique_ptr<EnergyPolicy> make_micro_sleep_policy();

struct TimerSleepConfig {
  int idle_slots_before_light = 64;  // consecutive idle slots, then light sleep (min period)
  int idle_slots_before_deep = 0;    // 0: never deep; else then deep sleep (min period)
  std::optional<std::string> validate() const;
};
std::unique_ptr<EnergyPolicy> make_timer_sleep_policy(const TimerSleepConfig& config);

struct AntennaMutingConfig {
  double load_threshold = 0.25;  // PRB share (needed / total) below which antennas are muted
  int muted_antennas = 1;        // antennas kept on at low load (>= 1)
  std::optional<std::string> validate() const;
};
std::unique_ptr<EnergyPolicy> make_antenna_muting_policy(const AntennaMutingConfig& config);

struct PredictiveConfig {
  // Wake this many slots before the earliest forecast window of a flow opens.
  int wake_margin_slots = 1;
  // Serve a packet this many data slots of its direction before its deadline at the latest,
  // leaving room for HARQ retransmissions (0: at the last slot that still meets it).
  int deadline_margin_slots = 1;
  // A flow whose forecast spread exceeds this share of its period (Poisson, not learned yet)
  // is treated as unpredictable: the radio listens often enough to meet its deadline.
  double unpredictable_spread_share = 0.25;
  // Antennas: the fewest whose layers carry the slot's PRB need (one layer per antenna) within
  // this share of the band; 0 keeps every antenna on. With power linear in PRBs x antennas, one
  // antenna carrying the same PRB-layers is never dearer, so fewer is better while it fits.
  double antenna_fill = 0.8;
  std::optional<std::string> validate() const;
};
// The predictor must outlive the policy and have one flow per scenario flow.
std::unique_ptr<EnergyPolicy> make_predictive_policy(const PredictiveConfig& config, ArrivalPredictor& predictor,
                                                     std::string name = "ai");

// --- Registry --------------------------------------------------------------------------------------

// One policy family by name with its parameter sets for tuning (the first is the default). A
// variant is one entry: e.g. an "ai-learned" family that builds make_predictive_policy with the
// learned predictor.
struct PolicyVariant {
  std::string parameters;  // as parameters() reports them
  // Builds a fresh policy (and its predictor) for a scenario with `flows` flows.
  std::function<std::unique_ptr<EnergyPolicy>(std::size_t flows)> make;
};
struct PolicyFamily {
  std::string name;
  std::string description;
  bool is_oracle = false;  // the bound of oracle_bound.hpp, not a per-slot policy
  std::vector<PolicyVariant> variants;  // empty for the oracle
};

// The predictive policy's family (the ai tuning sets) over any predictor: the learned
// predictor's ablation entry is one line,
//   register_energy_policy(predictive_policy_family("ai-learned", "...", make_learned_predictor));
using PredictorFactory = std::function<std::unique_ptr<ArrivalPredictor>(std::size_t flows)>;
PolicyFamily predictive_policy_family(std::string name, std::string description, PredictorFactory make_predictor);

// Every family in report order: always-on, micro-sleep, timer-sleep, antenna-muting, oracle,
// ai, then what register_energy_policy added.
const std::vector<PolicyFamily>& energy_policy_families();
std::vector<std::string_view> energy_policy_names();
const PolicyFamily* find_energy_policy(std::string_view name);
// Adds a family (e.g. "ai-learned"); an error when the name is taken.
Result<bool> register_energy_policy(PolicyFamily family);

}  // namespace airan::ai

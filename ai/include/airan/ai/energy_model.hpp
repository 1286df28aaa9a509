// The energy model: the radio unit in the structure of the base-station power model of 3GPP
// TR 38.864 (relative power per state, sleep states with a transition time and an additional
// transition energy, active power scaled by the share of PRBs and antennas in use), and the
// DU's compute (idle power plus busy power for a processing time derived from measured stage
// times). Every constant, its source and what is not confirmed: docs/energy.md and
// data/energy/tr38864.yaml.
//
// Units. Radio power is in TR 38.864's relative units (deep sleep = 1). Energy is relative
// power x milliseconds ("relative energy", the unit of TR 38.864's transition energies). The
// compute side is modelled in watts and converted with watts_per_relative_unit, so radio and
// compute add up in one unit; joules = relative energy x watts_per_relative_unit / 1000.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "airan/ai/result.hpp"
#include "airan/ai/traffic.hpp"

namespace airan::ai {

enum class RadioState : std::uint8_t { active, micro_sleep, light_sleep, deep_sleep };
inline constexpr int kRadioStateCount = 4;
std::string_view to_string(RadioState state);

struct SleepStateParams {
  double relative_power = 0.0;      // while in the state
  double transition_time_ms = 0.0;  // total time to enter and leave the state
  double transition_energy = 0.0;   // additional energy per sleep period, relative units x ms

  bool operator==(const SleepStateParams&) const = default;
};

struct RadioPowerModel {
  // Reference active power: every PRB and every antenna in use.
  double active_dl_relative_power = 0.0;
  double active_ul_relative_power = 0.0;
  // The part of active power that does not scale with PRBs (an active slot with nothing
  // scheduled); antenna_static_share of it scales with the share of antennas switched on.
  double static_relative_power = 0.0;
  double antenna_static_share = 0.0;
  // The dynamic part (reference minus static) scales as prb_share^prb_exponent *
  // antenna_share^antenna_exponent.
  double prb_exponent = 1.0;
  double antenna_exponent = 1.0;
  SleepStateParams micro_sleep;
  SleepStateParams light_sleep;
  SleepStateParams deep_sleep;

  const SleepStateParams& sleep_params(RadioState state) const;  // state != active
  double active_power(Direction direction, double prb_share, double antenna_share) const;
  // The shortest sleep period the state allows: its transition time (rounded up to ns).
  std::int64_t minimum_sleep_ns(RadioState state) const;

  bool operator==(const RadioPowerModel&) const = default;
};

// What the DU computed in one slot, summed over the slot's allocations.
struct ComputeWork {
  std::int64_t prb_layers = 0;         // sum of PRBs x layers
  std::int64_t prb_layer_squares = 0;  // sum of PRBs x layers^2 (MIMO equalisation)

  void add_allocation(int prbs, int layers) {
    prb_layers += static_cast<std::int64_t>(prbs) * layers;
    prb_layer_squares += static_cast<std::int64_t>(prbs) * layers * layers;
  }
};

struct ComputeModel {
  // Processing time of a slot the DU processes (CPU backend, one core):
  //   fronthaul_us_per_prb_antenna * carrier PRBs * active antennas
  //   + us_per_prb_layer * prb_layers + us_per_prb_layer_squared * prb_layer_squares
  double fronthaul_us_per_prb_antenna = 0.0;
  double us_per_prb_layer = 0.0;
  double us_per_prb_layer_squared = 0.0;
  double idle_power_w = 0.0;  // every slot, whatever the radio does
  double busy_power_w = 0.0;  // added while a core processes

  // active_symbols: the fronthaul term covers only the symbols that carry U-plane data (O-RAN
  // sends IQ per symbol; a symbol-DTX slot with 2 control symbols moves 2/14 of a full slot's).
  double processing_time_us(int carrier_prbs, int active_antennas, const ComputeWork& work,
                            int active_symbols = 14) const;

  bool operator==(const ComputeModel&) const = default;
};

struct EnergyModel {
  RadioPowerModel radio;
  ComputeModel compute;
  double watts_per_relative_unit = 0.0;

  // Empty when valid; otherwise what is wrong, naming the key as in the YAML file.
  std::optional<std::string> validate() const;

  bool operator==(const EnergyModel&) const = default;
};

// The built-in values; identical to data/energy/tr38864.yaml (a test checks it).
EnergyModel default_energy_model();

// Loads a model from YAML (the layout of data/energy/tr38864.yaml). Every key is required;
// unknown keys are an error; errors name the file, the key and what is wrong.
Result<EnergyModel> load_energy_model(const std::filesystem::path& path);
Result<EnergyModel> parse_energy_model(std::string_view yaml_text, std::string_view origin = "<text>");

inline constexpr int kSymbolsPerSlot = 14;  // normal cyclic prefix

// One slot as the scheduler decided it.
struct SlotActivity {
  RadioState state = RadioState::active;
  Direction direction = Direction::downlink;
  // Active slots: the symbols the RU transmits or receives; the others are micro sleep
  // (symbol-level DTX/DRX), e.g. 2 for a slot that carries only a PDCCH.
  int active_symbols = kSymbolsPerSlot;
  int active_prbs = 0;
  int total_prbs = 0;
  int active_antennas = 0;
  int total_antennas = 0;
  bool processed = false;  // the DU processed the slot (needs state active)
  ComputeWork work;        // with processed only
};

enum class AccountStatus : std::uint8_t {
  ok,
  // The slot would end a sleep period shorter than the state's transition time: a radio that
  // started entering the state cannot be back before it has left it again. Nothing is
  // accounted and the ledger stays in the sleep state; account more sleep slots first.
  sleep_shorter_than_transition,
  invalid_activity,  // counts or symbols out of range, or processing in a sleep state
};
std::string_view to_string(AccountStatus status);

// Energy in relative units (relative power x ms).
struct EnergyBreakdown {
  double radio = 0.0;       // state power over time, plus transitions
  double transition = 0.0;  // the part of radio that is additional transition energy
  double compute = 0.0;
  double total() const { return radio + compute; }
};

class EnergyLedger {
 public:
  // slot_duration_ns: e.g. 500'000 at 30 kHz. The ledger starts in the active state.
  static Result<EnergyLedger> create(EnergyModel model, std::int64_t slot_duration_ns);

  // Accounts one slot. Transitions are charged in the slot that enters a sleep state (the
  // energy of the whole enter/leave cycle); the slot that leaves it is checked against the
  // minimum sleep duration. Allocates nothing and never throws. `charged`, when given,
  // receives what this slot added.
  AccountStatus account_slot(const SlotActivity& slot, EnergyBreakdown* charged = nullptr);

  RadioState state() const { return state_; }
  // How long the ledger has been in its current state.
  std::int64_t time_in_state_ns() const { return time_in_state_ns_; }
  std::int64_t minimum_sleep_ns(RadioState state) const { return model_.radio.minimum_sleep_ns(state); }
  // The same in whole slots, for planning.
  std::int64_t minimum_sleep_slots(RadioState state) const;

  const EnergyBreakdown& totals() const { return totals_; }
  double to_joules(double relative_energy) const { return relative_energy * model_.watts_per_relative_unit * 1e-3; }
  double total_joules() const { return to_joules(totals_.total()); }

  std::int64_t slots_in(RadioState state) const { return slots_in_state_[static_cast<int>(state)]; }
  std::int64_t sleep_periods(RadioState state) const { return sleep_periods_[static_cast<int>(state)]; }
  std::int64_t rejected_slots() const { return rejected_slots_; }
  std::int64_t slot_duration_ns() const { return slot_duration_ns_; }
  const EnergyModel& model() const { return model_; }

 private:
  EnergyLedger(EnergyModel model, std::int64_t slot_duration_ns);

  EnergyModel model_;
  std::int64_t slot_duration_ns_;
  double slot_ms_;
  RadioState state_ = RadioState::active;
  std::int64_t time_in_state_ns_ = 0;
  EnergyBreakdown totals_;
  std::int64_t slots_in_state_[kRadioStateCount] = {};
  std::int64_t sleep_periods_[kRadioStateCount] = {};
  std::int64_t rejected_slots_ = 0;
};

}  // namespace airan::ai

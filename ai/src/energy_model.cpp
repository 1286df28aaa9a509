#include "airan/ai/energy_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace airan::ai {

std::string_view to_string(RadioState state) {
  switch (state) {
    case RadioState::active: return "active";
    case RadioState::micro_sleep: return "micro_sleep";
    case RadioState::light_sleep: return "light_sleep";
    case RadioState::deep_sleep: return "deep_sleep";
  }
  return "unknown";
}

std::string_view to_string(AccountStatus status) {
  switch (status) {
    case AccountStatus::ok: return "ok";
    case AccountStatus::sleep_shorter_than_transition:
      return "sleep period shorter than the state's transition time";
    case AccountStatus::invalid_activity: return "invalid slot activity";
  }
  return "unknown";
}

const SleepStateParams& RadioPowerModel::sleep_params(RadioState state) const {
  switch (state) {
    case RadioState::light_sleep: return light_sleep;
    case RadioState::deep_sleep: return deep_sleep;
    default: return micro_sleep;
  }
}

double RadioPowerModel::active_power(Direction direction, double prb_share, double antenna_share) const {
  const double reference = direction == Direction::downlink ? active_dl_relative_power : active_ul_relative_power;
  const double static_part = static_relative_power * (1.0 - antenna_static_share * (1.0 - antenna_share));
  const double dynamic_part = (reference - static_relative_power) * std::pow(prb_share, prb_exponent) *
                              std::pow(antenna_share, antenna_exponent);
  return static_part + dynamic_part;
}

std::int64_t RadioPowerModel::minimum_sleep_ns(RadioState state) const {
  if (state == RadioState::active) return 0;
  return static_cast<std::int64_t>(std::ceil(sleep_params(state).transition_time_ms * 1e6));
}

double ComputeModel::processing_time_us(int carrier_prbs, int active_antennas, const ComputeWork& work,
                                        int active_symbols) const {
  return fronthaul_us_per_prb_antenna * carrier_prbs * active_antennas * active_symbols / kSymbolsPerSlot +
         us_per_prb_layer * static_cast<double>(work.prb_layers) +
         us_per_prb_layer_squared * static_cast<double>(work.prb_layer_squares);
}

namespace {

std::optional<std::string> check_non_negative(std::string_view key, double value) {
  if (!std::isfinite(value) || value < 0.0) return fmt::format("{} {} must be a number >= 0", key, value);
  return std::nullopt;
}

std::optional<std::string> check_sleep(std::string_view name, const SleepStateParams& params) {
  if (auto e = check_non_negative(fmt::format("radio.{}.relative_power", name), params.relative_power)) return e;
  if (auto e = check_non_negative(fmt::format("radio.{}.transition_time_ms", name), params.transition_time_ms))
    return e;
  if (auto e = check_non_negative(fmt::format("radio.{}.transition_energy", name), params.transition_energy))
    return e;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> EnergyModel::validate() const {
  const auto& r = radio;
  const std::pair<std::string_view, double> non_negative[] = {
      {"radio.active_dl_relative_power", r.active_dl_relative_power},
      {"radio.active_ul_relative_power", r.active_ul_relative_power},
      {"radio.static_relative_power", r.static_relative_power},
      {"radio.antenna_static_share", r.antenna_static_share},
      {"radio.prb_exponent", r.prb_exponent},
      {"radio.antenna_exponent", r.antenna_exponent},
      {"compute.fronthaul_us_per_prb_antenna", compute.fronthaul_us_per_prb_antenna},
      {"compute.us_per_prb_layer", compute.us_per_prb_layer},
      {"compute.us_per_prb_layer_squared", compute.us_per_prb_layer_squared},
      {"compute.idle_power_w", compute.idle_power_w},
      {"compute.busy_power_w", compute.busy_power_w},
  };
  for (const auto& [key, value] : non_negative)
    if (auto e = check_non_negative(key, value)) return e;
  if (auto e = check_sleep("micro_sleep", r.micro_sleep)) return e;
  if (auto e = check_sleep("light_sleep", r.light_sleep)) return e;
  if (auto e = check_sleep("deep_sleep", r.deep_sleep)) return e;
  if (!std::isfinite(watts_per_relative_unit) || watts_per_relative_unit <= 0.0)
    return fmt::format("watts_per_relative_unit {} must be > 0", watts_per_relative_unit);
  if (r.antenna_static_share > 1.0)
    return fmt::format("radio.antenna_static_share {} must be within [0, 1]", r.antenna_static_share);
  if (r.prb_exponent <= 0.0 || r.antenna_exponent <= 0.0)
    // With a zero exponent the active power would not depend on the allocation at all.
    return fmt::format("radio.prb_exponent {} and radio.antenna_exponent {} must be > 0", r.prb_exponent,
                       r.antenna_exponent);
  if (r.active_dl_relative_power < r.static_relative_power)
    return fmt::format("radio.active_dl_relative_power {} must be >= radio.static_relative_power {}",
                       r.active_dl_relative_power, r.static_relative_power);
  if (r.active_ul_relative_power < r.static_relative_power)
    return fmt::format("radio.active_ul_relative_power {} must be >= radio.static_relative_power {}",
                       r.active_ul_relative_power, r.static_relative_power);
  // Deeper sleep draws less and takes longer: otherwise a policy would never use the lighter one.
  if (r.light_sleep.relative_power > r.micro_sleep.relative_power)
    return fmt::format("radio.light_sleep.relative_power {} must be <= radio.micro_sleep.relative_power {}",
                       r.light_sleep.relative_power, r.micro_sleep.relative_power);
  if (r.deep_sleep.relative_power > r.light_sleep.relative_power)
    return fmt::format("radio.deep_sleep.relative_power {} must be <= radio.light_sleep.relative_power {}",
                       r.deep_sleep.relative_power, r.light_sleep.relative_power);
  if (r.light_sleep.transition_time_ms < r.micro_sleep.transition_time_ms ||
      r.deep_sleep.transition_time_ms < r.light_sleep.transition_time_ms)
    return fmt::format(
        "radio transition times must grow with sleep depth: micro_sleep {} ms, light_sleep {} ms, deep_sleep {} ms",
        r.micro_sleep.transition_time_ms, r.light_sleep.transition_time_ms, r.deep_sleep.transition_time_ms);
  // An active slot, even with every antenna off, must draw at least as much as micro sleep.
  const double active_floor = r.static_relative_power * (1.0 - r.antenna_static_share);
  if (active_floor < r.micro_sleep.relative_power)
    return fmt::format(
        "radio.static_relative_power {} x (1 - radio.antenna_static_share {}) = {} must be >= "
        "radio.micro_sleep.relative_power {}",
        r.static_relative_power, r.antenna_static_share, active_floor, r.micro_sleep.relative_power);
  return std::nullopt;
}

Result<EnergyLedger> EnergyLedger::create(EnergyModel model, std::int64_t slot_duration_ns) {
  if (auto error = model.validate()) return ErrorMessage{*error};
  if (slot_duration_ns <= 0) return ErrorMessage{fmt::format("slot_duration_ns {} must be > 0", slot_duration_ns)};
  return EnergyLedger(std::move(model), slot_duration_ns);
}

EnergyLedger::EnergyLedger(EnergyModel model, std::int64_t slot_duration_ns)
    : model_(std::move(model)),
      slot_duration_ns_(slot_duration_ns),
      slot_ms_(static_cast<double>(slot_duration_ns) * 1e-6) {}

std::int64_t EnergyLedger::minimum_sleep_slots(RadioState state) const {
  const auto ns = minimum_sleep_ns(state);
  return (ns + slot_duration_ns_ - 1) / slot_duration_ns_;
}

AccountStatus EnergyLedger::account_slot(const SlotActivity& slot, EnergyBreakdown* charged) {
  const bool counts_valid = slot.total_prbs > 0 && slot.active_prbs >= 0 && slot.active_prbs <= slot.total_prbs &&
                            slot.total_antennas > 0 && slot.active_antennas >= 0 &&
                            slot.active_antennas <= slot.total_antennas && slot.active_symbols >= 0 &&
                            slot.active_symbols <= kSymbolsPerSlot && slot.work.prb_layers >= 0 &&
                            slot.work.prb_layer_squares >= 0;
  if (!counts_valid || (slot.processed && slot.state != RadioState::active) ||
      static_cast<int>(slot.state) >= kRadioStateCount) {
    ++rejected_slots_;
    return AccountStatus::invalid_activity;
  }
  const bool state_changes = slot.state != state_;
  if (state_changes && state_ != RadioState::active && time_in_state_ns_ < minimum_sleep_ns(state_)) {
    ++rejected_slots_;
    return AccountStatus::sleep_shorter_than_transition;
  }

  EnergyBreakdown slot_energy;
  if (slot.state == RadioState::active) {
    const double prb_share = static_cast<double>(slot.active_prbs) / slot.total_prbs;
    const double antenna_share = static_cast<double>(slot.active_antennas) / slot.total_antennas;
    const double active_share = static_cast<double>(slot.active_symbols) / kSymbolsPerSlot;
    slot_energy.radio = (model_.radio.active_power(slot.direction, prb_share, antenna_share) * active_share +
                         model_.radio.micro_sleep.relative_power * (1.0 - active_share)) *
                        slot_ms_;
  } else {
    const auto& params = model_.radio.sleep_params(slot.state);
    slot_energy.radio = params.relative_power * slot_ms_;
    if (state_changes) {
      slot_energy.transition = params.transition_energy;
      slot_energy.radio += params.transition_energy;
      ++sleep_periods_[static_cast<int>(slot.state)];
    }
  }

  const auto& compute = model_.compute;
  double compute_joules = compute.idle_power_w * slot_ms_ * 1e-3;
  if (slot.processed) {
    const double busy_us =
        compute.processing_time_us(slot.total_prbs, slot.active_antennas, slot.work, slot.active_symbols);
    compute_joules += compute.busy_power_w * busy_us * 1e-6;
  }
  slot_energy.compute = compute_joules / (model_.watts_per_relative_unit * 1e-3);

  totals_.radio += slot_energy.radio;
  totals_.transition += slot_energy.transition;
  totals_.compute += slot_energy.compute;
  ++slots_in_state_[static_cast<int>(slot.state)];
  time_in_state_ns_ = state_changes ? slot_duration_ns_ : time_in_state_ns_ + slot_duration_ns_;
  state_ = slot.state;
  if (charged != nullptr) *charged = slot_energy;
  return AccountStatus::ok;
}

}  // namespace airan::ai

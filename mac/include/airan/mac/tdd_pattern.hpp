// TDD UL/DL slot pattern of TS 38.331 TDD-UL-DL-ConfigCommon (pattern1) and TS 38.213 11.1.
//
// A period of P ms holds P * 2^mu slots: first nrofDownlinkSlots full downlink slots, then
// nrofDownlinkSymbols downlink symbols at the start of the next slot, then flexible symbols,
// then nrofUplinkSymbols uplink symbols at the end of the slot before the nrofUplinkSlots full
// uplink slots that close the period. Slots that are neither fully downlink nor fully uplink are
// "special" (S): the scheduler may use their downlink symbols, the guard between them is the
// flexible part.
//
// Compact text form: one letter per slot of the period, D* S* U* (e.g. "DDDSU"), optionally
// followed by ":<dl symbols>,<ul symbols>" for the special slots ("DDDSU:10,2"). With one S the
// two counts share that slot; with several S the downlink symbols are in the first and the
// uplink symbols in the last one, as in 38.213. The period is the letter count over 2^mu.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "airan/phy/expected.hpp"

namespace airan::mac {

inline constexpr int kSymbolsPerSlot = 14;  // normal cyclic prefix
// Longest period: 10 ms at mu = 4 (240 kHz) is 160 slots; airan's numerologies stop at mu = 4
// for TDD (38.331 allows mu 0..3 for the periods of pattern1, 240 kHz is kept for FR2-2 tests).
inline constexpr int kMaxTddNumerology = 4;
inline constexpr int kMaxTddPeriodSlots = 10 << kMaxTddNumerology;

enum class SlotType : char { downlink = 'D', uplink = 'U', special = 'S' };

// dl-UL-TransmissionPeriodicity of 38.331, in microseconds so that 0.625 ms is exact.
inline constexpr std::array<int, 8> kTddPeriodsUs = {500, 625, 1000, 1250, 2000, 2500, 5000, 10000};

struct TddConfig {
  int numerology = 1;       // mu (referenceSubcarrierSpacing = 15 * 2^mu kHz), 0..4
  int period_us = 5000;     // one of kTddPeriodsUs
  int downlink_slots = 7;   // nrofDownlinkSlots
  int downlink_symbols = 6; // nrofDownlinkSymbols, in the slot after the last full DL slot
  int uplink_slots = 2;     // nrofUplinkSlots
  int uplink_symbols = 4;   // nrofUplinkSymbols, in the slot before the first full UL slot

  // Names what is wrong: a period outside the list, a period that is not a whole number of slots
  // at this numerology, counts that exceed the period, symbols that exceed their slot.
  Status validate() const;
  int period_slots() const { return period_us * (1 << numerology) / 1000; }
};

// The slot types of one period, resolved once from a TddConfig.
class TddPattern {
 public:
  static Expected<TddPattern> create(const TddConfig& config);
  // "DDDSU" or "DDDSU:10,2"; errors name the position or the part that is wrong.
  static Expected<TddPattern> parse(std::string_view text, int numerology);

  const TddConfig& config() const { return config_; }
  int period_slots() const { return period_slots_; }

  // slot_index counts slots from SFN 0 slot 0 (any non-negative index; the pattern repeats).
  SlotType slot_type(std::int64_t slot_index) const { return types_[position(slot_index)]; }
  // Symbols of the slot usable for the downlink (0..14) and the uplink. Full slots give 14.
  int downlink_symbols(std::int64_t slot_index) const { return dl_symbols_[position(slot_index)]; }
  int uplink_symbols(std::int64_t slot_index) const { return ul_symbols_[position(slot_index)]; }
  // First uplink symbol of the slot (uplink symbols sit at the end of a special slot).
  int first_uplink_symbol(std::int64_t slot_index) const { return kSymbolsPerSlot - uplink_symbols(slot_index); }

  // "DDDSU", with ":dl,ul" appended when the special slots carry symbols.
  std::string to_string() const;

 private:
  int position(std::int64_t slot_index) const {
    const std::int64_t p = slot_index % period_slots_;
    return static_cast<int>(p < 0 ? p + period_slots_ : p);
  }

  TddConfig config_;
  int period_slots_ = 1;
  std::array<SlotType, kMaxTddPeriodSlots> types_{};
  std::array<std::uint8_t, kMaxTddPeriodSlots> dl_symbols_{};
  std::array<std::uint8_t, kMaxTddPeriodSlots> ul_symbols_{};
};

}  // namespace airan::mac

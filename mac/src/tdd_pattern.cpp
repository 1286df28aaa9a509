#include "airan/mac/tdd_pattern.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace airan::mac {

Status TddConfig::validate() const {
  if (numerology < 0 || numerology > kMaxTddNumerology) {
    return Error{fmt::format("numerology={} is outside 0..{}", numerology, kMaxTddNumerology)};
  }
  if (std::find(kTddPeriodsUs.begin(), kTddPeriodsUs.end(), period_us) == kTddPeriodsUs.end()) {
    return Error{fmt::format("period_us={} is not a dl-UL-TransmissionPeriodicity of 38.331 "
                             "(500, 625, 1000, 1250, 2000, 2500, 5000, 10000)",
                             period_us)};
  }
  if ((period_us * (1 << numerology)) % 1000 != 0) {
    return Error{fmt::format("period_us={} is not a whole number of slots at numerology {} ({} slots of {} us)",
                             period_us, numerology, period_us * (1 << numerology) / 1000.0, 1000 >> numerology)};
  }
  const int slots = period_slots();
  if (downlink_slots < 0 || uplink_slots < 0) {
    return Error{fmt::format("downlink_slots={} and uplink_slots={} must not be negative", downlink_slots, uplink_slots)};
  }
  if (downlink_symbols < 0 || downlink_symbols >= kSymbolsPerSlot) {
    return Error{fmt::format("downlink_symbols={} is outside 0..{}", downlink_symbols, kSymbolsPerSlot - 1)};
  }
  if (uplink_symbols < 0 || uplink_symbols >= kSymbolsPerSlot) {
    return Error{fmt::format("uplink_symbols={} is outside 0..{}", uplink_symbols, kSymbolsPerSlot - 1)};
  }
  if (downlink_slots + uplink_slots > slots) {
    return Error{fmt::format("downlink_slots={} + uplink_slots={} exceed the period of {} slots", downlink_slots,
                             uplink_slots, slots)};
  }
  const int special_slots = slots - downlink_slots - uplink_slots;
  if (special_slots == 0 && (downlink_symbols > 0 || uplink_symbols > 0)) {
    return Error{fmt::format("downlink_symbols={} / uplink_symbols={} need a slot between the downlink and uplink "
                             "slots, but downlink_slots + uplink_slots fill the period of {} slots",
                             downlink_symbols, uplink_symbols, slots)};
  }
  if (special_slots == 1 && downlink_symbols + uplink_symbols > kSymbolsPerSlot) {
    return Error{fmt::format("downlink_symbols={} + uplink_symbols={} exceed the {} symbols of the one special slot",
                             downlink_symbols, uplink_symbols, kSymbolsPerSlot)};
  }
  return Status::ok();
}

Expected<TddPattern> TddPattern::create(const TddConfig& config) {
  if (Status s = config.validate(); !s) return s.error();
  TddPattern pattern;
  pattern.config_ = config;
  pattern.period_slots_ = config.period_slots();
  const int first_uplink_slot = pattern.period_slots_ - config.uplink_slots;
  for (int slot = 0; slot < pattern.period_slots_; ++slot) {
    if (slot < config.downlink_slots) {
      pattern.types_[slot] = SlotType::downlink;
      pattern.dl_symbols_[slot] = kSymbolsPerSlot;
    } else if (slot >= first_uplink_slot) {
      pattern.types_[slot] = SlotType::uplink;
      pattern.ul_symbols_[slot] = kSymbolsPerSlot;
    } else {
      pattern.types_[slot] = SlotType::special;
      if (slot == config.downlink_slots) pattern.dl_symbols_[slot] = static_cast<std::uint8_t>(config.downlink_symbols);
      if (slot == first_uplink_slot - 1) pattern.ul_symbols_[slot] = static_cast<std::uint8_t>(config.uplink_symbols);
    }
  }
  return pattern;
}

Expected<TddPattern> TddPattern::parse(std::string_view text, int numerology) {
  if (numerology < 0 || numerology > kMaxTddNumerology) {
    return Error{fmt::format("numerology={} is outside 0..{}", numerology, kMaxTddNumerology)};
  }
  const std::size_t colon = text.find(':');
  const std::string_view letters = text.substr(0, colon);
  if (letters.empty()) return Error{fmt::format("TDD pattern '{}' has no slots", text)};
  TddConfig config;
  config.numerology = numerology;
  config.downlink_slots = 0;
  config.uplink_slots = 0;
  config.downlink_symbols = 0;
  config.uplink_symbols = 0;
  // D* S* U*: a letter may only follow itself or a letter allowed later in that order.
  int special_slots = 0;
  char previous = 'D';
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const char c = letters[i];
    if (c != 'D' && c != 'S' && c != 'U') {
      return Error{fmt::format("TDD pattern '{}': '{}' at position {} is not D, S or U", text, c, i)};
    }
    const auto rank = [](char letter) { return letter == 'D' ? 0 : letter == 'S' ? 1 : 2; };
    if (rank(c) < rank(previous)) {
      return Error{fmt::format("TDD pattern '{}': '{}' at position {} follows '{}'; one period is D..S..U "
                               "(38.331 pattern1)",
                               text, c, i, previous)};
    }
    previous = c;
    if (c == 'D') ++config.downlink_slots;
    if (c == 'S') ++special_slots;
    if (c == 'U') ++config.uplink_slots;
  }
  const int slots = static_cast<int>(letters.size());
  if ((slots * 1000) % (1 << numerology) != 0) {
    return Error{fmt::format("TDD pattern '{}': {} slots at numerology {} are not a whole number of microseconds",
                             text, slots, numerology)};
  }
  config.period_us = slots * 1000 / (1 << numerology);
  if (std::find(kTddPeriodsUs.begin(), kTddPeriodsUs.end(), config.period_us) == kTddPeriodsUs.end()) {
    return Error{fmt::format("TDD pattern '{}': {} slots at numerology {} last {} us, not a 38.331 period "
                             "(500, 625, 1000, 1250, 2000, 2500, 5000, 10000 us)",
                             text, slots, numerology, slots * 1000.0 / (1 << numerology))};
  }
  if (colon != std::string_view::npos) {
    const std::string_view symbols = text.substr(colon + 1);
    const std::size_t comma = symbols.find(',');
    auto number = [&](std::string_view part, const char* what, int& out) -> Status {
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
      if (ec != std::errc() || end != part.data() + part.size() || part.empty()) {
        return Error{fmt::format("TDD pattern '{}': {} '{}' is not a number", text, what, part)};
      }
      return Status::ok();
    };
    if (comma == std::string_view::npos) {
      return Error{fmt::format("TDD pattern '{}': after ':' give '<dl symbols>,<ul symbols>'", text)};
    }
    if (Status s = number(symbols.substr(0, comma), "downlink symbols", config.downlink_symbols); !s) return s.error();
    if (Status s = number(symbols.substr(comma + 1), "uplink symbols", config.uplink_symbols); !s) return s.error();
    if (special_slots == 0) {
      return Error{fmt::format("TDD pattern '{}': special-slot symbols given but the pattern has no S slot", text)};
    }
  }
  return create(config);
}

std::string TddPattern::to_string() const {
  std::string text;
  for (int slot = 0; slot < period_slots_; ++slot) text += static_cast<char>(types_[slot]);
  if (config_.downlink_symbols > 0 || config_.uplink_symbols > 0) {
    text += fmt::format(":{},{}", config_.downlink_symbols, config_.uplink_symbols);
  }
  return text;
}

}  // namespace airan::mac

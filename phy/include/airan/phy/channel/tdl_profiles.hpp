// Tapped-delay-line power-delay profiles: TR 38.901 7.7.2 Tables 7.7.2-1..5 (TDL-A..E, delays
// normalized to the RMS delay spread, powers in dB) and the conformance profiles TDLA30, TDLB100,
// TDLC300 of TS 38.104 / 38.141 (delays in ns, not scaled). Numbers from
// phy/data/channel/tdl.json, embedded at build time; a test keeps the two equal.
#pragma once

#include <span>
#include <string_view>

#include "airan/phy/expected.hpp"

namespace airan::phy {

struct TdlProfile {
  std::string_view name;             // "TDL-A", ..., "TDLA30"
  bool delays_in_ns;                 // false: normalized, multiply by the delay spread
  bool los;                          // true: entry 0 is the specular LOS part of tap 0, entry 1 its Rayleigh part
  std::span<const double> delays;    // normalized, or ns
  std::span<const double> powers_db;
};

std::span<const TdlProfile> tdl_profiles();
// Case-insensitive, '-' and '_' ignored: "TDL-A", "tdl_a", "tdla", "TDLA30".
Expected<TdlProfile> find_tdl_profile(std::string_view name);

}  // namespace airan::phy

// O-RAN WG4 CUS C-plane messages (eCPRI type 2): section types 1 (most channels) and 3
// (PRACH and mixed numerology), with section extensions delimited (not interpreted).
//
// Byte layout after the 8-byte eCPRI transport header (network order, bit 7 first):
//   0: dataDirection (1) | payloadVersion (3, = 1) | filterIndex (4)
//   1: frameId
//   2-3: subframeId (4) | slotId (6) | startSymbolId (6)
//   4: numberOfSections   5: sectionType
//   type 1:  6: udCompHdr   7: reserved                                        (8 bytes)
//   type 3:  6-7: timeOffset   8: frameStructure (FFT size 4 | SCS 4)
//            9-10: cpLength   11: udCompHdr                                    (12 bytes)
//   per section (type 1: 8 bytes, type 3: 12 bytes, then the extensions when ef = 1):
//   +0..2: sectionId (12) | rb (1) | symInc (1) | startPrbc (10)
//   +3: numPrbc (0 = every PRB of the carrier from startPrbc)
//   +4..5: reMask (12) | numSymbol (4)
//   +6..7: ef (1) | beamId (15)
//   type 3 only: +8..10: frequencyOffset (24, signed)   +11: reserved
//   extension: ef (1) | extType (7), extLen (8 bits; 16 bits for extType 11, 19 and 20), in
//   4-byte words counting the whole extension from its first byte; extLen 0 is reserved.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"
#include "airan/io/oran/uplane.hpp"

namespace airan::io {

inline constexpr std::size_t kMaxCplaneSections = 32;
inline constexpr std::size_t kMaxSectionExtensions = 8;  // known extensions kept per section
inline constexpr std::uint8_t kMaxKnownExtType = 28;     // extTypes 1..28 are defined by CUS

namespace cplane_section_type {
inline constexpr std::uint8_t normal = 1;
inline constexpr std::uint8_t prach = 3;
}  // namespace cplane_section_type

// Whether extLen of `ext_type` is 16 bits (11, 19, 20) rather than 8.
constexpr bool extension_has_long_length(std::uint8_t ext_type) noexcept {
  return ext_type == 11 || ext_type == 19 || ext_type == 20;
}
constexpr bool extension_is_known(std::uint8_t ext_type) noexcept {
  return ext_type >= 1 && ext_type <= kMaxKnownExtType;
}

// One section extension: its raw bytes from the ef/extType byte through extLen * 4 bytes.
struct SectionExtension {
  std::uint8_t type = 0;  // extType, 7 bits
  std::span<const std::uint8_t> bytes;  // whole extension, header included
  // Build: `bytes` is written as given except the ef bit, which the builder sets.
};

struct CplaneSection {
  std::uint16_t section_id = 0;  // 12 bits
  bool rb = false;
  bool sym_inc = false;
  std::uint16_t start_prb = 0;   // 10 bits
  std::uint16_t num_prb = 0;     // resolved (numPrbc = 0 -> carrier_prbs - start_prb)
  std::uint16_t re_mask = 0xFFF; // 12 bits
  std::uint8_t num_symbol = 1;   // 4 bits
  bool ef = false;               // parse: extensions followed the section
  std::uint16_t beam_id = 0;     // 15 bits
  std::int32_t frequency_offset = 0;  // type 3: freqOffset, 24-bit signed (-2^23..2^23-1)
  // Known extensions (types 1..28) in packet order; unknown ones are skipped by length.
  std::array<SectionExtension, kMaxSectionExtensions> extensions{};
  std::size_t num_extensions = 0;
  std::size_t num_skipped_extensions = 0;  // parse: unknown extensions skipped
  std::span<const SectionExtension> extension_view() const noexcept {
    return {extensions.data(), num_extensions};
  }
};

struct CplaneMessage {
  RadioTiming timing;            // symbol_id = startSymbolId
  std::uint8_t section_type = cplane_section_type::normal;
  UdCompHdr comp;                // udCompHdr of the common header
  // Section type 3 only.
  std::uint16_t time_offset = 0;
  std::uint8_t frame_structure = 0;  // FFT size (4) | SCS (4), raw
  std::uint16_t cp_length = 0;
  std::array<CplaneSection, kMaxCplaneSections> sections{};
  std::size_t num_sections = 0;  // numberOfSections
  std::span<const CplaneSection> view() const noexcept { return {sections.data(), num_sections}; }
};

struct CplaneConfig {
  std::uint16_t carrier_prbs = 0;  // resolves numPrbc = 0; 0 = unknown (numPrbc = 0 rejected)
};

// Parses an O-RAN C-plane message (the eCPRI type 2 payload after its 8-byte transport header).
[[nodiscard]] CodecError parse_cplane(std::span<const std::uint8_t> oran_payload,
                                      const CplaneConfig& config, CplaneMessage& out) noexcept;
[[nodiscard]] CodecError parse_cplane(const EcpriMessage& message, const CplaneConfig& config,
                                      CplaneMessage& out) noexcept;

// Size build_cplane_message will write (eCPRI transport header included), 0 when invalid.
std::size_t cplane_message_size(const CplaneMessage& message) noexcept;

// Writes a complete eCPRI type 2 message. The ef bit of each section is set when it has
// extensions, and of each extension when another follows.
BuildResult build_cplane_message(std::span<std::uint8_t> out, const EcpriTransport& transport,
                                 const CplaneMessage& message, const CplaneConfig& config) noexcept;

}  // namespace airan::io

// O-RAN WG4 CUS U-plane messages (eCPRI message type 0): the
// radio application header and its sections. The codec does not decompress IQ: each section
// exposes its compression header and a span over its PRB payload bytes for the slot
// assembler.
//
// Byte layout after the 8-byte eCPRI transport header (network order, bit 7 first):
//   0: dataDirection (1: 0 UL, 1 DL) | payloadVersion (3, = 1) | filterIndex (4)
//   1: frameId
//   2-3: subframeId (4) | slotId (6) | symbolId (6)
//   per section:
//   +0..2: sectionId (12) | rb (1) | symInc (1) | startPrbu (10)
//   +3: numPrbu (0 = every PRB of the carrier from startPrbu)
//   +4: udCompHdr = udIqWidth (4, 0 means 16) | udCompMeth (4)   } only with dynamic
//   +5: reserved                                                  } compression
//   then numPrbu PRBs of compressed_prb_bytes() each (udCompParam first where the method has one)
//
// Whether udCompHdr is in the packet is not signalled in it: it is configured per eAxC and
// direction (static compression = configured and absent; dynamic = present per section).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "airan/io/compression.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"

namespace airan::io {

inline constexpr std::uint8_t kOranPayloadVersion = 1;
inline constexpr std::size_t kUplaneHeaderSize = 4;
inline constexpr std::size_t kUplaneSectionHeaderSize = 4;  // without udCompHdr
inline constexpr std::size_t kMaxUplaneSections = 32;
inline constexpr std::uint16_t kMaxStartPrb = 1023;  // 10 bits

// udCompHdr: the raw byte and its two fields, typed as the IQ compression module
// (airan/io/compression.hpp) takes them: section.comp.params() goes to decompress_prbs.
// `method` holds the raw 4-bit udCompMeth, so values 4..15 (not delimited by this codec) can
// appear in it after decode_ud_comp_hdr.
struct UdCompHdr {
  std::uint8_t raw = 0;  // udIqWidth << 4 | udCompMeth
  int iq_width = 16;     // 1..16 (a udIqWidth field of 0 means 16)
  CompressionMethod method = CompressionMethod::none;
  CompressionParams params() const noexcept { return CompressionParams{method, iq_width}; }
  friend bool operator==(const UdCompHdr&, const UdCompHdr&) = default;
};

UdCompHdr decode_ud_comp_hdr(std::uint8_t raw) noexcept;
// From width 1..16 and a method (width 16 is written as 0; out-of-range values are masked to
// their 4 bits, which compressed_prb_bytes then rejects).
UdCompHdr make_ud_comp_hdr(int iq_width, CompressionMethod method) noexcept;
inline UdCompHdr make_ud_comp_hdr(const CompressionParams& params) noexcept {
  return make_ud_comp_hdr(params.iq_width, params.method);
}

// Bytes of one compressed PRB (12 REs of I and Q): 3 * iqWidth, plus one udCompParam byte for
// block floating point, block scaling and mu-law. 0 for methods the codec does not delimit.
std::size_t compressed_prb_bytes(const UdCompHdr& comp) noexcept;

enum class DataDirection : std::uint8_t { uplink = 0, downlink = 1 };

// Fields shared by the U-plane and C-plane radio application headers.
struct RadioTiming {
  DataDirection direction = DataDirection::uplink;
  std::uint8_t payload_version = kOranPayloadVersion;  // 3 bits
  std::uint8_t filter_index = 0;  // 4 bits
  std::uint8_t frame_id = 0;
  std::uint8_t subframe_id = 0;   // 4 bits
  std::uint8_t slot_id = 0;       // 6 bits
  std::uint8_t symbol_id = 0;     // 6 bits (startSymbolId in the C-plane)
};

// Compression of one eAxC in one direction.
struct UplaneCompressionConfig {
  bool dynamic = false;  // udCompHdr + reserved byte present in every section
  UdCompHdr static_comp = make_ud_comp_hdr(16, CompressionMethod::none);  // used when !dynamic
};

// Receive/transmit configuration of one eAxC (the caller picks it from the eAxC ID).
struct UplaneConfig {
  std::uint16_t carrier_prbs = 0;  // resolves numPrbu = 0; 0 = unknown (numPrbu = 0 rejected)
  UplaneCompressionConfig uplink;
  UplaneCompressionConfig downlink;
  const UplaneCompressionConfig& compression(DataDirection d) const noexcept {
    return d == DataDirection::downlink ? downlink : uplink;
  }
};

struct UplaneSection {
  std::uint16_t section_id = 0;  // 12 bits
  bool rb = false;               // every other PRB
  bool sym_inc = false;
  std::uint16_t start_prb = 0;   // 10 bits
  std::uint16_t num_prb = 0;     // resolved (numPrbu = 0 -> carrier_prbs - start_prb)
  bool comp_hdr_present = false; // udCompHdr was in the packet (dynamic compression)
  UdCompHdr comp;                // from the packet or the static configuration
  // PRB payload: num_prb * compressed_prb_bytes(comp) bytes. Parse: a view into the packet;
  // build: the caller's already compressed bytes.
  std::span<const std::uint8_t> payload;
};

struct UplaneMessage {
  RadioTiming timing;
  std::array<UplaneSection, kMaxUplaneSections> sections{};
  std::size_t num_sections = 0;
  std::span<const UplaneSection> view() const noexcept { return {sections.data(), num_sections}; }
};

// Parses an O-RAN U-plane message (the eCPRI type 0 payload after its 8-byte transport
// header). A section may be the continuation of one started in an earlier packet (same
// sectionId, following PRBs): each packet's part is returned as it is.
[[nodiscard]] CodecError parse_uplane(std::span<const std::uint8_t> oran_payload,
                                      const UplaneConfig& config, UplaneMessage& out) noexcept;
// Same from a parsed eCPRI message (checks it is type 0).
[[nodiscard]] CodecError parse_uplane(const EcpriMessage& message, const UplaneConfig& config,
                                      UplaneMessage& out) noexcept;

// Size build_uplane_message will write (eCPRI transport header included), 0 when the
// message is invalid.
std::size_t uplane_message_size(const UplaneMessage& message, const UplaneConfig& config) noexcept;

// Writes a complete eCPRI type 0 message: transport header, U-plane header, sections with
// udCompHdr when the direction's compression is dynamic, and each section's payload. With
// static compression every section's comp must equal the configured one. numPrbu is written
// as 0 when num_prb > 255 and the section runs to the end of the carrier.
BuildResult build_uplane_message(std::span<std::uint8_t> out, const EcpriTransport& transport,
                                 const UplaneMessage& message, const UplaneConfig& config) noexcept;

// Shared by the U-plane and C-plane codecs (internal use, exposed for tests).
namespace detail {
// numPrb field -> PRB count, checked against the carrier; ok or bad_num_prb.
CodecError resolve_num_prb(std::uint16_t start_prb, std::uint8_t num_prb_field,
                           std::uint16_t carrier_prbs, std::uint16_t& num_prb) noexcept;
// PRB count -> numPrb field; ok or field_out_of_range.
CodecError encode_num_prb(std::uint16_t start_prb, std::uint16_t num_prb,
                          std::uint16_t carrier_prbs, std::uint8_t& field) noexcept;
}  // namespace detail

}  // namespace airan::io

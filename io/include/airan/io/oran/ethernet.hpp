// Fronthaul framing (O-RAN WG4 CUS transport over eCPRI): Ethernet II with or without one
// IEEE 802.1Q tag carrying ethertype 0xAEFE, or eCPRI over UDP/IPv4 on a configured port.
//
// This header also holds what every part of the fronthaul codec shares: the error codes
// (one per way a packet can be wrong, so the receive path counts and drops instead of
// crashing), the DPDK-style counters and the result of a builder.
//
// The codec works on spans over caller buffers, never allocates, never throws and reads no
// byte it has not checked to lie inside the span it was given. Parsers return a CodecError
// and fill a caller-owned struct whose spans point into the packet: the struct is valid as
// long as the packet buffer is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "airan/phy/expected.hpp"

namespace airan::io {

// Every way a fronthaul packet can fail to parse or build. Stable order: it indexes
// CodecCounters.
enum class CodecError : std::uint8_t {
  ok = 0,
  // Framing.
  truncated_ethernet,    // shorter than the Ethernet (and VLAN) header
  not_ecpri,             // ethertype neither eCPRI (0xAEFE) nor IPv4 (with UDP enabled)
  truncated_ipv4,        // shorter than the IPv4 header or its total length
  bad_ipv4_header,       // version != 4, IHL < 5 or total length < header
  bad_ipv4_checksum,     // header checksum does not verify
  ipv4_fragmented,       // MF flag or a fragment offset: fragments are not reassembled
  not_udp,               // IPv4 protocol other than 17
  wrong_udp_port,        // UDP destination port other than the configured eCPRI port
  bad_udp_length,        // UDP length < 8 or beyond the IPv4 payload
  bad_udp_checksum,      // non-zero UDP checksum that does not verify
  // eCPRI.
  truncated_ecpri,       // fewer than 4 bytes for a common header (or 8 for types 0/2)
  bad_ecpri_revision,    // revision other than 1
  ecpri_length_mismatch, // payload size beyond the buffer, or too small for the message type
  unknown_message_type,  // message type other than 0, 2, 5 (the message is still delimited)
  too_many_messages,     // more concatenated messages than EcpriPdu holds
  // O-RAN U-plane and C-plane.
  truncated_header,         // shorter than the O-RAN common header
  bad_payload_version,      // payloadVersion other than 1
  truncated_section,        // a section header or its PRB payload runs past the message
  section_overflow,         // more sections than the message struct holds
  bad_num_prb,              // startPrb + numPrb beyond the carrier, or numPrb = 0 unresolvable
  bad_compression,          // udCompMeth not 0..3 (or udIqWidth invalid for the method)
  unsupported_section_type, // C-plane section type other than 1 and 3
  bad_extension_length,     // section extension with extLen 0
  truncated_extension,      // section extension running past the message
  extension_overflow,       // more known extensions in one section than the struct holds
  trailing_bytes,           // bytes left after the last C-plane section
  // Builders.
  buffer_too_small,      // the output span cannot hold the message
  field_out_of_range,    // a field value does not fit its bit width (or its allowed range)
  payload_size_mismatch, // a U-plane section payload length disagrees with numPrb and compression
  count_                 // number of codes; not an error
};

inline constexpr std::size_t kCodecErrorCount = static_cast<std::size_t>(CodecError::count_);

// "truncated_section", ... (the enumerator name); "unknown" for values out of range.
std::string_view to_string(CodecError error) noexcept;

// The error as an airan::Status naming where it happened ("<context>: <code>"); Status::ok()
// for CodecError::ok. Allocates (error path only).
Status to_status(CodecError error, std::string_view context);

// One counter per code, CodecError::ok included, DPDK-style (plain integers: keep one
// instance per receive queue / thread and sum them when reporting).
struct CodecCounters {
  std::array<std::uint64_t, kCodecErrorCount> by_code{};

  // Counts `error` and returns it, so that `if (counters.count(parse(...)) != ok) drop;`.
  CodecError count(CodecError error) noexcept {
    const auto index = static_cast<std::size_t>(error);
    if (index < kCodecErrorCount) ++by_code[index];
    return error;
  }
  std::uint64_t operator[](CodecError error) const noexcept {
    const auto index = static_cast<std::size_t>(error);
    return index < kCodecErrorCount ? by_code[index] : 0;
  }
  std::uint64_t ok() const noexcept { return by_code[0]; }
  std::uint64_t errors() const noexcept;  // sum of every code but ok
  CodecCounters& operator+=(const CodecCounters& other) noexcept;
  void reset() noexcept { by_code.fill(0); }
};

// What a builder wrote: `size` bytes at the front of the output span, or an error (size 0).
struct [[nodiscard]] BuildResult {
  CodecError error = CodecError::ok;
  std::size_t size = 0;
  bool ok() const noexcept { return error == CodecError::ok; }
  explicit operator bool() const noexcept { return ok(); }
};

// ---------------------------------------------------------------------------------------------
// Ethernet / VLAN / IPv4 / UDP.

inline constexpr std::uint16_t kEthertypeEcpri = 0xAEFE;
inline constexpr std::uint16_t kEthertypeVlan = 0x8100;
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::size_t kEthernetHeaderSize = 14;
inline constexpr std::size_t kVlanTagSize = 4;
inline constexpr std::size_t kIpv4HeaderSize = 20;  // without options
inline constexpr std::size_t kUdpHeaderSize = 8;
inline constexpr std::size_t kEthernetMinFrameSize = 60;  // without the FCS
inline constexpr std::uint8_t kIpProtocolUdp = 17;

using MacAddress = std::array<std::uint8_t, 6>;

struct VlanTag {
  std::uint8_t pcp = 0;    // priority code point, 3 bits
  bool dei = false;        // drop eligible indicator
  std::uint16_t vid = 0;   // VLAN id, 12 bits
};

enum class FrameTransport : std::uint8_t {
  ethernet,  // eCPRI directly over Ethernet (ethertype 0xAEFE)
  udp_ipv4,  // eCPRI over UDP over IPv4
};

// How received frames are accepted.
struct FrameParseConfig {
  bool accept_udp = true;            // accept eCPRI over UDP/IPv4 as well as over Ethernet
  std::uint16_t udp_port = 0;        // UDP destination port carrying eCPRI (0: any port)
  bool verify_ipv4_checksum = true;
  bool verify_udp_checksum = true;   // a zero UDP checksum (not computed) is always accepted
};

// What parse_frame found. `ecpri` spans the eCPRI PDU: for Ethernet framing everything after
// the header (Ethernet padding included: the eCPRI payload sizes delimit the messages), for
// UDP exactly the UDP payload.
struct ParsedFrame {
  MacAddress destination{};
  MacAddress source{};
  std::optional<VlanTag> vlan;
  FrameTransport transport = FrameTransport::ethernet;
  std::uint32_t ipv4_source = 0;       // UDP only, host order
  std::uint32_t ipv4_destination = 0;  // UDP only, host order
  std::uint16_t udp_source_port = 0;
  std::uint16_t udp_destination_port = 0;
  std::size_t ecpri_offset = 0;        // offset of the eCPRI PDU in the frame
  std::span<const std::uint8_t> ecpri;
};

// Validates the Ethernet (VLAN) (IPv4/UDP) headers and locates the eCPRI PDU.
[[nodiscard]] CodecError parse_frame(std::span<const std::uint8_t> frame,
                                     const FrameParseConfig& config, ParsedFrame& out) noexcept;

// How frames are built.
struct FrameBuildConfig {
  MacAddress destination{};
  MacAddress source{};
  std::optional<VlanTag> vlan;
  FrameTransport transport = FrameTransport::ethernet;
  // UDP/IPv4 only (addresses in host order).
  std::uint32_t ipv4_source = 0;
  std::uint32_t ipv4_destination = 0;
  std::uint16_t udp_source_port = 0;
  std::uint16_t udp_destination_port = 0;
  std::uint8_t ipv4_ttl = 64;
  std::uint8_t ipv4_dscp = 0;
  std::uint16_t ipv4_identification = 0;
  bool udp_checksum = false;           // compute the UDP checksum (else 0: not computed)
  bool pad_to_minimum = true;          // zero-pad frames shorter than 60 bytes
};

// Bytes of headers write_frame_headers puts in front of the eCPRI PDU: 14, 18 (VLAN),
// +28 with UDP/IPv4.
std::size_t frame_header_size(const FrameBuildConfig& config) noexcept;

// Builds a frame in place: the caller has written the eCPRI PDU (`ecpri_size` bytes) at
// buffer[frame_header_size(config)...]; this writes the headers in front of it, fills the
// IPv4/UDP lengths and checksums and pads to the Ethernet minimum. Returns the frame size.
BuildResult write_frame_headers(std::span<std::uint8_t> buffer, const FrameBuildConfig& config,
                                std::size_t ecpri_size) noexcept;

// The Internet checksum (RFC 1071) of `bytes` added to `initial` (one's complement sum,
// not yet complemented): building block for the IPv4 and UDP checksums.
std::uint32_t internet_checksum_add(std::span<const std::uint8_t> bytes,
                                    std::uint32_t initial = 0) noexcept;
std::uint16_t internet_checksum_finish(std::uint32_t sum) noexcept;

}  // namespace airan::io

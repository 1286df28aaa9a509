// eCPRI common header (eCPRI 2.0) and the transport header of message types 0 (IQ data, the
// O-RAN U-plane) and 2 (real-time control, the O-RAN C-plane); eAxC identifiers (O-RAN WG4
// CUS ecpriPcid/ecpriRtcid); concatenated eCPRI messages (C bit).
//
// Byte layout of one message (network order):
//   0: revision (4 bits, = 1) | reserved (3 bits) | C (1 bit: another message follows)
//   1: message type
//   2-3: payload size (bytes after these 4)
//   types 0 and 2, then:
//   4-5: PC_ID / RTC_ID (the eAxC ID)
//   6: SeqId   7: E (1 bit) | SubSeqId (7 bits)
//   type 5 (one-way delay measurement), then:
//   4: measurement ID   5: action type   6-11: timestamp seconds   12-15: nanoseconds
//   16-23: compensation value (ns * 2^16, signed)
// A message with C = 1 is followed by the next one at the next 4-byte boundary of the PDU.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "airan/io/oran/ethernet.hpp"
#include "airan/phy/expected.hpp"

namespace airan::io {

inline constexpr std::uint8_t kEcpriRevision = 1;
inline constexpr std::size_t kEcpriCommonHeaderSize = 4;
inline constexpr std::size_t kEcpriTransportHeaderSize = 8;  // common header + PC_ID + SeqId
inline constexpr std::size_t kEcpriDelayMeasurementSize = 20;  // type 5 payload minimum
inline constexpr std::size_t kMaxEcpriMessages = 16;          // per PDU (concatenation)

enum class EcpriMessageType : std::uint8_t {
  iq_data = 0,
  bit_sequence = 1,
  real_time_control = 2,
  generic_data_transfer = 3,
  remote_memory_access = 4,
  delay_measurement = 5,
  remote_reset = 6,
  event_indication = 7,
};

// eAxC ID bit split, most significant field first: DU_port | BandSector | CC | RU_port. The
// widths are configured per deployment and must sum to 16.
struct EaxcSplit {
  std::uint8_t du_port_bits = 4;
  std::uint8_t band_sector_bits = 4;
  std::uint8_t cc_bits = 4;
  std::uint8_t ru_port_bits = 4;
  Status validate() const;
};

struct Eaxc {
  std::uint16_t du_port = 0;
  std::uint16_t band_sector = 0;
  std::uint16_t cc = 0;
  std::uint16_t ru_port = 0;
  friend bool operator==(const Eaxc&, const Eaxc&) = default;
};

// Packs the fields; an error names the field that does not fit its width (or the split).
Expected<std::uint16_t> encode_eaxc(const Eaxc& eaxc, const EaxcSplit& split);
// Unpacks; `split` must be valid (validate()); with an invalid split the result is unspecified
// but memory-safe.
Eaxc decode_eaxc(std::uint16_t eaxc_id, const EaxcSplit& split) noexcept;

struct EcpriCommonHeader {
  std::uint8_t revision = kEcpriRevision;
  std::uint8_t reserved = 0;  // 3 bits, ignored on receive
  bool concatenated = false;  // C bit
  std::uint8_t message_type = 0;
  std::uint16_t payload_size = 0;
};

// PC_ID/RTC_ID and SeqId of message types 0 and 2 (the header is written by the U-plane and
// C-plane builders from this).
struct EcpriTransport {
  std::uint16_t eaxc_id = 0;
  std::uint8_t seq_id = 0;
  bool e_bit = true;  // last (or only) part of an eCPRI-fragmented message
  std::uint8_t subseq_id = 0;  // 7 bits
  bool concatenated = false;   // C bit: another eCPRI message follows in the same PDU
};

struct EcpriDelayMeasurement {
  std::uint8_t measurement_id = 0;
  std::uint8_t action_type = 0;
  std::uint64_t timestamp_seconds = 0;  // 48 bits
  std::uint32_t timestamp_nanoseconds = 0;
  std::int64_t compensation = 0;  // ns * 2^16
};

// One delimited eCPRI message. `status` is ok for types 0, 2 and 5, unknown_message_type for
// the others (which are still delimited: header and payload are valid, the PDU parse goes on).
struct EcpriMessage {
  EcpriCommonHeader header;
  CodecError status = CodecError::ok;
  EcpriTransport transport;        // types 0 and 2
  EcpriDelayMeasurement delay;     // type 5
  // Types 0 and 2: the O-RAN U-/C-plane message after the 8-byte transport header.
  // Others: everything after the 4-byte common header (header.payload_size bytes).
  std::span<const std::uint8_t> payload;
  EcpriMessageType type() const noexcept { return static_cast<EcpriMessageType>(header.message_type); }
};

struct EcpriPdu {
  std::array<EcpriMessage, kMaxEcpriMessages> messages{};
  std::size_t count = 0;
  std::span<const EcpriMessage> view() const noexcept { return {messages.data(), count}; }
};

// Parses the message at the start of `bytes`; `consumed` = 4 + payload size (no alignment
// padding). Returns an error only when the message cannot be delimited or its fixed fields
// are invalid; unknown types return ok with out.status = unknown_message_type.
[[nodiscard]] CodecError parse_ecpri_message(std::span<const std::uint8_t> bytes,
                                             EcpriMessage& out, std::size_t& consumed) noexcept;

// Parses every message of a PDU, following the C bits (next message at the next 4-byte
// boundary). Bytes after the last message (C = 0) are ignored: Ethernet padding.
[[nodiscard]] CodecError parse_ecpri_pdu(std::span<const std::uint8_t> pdu, EcpriPdu& out) noexcept;

// Writes a 4-byte common header.
BuildResult write_ecpri_common_header(std::span<std::uint8_t> out,
                                      const EcpriCommonHeader& header) noexcept;
// Writes the 8-byte header of a type 0 or 2 message whose O-RAN payload (`oran_size` bytes)
// is already at out[8...]. Returns 8 + oran_size.
BuildResult write_ecpri_transport_header(std::span<std::uint8_t> out, EcpriMessageType type,
                                         const EcpriTransport& transport,
                                         std::size_t oran_size) noexcept;
// Writes a complete type 5 message.
BuildResult build_ecpri_delay_measurement(std::span<std::uint8_t> out,
                                          const EcpriDelayMeasurement& delay,
                                          bool concatenated = false) noexcept;

// Offset of the next concatenated message after one ending at `offset`.
constexpr std::size_t ecpri_align(std::size_t offset) noexcept { return (offset + 3) & ~std::size_t{3}; }

}  // namespace airan::io

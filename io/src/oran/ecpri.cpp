#include "airan/io/oran/ecpri.hpp"

#include <string>

#include "byte_io.hpp"

namespace airan::io {

using detail::load_be;
using detail::load_be16;
using detail::load_be32;
using detail::store_be;
using detail::store_be16;
using detail::store_be32;

Status EaxcSplit::validate() const {
  const unsigned sum = unsigned{du_port_bits} + band_sector_bits + cc_bits + ru_port_bits;
  if (sum != 16) {
    return Error{"EaxcSplit: du_port_bits + band_sector_bits + cc_bits + ru_port_bits = " +
                 std::to_string(sum) + " (" + std::to_string(du_port_bits) + "+" +
                 std::to_string(band_sector_bits) + "+" + std::to_string(cc_bits) + "+" +
                 std::to_string(ru_port_bits) + "), must be 16"};
  }
  return Status::ok();
}

namespace {

bool fits(std::uint16_t value, unsigned bits) noexcept {
  return bits >= 16 || value < (1u << bits);
}

std::uint16_t field(std::uint16_t id, unsigned shift, unsigned bits) noexcept {
  if (bits == 0 || shift >= 16) return 0;
  const unsigned mask = bits >= 16 ? 0xFFFFu : ((1u << bits) - 1u);
  return static_cast<std::uint16_t>((id >> shift) & mask);
}

}  // namespace

Expected<std::uint16_t> encode_eaxc(const Eaxc& eaxc, const EaxcSplit& split) {
  if (Status s = split.validate(); !s) return s.error();
  struct Field {
    const char* name;
    std::uint16_t value;
    unsigned bits;
  };
  const Field fields[] = {{"du_port", eaxc.du_port, split.du_port_bits},
                          {"band_sector", eaxc.band_sector, split.band_sector_bits},
                          {"cc", eaxc.cc, split.cc_bits},
                          {"ru_port", eaxc.ru_port, split.ru_port_bits}};
  unsigned id = 0;
  for (const Field& f : fields) {
    if (!fits(f.value, f.bits)) {
      return Error{std::string("Eaxc.") + f.name + " = " + std::to_string(f.value) +
                   " does not fit its " + std::to_string(f.bits) + " bits (0.." +
                   std::to_string((1u << f.bits) - 1u) + ")"};
    }
    id = (f.bits >= 16 ? 0u : (id << f.bits)) | f.value;
  }
  return static_cast<std::uint16_t>(id);
}

Eaxc decode_eaxc(std::uint16_t eaxc_id, const EaxcSplit& split) noexcept {
  const unsigned ru_shift = 0;
  const unsigned cc_shift = ru_shift + split.ru_port_bits;
  const unsigned bs_shift = cc_shift + split.cc_bits;
  const unsigned du_shift = bs_shift + split.band_sector_bits;
  return Eaxc{field(eaxc_id, du_shift, split.du_port_bits),
              field(eaxc_id, bs_shift, split.band_sector_bits),
              field(eaxc_id, cc_shift, split.cc_bits), field(eaxc_id, ru_shift, split.ru_port_bits)};
}

CodecError parse_ecpri_message(std::span<const std::uint8_t> bytes, EcpriMessage& out,
                               std::size_t& consumed) noexcept {
  out = EcpriMessage{};
  consumed = 0;
  if (bytes.size() < kEcpriCommonHeaderSize) return CodecError::truncated_ecpri;
  const std::uint8_t* p = bytes.data();
  out.header.revision = static_cast<std::uint8_t>(p[0] >> 4);
  out.header.reserved = static_cast<std::uint8_t>((p[0] >> 1) & 0x07u);
  out.header.concatenated = (p[0] & 0x01u) != 0;
  out.header.message_type = p[1];
  out.header.payload_size = load_be16(p + 2);
  if (out.header.revision != kEcpriRevision) return CodecError::bad_ecpri_revision;
  const std::size_t payload_size = out.header.payload_size;
  if (bytes.size() - kEcpriCommonHeaderSize < payload_size) return CodecError::ecpri_length_mismatch;
  const std::span<const std::uint8_t> payload = bytes.subspan(kEcpriCommonHeaderSize, payload_size);
  consumed = kEcpriCommonHeaderSize + payload_size;
  switch (out.type()) {
    case EcpriMessageType::iq_data:
    case EcpriMessageType::real_time_control: {
      if (payload_size < kEcpriTransportHeaderSize - kEcpriCommonHeaderSize) {
        return CodecError::ecpri_length_mismatch;
      }
      out.transport.eaxc_id = load_be16(payload.data());
      out.transport.seq_id = payload[2];
      out.transport.e_bit = (payload[3] & 0x80u) != 0;
      out.transport.subseq_id = static_cast<std::uint8_t>(payload[3] & 0x7Fu);
      out.transport.concatenated = out.header.concatenated;
      out.payload = payload.subspan(kEcpriTransportHeaderSize - kEcpriCommonHeaderSize);
      return CodecError::ok;
    }
    case EcpriMessageType::delay_measurement: {
      if (payload_size < kEcpriDelayMeasurementSize) return CodecError::ecpri_length_mismatch;
      const std::uint8_t* d = payload.data();
      out.delay.measurement_id = d[0];
      out.delay.action_type = d[1];
      out.delay.timestamp_seconds = load_be(d + 2, 6);
      out.delay.timestamp_nanoseconds = load_be32(d + 8);
      out.delay.compensation = static_cast<std::int64_t>(load_be(d + 12, 8));
      out.payload = payload;
      return CodecError::ok;
    }
    default:
      out.status = CodecError::unknown_message_type;
      out.payload = payload;
      return CodecError::ok;
  }
}

CodecError parse_ecpri_pdu(std::span<const std::uint8_t> pdu, EcpriPdu& out) noexcept {
  out.count = 0;
  std::size_t offset = 0;
  for (;;) {
    if (out.count == kMaxEcpriMessages) return CodecError::too_many_messages;
    std::size_t consumed = 0;
    EcpriMessage& message = out.messages[out.count];
    const CodecError error = parse_ecpri_message(pdu.subspan(offset), message, consumed);
    if (error != CodecError::ok) return error;
    ++out.count;
    if (!message.header.concatenated) return CodecError::ok;
    offset = ecpri_align(offset + consumed);
    // C = 1 promises another message: it must at least have a common header.
    if (offset > pdu.size() || pdu.size() - offset < kEcpriCommonHeaderSize) {
      return CodecError::truncated_ecpri;
    }
  }
}

BuildResult write_ecpri_common_header(std::span<std::uint8_t> out,
                                      const EcpriCommonHeader& header) noexcept {
  if (out.size() < kEcpriCommonHeaderSize) return {CodecError::buffer_too_small, 0};
  if (header.revision > 15 || header.reserved > 7) return {CodecError::field_out_of_range, 0};
  out[0] = static_cast<std::uint8_t>((header.revision << 4) | (header.reserved << 1) |
                                     (header.concatenated ? 1 : 0));
  out[1] = header.message_type;
  store_be16(out.data() + 2, header.payload_size);
  return {CodecError::ok, kEcpriCommonHeaderSize};
}

BuildResult write_ecpri_transport_header(std::span<std::uint8_t> out, EcpriMessageType type,
                                         const EcpriTransport& transport,
                                         std::size_t oran_size) noexcept {
  if (out.size() < kEcpriTransportHeaderSize || out.size() - kEcpriTransportHeaderSize < oran_size) {
    return {CodecError::buffer_too_small, 0};
  }
  const std::size_t payload_size = kEcpriTransportHeaderSize - kEcpriCommonHeaderSize + oran_size;
  if (payload_size > 0xFFFF || transport.subseq_id > 0x7F) return {CodecError::field_out_of_range, 0};
  EcpriCommonHeader header;
  header.concatenated = transport.concatenated;
  header.message_type = static_cast<std::uint8_t>(type);
  header.payload_size = static_cast<std::uint16_t>(payload_size);
  (void)write_ecpri_common_header(out, header);
  store_be16(out.data() + 4, transport.eaxc_id);
  out[6] = transport.seq_id;
  out[7] = static_cast<std::uint8_t>((transport.e_bit ? 0x80u : 0u) | transport.subseq_id);
  return {CodecError::ok, kEcpriTransportHeaderSize + oran_size};
}

BuildResult build_ecpri_delay_measurement(std::span<std::uint8_t> out,
                                          const EcpriDelayMeasurement& delay,
                                          bool concatenated) noexcept {
  constexpr std::size_t size = kEcpriCommonHeaderSize + kEcpriDelayMeasurementSize;
  if (out.size() < size) return {CodecError::buffer_too_small, 0};
  if (delay.timestamp_seconds >> 48) return {CodecError::field_out_of_range, 0};
  EcpriCommonHeader header;
  header.concatenated = concatenated;
  header.message_type = static_cast<std::uint8_t>(EcpriMessageType::delay_measurement);
  header.payload_size = kEcpriDelayMeasurementSize;
  (void)write_ecpri_common_header(out, header);
  std::uint8_t* d = out.data() + kEcpriCommonHeaderSize;
  d[0] = delay.measurement_id;
  d[1] = delay.action_type;
  store_be(d + 2, delay.timestamp_seconds, 6);
  store_be32(d + 8, delay.timestamp_nanoseconds);
  store_be(d + 12, static_cast<std::uint64_t>(delay.compensation), 8);
  return {CodecError::ok, size};
}

}  // namespace airan::io

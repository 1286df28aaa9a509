#include "airan/io/oran/uplane.hpp"

#include <cstring>

#include "byte_io.hpp"

namespace airan::io {

using detail::load_be16;
using detail::load_be24;
using detail::store_be16;
using detail::store_be24;

UdCompHdr decode_ud_comp_hdr(std::uint8_t raw) noexcept {
  const int width = raw >> 4;
  return UdCompHdr{raw, width == 0 ? 16 : width, static_cast<CompressionMethod>(raw & 0x0Fu)};
}

UdCompHdr make_ud_comp_hdr(int iq_width, CompressionMethod method) noexcept {
  const unsigned field = iq_width == 16 ? 0u : static_cast<unsigned>(iq_width) & 0x0Fu;
  UdCompHdr comp = decode_ud_comp_hdr(
      static_cast<std::uint8_t>((field << 4) | (static_cast<unsigned>(method) & 0x0Fu)));
  if (iq_width < 1 || iq_width > 16) comp.iq_width = iq_width;  // kept invalid: rejected later
  return comp;
}

std::size_t compressed_prb_bytes(const UdCompHdr& comp) noexcept {
  if (comp.iq_width < 1 || comp.iq_width > 16) return 0;
  const std::size_t iq = 3u * static_cast<unsigned>(comp.iq_width);  // 24 values, whole bytes
  switch (comp.method) {
    case CompressionMethod::none: return iq;
    case CompressionMethod::block_floating_point:
    case CompressionMethod::block_scaling:
    case CompressionMethod::mu_law: return 1 + iq;
  }
  return 0;
}

namespace detail {

void read_timing(const std::uint8_t* p, RadioTiming& timing) noexcept {
  timing.direction = (p[0] & 0x80u) != 0 ? DataDirection::downlink : DataDirection::uplink;
  timing.payload_version = static_cast<std::uint8_t>((p[0] >> 4) & 0x07u);
  timing.filter_index = static_cast<std::uint8_t>(p[0] & 0x0Fu);
  timing.frame_id = p[1];
  const std::uint16_t v = load_be16(p + 2);
  timing.subframe_id = static_cast<std::uint8_t>(v >> 12);
  timing.slot_id = static_cast<std::uint8_t>((v >> 6) & 0x3Fu);
  timing.symbol_id = static_cast<std::uint8_t>(v & 0x3Fu);
}

CodecError write_timing(std::uint8_t* p, const RadioTiming& timing) noexcept {
  if (timing.payload_version > 7 || timing.filter_index > 15 || timing.subframe_id > 15 ||
      timing.slot_id > 63 || timing.symbol_id > 63) {
    return CodecError::field_out_of_range;
  }
  p[0] = static_cast<std::uint8_t>((timing.direction == DataDirection::downlink ? 0x80u : 0u) |
                                   (timing.payload_version << 4) | timing.filter_index);
  p[1] = timing.frame_id;
  store_be16(p + 2, static_cast<std::uint16_t>((timing.subframe_id << 12) |
                                               (timing.slot_id << 6) | timing.symbol_id));
  return CodecError::ok;
}

CodecError resolve_num_prb(std::uint16_t start_prb, std::uint8_t num_prb_field,
                           std::uint16_t carrier_prbs, std::uint16_t& num_prb) noexcept {
  if (num_prb_field == 0) {
    if (carrier_prbs == 0 || start_prb >= carrier_prbs) return CodecError::bad_num_prb;
    num_prb = static_cast<std::uint16_t>(carrier_prbs - start_prb);
    return CodecError::ok;
  }
  num_prb = num_prb_field;
  if (carrier_prbs != 0 && std::uint32_t{start_prb} + num_prb > carrier_prbs) {
    return CodecError::bad_num_prb;
  }
  return CodecError::ok;
}

CodecError encode_num_prb(std::uint16_t start_prb, std::uint16_t num_prb,
                          std::uint16_t carrier_prbs, std::uint8_t& field) noexcept {
  if (start_prb > kMaxStartPrb || num_prb == 0) return CodecError::field_out_of_range;
  if (carrier_prbs != 0 && std::uint32_t{start_prb} + num_prb > carrier_prbs) {
    return CodecError::field_out_of_range;
  }
  if (num_prb <= 255) {
    field = static_cast<std::uint8_t>(num_prb);
    return CodecError::ok;
  }
  if (carrier_prbs != 0 && std::uint32_t{start_prb} + num_prb == carrier_prbs) {
    field = 0;  // "all PRBs": the only way to say more than 255
    return CodecError::ok;
  }
  return CodecError::field_out_of_range;
}

}  // namespace detail

CodecError parse_uplane(std::span<const std::uint8_t> oran_payload, const UplaneConfig& config,
                        UplaneMessage& out) noexcept {
  out.num_sections = 0;
  if (oran_payload.size() < kUplaneHeaderSize) return CodecError::truncated_header;
  detail::read_timing(oran_payload.data(), out.timing);
  if (out.timing.payload_version != kOranPayloadVersion) return CodecError::bad_payload_version;
  const UplaneCompressionConfig& comp_config = config.compression(out.timing.direction);
  const std::size_t section_header_size = kUplaneSectionHeaderSize + (comp_config.dynamic ? 2 : 0);

  std::size_t offset = kUplaneHeaderSize;
  const std::size_t size = oran_payload.size();
  while (offset < size) {
    if (out.num_sections == kMaxUplaneSections) return CodecError::section_overflow;
    if (size - offset < section_header_size) return CodecError::truncated_section;
    const std::uint8_t* p = oran_payload.data() + offset;
    UplaneSection& section = out.sections[out.num_sections];
    const std::uint32_t word = load_be24(p);
    section.section_id = static_cast<std::uint16_t>(word >> 12);
    section.rb = (word & 0x800u) != 0;
    section.sym_inc = (word & 0x400u) != 0;
    section.start_prb = static_cast<std::uint16_t>(word & 0x3FFu);
    if (const CodecError e =
            detail::resolve_num_prb(section.start_prb, p[3], config.carrier_prbs, section.num_prb);
        e != CodecError::ok) {
      return e;
    }
    section.comp_hdr_present = comp_config.dynamic;
    section.comp = comp_config.dynamic ? decode_ud_comp_hdr(p[4]) : comp_config.static_comp;
    const std::size_t prb_bytes = compressed_prb_bytes(section.comp);
    if (prb_bytes == 0) return CodecError::bad_compression;
    offset += section_header_size;
    const std::size_t payload_bytes = std::size_t{section.num_prb} * prb_bytes;
    if (size - offset < payload_bytes) return CodecError::truncated_section;
    section.payload = oran_payload.subspan(offset, payload_bytes);
    offset += payload_bytes;
    ++out.num_sections;
  }
  return CodecError::ok;
}

CodecError parse_uplane(const EcpriMessage& message, const UplaneConfig& config,
                        UplaneMessage& out) noexcept {
  out.num_sections = 0;
  if (message.type() != EcpriMessageType::iq_data) return CodecError::unknown_message_type;
  return parse_uplane(message.payload, config, out);
}

namespace {

// Checks a message for building; returns the O-RAN size (without the eCPRI header) or 0 and
// the error.
std::size_t uplane_oran_size(const UplaneMessage& message, const UplaneConfig& config,
                             CodecError& error) noexcept {
  error = CodecError::ok;
  if (message.num_sections > kMaxUplaneSections) {
    error = CodecError::section_overflow;
    return 0;
  }
  const UplaneCompressionConfig& comp_config = config.compression(message.timing.direction);
  std::size_t size = kUplaneHeaderSize;
  for (const UplaneSection& section : message.view()) {
    std::uint8_t field = 0;
    if (section.section_id > 0x0FFF) error = CodecError::field_out_of_range;
    if (error == CodecError::ok) {
      error = detail::encode_num_prb(section.start_prb, section.num_prb, config.carrier_prbs, field);
    }
    const UdCompHdr comp = comp_config.dynamic ? section.comp : comp_config.static_comp;
    if (error == CodecError::ok && !comp_config.dynamic && (section.comp.iq_width != comp.iq_width || section.comp.method != comp.method)) {
      error = CodecError::bad_compression;
    }
    const std::size_t prb_bytes = compressed_prb_bytes(comp);
    if (error == CodecError::ok && prb_bytes == 0) error = CodecError::bad_compression;
    if (error == CodecError::ok && section.payload.size() != prb_bytes * section.num_prb) {
      error = CodecError::payload_size_mismatch;
    }
    if (error != CodecError::ok) return 0;
    size += kUplaneSectionHeaderSize + (comp_config.dynamic ? 2 : 0) + section.payload.size();
  }
  return size;
}

}  // namespace

std::size_t uplane_message_size(const UplaneMessage& message, const UplaneConfig& config) noexcept {
  CodecError error = CodecError::ok;
  const std::size_t size = uplane_oran_size(message, config, error);
  return error == CodecError::ok ? kEcpriTransportHeaderSize + size : 0;
}

BuildResult build_uplane_message(std::span<std::uint8_t> out, const EcpriTransport& transport,
                                 const UplaneMessage& message, const UplaneConfig& config) noexcept {
  CodecError error = CodecError::ok;
  const std::size_t oran_size = uplane_oran_size(message, config, error);
  if (error != CodecError::ok) return {error, 0};
  if (out.size() < kEcpriTransportHeaderSize || out.size() - kEcpriTransportHeaderSize < oran_size) {
    return {CodecError::buffer_too_small, 0};
  }
  std::uint8_t* p = out.data() + kEcpriTransportHeaderSize;
  if (const CodecError e = detail::write_timing(p, message.timing); e != CodecError::ok) return {e, 0};
  const bool dynamic = config.compression(message.timing.direction).dynamic;
  std::size_t offset = kUplaneHeaderSize;
  for (const UplaneSection& section : message.view()) {
    std::uint8_t field = 0;
    (void)detail::encode_num_prb(section.start_prb, section.num_prb, config.carrier_prbs, field);
    store_be24(p + offset, (std::uint32_t{section.section_id} << 12) | (section.rb ? 0x800u : 0u) |
                               (section.sym_inc ? 0x400u : 0u) | section.start_prb);
    p[offset + 3] = field;
    offset += kUplaneSectionHeaderSize;
    if (dynamic) {
      p[offset] = make_ud_comp_hdr(section.comp.iq_width, section.comp.method).raw;
      p[offset + 1] = 0;  // reserved
      offset += 2;
    }
    if (!section.payload.empty()) {
      std::memcpy(p + offset, section.payload.data(), section.payload.size());
    }
    offset += section.payload.size();
  }
  return write_ecpri_transport_header(out, EcpriMessageType::iq_data, transport, oran_size);
}

}  // namespace airan::io

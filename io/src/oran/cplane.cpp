#include "airan/io/oran/cplane.hpp"

#include <cstring>

#include "byte_io.hpp"

namespace airan::io {

using detail::load_be16;
using detail::load_be24;
using detail::store_be16;
using detail::store_be24;

namespace {

constexpr std::size_t kCommonHeaderSizeType1 = 8;
constexpr std::size_t kCommonHeaderSizeType3 = 12;
constexpr std::size_t kSectionSizeType1 = 8;
constexpr std::size_t kSectionSizeType3 = 12;

std::size_t common_header_size(std::uint8_t section_type) noexcept {
  switch (section_type) {
    case cplane_section_type::normal: return kCommonHeaderSizeType1;
    case cplane_section_type::prach: return kCommonHeaderSizeType3;
    default: return 0;
  }
}

std::size_t section_size(std::uint8_t section_type) noexcept {
  return section_type == cplane_section_type::prach ? kSectionSizeType3 : kSectionSizeType1;
}

// Parses the extensions of one section starting at bytes[offset]; advances offset.
CodecError parse_extensions(std::span<const std::uint8_t> bytes, std::size_t& offset,
                            CplaneSection& section) noexcept {
  bool more = true;
  while (more) {
    const std::size_t remaining = bytes.size() - offset;
    if (remaining < 2) return CodecError::truncated_extension;
    const std::uint8_t* p = bytes.data() + offset;
    more = (p[0] & 0x80u) != 0;
    const auto type = static_cast<std::uint8_t>(p[0] & 0x7Fu);
    std::size_t ext_len = p[1];
    if (extension_has_long_length(type)) {
      if (remaining < 3) return CodecError::truncated_extension;
      ext_len = load_be16(p + 1);
    }
    if (ext_len == 0) return CodecError::bad_extension_length;
    const std::size_t length = ext_len * 4;
    if (length > remaining) return CodecError::truncated_extension;
    if (extension_is_known(type)) {
      if (section.num_extensions == kMaxSectionExtensions) return CodecError::extension_overflow;
      section.extensions[section.num_extensions++] = SectionExtension{type, bytes.subspan(offset, length)};
    } else {
      ++section.num_skipped_extensions;
    }
    offset += length;
  }
  return CodecError::ok;
}

}  // namespace

CodecError parse_cplane(std::span<const std::uint8_t> oran_payload, const CplaneConfig& config,
                        CplaneMessage& out) noexcept {
  out.num_sections = 0;
  constexpr std::size_t kFixed = 6;  // timing, numberOfSections, sectionType
  if (oran_payload.size() < kFixed) return CodecError::truncated_header;
  const std::uint8_t* h = oran_payload.data();
  detail::read_timing(h, out.timing);
  if (out.timing.payload_version != kOranPayloadVersion) return CodecError::bad_payload_version;
  const std::uint8_t num_sections = h[4];
  out.section_type = h[5];
  const std::size_t header_size = common_header_size(out.section_type);
  if (header_size == 0) return CodecError::unsupported_section_type;
  if (oran_payload.size() < header_size) return CodecError::truncated_header;
  if (out.section_type == cplane_section_type::normal) {
    out.comp = decode_ud_comp_hdr(h[6]);
    out.time_offset = 0;
    out.frame_structure = 0;
    out.cp_length = 0;
  } else {
    out.time_offset = load_be16(h + 6);
    out.frame_structure = h[8];
    out.cp_length = load_be16(h + 9);
    out.comp = decode_ud_comp_hdr(h[11]);
  }
  if (num_sections > kMaxCplaneSections) return CodecError::section_overflow;

  const std::size_t fixed_section_size = section_size(out.section_type);
  std::size_t offset = header_size;
  for (std::size_t i = 0; i < num_sections; ++i) {
    if (oran_payload.size() - offset < fixed_section_size) return CodecError::truncated_section;
    const std::uint8_t* p = oran_payload.data() + offset;
    CplaneSection& section = out.sections[i];
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
    const std::uint16_t mask_symbols = load_be16(p + 4);
    section.re_mask = static_cast<std::uint16_t>(mask_symbols >> 4);
    section.num_symbol = static_cast<std::uint8_t>(mask_symbols & 0x0Fu);
    const std::uint16_t ef_beam = load_be16(p + 6);
    section.ef = (ef_beam & 0x8000u) != 0;
    section.beam_id = static_cast<std::uint16_t>(ef_beam & 0x7FFFu);
    section.frequency_offset = 0;
    if (out.section_type == cplane_section_type::prach) {
      const std::uint32_t raw = load_be24(p + 8);
      // Sign-extend the 24-bit two's complement value.
      section.frequency_offset = static_cast<std::int32_t>(raw ^ 0x800000u) - 0x800000;
    }
    section.num_extensions = 0;
    section.num_skipped_extensions = 0;
    offset += fixed_section_size;
    if (section.ef) {
      if (const CodecError e = parse_extensions(oran_payload, offset, section); e != CodecError::ok) {
        return e;
      }
    }
    out.num_sections = i + 1;
  }
  if (offset != oran_payload.size()) return CodecError::trailing_bytes;
  return CodecError::ok;
}

CodecError parse_cplane(const EcpriMessage& message, const CplaneConfig& config,
                        CplaneMessage& out) noexcept {
  out.num_sections = 0;
  if (message.type() != EcpriMessageType::real_time_control) return CodecError::unknown_message_type;
  return parse_cplane(message.payload, config, out);
}

namespace {

// Checks an extension given for building: type and length agree with its bytes.
bool extension_consistent(const SectionExtension& ext) noexcept {
  const std::size_t size = ext.bytes.size();
  const bool long_length = extension_has_long_length(ext.type);
  if (ext.type > 0x7F || size < 4 || size % 4 != 0) return false;
  if ((ext.bytes[0] & 0x7Fu) != ext.type) return false;
  const std::size_t ext_len = long_length ? load_be16(ext.bytes.data() + 1) : ext.bytes[1];
  return ext_len * 4 == size;
}

std::size_t cplane_oran_size(const CplaneMessage& message, const CplaneConfig* config,
                             CodecError& error) noexcept {
  error = CodecError::ok;
  const std::size_t header_size = common_header_size(message.section_type);
  if (header_size == 0) {
    error = CodecError::unsupported_section_type;
    return 0;
  }
  if (message.num_sections > kMaxCplaneSections) {
    error = CodecError::section_overflow;
    return 0;
  }
  std::size_t size = header_size;
  for (const CplaneSection& section : message.view()) {
    std::uint8_t field = 0;
    if (section.section_id > 0x0FFF || section.re_mask > 0x0FFF || section.num_symbol > 15 ||
        section.beam_id > 0x7FFF || section.frequency_offset < -(1 << 23) ||
        section.frequency_offset >= (1 << 23) || section.num_extensions > kMaxSectionExtensions) {
      error = CodecError::field_out_of_range;
      return 0;
    }
    error = detail::encode_num_prb(section.start_prb, section.num_prb,
                                   config != nullptr ? config->carrier_prbs : 0, field);
    if (config == nullptr && error != CodecError::ok && section.num_prb > 255 &&
        section.start_prb <= kMaxStartPrb) {
      error = CodecError::ok;  // size only: the carrier decides at build time
    }
    if (error != CodecError::ok) return 0;
    size += section_size(message.section_type);
    for (const SectionExtension& ext : section.extension_view()) {
      if (!extension_consistent(ext)) {
        error = CodecError::field_out_of_range;
        return 0;
      }
      size += ext.bytes.size();
    }
  }
  return size;
}

}  // namespace

std::size_t cplane_message_size(const CplaneMessage& message) noexcept {
  CodecError error = CodecError::ok;
  const std::size_t size = cplane_oran_size(message, nullptr, error);
  return error == CodecError::ok ? kEcpriTransportHeaderSize + size : 0;
}

BuildResult build_cplane_message(std::span<std::uint8_t> out, const EcpriTransport& transport,
                                 const CplaneMessage& message, const CplaneConfig& config) noexcept {
  CodecError error = CodecError::ok;
  const std::size_t oran_size = cplane_oran_size(message, &config, error);
  if (error != CodecError::ok) return {error, 0};
  if (out.size() < kEcpriTransportHeaderSize || out.size() - kEcpriTransportHeaderSize < oran_size) {
    return {CodecError::buffer_too_small, 0};
  }
  std::uint8_t* p = out.data() + kEcpriTransportHeaderSize;
  if (const CodecError e = detail::write_timing(p, message.timing); e != CodecError::ok) return {e, 0};
  p[4] = static_cast<std::uint8_t>(message.num_sections);
  p[5] = message.section_type;
  const std::uint8_t comp = make_ud_comp_hdr(message.comp.iq_width, message.comp.method).raw;
  if (message.section_type == cplane_section_type::normal) {
    p[6] = comp;
    p[7] = 0;
  } else {
    store_be16(p + 6, message.time_offset);
    p[8] = message.frame_structure;
    store_be16(p + 9, message.cp_length);
    p[11] = comp;
  }
  std::size_t offset = common_header_size(message.section_type);
  for (const CplaneSection& section : message.view()) {
    std::uint8_t field = 0;
    (void)detail::encode_num_prb(section.start_prb, section.num_prb, config.carrier_prbs, field);
    std::uint8_t* s = p + offset;
    store_be24(s, (std::uint32_t{section.section_id} << 12) | (section.rb ? 0x800u : 0u) |
                      (section.sym_inc ? 0x400u : 0u) | section.start_prb);
    s[3] = field;
    store_be16(s + 4, static_cast<std::uint16_t>((section.re_mask << 4) | section.num_symbol));
    const bool ef = section.num_extensions > 0;
    store_be16(s + 6, static_cast<std::uint16_t>((ef ? 0x8000u : 0u) | section.beam_id));
    if (message.section_type == cplane_section_type::prach) {
      store_be24(s + 8, static_cast<std::uint32_t>(section.frequency_offset) & 0xFFFFFFu);
      s[11] = 0;
    }
    offset += section_size(message.section_type);
    for (std::size_t e = 0; e < section.num_extensions; ++e) {
      const SectionExtension& ext = section.extensions[e];
      std::memcpy(p + offset, ext.bytes.data(), ext.bytes.size());
      const bool more = e + 1 < section.num_extensions;
      p[offset] = static_cast<std::uint8_t>((more ? 0x80u : 0u) | ext.type);
      offset += ext.bytes.size();
    }
  }
  return write_ecpri_transport_header(out, EcpriMessageType::real_time_control, transport, oran_size);
}

}  // namespace airan::io

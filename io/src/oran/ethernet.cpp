#include "airan/io/oran/ethernet.hpp"

#include <cstring>
#include <string>

#include "byte_io.hpp"

namespace airan::io {

using detail::load_be16;
using detail::load_be32;
using detail::store_be16;
using detail::store_be32;

std::string_view to_string(CodecError error) noexcept {
  switch (error) {
    case CodecError::ok: return "ok";
    case CodecError::truncated_ethernet: return "truncated_ethernet";
    case CodecError::not_ecpri: return "not_ecpri";
    case CodecError::truncated_ipv4: return "truncated_ipv4";
    case CodecError::bad_ipv4_header: return "bad_ipv4_header";
    case CodecError::bad_ipv4_checksum: return "bad_ipv4_checksum";
    case CodecError::ipv4_fragmented: return "ipv4_fragmented";
    case CodecError::not_udp: return "not_udp";
    case CodecError::wrong_udp_port: return "wrong_udp_port";
    case CodecError::bad_udp_length: return "bad_udp_length";
    case CodecError::bad_udp_checksum: return "bad_udp_checksum";
    case CodecError::truncated_ecpri: return "truncated_ecpri";
    case CodecError::bad_ecpri_revision: return "bad_ecpri_revision";
    case CodecError::ecpri_length_mismatch: return "ecpri_length_mismatch";
    case CodecError::unknown_message_type: return "unknown_message_type";
    case CodecError::too_many_messages: return "too_many_messages";
    case CodecError::truncated_header: return "truncated_header";
    case CodecError::bad_payload_version: return "bad_payload_version";
    case CodecError::truncated_section: return "truncated_section";
    case CodecError::section_overflow: return "section_overflow";
    case CodecError::bad_num_prb: return "bad_num_prb";
    case CodecError::bad_compression: return "bad_compression";
    case CodecError::unsupported_section_type: return "unsupported_section_type";
    case CodecError::bad_extension_length: return "bad_extension_length";
    case CodecError::truncated_extension: return "truncated_extension";
    case CodecError::extension_overflow: return "extension_overflow";
    case CodecError::trailing_bytes: return "trailing_bytes";
    case CodecError::buffer_too_small: return "buffer_too_small";
    case CodecError::field_out_of_range: return "field_out_of_range";
    case CodecError::payload_size_mismatch: return "payload_size_mismatch";
    case CodecError::count_: break;
  }
  return "unknown";
}

Status to_status(CodecError error, std::string_view context) {
  if (error == CodecError::ok) return Status::ok();
  std::string message(context);
  message += ": ";
  message += to_string(error);
  return Error{std::move(message)};
}

std::uint64_t CodecCounters::errors() const noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 1; i < kCodecErrorCount; ++i) sum += by_code[i];
  return sum;
}

CodecCounters& CodecCounters::operator+=(const CodecCounters& other) noexcept {
  for (std::size_t i = 0; i < kCodecErrorCount; ++i) by_code[i] += other.by_code[i];
  return *this;
}

std::uint32_t internet_checksum_add(std::span<const std::uint8_t> bytes,
                                    std::uint32_t initial) noexcept {
  std::uint64_t sum = initial;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += load_be16(bytes.data() + i);
  if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
  while (sum >> 32) sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
  return static_cast<std::uint32_t>(sum);
}

std::uint16_t internet_checksum_finish(std::uint32_t sum) noexcept {
  while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFFu);
}

namespace {

// One's complement sum of the UDP pseudo-header.
std::uint32_t udp_pseudo_header_sum(std::uint32_t source, std::uint32_t destination,
                                    std::uint16_t udp_length) noexcept {
  std::uint32_t sum = 0;
  sum += source >> 16;
  sum += source & 0xFFFFu;
  sum += destination >> 16;
  sum += destination & 0xFFFFu;
  sum += kIpProtocolUdp;
  sum += udp_length;
  return sum;
}

CodecError parse_ipv4_udp(std::span<const std::uint8_t> packet, std::size_t base,
                          const FrameParseConfig& config, ParsedFrame& out) noexcept {
  if (packet.size() < kIpv4HeaderSize) return CodecError::truncated_ipv4;
  const std::uint8_t* ip = packet.data();
  const unsigned version = ip[0] >> 4;
  const std::size_t header_size = std::size_t{ip[0] & 0x0Fu} * 4;
  const std::size_t total_length = load_be16(ip + 2);
  if (version != 4 || header_size < kIpv4HeaderSize || total_length < header_size) {
    return CodecError::bad_ipv4_header;
  }
  if (packet.size() < header_size || packet.size() < total_length) return CodecError::truncated_ipv4;
  if (config.verify_ipv4_checksum &&
      internet_checksum_finish(internet_checksum_add(packet.first(header_size))) != 0) {
    return CodecError::bad_ipv4_checksum;
  }
  const std::uint16_t flags_fragment = load_be16(ip + 6);
  if ((flags_fragment & 0x2000u) != 0 || (flags_fragment & 0x1FFFu) != 0) {
    return CodecError::ipv4_fragmented;
  }
  if (ip[9] != kIpProtocolUdp) return CodecError::not_udp;
  const std::span<const std::uint8_t> ip_payload = packet.subspan(header_size, total_length - header_size);
  if (ip_payload.size() < kUdpHeaderSize) return CodecError::bad_udp_length;
  const std::uint8_t* udp = ip_payload.data();
  const std::uint16_t udp_length = load_be16(udp + 4);
  if (udp_length < kUdpHeaderSize || udp_length > ip_payload.size()) return CodecError::bad_udp_length;
  out.ipv4_source = load_be32(ip + 12);
  out.ipv4_destination = load_be32(ip + 16);
  out.udp_source_port = load_be16(udp);
  out.udp_destination_port = load_be16(udp + 2);
  if (config.udp_port != 0 && out.udp_destination_port != config.udp_port) {
    return CodecError::wrong_udp_port;
  }
  if (config.verify_udp_checksum && load_be16(udp + 6) != 0) {
    const std::uint32_t sum = internet_checksum_add(
        ip_payload.first(udp_length),
        udp_pseudo_header_sum(out.ipv4_source, out.ipv4_destination, udp_length));
    if (internet_checksum_finish(sum) != 0) return CodecError::bad_udp_checksum;
  }
  out.transport = FrameTransport::udp_ipv4;
  out.ecpri_offset = base + header_size + kUdpHeaderSize;
  out.ecpri = ip_payload.subspan(kUdpHeaderSize, udp_length - kUdpHeaderSize);
  return CodecError::ok;
}

}  // namespace

CodecError parse_frame(std::span<const std::uint8_t> frame, const FrameParseConfig& config,
                       ParsedFrame& out) noexcept {
  out = ParsedFrame{};
  if (frame.size() < kEthernetHeaderSize) return CodecError::truncated_ethernet;
  std::memcpy(out.destination.data(), frame.data(), 6);
  std::memcpy(out.source.data(), frame.data() + 6, 6);
  std::size_t offset = 12;
  std::uint16_t ethertype = load_be16(frame.data() + offset);
  offset += 2;
  if (ethertype == kEthertypeVlan) {
    if (frame.size() < kEthernetHeaderSize + kVlanTagSize) return CodecError::truncated_ethernet;
    const std::uint16_t tci = load_be16(frame.data() + offset);
    out.vlan = VlanTag{static_cast<std::uint8_t>(tci >> 13), (tci & 0x1000u) != 0,
                       static_cast<std::uint16_t>(tci & 0x0FFFu)};
    ethertype = load_be16(frame.data() + offset + 2);
    offset += kVlanTagSize;
  }
  if (ethertype == kEthertypeEcpri) {
    out.transport = FrameTransport::ethernet;
    out.ecpri_offset = offset;
    out.ecpri = frame.subspan(offset);
    return CodecError::ok;
  }
  if (ethertype == kEthertypeIpv4 && config.accept_udp) {
    return parse_ipv4_udp(frame.subspan(offset), offset, config, out);
  }
  return CodecError::not_ecpri;
}

std::size_t frame_header_size(const FrameBuildConfig& config) noexcept {
  std::size_t size = kEthernetHeaderSize + (config.vlan ? kVlanTagSize : 0);
  if (config.transport == FrameTransport::udp_ipv4) size += kIpv4HeaderSize + kUdpHeaderSize;
  return size;
}

BuildResult write_frame_headers(std::span<std::uint8_t> buffer, const FrameBuildConfig& config,
                                std::size_t ecpri_size) noexcept {
  const std::size_t header_size = frame_header_size(config);
  if (buffer.size() < header_size || buffer.size() - header_size < ecpri_size) {
    return {CodecError::buffer_too_small, 0};
  }
  if (config.vlan && (config.vlan->pcp > 7 || config.vlan->vid > 0x0FFF)) {
    return {CodecError::field_out_of_range, 0};
  }
  const bool udp = config.transport == FrameTransport::udp_ipv4;
  if (udp && (ecpri_size > 0xFFFF - kIpv4HeaderSize - kUdpHeaderSize || config.ipv4_dscp > 63)) {
    return {CodecError::field_out_of_range, 0};
  }
  std::uint8_t* p = buffer.data();
  std::memcpy(p, config.destination.data(), 6);
  std::memcpy(p + 6, config.source.data(), 6);
  std::size_t offset = 12;
  if (config.vlan) {
    store_be16(p + offset, kEthertypeVlan);
    const auto tci = static_cast<std::uint16_t>((config.vlan->pcp << 13) |
                                                (config.vlan->dei ? 0x1000u : 0u) | config.vlan->vid);
    store_be16(p + offset + 2, tci);
    offset += kVlanTagSize;
  }
  store_be16(p + offset, udp ? kEthertypeIpv4 : kEthertypeEcpri);
  offset += 2;
  if (udp) {
    std::uint8_t* ip = p + offset;
    const auto udp_length = static_cast<std::uint16_t>(kUdpHeaderSize + ecpri_size);
    const auto total_length = static_cast<std::uint16_t>(kIpv4HeaderSize + udp_length);
    ip[0] = 0x45;  // version 4, IHL 5
    ip[1] = static_cast<std::uint8_t>(config.ipv4_dscp << 2);
    store_be16(ip + 2, total_length);
    store_be16(ip + 4, config.ipv4_identification);
    store_be16(ip + 6, 0x4000);  // DF, offset 0
    ip[8] = config.ipv4_ttl;
    ip[9] = kIpProtocolUdp;
    store_be16(ip + 10, 0);
    store_be32(ip + 12, config.ipv4_source);
    store_be32(ip + 16, config.ipv4_destination);
    store_be16(ip + 10, internet_checksum_finish(
                            internet_checksum_add(std::span<const std::uint8_t>(ip, kIpv4HeaderSize))));
    std::uint8_t* udph = ip + kIpv4HeaderSize;
    store_be16(udph, config.udp_source_port);
    store_be16(udph + 2, config.udp_destination_port);
    store_be16(udph + 4, udp_length);
    store_be16(udph + 6, 0);
    if (config.udp_checksum) {
      const std::uint32_t sum = internet_checksum_add(
          std::span<const std::uint8_t>(udph, udp_length),
          udp_pseudo_header_sum(config.ipv4_source, config.ipv4_destination, udp_length));
      std::uint16_t checksum = internet_checksum_finish(sum);
      if (checksum == 0) checksum = 0xFFFF;  // 0 means "no checksum" (RFC 768)
      store_be16(udph + 6, checksum);
    }
  }
  std::size_t frame_size = header_size + ecpri_size;
  if (config.pad_to_minimum && frame_size < kEthernetMinFrameSize) {
    if (buffer.size() < kEthernetMinFrameSize) return {CodecError::buffer_too_small, 0};
    std::memset(p + frame_size, 0, kEthernetMinFrameSize - frame_size);
    frame_size = kEthernetMinFrameSize;
  }
  return {CodecError::ok, frame_size};
}

}  // namespace airan::io

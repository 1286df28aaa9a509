// O-RAN fronthaul codec: Ethernet/VLAN/UDP framing, eCPRI, U-plane and C-plane.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "airan/io/oran/cplane.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"
#include "airan/io/oran/uplane.hpp"

namespace airan::io {

// gtest prints codes by name. (inline: other test files may print CodecError as well.)
inline void PrintTo(CodecError error, std::ostream* os) { *os << to_string(error); }

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kCarrierPrbs = 273;
constexpr std::uint16_t kUdpPort = 5000;

enum class Framing { ethernet, vlan, udp };
constexpr Framing kAllFramings[] = {Framing::ethernet, Framing::vlan, Framing::udp};
const char* name(Framing f) {
  return f == Framing::ethernet ? "ethernet" : f == Framing::vlan ? "vlan" : "udp";
}

FrameBuildConfig frame_config(Framing framing) {
  FrameBuildConfig c;
  c.destination = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  c.source = {0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB};
  if (framing == Framing::vlan) c.vlan = VlanTag{5, true, 0x123};
  if (framing == Framing::udp) {
    c.vlan = VlanTag{3, false, 7};
    c.transport = FrameTransport::udp_ipv4;
    c.ipv4_source = 0x0A000001;       // 10.0.0.1
    c.ipv4_destination = 0x0A000002;  // 10.0.0.2
    c.udp_source_port = 40000;
    c.udp_destination_port = kUdpPort;
    c.udp_checksum = true;
  }
  return c;
}

FrameParseConfig parse_config() {
  FrameParseConfig c;
  c.udp_port = kUdpPort;
  return c;
}

// Builds a frame whose eCPRI PDU `write_pdu` writes into the span it is given.
Bytes make_frame(const FrameBuildConfig& config,
                 const std::function<BuildResult(std::span<std::uint8_t>)>& write_pdu) {
  Bytes buffer(16384, 0xEE);
  const std::size_t header = frame_header_size(config);
  const BuildResult pdu = write_pdu(std::span(buffer).subspan(header));
  EXPECT_TRUE(pdu) << to_string(pdu.error);
  const BuildResult frame = write_frame_headers(buffer, config, pdu.size);
  EXPECT_TRUE(frame) << to_string(frame.error);
  buffer.resize(frame.size);
  return buffer;
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return b;
}

UplaneConfig uplane_config(bool dynamic, UdCompHdr static_comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point)) {
  UplaneConfig c;
  c.carrier_prbs = kCarrierPrbs;
  c.uplink = {dynamic, static_comp};
  c.downlink = {dynamic, static_comp};
  return c;
}

// Everything a received frame can hold, parsed all the way.
struct Received {
  ParsedFrame frame;
  EcpriPdu pdu;
  std::vector<UplaneMessage> uplane;
  std::vector<CplaneMessage> cplane;
};

CodecError receive(std::span<const std::uint8_t> bytes, const UplaneConfig& ucfg,
                   const CplaneConfig& ccfg, Received& out) {
  out.uplane.clear();
  out.cplane.clear();
  if (auto e = parse_frame(bytes, parse_config(), out.frame); e != CodecError::ok) return e;
  if (auto e = parse_ecpri_pdu(out.frame.ecpri, out.pdu); e != CodecError::ok) return e;
  for (const EcpriMessage& m : out.pdu.view()) {
    if (m.status != CodecError::ok) return m.status;
    if (m.type() == EcpriMessageType::iq_data) {
      out.uplane.emplace_back();
      if (auto e = parse_uplane(m, ucfg, out.uplane.back()); e != CodecError::ok) return e;
    } else if (m.type() == EcpriMessageType::real_time_control) {
      out.cplane.emplace_back();
      if (auto e = parse_cplane(m, ccfg, out.cplane.back()); e != CodecError::ok) return e;
    }
  }
  return CodecError::ok;
}

// A U-plane message with `n` sections of `prbs` PRBs each (payload bytes kept in `storage`).
UplaneMessage make_uplane(std::size_t n, std::uint16_t prbs, UdCompHdr comp,
                          std::vector<Bytes>& storage) {
  UplaneMessage m;
  m.timing = RadioTiming{DataDirection::uplink, 1, 0, 200, 7, 1, 13};
  m.num_sections = n;
  storage.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    UplaneSection& s = m.sections[i];
    s.section_id = static_cast<std::uint16_t>(0x100 + i);
    s.rb = i % 2 == 1;
    s.sym_inc = i % 3 == 2;
    s.start_prb = static_cast<std::uint16_t>(i * prbs);
    s.num_prb = prbs;
    s.comp = comp;
    storage[i] = pattern(prbs * compressed_prb_bytes(comp), static_cast<std::uint8_t>(i));
    s.payload = storage[i];
  }
  return m;
}

// Extension bytes: ef/extType, extLen (8 or 16 bits), body, zero-padded to extLen * 4.
Bytes make_extension(std::uint8_t type, std::size_t words, std::uint8_t fill) {
  Bytes b(words * 4, fill);
  b[0] = type;
  if (extension_has_long_length(type)) {
    b[1] = static_cast<std::uint8_t>(words >> 8);
    b[2] = static_cast<std::uint8_t>(words);
  } else {
    b[1] = static_cast<std::uint8_t>(words);
  }
  return b;
}

CplaneMessage make_cplane_type1() {
  CplaneMessage m;
  m.timing = RadioTiming{DataDirection::downlink, 1, 0, 17, 4, 1, 0};
  m.section_type = cplane_section_type::normal;
  m.comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  m.num_sections = 2;
  m.sections[0].section_id = 1;
  m.sections[0].start_prb = 0;
  m.sections[0].num_prb = 100;
  m.sections[0].re_mask = 0xFFF;
  m.sections[0].num_symbol = 14;
  m.sections[0].beam_id = 0x1234;
  m.sections[1].section_id = 2;
  m.sections[1].rb = true;
  m.sections[1].sym_inc = true;
  m.sections[1].start_prb = 100;
  m.sections[1].num_prb = 173;
  m.sections[1].re_mask = 0xAAA;
  m.sections[1].num_symbol = 2;
  m.sections[1].beam_id = 0x7FFF;
  return m;
}

CplaneMessage make_cplane_type3() {
  CplaneMessage m;
  m.timing = RadioTiming{DataDirection::uplink, 1, 1, 3, 9, 0, 0};
  m.section_type = cplane_section_type::prach;
  m.comp = make_ud_comp_hdr(16, CompressionMethod::none);
  m.time_offset = 0x1F40;
  m.frame_structure = 0xC1;  // FFT size 12 (4096), SCS 1 (30 kHz)
  m.cp_length = 0x0148;
  m.num_sections = 1;
  m.sections[0].section_id = 0xABC;
  m.sections[0].start_prb = 10;
  m.sections[0].num_prb = 12;
  m.sections[0].re_mask = 0xFFF;
  m.sections[0].num_symbol = 12;
  m.sections[0].beam_id = 0;
  m.sections[0].frequency_offset = -7968;
  return m;
}

void expect_same_uplane(const UplaneMessage& a, const UplaneMessage& b) {
  EXPECT_EQ(a.timing.direction, b.timing.direction);
  EXPECT_EQ(a.timing.payload_version, b.timing.payload_version);
  EXPECT_EQ(a.timing.filter_index, b.timing.filter_index);
  EXPECT_EQ(a.timing.frame_id, b.timing.frame_id);
  EXPECT_EQ(a.timing.subframe_id, b.timing.subframe_id);
  EXPECT_EQ(a.timing.slot_id, b.timing.slot_id);
  EXPECT_EQ(a.timing.symbol_id, b.timing.symbol_id);
  ASSERT_EQ(a.num_sections, b.num_sections);
  for (std::size_t i = 0; i < a.num_sections; ++i) {
    SCOPED_TRACE(i);
    const UplaneSection& x = a.sections[i];
    const UplaneSection& y = b.sections[i];
    EXPECT_EQ(x.section_id, y.section_id);
    EXPECT_EQ(x.rb, y.rb);
    EXPECT_EQ(x.sym_inc, y.sym_inc);
    EXPECT_EQ(x.start_prb, y.start_prb);
    EXPECT_EQ(x.num_prb, y.num_prb);
    EXPECT_EQ(x.comp.iq_width, y.comp.iq_width);
    EXPECT_EQ(x.comp.method, y.comp.method);
    EXPECT_TRUE(std::equal(x.payload.begin(), x.payload.end(), y.payload.begin(), y.payload.end()));
  }
}

void expect_same_cplane(const CplaneMessage& a, const CplaneMessage& b) {
  EXPECT_EQ(a.timing.direction, b.timing.direction);
  EXPECT_EQ(a.timing.filter_index, b.timing.filter_index);
  EXPECT_EQ(a.timing.frame_id, b.timing.frame_id);
  EXPECT_EQ(a.timing.subframe_id, b.timing.subframe_id);
  EXPECT_EQ(a.timing.slot_id, b.timing.slot_id);
  EXPECT_EQ(a.timing.symbol_id, b.timing.symbol_id);
  EXPECT_EQ(a.section_type, b.section_type);
  EXPECT_EQ(a.comp.iq_width, b.comp.iq_width);
  EXPECT_EQ(a.comp.method, b.comp.method);
  EXPECT_EQ(a.time_offset, b.time_offset);
  EXPECT_EQ(a.frame_structure, b.frame_structure);
  EXPECT_EQ(a.cp_length, b.cp_length);
  ASSERT_EQ(a.num_sections, b.num_sections);
  for (std::size_t i = 0; i < a.num_sections; ++i) {
    SCOPED_TRACE(i);
    const CplaneSection& x = a.sections[i];
    const CplaneSection& y = b.sections[i];
    EXPECT_EQ(x.section_id, y.section_id);
    EXPECT_EQ(x.rb, y.rb);
    EXPECT_EQ(x.sym_inc, y.sym_inc);
    EXPECT_EQ(x.start_prb, y.start_prb);
    EXPECT_EQ(x.num_prb, y.num_prb);
    EXPECT_EQ(x.re_mask, y.re_mask);
    EXPECT_EQ(x.num_symbol, y.num_symbol);
    EXPECT_EQ(x.beam_id, y.beam_id);
    EXPECT_EQ(x.frequency_offset, y.frequency_offset);
    ASSERT_EQ(x.num_extensions, y.num_extensions);
    for (std::size_t e = 0; e < x.num_extensions; ++e) {
      EXPECT_EQ(x.extensions[e].type, y.extensions[e].type);
      ASSERT_EQ(x.extensions[e].bytes.size(), y.extensions[e].bytes.size());
      // Bytes after the ef/extType byte are carried verbatim.
      EXPECT_TRUE(std::equal(x.extensions[e].bytes.begin() + 1, x.extensions[e].bytes.end(),
                             y.extensions[e].bytes.begin() + 1));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors and counters.

TEST(EcpriCodecErrors, NamesAreUniqueAndCountersCount) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kCodecErrorCount; ++i) {
    const auto e = static_cast<CodecError>(i);
    EXPECT_NE(to_string(e), "unknown");
    names.insert(to_string(e));
  }
  EXPECT_EQ(names.size(), kCodecErrorCount);
  EXPECT_EQ(to_string(CodecError::count_), "unknown");

  CodecCounters c;
  EXPECT_EQ(c.count(CodecError::ok), CodecError::ok);
  c.count(CodecError::ok);
  c.count(CodecError::truncated_section);
  c.count(CodecError::count_);  // not a code: ignored
  EXPECT_EQ(c.ok(), 2U);
  EXPECT_EQ(c[CodecError::truncated_section], 1U);
  EXPECT_EQ(c.errors(), 1U);
  CodecCounters d;
  d.count(CodecError::bad_num_prb);
  c += d;
  EXPECT_EQ(c.errors(), 2U);
  c.reset();
  EXPECT_EQ(c.ok() + c.errors(), 0U);

  EXPECT_TRUE(to_status(CodecError::ok, "x").is_ok());
  const Status s = to_status(CodecError::bad_num_prb, "U-plane section");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(), "U-plane section: bad_num_prb");
}

// ---------------------------------------------------------------------------------------------
// Framing.

TEST(EthFraming, RoundTripEveryFraming) {
  for (Framing framing : kAllFramings) {
    SCOPED_TRACE(name(framing));
    const FrameBuildConfig config = frame_config(framing);
    const Bytes pdu = pattern(100, 3);
    const Bytes frame = make_frame(config, [&](std::span<std::uint8_t> out) {
      std::copy(pdu.begin(), pdu.end(), out.begin());
      return BuildResult{CodecError::ok, pdu.size()};
    });
    EXPECT_EQ(frame.size(), frame_header_size(config) + pdu.size());
    ParsedFrame parsed;
    ASSERT_EQ(parse_frame(frame, parse_config(), parsed), CodecError::ok);
    EXPECT_EQ(parsed.destination, config.destination);
    EXPECT_EQ(parsed.source, config.source);
    EXPECT_EQ(parsed.vlan.has_value(), config.vlan.has_value());
    if (config.vlan) {
      EXPECT_EQ(parsed.vlan->pcp, config.vlan->pcp);
      EXPECT_EQ(parsed.vlan->dei, config.vlan->dei);
      EXPECT_EQ(parsed.vlan->vid, config.vlan->vid);
    }
    EXPECT_EQ(parsed.transport, config.transport);
    EXPECT_EQ(parsed.ecpri_offset, frame_header_size(config));
    EXPECT_TRUE(std::equal(parsed.ecpri.begin(), parsed.ecpri.end(), pdu.begin(), pdu.end()));
    if (framing == Framing::udp) {
      EXPECT_EQ(parsed.ipv4_source, config.ipv4_source);
      EXPECT_EQ(parsed.ipv4_destination, config.ipv4_destination);
      EXPECT_EQ(parsed.udp_source_port, config.udp_source_port);
      EXPECT_EQ(parsed.udp_destination_port, kUdpPort);
    }
  }
}

TEST(EthFraming, HandWrittenVlanHeader) {
  // dst, src, 802.1Q TPID 0x8100, TCI = PCP 7 | DEI 0 | VID 0x00A, ethertype 0xAEFE, then eCPRI.
  const Bytes frame = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                       0x81, 0x00, 0xE0, 0x0A, 0xAE, 0xFE, 0x10, 0x00, 0x00, 0x04,
                       0x00, 0x00, 0x00, 0x80};
  ParsedFrame parsed;
  ASSERT_EQ(parse_frame(frame, parse_config(), parsed), CodecError::ok);
  ASSERT_TRUE(parsed.vlan);
  EXPECT_EQ(parsed.vlan->pcp, 7);
  EXPECT_FALSE(parsed.vlan->dei);
  EXPECT_EQ(parsed.vlan->vid, 10);
  EXPECT_EQ(parsed.ecpri_offset, 18U);
  EXPECT_EQ(parsed.ecpri.size(), 8U);
}

TEST(EthFraming, ShortFramesArePaddedAndThePaddingIgnored) {
  for (Framing framing : kAllFramings) {
    SCOPED_TRACE(name(framing));
    EcpriDelayMeasurement delay{9, 2, 1234567, 999999999, -65536};
    const Bytes frame = make_frame(frame_config(framing), [&](std::span<std::uint8_t> out) {
      return build_ecpri_delay_measurement(out, delay);
    });
    ASSERT_GE(frame.size(), kEthernetMinFrameSize);
    Received rx;
    ASSERT_EQ(receive(frame, {}, {}, rx), CodecError::ok);
    ASSERT_EQ(rx.pdu.count, 1U);
    const EcpriMessage& m = rx.pdu.messages[0];
    EXPECT_EQ(m.type(), EcpriMessageType::delay_measurement);
    EXPECT_EQ(m.delay.measurement_id, 9);
    EXPECT_EQ(m.delay.action_type, 2);
    EXPECT_EQ(m.delay.timestamp_seconds, 1234567U);
    EXPECT_EQ(m.delay.timestamp_nanoseconds, 999999999U);
    EXPECT_EQ(m.delay.compensation, -65536);
  }
}

TEST(EthFraming, RejectsWhatIsNotEcpri) {
  ParsedFrame parsed;
  const Bytes pdu = pattern(40, 1);
  auto with = [&](Framing framing, const std::function<void(Bytes&)>& corrupt) {
    Bytes frame = make_frame(frame_config(framing), [&](std::span<std::uint8_t> out) {
      std::copy(pdu.begin(), pdu.end(), out.begin());
      return BuildResult{CodecError::ok, pdu.size()};
    });
    corrupt(frame);
    return parse_frame(frame, parse_config(), parsed);
  };
  // Ethernet: 14 bytes, VLAN: 18, IPv4 at 18 (the UDP framing carries a VLAN tag), UDP at 38.
  EXPECT_EQ(with(Framing::ethernet, [](Bytes& f) { f.resize(13); }), CodecError::truncated_ethernet);
  EXPECT_EQ(with(Framing::vlan, [](Bytes& f) { f.resize(17); }), CodecError::truncated_ethernet);
  EXPECT_EQ(with(Framing::ethernet, [](Bytes& f) { f[12] = 0x08; f[13] = 0x06; }), CodecError::not_ecpri);
  EXPECT_EQ(with(Framing::vlan, [](Bytes& f) { f[16] = 0x86; f[17] = 0xDD; }), CodecError::not_ecpri);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f.resize(30); }), CodecError::truncated_ipv4);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[18] = 0x65; }), CodecError::bad_ipv4_header);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[18] = 0x44; }), CodecError::bad_ipv4_header);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[20] = 0xFF; }), CodecError::truncated_ipv4);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[26] ^= 1; }), CodecError::bad_ipv4_checksum);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[55] ^= 1; }), CodecError::bad_udp_checksum);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[42] = 0xFF; }), CodecError::bad_udp_length);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[42] = 0; f[43] = 7; }), CodecError::bad_udp_length);
  // Fix the IPv4 checksum after changing a header field.
  auto reseal = [](Bytes& f) {
    f[28] = f[29] = 0;
    const std::uint16_t c = internet_checksum_finish(internet_checksum_add(std::span(f).subspan(18, 20)));
    f[28] = static_cast<std::uint8_t>(c >> 8);
    f[29] = static_cast<std::uint8_t>(c);
  };
  EXPECT_EQ(with(Framing::udp, [&](Bytes& f) { f[27] = 6; reseal(f); }), CodecError::not_udp);
  EXPECT_EQ(with(Framing::udp, [&](Bytes& f) { f[24] |= 0x20; reseal(f); }), CodecError::ipv4_fragmented);
  EXPECT_EQ(with(Framing::udp, [&](Bytes& f) { f[25] = 1; reseal(f); }), CodecError::ipv4_fragmented);
  EXPECT_EQ(with(Framing::udp, [](Bytes& f) { f[41] ^= 1; f[45] ^= 1; }), CodecError::wrong_udp_port);
  // Checksum verification can be turned off; UDP off rejects IPv4.
  FrameParseConfig lax = parse_config();
  lax.verify_ipv4_checksum = false;
  lax.verify_udp_checksum = false;
  Bytes frame = make_frame(frame_config(Framing::udp), [&](std::span<std::uint8_t> out) {
    std::copy(pdu.begin(), pdu.end(), out.begin());
    return BuildResult{CodecError::ok, pdu.size()};
  });
  frame[26] ^= 1;
  frame[60] ^= 1;
  EXPECT_EQ(parse_frame(frame, lax, parsed), CodecError::ok);
  lax.accept_udp = false;
  EXPECT_EQ(parse_frame(frame, lax, parsed), CodecError::not_ecpri);
}

TEST(EthFraming, BuildChecksItsInputs) {
  Bytes small(20);
  FrameBuildConfig config = frame_config(Framing::udp);
  EXPECT_EQ(write_frame_headers(small, config, 10).error, CodecError::buffer_too_small);
  config = frame_config(Framing::vlan);
  config.vlan->vid = 0x1000;
  Bytes buffer(100);
  EXPECT_EQ(write_frame_headers(buffer, config, 10).error, CodecError::field_out_of_range);
  config.pad_to_minimum = false;
  config.vlan->vid = 1;
  const BuildResult r = write_frame_headers(buffer, config, 10);
  EXPECT_TRUE(r);
  EXPECT_EQ(r.size, 28U);
}

// ---------------------------------------------------------------------------------------------
// eCPRI.

TEST(EcpriEaxc, SplitEncodeDecode) {
  const EaxcSplit def;  // 4/4/4/4
  ASSERT_TRUE(def.validate());
  auto id = encode_eaxc({1, 2, 3, 4}, def);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 0x1234);
  EXPECT_EQ(decode_eaxc(0x1234, def), (Eaxc{1, 2, 3, 4}));

  const EaxcSplit wireshark_old{2, 6, 4, 4};  // DU port 2 bits, BandSector 6, CC 4, RU port 4
  id = encode_eaxc({3, 0x2A, 0xF, 0x5}, wireshark_old);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, (3u << 14) | (0x2Au << 8) | (0xFu << 4) | 0x5u);
  EXPECT_EQ(decode_eaxc(*id, wireshark_old), (Eaxc{3, 0x2A, 0xF, 0x5}));

  const EaxcSplit ru_only{0, 0, 0, 16};
  id = encode_eaxc({0, 0, 0, 0xBEEF}, ru_only);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 0xBEEF);
  EXPECT_EQ(decode_eaxc(0xBEEF, ru_only), (Eaxc{0, 0, 0, 0xBEEF}));

  const EaxcSplit du_only{16, 0, 0, 0};
  EXPECT_EQ(decode_eaxc(0xBEEF, du_only), (Eaxc{0xBEEF, 0, 0, 0}));

  // Every value of every field round-trips for a few splits.
  for (const EaxcSplit split : {def, wireshark_old, EaxcSplit{1, 3, 5, 7}, EaxcSplit{8, 0, 8, 0}}) {
    for (unsigned v = 0; v < 65536; v += 97) {
      const Eaxc e = decode_eaxc(static_cast<std::uint16_t>(v), split);
      auto back = encode_eaxc(e, split);
      ASSERT_TRUE(back);
      EXPECT_EQ(*back, v);
    }
  }

  const EaxcSplit bad{4, 4, 4, 5};
  const Status s = bad.validate();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("du_port_bits"), std::string::npos);
  EXPECT_NE(s.message().find("17"), std::string::npos);
  EXPECT_FALSE(encode_eaxc({}, bad));

  auto too_big = encode_eaxc({0, 16, 0, 0}, def);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("band_sector"), std::string::npos);
}

TEST(EcpriHeader, HandWrittenIqDataHeader) {
  // 0x10: revision 1, reserved 0, C 0; type 0; payload size 6; PC_ID 0xABCD; SeqId 0x42;
  // E = 1, SubSeqId 5 (0x85); then 2 bytes of O-RAN payload.
  const Bytes bytes = {0x10, 0x00, 0x00, 0x06, 0xAB, 0xCD, 0x42, 0x85, 0xDE, 0xAD};
  EcpriMessage m;
  std::size_t consumed = 0;
  ASSERT_EQ(parse_ecpri_message(bytes, m, consumed), CodecError::ok);
  EXPECT_EQ(consumed, 10U);
  EXPECT_EQ(m.header.revision, 1);
  EXPECT_FALSE(m.header.concatenated);
  EXPECT_EQ(m.type(), EcpriMessageType::iq_data);
  EXPECT_EQ(m.header.payload_size, 6);
  EXPECT_EQ(m.transport.eaxc_id, 0xABCD);
  EXPECT_EQ(m.transport.seq_id, 0x42);
  EXPECT_TRUE(m.transport.e_bit);
  EXPECT_EQ(m.transport.subseq_id, 5);
  ASSERT_EQ(m.payload.size(), 2U);
  EXPECT_EQ(m.payload[0], 0xDE);
  EXPECT_EQ(m.status, CodecError::ok);

  // The same through the builder.
  Bytes out(10);
  out[8] = 0xDE;
  out[9] = 0xAD;
  const BuildResult r = write_ecpri_transport_header(
      out, EcpriMessageType::iq_data, EcpriTransport{0xABCD, 0x42, true, 5, false}, 2);
  ASSERT_TRUE(r);
  EXPECT_EQ(out, bytes);
}

TEST(EcpriHeader, RejectsMalformedHeaders) {
  EcpriMessage m;
  std::size_t consumed = 0;
  const Bytes good = {0x10, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x80};
  EXPECT_EQ(parse_ecpri_message(good, m, consumed), CodecError::ok);
  EXPECT_EQ(m.type(), EcpriMessageType::real_time_control);
  EXPECT_TRUE(m.payload.empty());

  EXPECT_EQ(parse_ecpri_message(std::span(good).first(3), m, consumed), CodecError::truncated_ecpri);
  Bytes b = good;
  b[0] = 0x20;  // revision 2
  EXPECT_EQ(parse_ecpri_message(b, m, consumed), CodecError::bad_ecpri_revision);
  b = good;
  b[0] = 0x1E;  // reserved bits set: ignored
  EXPECT_EQ(parse_ecpri_message(b, m, consumed), CodecError::ok);
  b = good;
  b[3] = 0x05;  // payload size beyond the buffer
  EXPECT_EQ(parse_ecpri_message(b, m, consumed), CodecError::ecpri_length_mismatch);
  b = good;
  b[3] = 0x03;  // too small for PC_ID + SeqId
  EXPECT_EQ(parse_ecpri_message(b, m, consumed), CodecError::ecpri_length_mismatch);
  b = good;
  b[1] = 0x05;  // delay measurement needs 20 bytes
  EXPECT_EQ(parse_ecpri_message(b, m, consumed), CodecError::ecpri_length_mismatch);

  // Unknown types are delimited, flagged and counted.
  for (int type : {1, 3, 4, 6, 7, 11, 63, 64, 255}) {
    b = good;
    b[1] = static_cast<std::uint8_t>(type);
    ASSERT_EQ(parse_ecpri_message(b, m, consumed), CodecError::ok);
    EXPECT_EQ(m.status, CodecError::unknown_message_type);
    EXPECT_EQ(m.payload.size(), 4U);
    EXPECT_EQ(consumed, 8U);
  }
}

TEST(EcpriConcatenation, ParsesEveryMessageOfAFrame) {
  std::vector<Bytes> storage;
  const UplaneConfig ucfg = uplane_config(true);
  const UplaneMessage u = make_uplane(2, 3, make_ud_comp_hdr(9, CompressionMethod::block_floating_point), storage);
  const CplaneMessage c = make_cplane_type1();
  const EcpriDelayMeasurement delay{1, 0, 42, 7, 0};
  for (Framing framing : kAllFramings) {
    SCOPED_TRACE(name(framing));
    std::vector<std::size_t> offsets;
    const Bytes frame = make_frame(frame_config(framing), [&](std::span<std::uint8_t> out) {
      std::size_t offset = 0;
      offsets.push_back(offset);
      BuildResult r = build_uplane_message(out, EcpriTransport{0x0011, 1, true, 0, true}, u, ucfg);
      if (!r) return r;
      offset = ecpri_align(offset + r.size);
      offsets.push_back(offset);
      r = build_cplane_message(out.subspan(offset), EcpriTransport{0x0022, 2, true, 0, true}, c,
                               CplaneConfig{kCarrierPrbs});
      if (!r) return r;
      offset = ecpri_align(offset + r.size);
      offsets.push_back(offset);
      r = build_ecpri_delay_measurement(out.subspan(offset), delay, false);
      if (!r) return r;
      return BuildResult{CodecError::ok, offset + r.size};
    });
    EXPECT_EQ(offsets[1] % 4, 0U);
    Received rx;
    ASSERT_EQ(receive(frame, ucfg, CplaneConfig{kCarrierPrbs}, rx), CodecError::ok);
    ASSERT_EQ(rx.pdu.count, 3U);
    EXPECT_TRUE(rx.pdu.messages[0].header.concatenated);
    EXPECT_TRUE(rx.pdu.messages[1].header.concatenated);
    EXPECT_FALSE(rx.pdu.messages[2].header.concatenated);
    EXPECT_EQ(rx.pdu.messages[0].transport.eaxc_id, 0x0011);
    EXPECT_EQ(rx.pdu.messages[1].transport.eaxc_id, 0x0022);
    EXPECT_EQ(rx.pdu.messages[2].delay.timestamp_seconds, 42U);
    ASSERT_EQ(rx.uplane.size(), 1U);
    ASSERT_EQ(rx.cplane.size(), 1U);
    expect_same_uplane(u, rx.uplane[0]);
    expect_same_cplane(c, rx.cplane[0]);
  }
}

TEST(EcpriConcatenation, CBitWithNothingAfterAndTooManyMessages) {
  Bytes pdu(8 * 20, 0);
  // One message with C = 1 and no room for the next.
  ASSERT_TRUE(write_ecpri_transport_header(pdu, EcpriMessageType::iq_data,
                                           EcpriTransport{1, 0, true, 0, true}, 0));
  EcpriPdu parsed;
  EXPECT_EQ(parse_ecpri_pdu(std::span(pdu).first(8), parsed), CodecError::truncated_ecpri);
  EXPECT_EQ(parse_ecpri_pdu(std::span(pdu).first(11), parsed), CodecError::truncated_ecpri);
  // 20 chained 8-byte messages: more than kMaxEcpriMessages.
  for (std::size_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(write_ecpri_transport_header(std::span(pdu).subspan(8 * i), EcpriMessageType::real_time_control,
                                             EcpriTransport{1, 0, true, 0, i + 1 < 20}, 0));
  }
  EXPECT_EQ(parse_ecpri_pdu(pdu, parsed), CodecError::too_many_messages);
  EXPECT_EQ(parse_ecpri_pdu(std::span(pdu).first(8 * kMaxEcpriMessages), parsed),
            CodecError::truncated_ecpri);
  // An unknown message in the middle is delimited and the next one still parsed.
  Bytes mixed = {0x11, 0x07, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0x00,  // type 7, 3 bytes + 1 pad
                 0x10, 0x02, 0x00, 0x04, 0x12, 0x34, 0x00, 0x80};
  ASSERT_EQ(parse_ecpri_pdu(mixed, parsed), CodecError::ok);
  ASSERT_EQ(parsed.count, 2U);
  EXPECT_EQ(parsed.messages[0].status, CodecError::unknown_message_type);
  EXPECT_EQ(parsed.messages[1].transport.eaxc_id, 0x1234);
}

// ---------------------------------------------------------------------------------------------
// U-plane.

TEST(OranUplane, HandWrittenBfp9DynamicPacket) {
  Bytes frame = {
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
      0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,  // source MAC
      0xAE, 0xFE,                          // ethertype eCPRI
      // eCPRI common header: revision 1 (0x1_), reserved 0, C = 0; message type 0 (IQ data);
      // payload size 70 = 4 (PC_ID, SeqId) + 4 (U-plane header) + 4 (section header)
      //                   + 2 (udCompHdr, reserved) + 2 PRBs * 28 (BFP 9: 1 + 3 * 9).
      0x10, 0x00, 0x00, 0x46,
      0x12, 0x34,  // PC_ID = eAxC 0x1234: DU port 1, BandSector 2, CC 3, RU port 4 (4/4/4/4)
      0x07, 0x80,  // SeqId 7; E = 1, SubSeqId 0
      // dataDirection 0 (UL) | payloadVersion 1 | filterIndex 0 -> 0b0_001_0000
      0x10,
      0x2A,        // frameId 42
      // subframeId 3 (4 bits) | slotId 1 (6 bits) | symbolId 5 (6 bits) = 0011 000001 000101
      0x30, 0x45,
      // sectionId 0x123 (12) | rb 0 | symInc 0 | startPrbu 10 (10) = 0x123 << 12 | 0x00A
      0x12, 0x30, 0x0A,
      0x02,        // numPrbu 2
      0x91,        // udCompHdr: udIqWidth 9 | udCompMeth 1 (block floating point)
      0x00,        // reserved
  };
  // PRB 0: udCompParam (exponent 3) + 27 bytes; PRB 1: exponent 5 + 27 bytes.
  const std::size_t payload_start = frame.size();
  frame.push_back(0x03);
  for (int i = 0; i < 27; ++i) frame.push_back(static_cast<std::uint8_t>(i));
  frame.push_back(0x05);
  for (int i = 0; i < 27; ++i) frame.push_back(static_cast<std::uint8_t>(0x80 + i));
  ASSERT_EQ(frame.size(), 14U + 4 + 70);

  Received rx;
  ASSERT_EQ(receive(frame, uplane_config(true), {}, rx), CodecError::ok);
  EXPECT_EQ(rx.frame.transport, FrameTransport::ethernet);
  EXPECT_FALSE(rx.frame.vlan);
  ASSERT_EQ(rx.pdu.count, 1U);
  const EcpriMessage& m = rx.pdu.messages[0];
  EXPECT_EQ(m.header.payload_size, 70);
  EXPECT_EQ(decode_eaxc(m.transport.eaxc_id, EaxcSplit{}), (Eaxc{1, 2, 3, 4}));
  EXPECT_EQ(m.transport.seq_id, 7);
  ASSERT_EQ(rx.uplane.size(), 1U);
  const UplaneMessage& u = rx.uplane[0];
  EXPECT_EQ(u.timing.direction, DataDirection::uplink);
  EXPECT_EQ(u.timing.payload_version, 1);
  EXPECT_EQ(u.timing.filter_index, 0);
  EXPECT_EQ(u.timing.frame_id, 42);
  EXPECT_EQ(u.timing.subframe_id, 3);
  EXPECT_EQ(u.timing.slot_id, 1);
  EXPECT_EQ(u.timing.symbol_id, 5);
  ASSERT_EQ(u.num_sections, 1U);
  const UplaneSection& s = u.sections[0];
  EXPECT_EQ(s.section_id, 0x123);
  EXPECT_FALSE(s.rb);
  EXPECT_FALSE(s.sym_inc);
  EXPECT_EQ(s.start_prb, 10);
  EXPECT_EQ(s.num_prb, 2);
  EXPECT_TRUE(s.comp_hdr_present);
  EXPECT_EQ(s.comp.raw, 0x91);
  EXPECT_EQ(s.comp.iq_width, 9);
  EXPECT_EQ(s.comp.method, CompressionMethod::block_floating_point);
  EXPECT_EQ(s.comp.params().iq_width, 9);
  ASSERT_EQ(s.payload.size(), 56U);
  EXPECT_EQ(s.payload.data(), frame.data() + payload_start);  // a view, not a copy
  EXPECT_EQ(s.payload[0], 0x03);
  EXPECT_EQ(s.payload[28], 0x05);

  // The builder writes the same bytes.
  UplaneMessage again = u;
  const Bytes prbs(frame.begin() + static_cast<std::ptrdiff_t>(payload_start), frame.end());
  again.sections[0].payload = prbs;
  FrameBuildConfig fc = frame_config(Framing::ethernet);
  const Bytes built = make_frame(fc, [&](std::span<std::uint8_t> out) {
    return build_uplane_message(out, EcpriTransport{0x1234, 7, true, 0, false}, again, uplane_config(true));
  });
  EXPECT_EQ(built, frame);
}

TEST(OranUplane, RoundTripStaticAndDynamicEveryFraming) {
  const UdCompHdr comps[] = {make_ud_comp_hdr(9, CompressionMethod::block_floating_point),
                             make_ud_comp_hdr(16, CompressionMethod::none),
                             make_ud_comp_hdr(8, CompressionMethod::mu_law),
                             make_ud_comp_hdr(12, CompressionMethod::block_scaling),
                             make_ud_comp_hdr(1, CompressionMethod::none)};
  for (Framing framing : kAllFramings) {
    for (bool dynamic : {false, true}) {
      for (const UdCompHdr& comp : comps) {
        SCOPED_TRACE(std::string(name(framing)) + (dynamic ? " dynamic " : " static ") +
                     std::to_string(comp.raw));
        const UplaneConfig config = uplane_config(dynamic, comp);
        std::vector<Bytes> storage;
        UplaneMessage u = make_uplane(4, 20, comp, storage);
        u.timing.direction = DataDirection::downlink;
        const Bytes frame = make_frame(frame_config(framing), [&](std::span<std::uint8_t> out) {
          return build_uplane_message(out, EcpriTransport{0x0102, 9, true, 0, false}, u, config);
        });
        const std::size_t expected =
            frame_header_size(frame_config(framing)) + kEcpriTransportHeaderSize + kUplaneHeaderSize +
            4 * (kUplaneSectionHeaderSize + (dynamic ? 2 : 0) + 20 * compressed_prb_bytes(comp));
        EXPECT_EQ(frame.size(), std::max(expected, kEthernetMinFrameSize));
        EXPECT_EQ(uplane_message_size(u, config), expected - frame_header_size(frame_config(framing)));
        Received rx;
        ASSERT_EQ(receive(frame, config, {}, rx), CodecError::ok);
        ASSERT_EQ(rx.uplane.size(), 1U);
        expect_same_uplane(u, rx.uplane[0]);
        EXPECT_EQ(rx.uplane[0].sections[0].comp_hdr_present, dynamic);
      }
    }
  }
}

TEST(OranUplane, DirectionSelectsTheCompressionConfig) {
  UplaneConfig config;
  config.carrier_prbs = kCarrierPrbs;
  config.uplink = {false, make_ud_comp_hdr(9, CompressionMethod::block_floating_point)};
  config.downlink = {true, {}};
  std::vector<Bytes> storage;
  UplaneMessage u = make_uplane(1, 2, make_ud_comp_hdr(14, CompressionMethod::block_floating_point), storage);
  u.timing.direction = DataDirection::downlink;
  Bytes buffer(512);
  const BuildResult r = build_uplane_message(buffer, {}, u, config);
  ASSERT_TRUE(r);
  // Parsed as uplink (static BFP 9) the same bytes no longer fit.
  UplaneMessage parsed;
  buffer[8] &= 0x7F;
  EXPECT_NE(parse_uplane(std::span(buffer).subspan(8, r.size - 8), config, parsed), CodecError::ok);
  buffer[8] |= 0x80;
  ASSERT_EQ(parse_uplane(std::span(buffer).subspan(8, r.size - 8), config, parsed), CodecError::ok);
  EXPECT_EQ(parsed.sections[0].comp.iq_width, 14);
}

TEST(OranUplane, NumPrbZeroMeansTheRestOfTheCarrier) {
  const UdCompHdr comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  const UplaneConfig config = uplane_config(false, comp);
  std::vector<Bytes> storage;
  // 273 PRBs cannot be written in 8 bits: the builder writes numPrbu = 0.
  UplaneMessage u = make_uplane(1, kCarrierPrbs, comp, storage);
  u.sections[0].start_prb = 0;
  Bytes buffer(16384);
  const BuildResult r = build_uplane_message(buffer, {}, u, config);
  ASSERT_TRUE(r) << to_string(r.error);
  EXPECT_EQ(buffer[8 + 4 + 3], 0);  // numPrbu
  UplaneMessage parsed;
  ASSERT_EQ(parse_uplane(std::span(buffer).subspan(8, r.size - 8), config, parsed), CodecError::ok);
  EXPECT_EQ(parsed.sections[0].num_prb, kCarrierPrbs);
  EXPECT_EQ(parsed.sections[0].payload.size(), kCarrierPrbs * 28U);

  // Hand-written: startPrbu 73, numPrbu 0 -> 200 PRBs (273 - 73), one PRB of each given.
  Bytes oran = {0x10, 0x00, 0x00, 0x00, 0x00, 0x10, 0x49, 0x00};
  Bytes with_payload = oran;
  with_payload.resize(oran.size() + 200 * 28, 0x55);
  ASSERT_EQ(parse_uplane(with_payload, config, parsed), CodecError::ok);
  EXPECT_EQ(parsed.sections[0].start_prb, 73);
  EXPECT_EQ(parsed.sections[0].num_prb, 200);
  // Without a carrier size the section cannot be delimited.
  UplaneConfig unknown = config;
  unknown.carrier_prbs = 0;
  EXPECT_EQ(parse_uplane(with_payload, unknown, parsed), CodecError::bad_num_prb);
  // startPrbu at or beyond the carrier: startPrbu 0x111 = 273, numPrbu 0.
  const Bytes at_end = {0x10, 0x00, 0x00, 0x00, 0x00, 0x11, 0x11, 0x00};
  EXPECT_EQ(parse_uplane(at_end, config, parsed), CodecError::bad_num_prb);
  // startPrbu + numPrbu beyond the carrier: startPrbu 0x100 = 256, numPrbu 20 -> 276 > 273.
  Bytes beyond = {0x10, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x14};
  beyond.resize(beyond.size() + 20 * 28);
  EXPECT_EQ(parse_uplane(beyond, config, parsed), CodecError::bad_num_prb);
  // The builder refuses the same, and more than 255 PRBs not reaching the carrier's end.
  u.sections[0].num_prb = 300;
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::field_out_of_range);
  u.sections[0].num_prb = 260;
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::field_out_of_range);
}

TEST(OranUplane, SplitSectionsAcrossPacketsAreReturnedAsTheyAre) {
  // One 100-PRB section sent as two packets of 60 and 40 PRBs with the same sectionId.
  const UdCompHdr comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  const UplaneConfig config = uplane_config(true, comp);
  std::vector<Bytes> storage;
  UplaneMessage first = make_uplane(1, 60, comp, storage);
  std::vector<Bytes> storage2;
  UplaneMessage second = make_uplane(1, 40, comp, storage2);
  second.sections[0].start_prb = 60;
  UplaneMessage parsed;
  for (const UplaneMessage* m : {&first, &second}) {
    Bytes buffer(8192);
    const BuildResult r = build_uplane_message(buffer, {}, *m, config);
    ASSERT_TRUE(r);
    ASSERT_EQ(parse_uplane(std::span(buffer).subspan(8, r.size - 8), config, parsed), CodecError::ok);
    EXPECT_EQ(parsed.sections[0].section_id, 0x100);
    EXPECT_EQ(parsed.sections[0].start_prb, m->sections[0].start_prb);
    EXPECT_EQ(parsed.sections[0].num_prb, m->sections[0].num_prb);
  }
}

TEST(OranUplane, SectionLimitsAndErrors) {
  const UdCompHdr comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  const UplaneConfig config = uplane_config(true, comp);
  std::vector<Bytes> storage;
  // 32 sections fit, a 33rd is an overflow.
  UplaneMessage u = make_uplane(kMaxUplaneSections, 1, comp, storage);
  Bytes buffer(16384);
  BuildResult r = build_uplane_message(buffer, {}, u, config);
  ASSERT_TRUE(r);
  UplaneMessage parsed;
  std::span<const std::uint8_t> oran = std::span(buffer).subspan(8, r.size - 8);
  ASSERT_EQ(parse_uplane(oran, config, parsed), CodecError::ok);
  EXPECT_EQ(parsed.num_sections, kMaxUplaneSections);
  Bytes more(oran.begin(), oran.end());
  const Bytes one_more = {0x00, 0x10, 0x00, 0x01, 0x91, 0x00};
  more.insert(more.end(), one_more.begin(), one_more.end());
  more.resize(more.size() + 28);
  EXPECT_EQ(parse_uplane(more, config, parsed), CodecError::section_overflow);
  u.num_sections = kMaxUplaneSections + 1;
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::section_overflow);

  // A section header cut short, and a payload cut short.
  u = make_uplane(1, 2, comp, storage);
  r = build_uplane_message(buffer, {}, u, config);
  ASSERT_TRUE(r);
  Bytes whole(buffer.begin() + 8, buffer.begin() + static_cast<std::ptrdiff_t>(r.size));
  EXPECT_EQ(parse_uplane(std::span(whole).first(4), config, parsed), CodecError::ok);  // no sections
  EXPECT_EQ(parsed.num_sections, 0U);
  EXPECT_EQ(parse_uplane(std::span(whole).first(3), config, parsed), CodecError::truncated_header);
  EXPECT_EQ(parse_uplane(std::span(whole).first(9), config, parsed), CodecError::truncated_section);
  EXPECT_EQ(parse_uplane(std::span(whole).first(whole.size() - 1), config, parsed),
            CodecError::truncated_section);
  // Methods the codec does not delimit, and payloadVersion != 1.
  Bytes bad = whole;
  bad[8] = 0x94;  // udCompMeth 4 (modulation compression)
  EXPECT_EQ(parse_uplane(bad, config, parsed), CodecError::bad_compression);
  bad = whole;
  bad[0] = 0x20;  // payloadVersion 2
  EXPECT_EQ(parse_uplane(bad, config, parsed), CodecError::bad_payload_version);
  // The builder checks payload sizes, static compression and field widths.
  u.sections[0].payload = std::span(storage[0]).first(10);
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::payload_size_mismatch);
  u = make_uplane(1, 2, make_ud_comp_hdr(8, CompressionMethod::block_floating_point), storage);
  EXPECT_EQ(build_uplane_message(buffer, {}, u, uplane_config(false, comp)).error, CodecError::bad_compression);
  u = make_uplane(1, 2, comp, storage);
  u.sections[0].section_id = 0x1000;
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::field_out_of_range);
  u = make_uplane(1, 2, comp, storage);
  u.timing.slot_id = 64;
  EXPECT_EQ(build_uplane_message(buffer, {}, u, config).error, CodecError::field_out_of_range);
  u = make_uplane(1, 2, comp, storage);
  EXPECT_EQ(build_uplane_message(std::span(buffer).first(20), {}, u, config).error, CodecError::buffer_too_small);
  // A non-IQ message given to the U-plane parser.
  EcpriMessage not_iq;
  not_iq.header.message_type = 2;
  EXPECT_EQ(parse_uplane(not_iq, config, parsed), CodecError::unknown_message_type);
}

TEST(OranUplane, CompressedPrbBytes) {
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(9, CompressionMethod::block_floating_point)), 28U);
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(16, CompressionMethod::none)), 48U);
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(8, CompressionMethod::mu_law)), 25U);
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(14, CompressionMethod::block_scaling)), 43U);
  EXPECT_EQ(compressed_prb_bytes(decode_ud_comp_hdr(0x05)), 0U);  // udCompMeth 5
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(0, CompressionMethod::none)), 0U);
  EXPECT_EQ(compressed_prb_bytes(make_ud_comp_hdr(17, CompressionMethod::none)), 0U);
  EXPECT_EQ(decode_ud_comp_hdr(0x00).iq_width, 16);
  EXPECT_EQ(make_ud_comp_hdr(16, CompressionMethod::mu_law).raw, 0x03);
  EXPECT_EQ(make_ud_comp_hdr(CompressionParams{CompressionMethod::block_floating_point, 9}).raw, 0x91);
}

// ---------------------------------------------------------------------------------------------
// C-plane.

TEST(OranCplane, HandWrittenType1Packet) {
  const Bytes frame = {
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,  // MACs
      0x81, 0x00, 0x20, 0x02,  // 802.1Q: PCP 1, DEI 0, VID 2
      0xAE, 0xFE,
      // eCPRI: revision 1, C = 0; type 2 (real-time control); payload size 20 =
      // 4 (RTC_ID, SeqId) + 8 (type 1 common header) + 8 (one type 1 section).
      0x10, 0x02, 0x00, 0x14,
      0x00, 0x01,  // RTC_ID = eAxC 1 (RU port 1)
      0x05, 0x80,  // SeqId 5; E = 1, SubSeqId 0
      0x90,        // dataDirection 1 (DL) | payloadVersion 1 | filterIndex 0
      0x01,        // frameId 1
      // subframeId 9 | slotId 0 | startSymbolId 2 = 1001 000000 000010
      0x90, 0x02,
      0x01,        // numberOfSections 1
      0x01,        // sectionType 1
      0x91,        // udCompHdr: BFP, 9 bits
      0x00,        // reserved
      // sectionId 1 | rb 0 | symInc 0 | startPrbc 0 = 0x001 << 12
      0x00, 0x10, 0x00,
      0x00,        // numPrbc 0: all PRBs of the carrier (273 here)
      0xFF, 0xFE,  // reMask 0xFFF | numSymbol 14
      0x00, 0x03,  // ef 0 | beamId 3
      // Ethernet padding to 60 bytes (18 bytes), ignored: the eCPRI payload size delimits.
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  ASSERT_EQ(frame.size(), kEthernetMinFrameSize);
  Received rx;
  ASSERT_EQ(receive(frame, {}, CplaneConfig{kCarrierPrbs}, rx), CodecError::ok);
  ASSERT_TRUE(rx.frame.vlan);
  EXPECT_EQ(rx.frame.vlan->vid, 2);
  ASSERT_EQ(rx.cplane.size(), 1U);
  EXPECT_EQ(rx.pdu.messages[0].transport.eaxc_id, 1);
  EXPECT_EQ(rx.pdu.messages[0].transport.seq_id, 5);
  const CplaneMessage& c = rx.cplane[0];
  EXPECT_EQ(c.timing.direction, DataDirection::downlink);
  EXPECT_EQ(c.timing.payload_version, 1);
  EXPECT_EQ(c.timing.frame_id, 1);
  EXPECT_EQ(c.timing.subframe_id, 9);
  EXPECT_EQ(c.timing.slot_id, 0);
  EXPECT_EQ(c.timing.symbol_id, 2);
  EXPECT_EQ(c.section_type, 1);
  EXPECT_EQ(c.comp.iq_width, 9);
  EXPECT_EQ(c.comp.method, CompressionMethod::block_floating_point);
  ASSERT_EQ(c.num_sections, 1U);
  const CplaneSection& s = c.sections[0];
  EXPECT_EQ(s.section_id, 1);
  EXPECT_FALSE(s.rb);
  EXPECT_FALSE(s.sym_inc);
  EXPECT_EQ(s.start_prb, 0);
  EXPECT_EQ(s.num_prb, kCarrierPrbs);
  EXPECT_EQ(s.re_mask, 0xFFF);
  EXPECT_EQ(s.num_symbol, 14);
  EXPECT_FALSE(s.ef);
  EXPECT_EQ(s.beam_id, 3);
  EXPECT_EQ(s.num_extensions, 0U);

  // The builder writes the same frame.
  FrameBuildConfig fc = frame_config(Framing::ethernet);
  fc.vlan = VlanTag{1, false, 2};
  const Bytes built = make_frame(fc, [&](std::span<std::uint8_t> out) {
    return build_cplane_message(out, EcpriTransport{1, 5, true, 0, false}, c, CplaneConfig{kCarrierPrbs});
  });
  EXPECT_EQ(built, frame);
}

TEST(OranCplane, RoundTripType1And3EveryFraming) {
  const Bytes ext1 = make_extension(1, 3, 0x11);    // beamforming weights (opaque here)
  const Bytes ext11 = make_extension(11, 2, 0x22);  // 16-bit extLen
  const Bytes ext6 = make_extension(6, 3, 0x66);
  for (Framing framing : kAllFramings) {
    for (CplaneMessage c : {make_cplane_type1(), make_cplane_type3()}) {
      SCOPED_TRACE(std::string(name(framing)) + " type " + std::to_string(c.section_type));
      c.sections[0].extensions[0] = {1, ext1};
      c.sections[0].extensions[1] = {11, ext11};
      c.sections[0].extensions[2] = {6, ext6};
      c.sections[0].num_extensions = 3;
      const Bytes frame = make_frame(frame_config(framing), [&](std::span<std::uint8_t> out) {
        return build_cplane_message(out, EcpriTransport{0x0F0F, 200, true, 0, false}, c, CplaneConfig{kCarrierPrbs});
      });
      EXPECT_EQ(frame.size(), std::max(kEthernetMinFrameSize,
                                       cplane_message_size(c) + frame_header_size(frame_config(framing))));
      Received rx;
      ASSERT_EQ(receive(frame, {}, CplaneConfig{kCarrierPrbs}, rx), CodecError::ok);
      ASSERT_EQ(rx.cplane.size(), 1U);
      expect_same_cplane(c, rx.cplane[0]);
      const CplaneSection& s = rx.cplane[0].sections[0];
      EXPECT_TRUE(s.ef);
      // ef bits: set on all extensions but the last.
      EXPECT_EQ(s.extensions[0].bytes[0], 0x81);
      EXPECT_EQ(s.extensions[1].bytes[0], 0x8B);
      EXPECT_EQ(s.extensions[2].bytes[0], 0x06);
      if (c.section_type == cplane_section_type::prach) {
        EXPECT_EQ(rx.cplane[0].sections[0].frequency_offset, -7968);
        EXPECT_EQ(rx.cplane[0].time_offset, 0x1F40);
        EXPECT_EQ(rx.cplane[0].cp_length, 0x0148);
      }
    }
  }
}

TEST(OranCplane, HandWrittenType3Fields) {
  // Type 3 common header and one section with frequencyOffset -2 (0xFFFFFE).
  const Bytes oran = {0x10, 0x07, 0x00, 0x00, 0x01, 0x03,  // UL, frame 7, 1 section, type 3
                      0x12, 0x34,  // timeOffset 0x1234
                      0xC1,        // frameStructure: FFT 12, SCS 1
                      0x01, 0x28,  // cpLength 0x128
                      0x00,        // udCompHdr: 16 bits, no compression
                      0x00, 0x20, 0x05, 0x0C, 0xFF, 0xF1, 0x00, 0x00,  // id 2, PRB 5..16, 1 symbol
                      0xFF, 0xFF, 0xFE, 0x00};
  CplaneMessage c;
  ASSERT_EQ(parse_cplane(oran, CplaneConfig{kCarrierPrbs}, c), CodecError::ok);
  EXPECT_EQ(c.section_type, 3);
  EXPECT_EQ(c.time_offset, 0x1234);
  EXPECT_EQ(c.frame_structure, 0xC1);
  EXPECT_EQ(c.cp_length, 0x128);
  EXPECT_EQ(c.comp.iq_width, 16);
  EXPECT_EQ(c.sections[0].section_id, 2);
  EXPECT_EQ(c.sections[0].start_prb, 5);
  EXPECT_EQ(c.sections[0].num_prb, 12);
  EXPECT_EQ(c.sections[0].num_symbol, 1);
  EXPECT_EQ(c.sections[0].frequency_offset, -2);
  Bytes positive = oran;
  positive[20] = 0x7F;  // 0x7FFFFE
  ASSERT_EQ(parse_cplane(positive, CplaneConfig{kCarrierPrbs}, c), CodecError::ok);
  EXPECT_EQ(c.sections[0].frequency_offset, 0x7FFFFE);
}

TEST(OranCplane, ExtensionsAreSkippedByTheirLength) {
  CplaneMessage c = make_cplane_type1();
  c.num_sections = 1;
  const Bytes known = make_extension(5, 2, 0x55);
  const Bytes unknown = make_extension(100, 3, 0xAB);  // reserved extType: skipped
  const Bytes long_len = make_extension(20, 4, 0x20);  // 16-bit extLen
  c.sections[0].extensions[0] = {100, unknown};
  c.sections[0].extensions[1] = {5, known};
  c.sections[0].extensions[2] = {20, long_len};
  c.sections[0].num_extensions = 3;
  Bytes buffer(1024);
  const BuildResult r = build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs});
  ASSERT_TRUE(r) << to_string(r.error);
  const Bytes oran(buffer.begin() + 8, buffer.begin() + static_cast<std::ptrdiff_t>(r.size));
  CplaneMessage parsed;
  ASSERT_EQ(parse_cplane(oran, CplaneConfig{kCarrierPrbs}, parsed), CodecError::ok);
  const CplaneSection& s = parsed.sections[0];
  EXPECT_EQ(s.num_skipped_extensions, 1U);
  ASSERT_EQ(s.num_extensions, 2U);
  EXPECT_EQ(s.extensions[0].type, 5);
  EXPECT_EQ(s.extensions[0].bytes.size(), 8U);
  EXPECT_EQ(s.extensions[0].bytes.data(), oran.data() + 8 + 8 + 12);  // after the skipped one
  EXPECT_EQ(s.extensions[1].type, 20);
  EXPECT_EQ(s.extensions[1].bytes.size(), 16U);

  // Where the extensions start, and errors.
  const std::size_t ext0 = 8 + 8;
  Bytes bad = oran;
  bad[ext0 + 1] = 0;  // extLen 0
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::bad_extension_length);
  bad = oran;
  bad[ext0 + 1] = 10;  // 40 bytes: beyond the message
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_extension);
  bad = oran;
  bad[ext0 + 12] &= 0x7F;  // ef of the second extension cleared: the third is trailing
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::trailing_bytes);
  bad = oran;
  bad[ext0 + 12 + 8] |= 0x80;  // ef on the last extension: nothing follows
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_extension);
  EXPECT_EQ(parse_cplane(std::span(oran).first(ext0 + 1), CplaneConfig{kCarrierPrbs}, parsed),
            CodecError::truncated_extension);

  // More known extensions than a section keeps.
  Bytes many(oran.begin(), oran.begin() + ext0);
  for (std::size_t i = 0; i < kMaxSectionExtensions + 1; ++i) {
    Bytes e = make_extension(4, 1, 0);
    if (i + 1 < kMaxSectionExtensions + 1) e[0] |= 0x80;
    many.insert(many.end(), e.begin(), e.end());
  }
  EXPECT_EQ(parse_cplane(many, CplaneConfig{kCarrierPrbs}, parsed), CodecError::extension_overflow);

  // The builder refuses extensions whose bytes disagree with their type or length.
  Bytes wrong = known;
  wrong[1] = 3;
  c.sections[0].extensions[1] = {5, wrong};
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::field_out_of_range);
  c.sections[0].extensions[1] = {6, known};
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::field_out_of_range);
}

TEST(OranCplane, HeaderAndSectionErrors) {
  CplaneMessage c = make_cplane_type1();
  Bytes buffer(1024);
  const BuildResult r = build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs});
  ASSERT_TRUE(r);
  const Bytes oran(buffer.begin() + 8, buffer.begin() + static_cast<std::ptrdiff_t>(r.size));
  CplaneMessage parsed;
  ASSERT_EQ(parse_cplane(oran, CplaneConfig{kCarrierPrbs}, parsed), CodecError::ok);
  EXPECT_EQ(parse_cplane(std::span(oran).first(5), CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_header);
  EXPECT_EQ(parse_cplane(std::span(oran).first(7), CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_header);
  EXPECT_EQ(parse_cplane(std::span(oran).first(12), CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_section);
  Bytes bad = oran;
  bad[5] = 5;  // section type 5
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::unsupported_section_type);
  bad = oran;
  bad[4] = 3;  // three sections announced, two present
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::truncated_section);
  bad = oran;
  bad[4] = 1;  // one announced, two present
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::trailing_bytes);
  bad = oran;
  bad[4] = 33;
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::section_overflow);
  bad = oran;
  bad[0] = 0x80;  // payloadVersion 0
  EXPECT_EQ(parse_cplane(bad, CplaneConfig{kCarrierPrbs}, parsed), CodecError::bad_payload_version);
  EXPECT_EQ(parse_cplane(oran, CplaneConfig{200}, parsed), CodecError::bad_num_prb);
  EcpriMessage not_rtc;
  EXPECT_EQ(parse_cplane(not_rtc, CplaneConfig{kCarrierPrbs}, parsed), CodecError::unknown_message_type);

  c.section_type = 5;
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::unsupported_section_type);
  c = make_cplane_type1();
  c.sections[0].num_symbol = 16;
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::field_out_of_range);
  c = make_cplane_type3();
  c.sections[0].frequency_offset = 1 << 23;
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::field_out_of_range);
  c = make_cplane_type1();
  c.num_sections = kMaxCplaneSections + 1;
  EXPECT_EQ(build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs}).error, CodecError::section_overflow);
  c = make_cplane_type1();
  EXPECT_EQ(build_cplane_message(std::span(buffer).first(10), {}, c, CplaneConfig{kCarrierPrbs}).error,
            CodecError::buffer_too_small);
}

// ---------------------------------------------------------------------------------------------
// Robustness.

// Valid frames of every kind, for the truncation, mutation and corpus tests.
struct Sample {
  std::string name;
  Bytes frame;
  UplaneConfig uplane;
};

std::vector<Sample> valid_samples() {
  std::vector<Sample> samples;
  const UdCompHdr bfp9 = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  for (Framing framing : kAllFramings) {
    const FrameBuildConfig fc = frame_config(framing);
    for (bool dynamic : {false, true}) {
      std::vector<Bytes> storage;
      const UplaneConfig config = uplane_config(dynamic, bfp9);
      const UplaneMessage u = make_uplane(3, 2, bfp9, storage);
      samples.push_back({std::string("uplane_") + (dynamic ? "dynamic_" : "static_") + name(framing),
                         make_frame(fc, [&](std::span<std::uint8_t> out) {
                           return build_uplane_message(out, EcpriTransport{0x1234, 1, true, 0, false}, u, config);
                         }),
                         config});
    }
    for (CplaneMessage c : {make_cplane_type1(), make_cplane_type3()}) {
      const Bytes ext = make_extension(1, 4, 0x31);
      const Bytes skipped = make_extension(99, 1, 0);
      c.sections[0].extensions[0] = {1, ext};
      c.sections[0].extensions[1] = {99, skipped};
      c.sections[0].num_extensions = 2;
      samples.push_back({"cplane_type" + std::to_string(c.section_type) + "_" + name(framing),
                         make_frame(fc, [&](std::span<std::uint8_t> out) {
                           return build_cplane_message(out, EcpriTransport{0x0001, 2, true, 0, false}, c,
                                                       CplaneConfig{kCarrierPrbs});
                         }),
                         uplane_config(true, bfp9)});
    }
  }
  return samples;
}

TEST(OranRobustness, EveryTruncationOfAValidPacketIsAnError) {
  auto rx = std::make_unique<Received>();
  std::size_t prefixes = 0;
  for (const Sample& sample : valid_samples()) {
    SCOPED_TRACE(sample.name);
    ASSERT_GT(sample.frame.size(), kEthernetMinFrameSize);  // no Ethernet padding to hide behind
    ASSERT_EQ(receive(sample.frame, sample.uplane, CplaneConfig{kCarrierPrbs}, *rx), CodecError::ok);
    for (std::size_t n = 0; n < sample.frame.size(); ++n) {
      // An exactly sized heap copy, so that a sanitizer build sees any read past the end.
      const Bytes prefix(sample.frame.begin(), sample.frame.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_NE(receive(prefix, sample.uplane, CplaneConfig{kCarrierPrbs}, *rx), CodecError::ok) << n;
      ++prefixes;
    }
  }
  EXPECT_GT(prefixes, 1000U);
}

TEST(OranRobustness, GarbageAndMutatedInputsNeverCrash) {
  std::mt19937 rng(12345);
  auto rx = std::make_unique<Received>();
  CodecCounters counters;
  const std::vector<Sample> samples = valid_samples();
  const UplaneConfig configs[] = {uplane_config(true), uplane_config(false), UplaneConfig{}};
  std::size_t runs = 0;
  // Random bytes, sometimes with a plausible Ethernet + eCPRI header in front.
  for (int i = 0; i < 3000; ++i) {
    Bytes b(rng() % 200);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (b.size() > 20 && i % 2 == 0) {
      b[12] = 0xAE;
      b[13] = 0xFE;
      b[14] = static_cast<std::uint8_t>(0x10 | (b[14] & 1));
      b[15] = static_cast<std::uint8_t>(b[15] % 3);
      b[16] = 0;
      b[17] = static_cast<std::uint8_t>(b.size() - 18);
    }
    for (const UplaneConfig& config : configs) {
      counters.count(receive(b, config, CplaneConfig{kCarrierPrbs}, *rx));
      ++runs;
    }
  }
  // Bit flips and byte changes of valid frames.
  for (const Sample& sample : samples) {
    for (int i = 0; i < 500; ++i) {
      Bytes b = sample.frame;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const std::size_t at = rng() % b.size();
        if (rng() % 2) b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        else b[at] = static_cast<std::uint8_t>(rng());
      }
      for (const UplaneConfig& config : configs) {
        counters.count(receive(b, config, CplaneConfig{kCarrierPrbs}, *rx));
        ++runs;
      }
    }
  }
  EXPECT_EQ(counters.ok() + counters.errors(), runs);
  EXPECT_GT(counters.errors(), 0U);
  EXPECT_GT(counters.ok(), 0U);
}

// The seed corpus of tests/fuzz/corpus is these frames; AIRAN_ORAN_FUZZ_CORPUS=<dir> writes them.
TEST(OranRobustness, FuzzSeedCorpus) {
  auto rx = std::make_unique<Received>();
  const std::vector<Sample> samples = valid_samples();
  for (const Sample& s : samples) {
    EXPECT_EQ(receive(s.frame, s.uplane, CplaneConfig{kCarrierPrbs}, *rx), CodecError::ok) << s.name;
  }
  // Beyond single-message frames: a concatenated PDU, and bare U-plane / C-plane messages
  // (the fuzz target also feeds its input straight to those parsers).
  std::vector<std::pair<std::string, Bytes>> seeds;
  for (const Sample& s : samples) seeds.emplace_back(s.name, s.frame);
  const UdCompHdr bfp9 = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  std::vector<Bytes> storage;
  const UplaneMessage u = make_uplane(2, 1, bfp9, storage);
  const UplaneConfig dynamic = uplane_config(true, bfp9);
  CplaneMessage c = make_cplane_type1();
  const Bytes ext = make_extension(11, 2, 0x11);
  c.sections[1].extensions[0] = {11, ext};
  c.sections[1].num_extensions = 1;
  seeds.emplace_back("concatenated_udp", make_frame(frame_config(Framing::udp), [&](std::span<std::uint8_t> out) {
    BuildResult r = build_uplane_message(out, EcpriTransport{1, 1, true, 0, true}, u, dynamic);
    const std::size_t second = ecpri_align(r.size);
    r = build_cplane_message(out.subspan(second), EcpriTransport{2, 1, true, 0, true}, c, CplaneConfig{kCarrierPrbs});
    const std::size_t third = ecpri_align(second + r.size);
    r = build_ecpri_delay_measurement(out.subspan(third), EcpriDelayMeasurement{1, 2, 3, 4, 5});
    return BuildResult{r.error, third + r.size};
  }));
  Bytes buffer(4096);
  BuildResult r = build_uplane_message(buffer, {}, u, dynamic);
  ASSERT_TRUE(r);
  seeds.emplace_back("bare_uplane_dynamic", Bytes(buffer.begin() + 8, buffer.begin() + static_cast<std::ptrdiff_t>(r.size)));
  r = build_cplane_message(buffer, {}, c, CplaneConfig{kCarrierPrbs});
  ASSERT_TRUE(r);
  seeds.emplace_back("bare_cplane_type1", Bytes(buffer.begin() + 8, buffer.begin() + static_cast<std::ptrdiff_t>(r.size)));
  for (const auto& [seed_name, bytes] : std::span(seeds).subspan(samples.size())) {
    if (seed_name.rfind("bare_", 0) != 0) {
      EXPECT_EQ(receive(bytes, dynamic, CplaneConfig{kCarrierPrbs}, *rx), CodecError::ok) << seed_name;
    }
  }
  if (const char* dir = std::getenv("AIRAN_ORAN_FUZZ_CORPUS")) {
    std::filesystem::create_directories(dir);
    for (const auto& [seed_name, bytes] : seeds) {
      std::ofstream(std::filesystem::path(dir) / (seed_name + ".bin"), std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
  }
}

}  // namespace
}  // namespace airan::io

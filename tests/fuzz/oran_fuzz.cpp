// libFuzzer target for the O-RAN fronthaul codec. Every input is given to every parser:
// as an Ethernet frame (eCPRI over Ethernet, with or without VLAN, or over UDP/IPv4), as an
// eCPRI PDU, as a U-plane message under static and dynamic compression settings and as a
// C-plane message. Beyond "no crash, no out-of-bounds read" (ASan, UBSan) it checks:
//  - every span a parser returns lies inside the input;
//  - a parsed U-/C-plane message can be built again and parses back to the same fields;
//  - each U-plane section's payload decompresses (airan/io/compression.hpp) without error,
//    bit-identically with the generic and the AVX2 kernels.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "airan/io/compression.hpp"
#include "airan/io/oran/cplane.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"
#include "airan/io/oran/uplane.hpp"

namespace {

using namespace airan::io;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "oran_fuzz invariant violated: %s\n", what);
  std::abort();
}

void check(bool condition, const char* what) {
  if (!condition) fail(what);
}

std::span<const std::uint8_t> g_input;

void check_inside(std::span<const std::uint8_t> s, const char* what) {
  if (s.empty()) return;
  const auto* begin = g_input.data();
  const auto* end = begin + g_input.size();
  check(s.data() >= begin && s.data() + s.size() <= end, what);
}

// Shared scratch (the target is single-threaded), large structs off the stack.
struct Scratch {
  EcpriPdu pdu;
  UplaneMessage uplane;
  UplaneMessage uplane_again;
  CplaneMessage cplane;
  CplaneMessage cplane_again;
  std::array<std::uint8_t, 65536 + 64> build{};
  std::array<std::int16_t, 24 * 1024> iq_generic{};
  std::array<std::int16_t, 24 * 1024> iq_avx2{};
};
Scratch& scratch() {
  static Scratch* s = new Scratch;
  return *s;
}

const UplaneConfig* uplane_configs(std::size_t& n) {
  static const UplaneConfig configs[] = {
      // Dynamic compression (udCompHdr in every section), 273-PRB carrier.
      {273, {true, {}}, {true, {}}},
      // Static BFP 9 uplink, static 16-bit uncompressed downlink, 106 PRBs.
      {106,
       {false, make_ud_comp_hdr(9, CompressionMethod::block_floating_point)},
       {false, make_ud_comp_hdr(16, CompressionMethod::none)}},
      // Static mu-law 8 / block scaling 12, carrier size unknown (numPrbu = 0 rejected).
      {0,
       {false, make_ud_comp_hdr(8, CompressionMethod::mu_law)},
       {false, make_ud_comp_hdr(12, CompressionMethod::block_scaling)}},
  };
  n = sizeof(configs) / sizeof(configs[0]);
  return configs;
}

void decompress_sections(const UplaneMessage& m) {
  Scratch& s = scratch();
  for (const UplaneSection& section : m.view()) {
    const int n = section.num_prb;
    check(static_cast<std::size_t>(n) * 24 <= s.iq_generic.size(), "num_prb beyond 1024");
    const CompressionParams params = section.comp.params();
    const std::span<std::int16_t> out_g(s.iq_generic.data(), static_cast<std::size_t>(n) * 24);
    const std::span<std::int16_t> out_a(s.iq_avx2.data(), static_cast<std::size_t>(n) * 24);
    const airan::Status g = decompress_prbs(params, section.payload, n, out_g, airan::phy::CpuIsa::generic);
    const airan::Status a = decompress_prbs(params, section.payload, n, out_a, airan::phy::CpuIsa::avx2);
    // A BFP exponent or mu-law width the receiver cannot use is a legitimate error; both ISAs
    // must agree on it and on the samples.
    check(g.is_ok() == a.is_ok(), "generic and AVX2 decompression disagree on success");
    if (g.is_ok()) {
      for (std::size_t i = 0; i < out_g.size(); ++i) check(out_g[i] == out_a[i], "generic != AVX2 samples");
    }
  }
}

void check_uplane(const UplaneMessage& m, const UplaneConfig& config) {
  Scratch& s = scratch();
  for (const UplaneSection& section : m.view()) {
    check_inside(section.payload, "U-plane payload outside the input");
    check(section.payload.size() == section.num_prb * compressed_prb_bytes(section.comp),
          "U-plane payload size");
    check(section.num_prb > 0, "U-plane section with 0 PRBs");
  }
  decompress_sections(m);
  // Build again and parse back.
  const BuildResult r = build_uplane_message(s.build, EcpriTransport{}, m, config);
  if (!r) fail("a parsed U-plane message does not build");
  check(r.size == uplane_message_size(m, config), "uplane_message_size");
  const std::span<const std::uint8_t> oran(s.build.data() + kEcpriTransportHeaderSize,
                                           r.size - kEcpriTransportHeaderSize);
  if (parse_uplane(oran, config, s.uplane_again) != CodecError::ok) fail("a built U-plane message does not parse");
  const UplaneMessage& b = s.uplane_again;
  check(b.num_sections == m.num_sections, "U-plane round trip: sections");
  check(b.timing.frame_id == m.timing.frame_id && b.timing.slot_id == m.timing.slot_id &&
            b.timing.symbol_id == m.timing.symbol_id && b.timing.subframe_id == m.timing.subframe_id &&
            b.timing.filter_index == m.timing.filter_index && b.timing.direction == m.timing.direction,
        "U-plane round trip: timing");
  for (std::size_t i = 0; i < m.num_sections; ++i) {
    const UplaneSection& x = m.sections[i];
    const UplaneSection& y = b.sections[i];
    check(x.section_id == y.section_id && x.rb == y.rb && x.sym_inc == y.sym_inc &&
              x.start_prb == y.start_prb && x.num_prb == y.num_prb &&
              x.comp.iq_width == y.comp.iq_width && x.comp.method == y.comp.method &&
              x.payload.size() == y.payload.size(),
          "U-plane round trip: section");
    for (std::size_t k = 0; k < x.payload.size(); ++k) check(x.payload[k] == y.payload[k], "U-plane round trip: payload");
  }
}

void check_cplane(const CplaneMessage& m, const CplaneConfig& config) {
  Scratch& s = scratch();
  for (const CplaneSection& section : m.view()) {
    for (const SectionExtension& ext : section.extension_view()) {
      check_inside(ext.bytes, "C-plane extension outside the input");
      check(ext.bytes.size() >= 4 && ext.bytes.size() % 4 == 0, "extension size");
      check(extension_is_known(ext.type), "unknown extension kept");
    }
  }
  const BuildResult r = build_cplane_message(s.build, EcpriTransport{}, m, config);
  if (!r) fail("a parsed C-plane message does not build");
  const std::span<const std::uint8_t> oran(s.build.data() + kEcpriTransportHeaderSize,
                                           r.size - kEcpriTransportHeaderSize);
  if (parse_cplane(oran, config, s.cplane_again) != CodecError::ok) fail("a built C-plane message does not parse");
  const CplaneMessage& b = s.cplane_again;
  check(b.num_sections == m.num_sections && b.section_type == m.section_type &&
            b.time_offset == m.time_offset && b.cp_length == m.cp_length &&
            b.frame_structure == m.frame_structure && b.comp.raw == m.comp.raw,
        "C-plane round trip: header");
  for (std::size_t i = 0; i < m.num_sections; ++i) {
    const CplaneSection& x = m.sections[i];
    const CplaneSection& y = b.sections[i];
    check(x.section_id == y.section_id && x.rb == y.rb && x.sym_inc == y.sym_inc &&
              x.start_prb == y.start_prb && x.num_prb == y.num_prb && x.re_mask == y.re_mask &&
              x.num_symbol == y.num_symbol && x.beam_id == y.beam_id &&
              x.frequency_offset == y.frequency_offset && x.num_extensions == y.num_extensions &&
              y.num_skipped_extensions == 0,
          "C-plane round trip: section");
  }
}

void parse_oran(const EcpriMessage& message) {
  Scratch& s = scratch();
  check_inside(message.payload, "eCPRI payload outside the input");
  if (message.type() == EcpriMessageType::iq_data) {
    std::size_t n = 0;
    const UplaneConfig* configs = uplane_configs(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (parse_uplane(message, configs[i], s.uplane) == CodecError::ok) check_uplane(s.uplane, configs[i]);
    }
  } else if (message.type() == EcpriMessageType::real_time_control) {
    for (std::uint16_t prbs : {std::uint16_t{273}, std::uint16_t{0}}) {
      if (parse_cplane(message, CplaneConfig{prbs}, s.cplane) == CodecError::ok) {
        check_cplane(s.cplane, CplaneConfig{prbs});
      }
    }
  }
}

void parse_pdu(std::span<const std::uint8_t> pdu) {
  Scratch& s = scratch();
  const CodecError e = parse_ecpri_pdu(pdu, s.pdu);
  // Messages before a framing error are delimited: a receiver may still use them.
  check(s.pdu.count <= kMaxEcpriMessages, "eCPRI message count");
  check(e == CodecError::ok || e != CodecError::count_, "eCPRI error code");
  for (std::size_t i = 0; i < s.pdu.count; ++i) parse_oran(s.pdu.messages[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  g_input = input;
  Scratch& s = scratch();

  // 1. As a frame, with and without UDP, a fixed and any port, checksums on and off.
  FrameParseConfig frame_configs[3];
  frame_configs[0].udp_port = 5000;
  frame_configs[1].udp_port = 0;
  frame_configs[1].verify_ipv4_checksum = false;
  frame_configs[1].verify_udp_checksum = false;
  frame_configs[2].accept_udp = false;
  for (const FrameParseConfig& config : frame_configs) {
    ParsedFrame frame;
    if (parse_frame(input, config, frame) == CodecError::ok) {
      check_inside(frame.ecpri, "eCPRI PDU outside the frame");
      check(frame.ecpri.data() == data + frame.ecpri_offset, "ecpri_offset");
      parse_pdu(frame.ecpri);
    }
  }

  // 2. As an eCPRI PDU.
  parse_pdu(input);

  // 3. As U-plane and C-plane messages (the bytes after the eCPRI transport header).
  std::size_t n = 0;
  const UplaneConfig* configs = uplane_configs(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (parse_uplane(input, configs[i], s.uplane) == CodecError::ok) check_uplane(s.uplane, configs[i]);
  }
  for (std::uint16_t prbs : {std::uint16_t{273}, std::uint16_t{52}, std::uint16_t{0}}) {
    if (parse_cplane(input, CplaneConfig{prbs}, s.cplane) == CodecError::ok) {
      check_cplane(s.cplane, CplaneConfig{prbs});
    }
  }

  // 4. eAxC decoding with a few splits (total functions: must not trap).
  if (size >= 2) {
    const std::uint16_t id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    for (const EaxcSplit split : {EaxcSplit{}, EaxcSplit{2, 6, 4, 4}, EaxcSplit{0, 0, 0, 16}}) {
      const Eaxc e = decode_eaxc(id, split);
      auto back = encode_eaxc(e, split);
      check(back.has_value() && *back == id, "eAxC round trip");
    }
  }
  return 0;
}

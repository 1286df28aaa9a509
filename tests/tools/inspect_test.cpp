// `airan inspect`: captures generated here (UplanePacker + PcapWriter, C-plane, delay
// measurement, garbage, a dropped and a duplicated packet) are inspected and every count is
// checked exactly against what was written; the binary is run for --json and the exit codes.
#include "airan/inspect.hpp"

#include <gtest/gtest.h>

#include "tools_test_support.hpp"
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/io/fronthaul.hpp"
#include "airan/io/oran/cplane.hpp"
#include "airan/io/pcap.hpp"

namespace airan::tools {
namespace {

using test_support::CommandRun;
using test_support::run_airan;

namespace fs = std::filesystem;

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;
constexpr int kPrbs = 51;
constexpr int kMu = 1;
constexpr int kFirstSlot = 100;  // frame 5, subframe 0, slot 0
constexpr std::int64_t kBaseDelay = 100'000;


fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("airan_inspect_" + std::to_string(::getpid()) + "_" + name);
}

struct Written {
  std::vector<std::uint8_t> bytes;
  std::uint64_t ts;
};

void write_capture(const fs::path& path, std::vector<Written> frames, io::PcapFormat format = io::PcapFormat::pcapng) {
  std::stable_sort(frames.begin(), frames.end(), [](const Written& a, const Written& b) { return a.ts < b.ts; });
  auto writer = io::PcapWriter::create(path.string(), format);
  ASSERT_TRUE(writer) << writer.error().message;
  for (const Written& f : frames) ASSERT_TRUE(writer->write(f.bytes, f.ts));
  ASSERT_TRUE(writer->close());
}

std::uint16_t eaxc_id(int du, int bs, int cc, int ru) {
  return *io::encode_eaxc(io::Eaxc{static_cast<std::uint16_t>(du), static_cast<std::uint16_t>(bs),
                                   static_cast<std::uint16_t>(cc), static_cast<std::uint16_t>(ru)},
                          io::EaxcSplit{});
}

io::FronthaulConfig config(bool dynamic, io::FrameTransport transport = io::FrameTransport::ethernet) {
  io::FronthaulConfig c;
  c.numerology = kMu;
  c.carrier_prbs = kPrbs;
  c.eaxc_ids = {eaxc_id(1, 2, 0, 0), eaxc_id(1, 2, 0, 1)};
  c.uplane.uplink.dynamic = dynamic;
  c.uplane.uplink.static_comp = io::make_ud_comp_hdr(9, io::CompressionMethod::block_floating_point);
  c.frame.transport = transport;
  if (transport == io::FrameTransport::ethernet) {
    c.frame.vlan = io::VlanTag{3, false, 100};
  } else {
    c.frame.ipv4_source = 0x0A000001;
    c.frame.ipv4_destination = 0x0A000002;
    c.frame.udp_source_port = 40000;
    c.frame.udp_destination_port = 5555;
  }
  c.mtu = 9000;  // one packet per symbol and port
  return c;
}

// Random IQ; PRBs 40..50 of port 1 silent; `amplitude` scales everything.
phy::ResourceGrid make_grid(unsigned seed, float amplitude = 0.7F) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0F, amplitude);
  phy::ResourceGrid grid(2, 14, 12 * kPrbs);
  for (int p = 0; p < 2; ++p) {
    for (int l = 0; l < 14; ++l) {
      auto row = grid.symbol(p, l);
      for (std::size_t k = 0; k < row.size(); ++k) {
        row[k] = (p == 1 && k >= 40 * 12) ? phy::Complex{} : phy::Complex{normal(engine), normal(engine)};
      }
    }
  }
  return grid;
}

std::int64_t jitter(int symbol, int port) { return (symbol % 5) * 2048 + port * 512; }

// One U-plane packet as written.
struct UplaneRecord {
  int slot;  // 0 or 1
  int symbol;
  int port;
  std::uint64_t ts;
  std::int64_t delay;  // after the symbol's air time
  bool dropped = false;
  bool duplicated = false;
};

struct Scenario {
  std::vector<Written> frames;
  std::vector<UplaneRecord> uplane;
  std::vector<phy::ResourceGrid> grids;
  io::FronthaulConfig fh;
};

std::uint64_t air(int slot, int symbol) {
  return static_cast<std::uint64_t>(io::symbol_air_time_ns(io::slot_time(kFirstSlot + slot, kMu), symbol, kMu));
}

// Two slots of 2 eAxCs. With `impairments`: eAxC 0 slot 0 symbol 5 dropped, eAxC 1 slot 1
// symbol 0 duplicated (1024 ns later).
Scenario uplane_scenario(bool dynamic, bool impairments, std::uint64_t t0 = kT0, float amplitude = 0.7F,
                         io::FrameTransport transport = io::FrameTransport::ethernet) {
  Scenario sc;
  sc.fh = config(dynamic, transport);
  auto packer = io::UplanePacker::create(sc.fh);
  EXPECT_TRUE(packer) << packer.error().message;
  for (int s = 0; s < 2; ++s) {
    sc.grids.push_back(make_grid(10 + static_cast<unsigned>(s), amplitude));
    int emitted = 0;
    EXPECT_TRUE(packer->pack_slot(sc.grids.back(), io::slot_time(kFirstSlot + s, kMu),
                                  [&](std::span<const std::uint8_t> bytes, int symbol) {
                                    const int port = emitted++ % 2;
                                    UplaneRecord rec{s, symbol, port, 0, kBaseDelay + jitter(symbol, port)};
                                    rec.ts = t0 + air(s, symbol) + static_cast<std::uint64_t>(rec.delay);
                                    rec.dropped = impairments && s == 0 && symbol == 5 && port == 0;
                                    if (!rec.dropped) sc.frames.push_back({{bytes.begin(), bytes.end()}, rec.ts});
                                    sc.uplane.push_back(rec);
                                    if (impairments && s == 1 && symbol == 0 && port == 1) {
                                      UplaneRecord dup = rec;
                                      dup.duplicated = true;
                                      dup.ts += 1024;
                                      dup.delay += 1024;
                                      sc.frames.push_back({{bytes.begin(), bytes.end()}, dup.ts});
                                      sc.uplane.push_back(dup);
                                    }
                                  }));
  }
  return sc;
}

std::vector<std::uint8_t> vlan_frame(std::span<const std::uint8_t> ecpri) {
  io::FrameBuildConfig fc;
  fc.vlan = io::VlanTag{3, false, 100};
  const std::size_t header = io::frame_header_size(fc);
  std::vector<std::uint8_t> frame(header + ecpri.size() + 64);
  std::copy(ecpri.begin(), ecpri.end(), frame.begin() + static_cast<std::ptrdiff_t>(header));
  const io::BuildResult r = io::write_frame_headers(frame, fc, ecpri.size());
  EXPECT_TRUE(r);
  frame.resize(r.size);
  return frame;
}

std::vector<std::uint8_t> cplane_frame(std::uint16_t eaxc, std::uint8_t seq, int slot, bool prach) {
  io::CplaneMessage m;
  m.timing.direction = io::DataDirection::uplink;
  m.timing.frame_id = 5;
  m.timing.slot_id = static_cast<std::uint8_t>(slot);
  m.section_type = prach ? io::cplane_section_type::prach : io::cplane_section_type::normal;
  m.comp = io::make_ud_comp_hdr(9, io::CompressionMethod::block_floating_point);
  m.num_sections = 1;
  m.sections[0].section_id = 1;
  m.sections[0].start_prb = 0;
  m.sections[0].num_prb = prach ? 12 : kPrbs;
  m.sections[0].num_symbol = prach ? 12 : 14;
  if (prach) {
    m.frame_structure = 0xC1;
    m.cp_length = 0;
    m.time_offset = 100;
    m.sections[0].frequency_offset = -100;
  }
  std::vector<std::uint8_t> buffer(512);
  io::EcpriTransport t;
  t.eaxc_id = eaxc;
  t.seq_id = seq;
  const io::BuildResult r = io::build_cplane_message(buffer, t, m, io::CplaneConfig{kPrbs});
  EXPECT_TRUE(r) << io::to_string(r.error);
  return vlan_frame(std::span(buffer).first(r.size));
}

// The full scenario: U-plane with impairments, C-plane, a delay measurement and garbage.
Scenario full_scenario() {
  Scenario sc = uplane_scenario(true, true);
  const std::uint16_t e0 = sc.fh.eaxc_ids[0];
  const std::uint16_t e1 = sc.fh.eaxc_ids[1];
  // C-plane: type 1 per slot and eAxC 200 us before the slot, a type 3 (PRACH) on eAxC 0.
  std::uint8_t seq[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    for (int p = 0; p < 2; ++p) {
      sc.frames.push_back({cplane_frame(p ? e1 : e0, seq[p]++, s, false), kT0 + air(s, 0) - 200'000 + p * 1000});
      if (s == 0 && p == 0) sc.frames.push_back({cplane_frame(e0, seq[0]++, 0, true), kT0 + air(0, 0) - 150'000});
    }
  }
  // One-way delay measurement.
  {
    std::vector<std::uint8_t> buffer(64);
    const io::BuildResult r = io::build_ecpri_delay_measurement(buffer, io::EcpriDelayMeasurement{7, 0, 1, 2, 0});
    EXPECT_TRUE(r);
    sc.frames.push_back({vlan_frame(std::span(buffer).first(r.size)), kT0 + air(0, 0) - 100'000});
  }
  // Garbage, all during slot 0.
  const std::vector<std::uint8_t> real = sc.frames.front().bytes;  // eAxC 0, slot 0, symbol 0
  const std::uint64_t g = kT0 + air(0, 2);
  std::vector<std::uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  sc.frames.push_back({arp, g + 1});
  sc.frames.push_back({std::vector<std::uint8_t>(10, 0xFF), g + 2});  // truncated_ethernet
  std::vector<std::uint8_t> bad_revision = real;
  bad_revision[18] = 0x20;  // eCPRI revision 2
  sc.frames.push_back({bad_revision, g + 3});
  std::vector<std::uint8_t> cut = real;
  cut.resize(100);  // eCPRI payload size beyond the frame
  sc.frames.push_back({cut, g + 4});
  std::vector<std::uint8_t> bad_version = real;
  bad_version[22] = 0x1F;  // eAxC 0x1F00
  bad_version[23] = 0x00;
  bad_version[26] = static_cast<std::uint8_t>((bad_version[26] & 0x8F) | 0x20);  // payloadVersion 2
  sc.frames.push_back({bad_version, g + 5});
  return sc;
}

// Nearest-rank quantile of sorted values.
std::int64_t quantile(const std::vector<std::int64_t>& sorted, double q) {
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST(InspectOptionsParsing, CompressionNamesAndEaxcSplit) {
  auto bfp9 = parse_ud_comp("bfp9");
  ASSERT_TRUE(bfp9);
  EXPECT_EQ(bfp9->method, io::CompressionMethod::block_floating_point);
  EXPECT_EQ(bfp9->iq_width, 9);
  EXPECT_EQ(parse_ud_comp("none")->iq_width, 16);
  EXPECT_EQ(parse_ud_comp("mulaw8")->method, io::CompressionMethod::mu_law);
  EXPECT_EQ(parse_ud_comp("bs12")->method, io::CompressionMethod::block_scaling);
  for (const char* bad : {"bfp", "bfp17", "bfp0", "zip9", "bfp9x", ""}) EXPECT_FALSE(parse_ud_comp(bad)) << bad;
  EXPECT_EQ(to_string(*parse_ud_comp("bfp14")), "bfp14");
  auto split = parse_eaxc_split("2,6,4,4");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->band_sector_bits, 6);
  EXPECT_FALSE(parse_eaxc_split("4,4,4"));
  EXPECT_FALSE(parse_eaxc_split("4,4,4,5"));
  EXPECT_FALSE(parse_eaxc_split("4,4,4,4,"));
  InspectOptions o;
  o.comp_header = CompHeaderMode::static_header;
  EXPECT_FALSE(o.validate());  // static needs --ud-comp
  o.ud_comp = *bfp9;
  EXPECT_TRUE(o.validate());
  o.ta4_min_ns = 10;
  o.ta4_max_ns = 5;
  EXPECT_FALSE(o.validate());
}

TEST(InspectCapture, CountsEverythingExactly) {
  const Scenario sc = full_scenario();
  const fs::path path = temp_path("full.pcapng");
  write_capture(path, sc.frames);
  InspectOptions options;
  options.carrier_prbs = kPrbs;
  options.numerology = kMu;
  options.ta4_min_ns = 50'000;
  options.ta4_max_ns = 58'000;
  auto report = inspect_capture(path.string(), options);
  fs::remove(path);
  ASSERT_TRUE(report) << report.error().message;
  const InspectReport& r = *report;
  const std::uint16_t e0 = sc.fh.eaxc_ids[0];
  const std::uint16_t e1 = sc.fh.eaxc_ids[1];

  // 56 U-plane - 1 dropped + 1 duplicate, 5 C-plane, 1 delay measurement, 5 garbage.
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.format, "pcapng");
  EXPECT_EQ(r.packets, 67U);
  EXPECT_EQ(r.ecpri_frames, 65U);
  EXPECT_EQ(r.ecpri_vlan, 65U);
  EXPECT_EQ(r.ecpri_ethernet, 0U);
  EXPECT_EQ(r.ecpri_udp, 0U);
  EXPECT_EQ(r.non_ecpri, 1U);
  EXPECT_EQ(r.snaplen_truncated, 0U);
  EXPECT_EQ(r.malformed_packets, 4U);
  EXPECT_EQ(r.messages, 63U);
  EXPECT_EQ(r.uplane_ul, 56U);
  EXPECT_EQ(r.uplane_dl, 0U);
  EXPECT_EQ(r.cplane_type_1, 4U);
  EXPECT_EQ(r.cplane_type_3, 1U);
  EXPECT_EQ(r.cplane_other, 0U);
  EXPECT_EQ(r.delay_measurement, 1U);
  EXPECT_EQ(r.other_ecpri, 0U);
  EXPECT_EQ(r.malformed_messages, 1U);
  EXPECT_EQ(r.malformed_by_code[io::CodecError::truncated_ethernet], 1U);
  EXPECT_EQ(r.malformed_by_code[io::CodecError::bad_ecpri_revision], 1U);
  EXPECT_EQ(r.malformed_by_code[io::CodecError::ecpri_length_mismatch], 1U);
  EXPECT_EQ(r.malformed_by_code[io::CodecError::bad_payload_version], 1U);
  EXPECT_EQ(r.malformed_total(), 4U);
  EXPECT_FALSE(r.passed());

  ASSERT_EQ(r.eaxcs.size(), 3U);
  const EaxcReport& a = r.eaxcs[0];
  const EaxcReport& b = r.eaxcs[1];
  const EaxcReport& g = r.eaxcs[2];
  EXPECT_EQ(a.eaxc_id, e0);
  EXPECT_EQ(b.eaxc_id, e1);
  EXPECT_EQ(g.eaxc_id, 0x1F00);
  EXPECT_EQ(a.fields, (io::Eaxc{1, 2, 0, 0}));
  EXPECT_EQ(b.fields, (io::Eaxc{1, 2, 0, 1}));
  EXPECT_EQ(a.messages, 30U);  // 27 U-plane + 2 type 1 + 1 type 3
  EXPECT_EQ(a.uplane_ul, 27U);
  EXPECT_EQ(a.cplane, 3U);
  EXPECT_EQ(a.sections, 27U);
  EXPECT_EQ(b.messages, 31U);
  EXPECT_EQ(b.uplane_ul, 29U);
  EXPECT_EQ(b.cplane, 2U);
  EXPECT_EQ(b.sections, 29U);
  EXPECT_EQ(g.messages, 1U);
  EXPECT_EQ(g.malformed, 1U);
  EXPECT_EQ(g.uplane_ul, 0U);
  for (const EaxcReport* e : {&a, &b}) {
    EXPECT_EQ(e->malformed, 0U);
    EXPECT_EQ(e->start_prb_min, 0);
    EXPECT_EQ(e->start_prb_max, 0);
    EXPECT_EQ(e->end_prb_max, kPrbs);
    EXPECT_EQ(e->num_prb, (std::map<int, std::uint64_t>{{kPrbs, e->sections}}));
    EXPECT_EQ(e->ud_comp_hdr, (std::map<int, std::uint64_t>{{0x91, e->sections}}));
    EXPECT_EQ(e->methods, (std::map<std::string, std::uint64_t>{{"bfp9", e->sections}}));
    EXPECT_TRUE(e->comp_ul.present);
    EXPECT_EQ(e->comp_ul.mode, "dynamic");
    EXPECT_TRUE(e->comp_ul.detected);
    EXPECT_FALSE(e->comp_dl.present);
    EXPECT_EQ(e->size_mismatch, 0U);
    EXPECT_EQ(e->slots, 2U);
    EXPECT_EQ(e->edge_partial_slots, 0U);
  }
  EXPECT_EQ(a.symbols, 27U);
  EXPECT_EQ(a.symbols_full, 27U);
  EXPECT_EQ(a.prbs_per_symbol, (std::map<int, std::uint64_t>{{kPrbs, 27}}));
  EXPECT_EQ(a.duplicate_prbs, 0U);
  EXPECT_EQ(a.missing_symbols, 1U);
  EXPECT_EQ(a.sequence.gaps, 1U);
  EXPECT_EQ(a.sequence.missing, 1U);
  EXPECT_EQ(a.sequence.duplicates, 0U);
  EXPECT_EQ(a.sequence.reordered, 0U);
  EXPECT_EQ(b.symbols, 28U);
  EXPECT_EQ(b.symbols_full, 28U);
  EXPECT_EQ(b.duplicate_prbs, static_cast<std::uint64_t>(kPrbs));
  EXPECT_EQ(b.missing_symbols, 0U);
  EXPECT_EQ(b.sequence.gaps, 0U);
  EXPECT_EQ(b.sequence.missing, 0U);
  EXPECT_EQ(b.sequence.duplicates, 1U);
  EXPECT_EQ(b.sequence.reordered, 0U);

  // Radio time.
  ASSERT_TRUE(r.first_radio_time && r.last_radio_time);
  EXPECT_EQ(r.first_radio_time->frame, 5);
  EXPECT_EQ(r.first_radio_time->slot, 0);
  EXPECT_EQ(r.first_radio_time->symbol, 0);
  EXPECT_EQ(r.last_radio_time->frame, 5);
  EXPECT_EQ(r.last_radio_time->subframe, 0);
  EXPECT_EQ(r.last_radio_time->slot, 1);
  EXPECT_EQ(r.last_radio_time->symbol, 13);
  EXPECT_EQ(r.slots, 2U);
  EXPECT_EQ(r.symbols_per_slot, (std::map<int, std::uint64_t>{{13, 1}, {14, 3}}));
  EXPECT_EQ(r.missing_symbols, 1U);
  EXPECT_EQ(r.edge_partial_slots, 0U);
  ASSERT_EQ(r.missing_examples.size(), 1U);
  EXPECT_EQ(r.missing_examples[0].eaxc_id, e0);
  EXPECT_EQ(r.missing_examples[0].frame, 5);
  EXPECT_EQ(r.missing_examples[0].slot, 0);
  EXPECT_EQ(r.missing_examples[0].symbols, std::vector<int>{5});

  // Timing: duration, rate, gaps (min/max exact, quantiles within the histogram's 0.1 %).
  std::vector<std::uint64_t> ts;
  for (const Written& f : sc.frames) ts.push_back(f.ts);
  std::sort(ts.begin(), ts.end());
  EXPECT_EQ(*r.first_timestamp_ns, ts.front());
  EXPECT_EQ(*r.last_timestamp_ns, ts.back());
  EXPECT_EQ(r.duration_ns, ts.back() - ts.front());
  EXPECT_DOUBLE_EQ(r.packets_per_second, 66.0 * 1e9 / static_cast<double>(ts.back() - ts.front()));
  EXPECT_EQ(r.timestamp_reversals, 0U);
  std::vector<std::int64_t> gaps;
  for (std::size_t i = 1; i < ts.size(); ++i) gaps.push_back(static_cast<std::int64_t>(ts[i] - ts[i - 1]));
  std::sort(gaps.begin(), gaps.end());
  ASSERT_TRUE(r.inter_packet_gap_ns.valid);
  EXPECT_EQ(r.inter_packet_gap_ns.min, gaps.front());
  EXPECT_EQ(r.inter_packet_gap_ns.max, gaps.back());
  const auto near = [](std::int64_t got, std::int64_t want) {
    EXPECT_LE(std::abs(got - want), want / 1000 + 1) << got << " vs " << want;
  };
  near(r.inter_packet_gap_ns.median, quantile(gaps, 0.5));
  near(r.inter_packet_gap_ns.p99, quantile(gaps, 0.99));

  // Reception window, min reference: the earliest delay lands on Ta4_min; delays are exact.
  std::vector<std::int64_t> delays;
  for (const UplaneRecord& u : sc.uplane) {
    if (!u.dropped) delays.push_back(u.delay - kBaseDelay + options.ta4_min_ns);
  }
  std::sort(delays.begin(), delays.end());
  const auto late = static_cast<std::uint64_t>(
      std::count_if(delays.begin(), delays.end(), [&](std::int64_t d) { return d > options.ta4_max_ns; }));
  EXPECT_EQ(r.window_messages, 56U);
  EXPECT_EQ(r.early, 0U);
  EXPECT_EQ(r.late, late);
  EXPECT_EQ(late, 8U);  // symbols 4 and 9, both ports, both slots
  EXPECT_EQ(r.on_time, 56U - late);
  ASSERT_TRUE(r.delay_ns.valid);
  EXPECT_EQ(r.delay_ns.min, 50'000);
  EXPECT_EQ(r.delay_ns.median, quantile(delays, 0.5));
  EXPECT_EQ(r.delay_ns.p99, quantile(delays, 0.99));
  EXPECT_EQ(r.delay_ns.max, delays.back());

  // BFP: every PRB's exponent as bfp_exponent computes it from the packed grid.
  std::array<std::uint64_t, 16> exponents{};
  std::uint64_t zero = 0;
  std::uint64_t at_max = 0;
  std::vector<std::int16_t> iq(static_cast<std::size_t>(kPrbs) * 24);
  for (const UplaneRecord& u : sc.uplane) {
    if (u.dropped) continue;
    io::float_to_iq16(sc.grids[static_cast<std::size_t>(u.slot)].symbol(u.port, u.symbol), sc.fh.iq_scale, iq);
    for (int p = 0; p < kPrbs; ++p) {
      const auto prb = std::span<const std::int16_t>(iq).subspan(static_cast<std::size_t>(p) * 24, 24);
      const int e = io::bfp_exponent(prb, 9);
      ++exponents[static_cast<std::size_t>(e)];
      at_max += e >= 7;
      zero += std::all_of(prb.begin(), prb.end(), [](std::int16_t v) { return v == 0; });
    }
  }
  EXPECT_EQ(r.bfp_prbs, 56U * kPrbs);
  EXPECT_EQ(r.bfp_exponents, exponents);
  EXPECT_EQ(r.bfp_zero_prbs, zero);
  EXPECT_EQ(zero, (28U + 1U) * 11U);  // port 1: 28 symbols and the duplicate x PRBs 40..50
  EXPECT_EQ(r.bfp_at_max_exponent, at_max);
  EXPECT_EQ(r.bfp_decompress_errors, 0U);
  EXPECT_EQ(r.bfp_hint, at_max * 10 >= r.bfp_prbs ? "saturated" : "ok");
  std::array<std::uint64_t, 16> per_eaxc{};
  for (std::size_t i = 0; i < 16; ++i) per_eaxc[i] = a.bfp_exponents[i] + b.bfp_exponents[i];
  EXPECT_EQ(per_eaxc, exponents);

  // The human report names the sections and the verdict.
  std::ostringstream text;
  print_inspect_report(r, text);
  for (const char* s : {"eAxCs", "PRBs", "radio time", "timing", "BFP", "bad_payload_version", "FAIL: 4 malformed",
                        "0x1200", "missing: eAxC 0x1200 ul frame 5 subframe 0 slot 0 symbols 5"}) {
    EXPECT_NE(text.str().find(s), std::string::npos) << s << "\n" << text.str();
  }
}

TEST(InspectCapture, ReceptionWindowReferencesFirstAndGps) {
  // Frame 0 of the capture's clock on a 2.56 s boundary of the GPS epoch (UTC, 18 leap s).
  constexpr std::int64_t kCycle = 2'560'000'000;
  const std::int64_t gps_zero = 315'964'800LL * 1'000'000'000 - 18LL * 1'000'000'000;
  const auto t0 = static_cast<std::uint64_t>(gps_zero + (static_cast<std::int64_t>(kT0) - gps_zero) / kCycle * kCycle);
  const Scenario sc = uplane_scenario(true, false, t0);
  const fs::path path = temp_path("gps.pcap");
  write_capture(path, sc.frames, io::PcapFormat::pcap);
  InspectOptions options;
  options.ta4_min_ns = 102'000;
  options.ta4_max_ns = 106'000;
  options.time_reference = TimeReference::gps;
  auto gps = inspect_capture(path.string(), options);
  options.time_reference = TimeReference::first_packet;  // first message (delay 100 us) at 104 us
  auto first = inspect_capture(path.string(), options);
  fs::remove(path);
  ASSERT_TRUE(gps) << gps.error().message;
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(gps->passed());
  EXPECT_EQ(gps->format, "pcap");
  std::uint64_t early = 0;
  std::uint64_t late = 0;
  std::uint64_t early_first = 0;
  std::uint64_t late_first = 0;
  for (const UplaneRecord& u : sc.uplane) {
    early += u.delay < 102'000;
    late += u.delay > 106'000;
    const std::int64_t shifted = u.delay - kBaseDelay + 104'000;
    early_first += shifted < 102'000;
    late_first += shifted > 106'000;
  }
  EXPECT_EQ(gps->window_messages, 56U);
  EXPECT_EQ(gps->early, early);
  EXPECT_EQ(gps->late, late);
  EXPECT_EQ(gps->on_time, 56U - early - late);
  EXPECT_EQ(gps->delay_ns.min, kBaseDelay);
  EXPECT_EQ(gps->delay_ns.max, kBaseDelay + 8192 + 512);
  EXPECT_EQ(first->early, early_first);
  EXPECT_EQ(first->late, late_first);
  EXPECT_EQ(first->delay_ns.min, 104'000);
  EXPECT_GT(early, 0U);
  EXPECT_GT(late_first, 0U);
}

TEST(InspectCapture, StaticCompressionIsDetectedAndAMismatchReported) {
  const Scenario sc = uplane_scenario(false, false);
  const fs::path path = temp_path("static.pcap");
  write_capture(path, sc.frames, io::PcapFormat::pcap);
  auto detected = inspect_capture(path.string(), InspectOptions{});
  ASSERT_TRUE(detected) << detected.error().message;
  EXPECT_TRUE(detected->passed());
  ASSERT_EQ(detected->eaxcs.size(), 2U);
  for (const EaxcReport& e : detected->eaxcs) {
    EXPECT_EQ(e.comp_ul.mode, "static");
    EXPECT_TRUE(e.comp_ul.detected);
    ASSERT_TRUE(e.comp_ul.static_comp);
    EXPECT_EQ(to_string(*e.comp_ul.static_comp), "bfp9");
    EXPECT_TRUE(e.ud_comp_hdr.empty());
    EXPECT_EQ(e.methods, (std::map<std::string, std::uint64_t>{{"bfp9", 28}}));
    EXPECT_EQ(e.symbols_full, 28U);  // carrier inferred from the largest end
  }
  EXPECT_EQ(detected->bfp_prbs, 56U * kPrbs);

  InspectOptions wrong;
  wrong.comp_header = CompHeaderMode::static_header;
  wrong.ud_comp = *parse_ud_comp("bfp14");
  wrong.carrier_prbs = kPrbs;
  auto mismatch = inspect_capture(path.string(), wrong);
  fs::remove(path);
  ASSERT_TRUE(mismatch) << mismatch.error().message;
  EXPECT_FALSE(mismatch->passed());
  EXPECT_EQ(mismatch->malformed_messages, 56U);
  EXPECT_EQ(mismatch->malformed_by_code[io::CodecError::truncated_section], 56U);
  for (const EaxcReport& e : mismatch->eaxcs) {
    EXPECT_EQ(e.comp_ul.mode, "static");
    EXPECT_FALSE(e.comp_ul.detected);
    EXPECT_EQ(e.size_mismatch, 28U);
    EXPECT_EQ(e.mismatch_bytes_per_prb, (std::map<int, std::uint64_t>{{28, 28}}));  // 1 + 3 * 9
  }
}

TEST(InspectCapture, EcpriOverUdpNeedsTheUdpPort) {
  Scenario sc = uplane_scenario(true, false, kT0, 0.7F, io::FrameTransport::udp_ipv4);
  // Unrelated UDP traffic (port 53) with a checksum left to offload (wrong): not an error.
  std::vector<std::uint8_t> dns = sc.frames.front().bytes;
  dns[14 + 10] ^= 0xFF;                    // break the IPv4 checksum
  dns[14 + 20 + 2] = 0;
  dns[14 + 20 + 3] = 53;
  sc.frames.push_back({dns, kT0 + 1});
  const fs::path path = temp_path("udp.pcapng");
  write_capture(path, sc.frames);
  auto without = inspect_capture(path.string(), InspectOptions{});
  InspectOptions options;
  options.udp_port = 5555;
  auto with = inspect_capture(path.string(), options);
  fs::remove(path);
  ASSERT_TRUE(without && with);
  EXPECT_EQ(without->non_ecpri, 57U);
  EXPECT_EQ(without->ecpri_frames, 0U);
  EXPECT_TRUE(without->passed());
  EXPECT_EQ(with->ecpri_udp, 56U);
  EXPECT_EQ(with->non_ecpri, 1U);
  EXPECT_EQ(with->uplane_ul, 56U);
  EXPECT_TRUE(with->passed());
}

TEST(InspectCapture, BfpHintFlagsSaturatedAndSilentCaptures) {
  for (const auto& [amplitude, hint] : {std::pair{8.0F, "saturated"}, std::pair{0.01F, "low_level"}}) {
    const Scenario sc = uplane_scenario(true, false, kT0, amplitude);
    const fs::path path = temp_path("bfp.pcap");
    write_capture(path, sc.frames, io::PcapFormat::pcap);
    auto r = inspect_capture(path.string(), InspectOptions{});
    fs::remove(path);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->bfp_hint, hint) << amplitude;
  }
}

TEST(InspectCapture, GarbageNeverCrashesAndEveryPacketIsCounted) {
  std::mt19937 engine(7);
  const Scenario sc = full_scenario();
  std::vector<Written> frames;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> f;
    if (i % 3 == 0) {  // a real frame with a few random bytes flipped
      f = sc.frames[engine() % sc.frames.size()].bytes;
      for (int k = 0; k < 3 && !f.empty(); ++k) f[engine() % f.size()] ^= static_cast<std::uint8_t>(engine());
    } else {
      f.resize(engine() % 300);
      for (auto& b : f) b = static_cast<std::uint8_t>(engine());
      if (f.size() > 18 && i % 2) {
        f[12] = 0xAE;
        f[13] = 0xFE;
        f[14] = 0x10;
      }
    }
    frames.push_back({f, kT0 + static_cast<std::uint64_t>(i) * 1000});
  }
  const fs::path path = temp_path("garbage.pcap");
  write_capture(path, frames, io::PcapFormat::pcap);
  InspectOptions options;
  options.udp_port = 5555;
  auto r = inspect_capture(path.string(), options);
  fs::remove(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->packets, 3000U);
  EXPECT_EQ(r->non_ecpri + r->ecpri_frames + r->snaplen_truncated + r->malformed_by_code[io::CodecError::truncated_ethernet] +
                r->malformed_by_code[io::CodecError::truncated_ipv4] + r->malformed_by_code[io::CodecError::bad_ipv4_header] +
                r->malformed_by_code[io::CodecError::bad_ipv4_checksum] +
                r->malformed_by_code[io::CodecError::ipv4_fragmented] +
                r->malformed_by_code[io::CodecError::bad_udp_length] + r->malformed_by_code[io::CodecError::bad_udp_checksum],
            3000U);
  EXPECT_GT(r->malformed_total(), 500U);
  EXPECT_FALSE(r->passed());
  (void)to_json(*r).dump();
}

TEST(InspectCli, JsonExitCodesAndErrors) {
  const Scenario sc = full_scenario();
  const fs::path path = temp_path("cli.pcapng");
  write_capture(path, sc.frames);
  // --json: one object equal to the library's report; malformed packets -> exit 1.
  const std::string args = "--carrier-prbs 51 --numerology 1 --ta4-min-us 50 --ta4-max-us 58 --eaxc-split 4,4,4,4";
  const CommandRun j = run_airan("inspect --json " + args + " " + path.string(), false);
  EXPECT_EQ(j.exit_code, 1) << j.output;
  const auto doc = nlohmann::json::parse(j.output);
  InspectOptions options;
  options.carrier_prbs = 51;
  options.ta4_min_ns = 50'000;
  options.ta4_max_ns = 58'000;
  auto report = inspect_capture(path.string(), options);
  ASSERT_TRUE(report);
  EXPECT_EQ(doc, to_json(*report));
  EXPECT_EQ(doc["packets"]["total"], 67);
  EXPECT_EQ(doc["messages"]["uplane_ul"], 56);
  EXPECT_EQ(doc["malformed_by_code"]["bad_payload_version"], 1);
  EXPECT_EQ(doc["eaxcs"][0]["compression"]["ud_comp_hdr"]["0x91"], 27);
  EXPECT_EQ(doc["eaxcs"][0]["sequence"]["missing"], 1);
  EXPECT_EQ(doc["eaxcs"][1]["sequence"]["duplicates"], 1);
  EXPECT_EQ(doc["timing"]["reception_window"]["late"], 8);
  EXPECT_EQ(doc["radio_time"]["symbols_per_slot"]["13"], 1);
  EXPECT_EQ(doc["passed"], false);
  EXPECT_EQ(doc["bfp"]["exponent_histogram"].size(), 16U);

  // Human output, and a clean capture -> exit 0.
  const CommandRun h = run_airan("inspect " + args + " " + path.string());
  EXPECT_EQ(h.exit_code, 1);
  EXPECT_NE(h.output.find("FAIL: 4 malformed"), std::string::npos) << h.output;
  const fs::path clean = temp_path("clean.pcap");
  write_capture(clean, uplane_scenario(true, false).frames, io::PcapFormat::pcap);
  const CommandRun ok = run_airan("inspect " + clean.string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK"), std::string::npos) << ok.output;

  // Truncated capture: what was read, the error, exit 1.
  const fs::path cut = temp_path("cut.pcap");
  fs::copy_file(clean, cut);
  fs::resize_file(cut, fs::file_size(clean) - 30);
  const CommandRun t = run_airan("inspect --json " + cut.string(), false);
  EXPECT_EQ(t.exit_code, 1) << t.output;
  const auto tdoc = nlohmann::json::parse(t.output);
  EXPECT_EQ(tdoc["complete"], false);
  EXPECT_TRUE(tdoc["read_error"].is_string());
  EXPECT_EQ(tdoc["packets"]["total"], 55);
  const CommandRun th = run_airan("inspect " + cut.string());
  EXPECT_EQ(th.exit_code, 1);
  EXPECT_NE(th.output.find("TRUNCATED"), std::string::npos) << th.output;

  // Usage and input errors: exit 2 with a message naming the problem.
  const CommandRun missing = run_airan("inspect /no/such/capture.pcap");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/no/such/capture.pcap"), std::string::npos) << missing.output;
  const fs::path text = temp_path("not_a_capture.txt");
  {
    FILE* f = std::fopen(text.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a capture file, just some text long enough to hold a header\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(run_airan("inspect " + text.string()).exit_code, 2);
  const CommandRun bad_comp = run_airan("inspect --ud-comp bfp99 " + clean.string());
  EXPECT_EQ(bad_comp.exit_code, 2);
  EXPECT_NE(bad_comp.output.find("--ud-comp"), std::string::npos) << bad_comp.output;
  EXPECT_EQ(run_airan("inspect --static-comp-header " + clean.string()).exit_code, 2);
  EXPECT_EQ(run_airan("inspect --eaxc-split 4,4,4 " + clean.string()).exit_code, 2);
  EXPECT_EQ(run_airan("inspect --ta4-min-us 100 --ta4-max-us 50 " + clean.string()).exit_code, 2);
  EXPECT_EQ(run_airan("inspect --static-comp-header --dynamic-comp-header " + clean.string()).exit_code, 2);
  EXPECT_EQ(run_airan("inspect").exit_code, 2);
  EXPECT_EQ(run_airan("inspect --help").exit_code, 0);
  for (const fs::path& p : {path, clean, cut, text}) fs::remove(p);
}

}  // namespace
}  // namespace airan::tools

// The GPU order step on the CPU: real U-plane packets from UplanePacker go through the
// SlotAssembler twice, in grid mode (the CPU path) and in descriptor mode, whose descriptors and
// payload arena feed the host emulation of the CUDA kernel (every thread of the launch). The
// emulated device grid must equal the CPU grid bit for bit, and both modes must count the same
// packets the same way. Random and malformed descriptors must be refused by setup's validation
// with the section and field named, and an accepted list must never write outside the grid.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/io/cuda/gpu_fronthaul_order.hpp"
#include "airan/io/detail/bfp_math.hpp"
#include "airan/io/detail/gpu_fronthaul_order_host.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::io {
namespace {

namespace order = gpu_fronthaul_order;
using phy::detail::ComplexF;

struct TimedFrame {
  std::vector<std::uint8_t> bytes;
  std::int64_t arrival_ns;
};

FronthaulConfig config_for(CompressionMethod method, int iq_width, int ports, int prbs, int mtu, bool dynamic = false) {
  FronthaulConfig c;
  c.numerology = 1;
  c.carrier_prbs = prbs;
  c.eaxc_ids.clear();
  for (int p = 0; p < ports; ++p) c.eaxc_ids.push_back(static_cast<std::uint16_t>(0x20 + p));
  c.uplane.uplink.dynamic = dynamic;
  c.uplane.uplink.static_comp = make_ud_comp_hdr(iq_width, method);
  c.mtu = mtu;  // small MTUs split each symbol's PRBs over several sections
  c.window = {20'000, 300'000};
  return c;
}

phy::ResourceGrid random_grid(int ports, int prbs, unsigned seed, float sigma = 0.7F) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0F, sigma);
  phy::ResourceGrid grid(ports, 14, 12 * prbs);
  for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
  // Some all-zero and some full-scale PRBs: exponent 0 and the largest exponent.
  for (int p = 0; p < ports; ++p) {
    for (int k = 0; k < 12; ++k) grid.symbol(p, 3)[static_cast<std::size_t>(k)] = {0.0F, 0.0F};
    for (int k = 12; k < 24 && k < 12 * prbs; ++k) grid.symbol(p, 4)[static_cast<std::size_t>(k)] = {7.99F, -8.0F};
  }
  return grid;
}

std::vector<TimedFrame> pack(UplanePacker& packer, const phy::ResourceGrid& grid, int slot, int numerology,
                             std::int64_t delay_ns = 100'000) {
  std::vector<TimedFrame> frames;
  const SlotTime time = slot_time(slot, numerology);
  EXPECT_TRUE(packer.pack_slot(grid, time, [&](std::span<const std::uint8_t> bytes, int symbol) {
    frames.push_back({{bytes.begin(), bytes.end()}, symbol_air_time_ns(time, symbol, numerology) + delay_ns});
  }));
  return frames;
}

// Descriptor mode followed by the emulated GPU run, slot by slot, next to grid mode.
struct TwoModes {
  FronthaulConfig config;
  SlotAssembler grid_mode;
  SlotAssembler descriptor_mode;
  GpuFronthaulOrderLimits limits;
  std::vector<std::uint8_t> arena;  // stands for GpuFronthaulOrder::host_arena()
  std::vector<std::uint64_t> written;
  std::vector<order::Descriptor> descriptors;
  std::vector<phy::ResourceGrid> cpu_grids;
  std::vector<std::vector<ComplexF>> gpu_grids;
  std::vector<AssembledSlot> cpu_slots;
  std::vector<AssembledSlot> descriptor_slots;
  std::vector<std::size_t> section_counts;
  int row_stride = 0;

  void feed(const TimedFrame& f) {
    grid_mode.on_frame(f.bytes, f.arrival_ns, [this](const AssembledSlot& s) { on_cpu(s); });
    descriptor_mode.on_frame(f.bytes, f.arrival_ns, [this](const AssembledSlot& s) { on_descriptors(s); });
  }
  void flush() {
    grid_mode.flush([this](const AssembledSlot& s) { on_cpu(s); });
    descriptor_mode.flush([this](const AssembledSlot& s) { on_descriptors(s); });
  }
  void on_cpu(const AssembledSlot& s) {
    ASSERT_NE(s.grid, nullptr);
    cpu_grids.push_back(*s.grid);
    cpu_slots.push_back(s);
  }
  void on_descriptors(const AssembledSlot& s) {
    EXPECT_EQ(s.grid, nullptr);
    order::SlotHeader header{};
    const Status st = order::fill_descriptors(limits, s.sections, s.payload, arena, written, header, descriptors);
    ASSERT_TRUE(st) << st.error().message;
    std::vector<ComplexF> grid(static_cast<std::size_t>(limits.ports) * limits.symbols * limits.row_stride,
                               ComplexF{-1.0F, -1.0F});  // run() clears it: stale values must not survive
    const order::KernelParams params{&header, descriptors.data(), arena.data(), grid.data(), 1.0F / limits.iq_scale};
    order::emulate_run(limits, params);
    gpu_grids.push_back(std::move(grid));
    descriptor_slots.push_back(s);
    section_counts.push_back(s.sections.size());
  }
};

TwoModes make_two_modes(const FronthaulConfig& config, std::size_t arena_bytes, int max_sections, int row_stride) {
  auto grid_mode = SlotAssembler::create(config);
  EXPECT_TRUE(grid_mode.has_value()) << grid_mode.error().message;
  GpuFronthaulOrderLimits limits;
  limits.max_sections = max_sections;
  limits.max_payload_bytes = arena_bytes / static_cast<std::size_t>(config.slots_in_flight);
  limits.arena_slots = config.slots_in_flight;
  limits.ports = config.ports();
  limits.symbols = 14;
  limits.prbs = config.carrier_prbs;
  limits.row_stride = row_stride;
  limits.iq_scale = config.iq_scale;
  EXPECT_TRUE(validate(limits));
  std::vector<std::uint8_t> arena(arena_bytes);
  auto descriptor_mode = SlotAssembler::create(config, SectionOutput{arena, max_sections});
  EXPECT_TRUE(descriptor_mode.has_value()) << descriptor_mode.error().message;
  TwoModes t{config, std::move(*grid_mode), std::move(*descriptor_mode), limits, std::move(arena), {}, {}, {}, {}, {},
             {},     {},   row_stride};
  t.written.resize(order::written_words(limits));
  t.descriptors.resize(static_cast<std::size_t>(max_sections));
  return t;
}

// Bit-for-bit comparison of the CPU grid with the emulated device grid (row_stride apart);
// the padding between rows must stay 0.
void expect_same_grid(const phy::ResourceGrid& cpu, const std::vector<ComplexF>& gpu, int row_stride) {
  std::size_t mismatches = 0;
  std::string first;
  for (int p = 0; p < cpu.ports(); ++p) {
    for (int l = 0; l < cpu.symbols(); ++l) {
      const auto row = cpu.symbol(p, l);
      const std::size_t base = (static_cast<std::size_t>(p) * cpu.symbols() + l) * row_stride;
      for (int k = 0; k < row_stride; ++k) {
        const ComplexF g = gpu[base + static_cast<std::size_t>(k)];
        const phy::Complex c = k < cpu.subcarriers() ? row[static_cast<std::size_t>(k)] : phy::Complex{};
        if (std::bit_cast<std::uint32_t>(g.re) != std::bit_cast<std::uint32_t>(c.real()) ||
            std::bit_cast<std::uint32_t>(g.im) != std::bit_cast<std::uint32_t>(c.imag())) {
          if (mismatches++ == 0) {
            first = "port " + std::to_string(p) + " symbol " + std::to_string(l) + " subcarrier " + std::to_string(k) +
                    ": cpu (" + std::to_string(c.real()) + ", " + std::to_string(c.imag()) + ") gpu (" +
                    std::to_string(g.re) + ", " + std::to_string(g.im) + ")";
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0U) << "first: " << first;
}

void expect_same_counters(const AssemblerCounters& a, const AssemblerCounters& b) {
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(a.not_oran, b.not_oran);
  EXPECT_EQ(a.malformed, b.malformed);
  EXPECT_EQ(a.sections_corrupt, b.sections_corrupt);
  EXPECT_EQ(a.unknown_eaxc, b.unknown_eaxc);
  EXPECT_EQ(a.wrong_direction, b.wrong_direction);
  EXPECT_EQ(a.slots_complete, b.slots_complete);
  EXPECT_EQ(a.slots_incomplete, b.slots_incomplete);
  EXPECT_EQ(a.prbs_missing, b.prbs_missing);
  EXPECT_EQ(b.sections_dropped_full, 0U);
  ASSERT_EQ(a.eaxc.size(), b.eaxc.size());
  for (std::size_t p = 0; p < a.eaxc.size(); ++p) {
    SCOPED_TRACE("eAxC of port " + std::to_string(p));
    const EaxcCounters& x = a.eaxc[p];
    const EaxcCounters& y = b.eaxc[p];
    EXPECT_EQ(x.total_msgs_rcvd, y.total_msgs_rcvd);
    EXPECT_EQ(x.rx_on_time, y.rx_on_time);
    EXPECT_EQ(x.rx_early, y.rx_early);
    EXPECT_EQ(x.rx_late, y.rx_late);
    EXPECT_EQ(x.rx_corrupt, y.rx_corrupt);
    EXPECT_EQ(x.rx_pkt_dupl, y.rx_pkt_dupl);
    EXPECT_EQ(x.prbs_duplicate, y.prbs_duplicate);
    EXPECT_EQ(x.seq_id_gaps, y.seq_id_gaps);
    EXPECT_EQ(x.seq_id_reordered, y.seq_id_reordered);
    EXPECT_EQ(x.prbs_received, y.prbs_received);
  }
}

void expect_same_slots(const TwoModes& t) {
  ASSERT_EQ(t.cpu_slots.size(), t.descriptor_slots.size());
  ASSERT_EQ(t.cpu_grids.size(), t.gpu_grids.size());
  for (std::size_t i = 0; i < t.cpu_slots.size(); ++i) {
    SCOPED_TRACE("slot " + std::to_string(i));
    EXPECT_EQ(t.cpu_slots[i].time, t.descriptor_slots[i].time);
    EXPECT_EQ(t.cpu_slots[i].complete, t.descriptor_slots[i].complete);
    EXPECT_EQ(t.cpu_slots[i].prbs_missing, t.descriptor_slots[i].prbs_missing);
    expect_same_grid(t.cpu_grids[i], t.gpu_grids[i], t.row_stride);
  }
}

struct Case {
  CompressionMethod method;
  int iq_width;
  int ports;
  int prbs;
  int mtu;
  bool dynamic;
};

class OrderEmulation : public ::testing::TestWithParam<Case> {};

TEST_P(OrderEmulation, EmulatedGridEqualsTheCpuAssemblersBitForBit) {
  const Case c = GetParam();
  const FronthaulConfig config = config_for(c.method, c.iq_width, c.ports, c.prbs, c.mtu, c.dynamic);
  auto packer = UplanePacker::create(config);
  ASSERT_TRUE(packer.has_value()) << packer.error().message;
  const int row_stride = 12 * c.prbs + 36;  // wider rows than the carrier, as a front end's grid may be
  TwoModes t = make_two_modes(config, std::size_t{4} << 20, 1024, row_stride);
  for (int slot = 0; slot < 3; ++slot) {
    const phy::ResourceGrid grid = random_grid(c.ports, c.prbs, 100U + static_cast<unsigned>(slot), 0.3F + 0.5F * static_cast<float>(slot));
    for (const TimedFrame& f : pack(*packer, grid, 40 + slot, config.numerology)) t.feed(f);
  }
  t.flush();
  ASSERT_EQ(t.cpu_slots.size(), 3U);
  for (std::size_t n : t.section_counts) EXPECT_GT(n, static_cast<std::size_t>(c.ports) * 14);  // PRBs split
  for (const AssembledSlot& s : t.cpu_slots) EXPECT_TRUE(s.complete);
  expect_same_counters(t.grid_mode.counters(), t.descriptor_mode.counters());
  expect_same_slots(t);
}

INSTANTIATE_TEST_SUITE_P(
    Widths, OrderEmulation,
    ::testing::Values(Case{CompressionMethod::block_floating_point, 8, 4, 273, 1500, false},
                      Case{CompressionMethod::block_floating_point, 9, 4, 273, 1500, false},
                      Case{CompressionMethod::block_floating_point, 12, 2, 106, 1000, false},
                      Case{CompressionMethod::block_floating_point, 14, 3, 51, 600, true},
                      Case{CompressionMethod::block_floating_point, 16, 2, 273, 2000, false},
                      Case{CompressionMethod::none, 16, 4, 273, 3000, false},
                      Case{CompressionMethod::none, 9, 2, 100, 800, false}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return std::string(param_info.param.method == CompressionMethod::none ? "none" : "bfp") +
             std::to_string(param_info.param.iq_width) + (param_info.param.dynamic ? "_dynamic" : "");
    });

// Where a section's bytes start in its frame (the codec's own parse, not a hand-computed offset).
std::size_t first_payload_offset(const FronthaulConfig& config, const std::vector<std::uint8_t>& frame) {
  ParsedFrame parsed;
  EcpriPdu pdu;
  UplaneMessage message;
  UplaneConfig uplane = config.uplane;
  uplane.carrier_prbs = static_cast<std::uint16_t>(config.carrier_prbs);
  EXPECT_EQ(parse_frame(frame, config.frame_parse, parsed), CodecError::ok);
  EXPECT_EQ(parse_ecpri_pdu(parsed.ecpri, pdu), CodecError::ok);
  EXPECT_EQ(parse_uplane(pdu.view()[0], uplane, message), CodecError::ok);
  return static_cast<std::size_t>(message.sections[0].payload.data() - frame.data());
}

// Loss, duplicates, partial overlaps from a second packetisation (first arrival wins), reordering,
// early and late packets, a corrupt BFP exponent, truncated frames and unknown eAxCs: the two modes
// agree on every counter and on the grid.
TEST(OrderEmulation, CountersAndGridsAgreeUnderImpairments) {
  FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, 3, 273, 1500);
  auto packer = UplanePacker::create(config);
  FronthaulConfig wide = config;
  wide.mtu = 4000;  // other section boundaries: overlaps part of the first packetisation's sections
  auto other = UplanePacker::create(wide);
  ASSERT_TRUE(packer.has_value() && other.has_value());
  TwoModes t = make_two_modes(config, std::size_t{4} << 20, 1024, 12 * 273);
  t.grid_mode.set_frame_zero_time(0);
  t.descriptor_mode.set_frame_zero_time(0);

  std::mt19937 engine(7);
  std::vector<TimedFrame> frames;
  for (int slot = 0; slot < 6; ++slot) {
    auto a = pack(*packer, random_grid(3, 273, 200U + slot), 10 + slot, config.numerology);
    auto b = pack(*other, random_grid(3, 273, 300U + slot), 10 + slot, config.numerology, 150'000);
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto r = engine() % 100;
      if (r < 4) continue;                                  // lost
      if (r < 7) a[i].arrival_ns += 400'000;                // late: dropped
      if (r >= 7 && r < 10) a[i].arrival_ns -= 90'000;      // early: kept
      if (r >= 10 && r < 13) {                              // corrupt exponent of the first PRB
        a[i].bytes[first_payload_offset(config, a[i].bytes)] = 0x0F;  // 15 > 16 - 9
      }
      if (r >= 13 && r < 15) a[i].bytes.resize(a[i].bytes.size() / 2);  // truncated: malformed
      frames.push_back(a[i]);
      if (r >= 15 && r < 19) frames.push_back(a[i]);         // duplicated
    }
    // Reorder neighbours now and then, then partial overlaps from the other packetisation.
    for (std::size_t i = frames.size() - a.size() + 1; i < frames.size(); ++i) {
      if (engine() % 10 == 0) std::swap(frames[i - 1], frames[i]);
    }
    for (std::size_t i = 0; i < b.size(); i += 3) frames.push_back(b[i]);
  }
  // A frame with an eAxC the cell does not have.
  FronthaulConfig stranger = config;
  stranger.eaxc_ids = {0x7F};
  auto stranger_packer = UplanePacker::create(stranger);
  ASSERT_TRUE(stranger_packer.has_value());
  auto strange = pack(*stranger_packer, random_grid(1, 273, 9), 12, config.numerology);
  frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(frames.size() / 2), strange.front());

  for (const TimedFrame& f : frames) t.feed(f);
  t.flush();
  const AssemblerCounters& c = t.grid_mode.counters();
  // The impairments happened (so the comparison below is not between idle counters).
  std::uint64_t duplicates = 0, corrupt = 0, late = 0, early = 0, gaps = 0;
  for (const EaxcCounters& e : c.eaxc) {
    duplicates += e.prbs_duplicate;
    corrupt += e.rx_corrupt;
    late += e.rx_late;
    early += e.rx_early;
    gaps += e.seq_id_gaps;
  }
  EXPECT_GT(duplicates, 0U);
  EXPECT_GT(corrupt, 0U);
  EXPECT_GT(late, 0U);
  EXPECT_GT(early, 0U);
  EXPECT_GT(gaps, 0U);
  EXPECT_GT(c.malformed, 0U);
  EXPECT_EQ(c.unknown_eaxc, 1U);
  EXPECT_GT(c.slots_incomplete, 0U);
  expect_same_counters(c, t.descriptor_mode.counters());
  expect_same_slots(t);
}

// A slot whose descriptors or arena are too small: sections that do not fit are dropped whole and
// counted, their PRBs are missing, and nothing is written past the slot's part of the arena.
TEST(OrderEmulation, FullSlotDropsSectionsAndCountsThem) {
  const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, 2, 273, 1500);
  auto packer = UplanePacker::create(config);
  ASSERT_TRUE(packer.has_value());
  const std::size_t part = 20'000;  // < one slot's 2 x 14 x 273 x 28 bytes
  std::vector<std::uint8_t> arena(part * static_cast<std::size_t>(config.slots_in_flight) + 64, 0xA5);
  auto assembler =
      SlotAssembler::create(config, SectionOutput{std::span(arena).first(arena.size() - 64), 1000});
  ASSERT_TRUE(assembler.has_value()) << assembler.error().message;
  int slots = 0;
  std::size_t used = 0;
  auto on_slot = [&](const AssembledSlot& s) {
    ++slots;
    used = s.payload.size();
    EXPECT_FALSE(s.complete);
    for (const SectionDescriptor& d : s.sections) {
      EXPECT_LE(d.payload_offset + d.num_prb * 28U, s.payload.size());
    }
  };
  for (const TimedFrame& f : pack(*packer, random_grid(2, 273, 5), 3, config.numerology)) {
    assembler->on_frame(f.bytes, f.arrival_ns, on_slot);
  }
  assembler->flush(on_slot);
  EXPECT_EQ(slots, 1);
  EXPECT_LE(used, part);
  EXPECT_GT(assembler->counters().sections_dropped_full, 0U);
  EXPECT_GT(assembler->counters().prbs_missing, 0U);
  for (std::size_t i = arena.size() - 64; i < arena.size(); ++i) ASSERT_EQ(arena[i], 0xA5) << "byte " << i;

  auto too_small = SlotAssembler::create(config, SectionOutput{std::span(arena).first(3), 10});
  ASSERT_FALSE(too_small.has_value());
  EXPECT_NE(too_small.error().message.find("payload arena"), std::string::npos) << too_small.error().message;
  auto no_sections = SlotAssembler::create(config, SectionOutput{arena, 0});
  ASSERT_FALSE(no_sections.has_value());
  EXPECT_NE(no_sections.error().message.find("max_sections_per_slot"), std::string::npos);
}

// The shared per-RE function against decompress_prbs (both ISAs) on random valid PRBs of every
// width, for no compression and BFP.
TEST(OrderEmulation, SharedRoutineMatchesDecompressPrbs) {
  std::mt19937 engine(11);
  for (CompressionMethod method : {CompressionMethod::none, CompressionMethod::block_floating_point}) {
    for (int w = 1; w <= 16; ++w) {
      const CompressionParams params{method, w};
      const int bytes = compressed_prb_bytes(params);
      const int prbs = 9;
      std::vector<std::uint8_t> in(static_cast<std::size_t>(bytes * prbs));
      for (auto& b : in) b = static_cast<std::uint8_t>(engine());
      if (method == CompressionMethod::block_floating_point) {
        for (int p = 0; p < prbs; ++p) {
          in[static_cast<std::size_t>(p * bytes)] = static_cast<std::uint8_t>((engine() & 0xF0) | (engine() % (17 - w)));
        }
      }
      for (phy::CpuIsa isa : {phy::CpuIsa::generic, phy::CpuIsa::avx2}) {
        std::vector<std::int16_t> iq(static_cast<std::size_t>(prbs) * 24);
        ASSERT_TRUE(decompress_prbs(params, in, prbs, iq, isa));
        const float inv = 1.0F / 4096.0F;
        for (int p = 0; p < prbs; ++p) {
          for (int re = 0; re < 12; ++re) {
            const ComplexF v = bfp_math::decompress_re(in.data() + p * bytes, static_cast<int>(method), w, re, inv);
            const std::size_t k = static_cast<std::size_t>(p) * 24 + 2 * static_cast<std::size_t>(re);
            ASSERT_EQ(v.re, static_cast<float>(iq[k]) * inv) << "w " << w << " prb " << p << " re " << re;
            ASSERT_EQ(v.im, static_cast<float>(iq[k + 1]) * inv) << "w " << w << " prb " << p << " re " << re;
          }
        }
      }
    }
  }
}

GpuFronthaulOrderLimits small_limits() {
  GpuFronthaulOrderLimits l;
  l.max_sections = 16;
  l.max_payload_bytes = 4096;
  l.arena_slots = 2;
  l.ports = 2;
  l.symbols = 14;
  l.prbs = 20;
  l.row_stride = 12 * 20 + 4;
  return l;
}

Status setup_one(const GpuFronthaulOrderLimits& l, const SectionDescriptor& d, std::span<const std::uint8_t> payload,
                 std::span<const std::uint8_t> arena) {
  std::vector<std::uint64_t> written(order::written_words(l));
  std::vector<order::Descriptor> out(static_cast<std::size_t>(l.max_sections));
  order::SlotHeader header{};
  return order::fill_descriptors(l, std::span(&d, 1), payload, arena, written, header, out);
}

TEST(OrderEmulation, SetupNamesTheSectionAndFieldOfEachError) {
  const GpuFronthaulOrderLimits l = small_limits();
  std::vector<std::uint8_t> arena(l.max_payload_bytes * 2);
  const std::span<const std::uint8_t> payload = std::span<const std::uint8_t>(arena).subspan(100, 1000);
  SectionDescriptor good{0, 1, 13, CompressionMethod::block_floating_point, 0, 20, 9};
  ASSERT_TRUE(setup_one(l, good, payload, arena));
  auto expect_error = [&](SectionDescriptor d, const std::string& field) {
    const Status s = setup_one(l, d, payload, arena);
    ASSERT_FALSE(s) << field;
    EXPECT_NE(s.error().message.find("section 0"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(field), std::string::npos) << s.error().message;
  };
  SectionDescriptor d = good;
  d.port = 2;
  expect_error(d, "port 2");
  d = good;
  d.symbol = 14;
  expect_error(d, "symbol 14");
  d = good;
  d.method = CompressionMethod::mu_law;
  expect_error(d, "compression method 3");
  d = good;
  d.iq_width = 0;
  expect_error(d, "iq_width 0");
  d = good;
  d.iq_width = 17;
  expect_error(d, "iq_width 17");
  d = good;
  d.start_prb = 15;
  d.num_prb = 6;
  expect_error(d, "start_prb 15, num_prb 6");
  d = good;
  d.num_prb = 0;
  expect_error(d, "num_prb 0");
  d = good;
  d.payload_offset = 600;  // 600 + 20 x 28 > 1000
  expect_error(d, "payload_offset 600");

  // A payload that is not inside the arena, a second section over the same PRB, too many sections.
  std::vector<std::uint8_t> elsewhere(1000);
  const Status outside = setup_one(l, good, elsewhere, arena);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("host arena"), std::string::npos) << outside.error().message;
  std::vector<std::uint64_t> written(order::written_words(l));
  std::vector<order::Descriptor> out(static_cast<std::size_t>(l.max_sections));
  order::SlotHeader header{};
  const SectionDescriptor overlap[] = {{0, 0, 2, CompressionMethod::none, 0, 5, 16},
                                       {240, 0, 2, CompressionMethod::none, 4, 2, 16}};
  const Status twice = order::fill_descriptors(l, overlap, payload, arena, written, header, out);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("section 1: PRB 4 of port 0 symbol 2"), std::string::npos)
      << twice.error().message;
  std::vector<SectionDescriptor> many(17, good);
  const Status too_many = order::fill_descriptors(l, many, payload, arena, written, header, out);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("17 sections"), std::string::npos) << too_many.error().message;

  GpuFronthaulOrderLimits bad = l;
  bad.row_stride = 12 * 20 - 1;
  ASSERT_FALSE(validate(bad));
  EXPECT_NE(validate(bad).error().message.find("row_stride"), std::string::npos);
  bad = l;
  bad.max_sections = 0;
  EXPECT_NE(validate(bad).error().message.find("max_sections"), std::string::npos);
}

// Random descriptor lists, most of them malformed: setup either refuses them naming a section, or
// the emulated kernel writes only inside the grid (guard zones on both sides stay untouched; the
// ASan build also catches reads outside the exactly-sized arena).
TEST(OrderEmulation, RandomDescriptorsAreRejectedOrStayInBounds) {
  const GpuFronthaulOrderLimits l = small_limits();
  std::mt19937 engine(2024);
  std::vector<std::uint8_t> arena(l.max_payload_bytes * static_cast<std::size_t>(l.arena_slots));
  for (auto& b : arena) b = static_cast<std::uint8_t>(engine());
  const std::size_t elements = static_cast<std::size_t>(l.ports) * l.symbols * l.row_stride;
  constexpr std::size_t kGuard = 4096;
  const ComplexF canary{-12345.0F, 54321.0F};
  std::vector<ComplexF> grid(elements + 2 * kGuard, canary);
  std::vector<std::uint64_t> written(order::written_words(l));
  std::vector<order::Descriptor> out(static_cast<std::size_t>(l.max_sections));
  int accepted = 0;
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t payload_start = engine() % arena.size();
    const std::size_t payload_size = engine() % (arena.size() - payload_start + 1);
    const std::span<const std::uint8_t> payload = std::span<const std::uint8_t>(arena).subspan(payload_start, payload_size);
    std::vector<SectionDescriptor> sections(engine() % 20);
    const bool tame = trial % 2 == 0;  // half of the lists stay near the limits, to be accepted at times
    for (SectionDescriptor& d : sections) {
      d.port = static_cast<std::uint16_t>(tame ? engine() % 3 : engine());
      d.symbol = static_cast<std::uint8_t>(tame ? engine() % 15 : engine());
      d.method = static_cast<CompressionMethod>(tame ? engine() % 2 : engine() % 16);
      d.iq_width = static_cast<std::uint8_t>(tame ? engine() % 17 : engine());
      d.start_prb = static_cast<std::uint16_t>(tame ? engine() % 21 : engine());
      d.num_prb = static_cast<std::uint16_t>(tame ? engine() % 4 : engine());
      d.payload_offset = static_cast<std::uint32_t>(tame ? engine() % (payload_size + 50) : engine());
    }
    order::SlotHeader header{};
    const Status s = order::fill_descriptors(l, sections, payload, arena, written, header, out);
    if (!s) {
      ++rejected;
      ASSERT_NE(s.error().message.find("GPU fronthaul order"), std::string::npos) << s.error().message;
      ASSERT_NE(s.error().message.find("section"), std::string::npos) << s.error().message;
      continue;
    }
    ++accepted;
    // Garbage BFP exponents included: the kernel decodes them modulo int16 instead of reading
    // or writing out of bounds.
    const order::KernelParams params{&header, out.data(), arena.data(), grid.data() + kGuard, 1.0F / l.iq_scale};
    order::emulate_run(l, params);
    for (std::size_t i = 0; i < kGuard; ++i) {
      ASSERT_EQ(std::memcmp(&grid[i], &canary, sizeof canary), 0) << "trial " << trial << " wrote before the grid";
      ASSERT_EQ(std::memcmp(&grid[kGuard + elements + i], &canary, sizeof canary), 0)
          << "trial " << trial << " wrote after the grid";
    }
  }
  EXPECT_GT(accepted, 50);
  EXPECT_GT(rejected, 1000);
}

TEST(OrderEmulation, CreateSaysWhyWithoutADevice) {
  if (phy::detect_gpu().available) GTEST_SKIP() << "a GPU is present: tests/gpu checks the device run";
  auto order = GpuFronthaulOrder::create(GpuFronthaulOrderLimits{});
  ASSERT_FALSE(order.has_value());
  EXPECT_NE(order.error().message.find("GPU fronthaul order"), std::string::npos) << order.error().message;
  GpuFronthaulOrderLimits bad;
  bad.prbs = 300;
  auto invalid = GpuFronthaulOrder::create(bad);
  ASSERT_FALSE(invalid.has_value());
  EXPECT_NE(invalid.error().message.find("prbs=300"), std::string::npos) << invalid.error().message;
}

}  // namespace
}  // namespace airan::io

// The uplink fronthaul end to end in software: grid -> UplanePacker -> frames (optionally
// through a pcap file) -> SlotAssembler -> grid, with the O-RAN counters checked exactly for
// injected loss, duplication, reordering, lateness and corruption.
#include "airan/io/fronthaul.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "airan/io/fronthaul_json.hpp"
#include "airan/io/pcap.hpp"

namespace airan::io {
namespace {

struct TimedFrame {
  std::vector<std::uint8_t> bytes;
  std::int64_t arrival_ns;
  int symbol;
};

FronthaulConfig config_for(CompressionMethod method, int iq_width, bool dynamic, int ports, int prbs) {
  FronthaulConfig c;
  c.numerology = 1;
  c.carrier_prbs = prbs;
  c.eaxc_ids.clear();
  for (int p = 0; p < ports; ++p) c.eaxc_ids.push_back(static_cast<std::uint16_t>(0x10 + p));
  c.uplane.uplink.dynamic = dynamic;
  c.uplane.uplink.static_comp = make_ud_comp_hdr(iq_width, method);
  c.frame.vlan = VlanTag{3, false, 100};
  c.mtu = 1500;  // sections split over several packets per symbol
  c.window = {20'000, 300'000};
  return c;
}

phy::ResourceGrid random_grid(int ports, int prbs, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0F, 0.7F);
  phy::ResourceGrid grid(ports, 14, 12 * prbs);
  for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
  return grid;
}

// Frames of `slots` consecutive slots, each arriving 100 us after its symbol's air time.
std::vector<TimedFrame> pack(UplanePacker& packer, const std::vector<phy::ResourceGrid>& grids, int first_slot,
                             int numerology) {
  std::vector<TimedFrame> frames;
  for (std::size_t s = 0; s < grids.size(); ++s) {
    const SlotTime time = slot_time(first_slot + static_cast<int>(s), numerology);
    EXPECT_TRUE(packer.pack_slot(grids[s], time, [&](std::span<const std::uint8_t> bytes, int symbol) {
      frames.push_back({{bytes.begin(), bytes.end()}, symbol_air_time_ns(time, symbol, numerology) + 100'000, symbol});
    }));
  }
  return frames;
}

struct Collected {
  std::vector<phy::ResourceGrid> grids;
  std::vector<AssembledSlot> slots;
};

Collected assemble(SlotAssembler& assembler, const std::vector<TimedFrame>& frames) {
  Collected out;
  auto on_slot = [&](const AssembledSlot& slot) {
    out.grids.push_back(*slot.grid);
    out.slots.push_back(slot);
  };
  for (const TimedFrame& f : frames) assembler.on_frame(f.bytes, f.arrival_ns, on_slot);
  assembler.flush(on_slot);
  return out;
}

void expect_equal(const phy::ResourceGrid& a, const phy::ResourceGrid& b) {
  ASSERT_EQ(a.data().size(), b.data().size());
  for (std::size_t i = 0; i < a.data().size(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << "element " << i;
}

TEST(Fronthaul, RoundTripFillsTheGridExactlyForEveryCompression) {
  struct Case {
    CompressionMethod method;
    int width;
    bool dynamic;
  };
  for (const Case& k : {Case{CompressionMethod::block_floating_point, 9, true},
                        Case{CompressionMethod::block_floating_point, 14, false},
                        Case{CompressionMethod::none, 16, false}, Case{CompressionMethod::mu_law, 8, true}}) {
    const FronthaulConfig config = config_for(k.method, k.width, k.dynamic, 4, 51);
    auto packer = *UplanePacker::create(config);
    auto assembler = *SlotAssembler::create(config);
    std::vector<phy::ResourceGrid> grids = {random_grid(4, 51, 1), random_grid(4, 51, 2), random_grid(4, 51, 3)};
    const auto frames = pack(packer, grids, 37, config.numerology);
    const Collected got = assemble(assembler, frames);
    ASSERT_EQ(got.slots.size(), 3U);
    for (std::size_t s = 0; s < 3; ++s) {
      EXPECT_TRUE(got.slots[s].complete);
      EXPECT_EQ(got.slots[s].time, slot_time(37 + static_cast<int>(s), 1));
      phy::ResourceGrid expected;
      ASSERT_TRUE(packer.quantize(grids[s], expected));
      expect_equal(got.grids[s], expected);
    }
    const AssemblerCounters& c = assembler.counters();
    EXPECT_EQ(c.malformed, 0U);
    for (const EaxcCounters& e : c.eaxc) {
      EXPECT_EQ(e.total_msgs_rcvd, frames.size() / 4);
      EXPECT_EQ(e.rx_on_time, e.total_msgs_rcvd);
      EXPECT_EQ(e.rx_late + e.rx_early + e.rx_corrupt + e.rx_pkt_dupl + e.prbs_duplicate + e.seq_id_gaps, 0U);
      EXPECT_EQ(e.prbs_received, 3U * 14 * 51);
    }
  }
}

TEST(Fronthaul, InjectedImpairmentsAreCountedExactly) {
  const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, true, 2, 24);
  auto packer = *UplanePacker::create(config);
  std::vector<phy::ResourceGrid> grids = {random_grid(2, 24, 5), random_grid(2, 24, 6), random_grid(2, 24, 7)};
  auto frames = pack(packer, grids, 0, config.numerology);
  // One frame per (symbol, port) at 24 PRBs: 3 slots x 14 x 2 = 84 frames, eAxC alternating.
  ASSERT_EQ(frames.size(), 84U);
  std::vector<TimedFrame> impaired;
  int lost = 0;
  int duplicated = 0;
  int late = 0;
  int corrupt = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    TimedFrame f = frames[i];
    if (i == 10 || i == 41) {  // lost
      ++lost;
      continue;
    }
    if (i == 20) {  // late: beyond Ta4_max
      f.arrival_ns += 400'000;
      ++late;
    }
    if (i == 30) {  // corrupt: numPrbu beyond the carrier
      f.bytes[18 + 8 + 4 + 3] = 200;
      ++corrupt;
    }
    impaired.push_back(f);
    if (i == 50) {  // duplicated
      impaired.push_back(f);
      ++duplicated;
    }
  }
  std::swap(impaired[60], impaired[61]);  // reordered within a slot: harmless
  auto assembler = *SlotAssembler::create(config);
  const Collected got = assemble(assembler, impaired);
  const AssemblerCounters& c = assembler.counters();
  std::uint64_t dupl = 0, dupl_prbs = 0, lates = 0, gaps = 0, reordered = 0, msgs = 0;
  for (const EaxcCounters& e : c.eaxc) {
    dupl += e.rx_pkt_dupl;
    dupl_prbs += e.prbs_duplicate;
    lates += e.rx_late;
    gaps += e.seq_id_gaps;
    reordered += e.seq_id_reordered;
    msgs += e.total_msgs_rcvd;
  }
  EXPECT_EQ(dupl, static_cast<std::uint64_t>(duplicated));
  EXPECT_EQ(dupl_prbs, static_cast<std::uint64_t>(24 * duplicated));
  EXPECT_EQ(lates, static_cast<std::uint64_t>(late));
  EXPECT_EQ(c.malformed, static_cast<std::uint64_t>(corrupt));
  EXPECT_EQ(msgs, frames.size() - lost + duplicated);
  EXPECT_EQ(gaps, static_cast<std::uint64_t>(lost));
  EXPECT_EQ(reordered, 0U);  // frames 60 and 61 belong to different eAxCs: each stream stays in order
  // Missing PRBs: lost + late + corrupt frames, 24 PRBs each.
  EXPECT_EQ(c.prbs_missing, static_cast<std::uint64_t>(24 * (lost + late + corrupt)));
  EXPECT_EQ(c.slots_complete + c.slots_incomplete, 3U);
  EXPECT_EQ(got.slots.size(), 3U);
}

// SeqId bookkeeping on one eAxC across the 8-bit wrap: losses are the SeqIds never seen; a late
// arrival of a skipped SeqId is a reorder and takes its loss back; a repeat is neither.
TEST(Fronthaul, SeqIdLossReorderAndDuplicateAcrossTheWrap) {
  const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, true, 2, 24);
  auto packer = *UplanePacker::create(config);
  const std::vector<phy::ResourceGrid> grids = {random_grid(2, 24, 5), random_grid(2, 24, 6), random_grid(2, 24, 7)};
  std::vector<TimedFrame> stream;  // eAxC 0 only, SeqIds 240, 241, ..., 255, 0, 1, ...
  constexpr std::size_t kSeqIdOffset = 18 + 4 + 2;  // Ethernet + VLAN, eCPRI header, PC_ID
  for (TimedFrame& f : pack(packer, grids, 0, config.numerology)) {
    const int eaxc = f.bytes[kSeqIdOffset - 2] << 8 | f.bytes[kSeqIdOffset - 1];
    if (eaxc != config.eaxc_ids[0]) continue;
    f.bytes[kSeqIdOffset] = static_cast<std::uint8_t>((240 + stream.size()) & 0xFF);
    stream.push_back(std::move(f));
  }
  ASSERT_EQ(stream.size(), 42U);
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < stream.size(); ++k) {
    if (k == 5 || k == 20) continue;  // lost: SeqIds 245 and 4
    if (k == 18) continue;            // arrives after k = 25 instead
    order.push_back(k);
    if (k == 25) order.push_back(18);
    if (k == 30) order.push_back(30);  // duplicated
  }
  std::swap(order[9], order[10]);    // k 10 and 11 (SeqIds 250, 251)
  std::swap(order[14], order[15]);   // k 15 and 16 (SeqIds 255, 0): across the wrap
  std::vector<TimedFrame> frames;
  for (std::size_t k : order) frames.push_back(stream[k]);
  auto assembler = *SlotAssembler::create(config);
  assemble(assembler, frames);
  const EaxcCounters& e = assembler.counters().eaxc[0];
  EXPECT_EQ(e.total_msgs_rcvd, frames.size());
  EXPECT_EQ(e.seq_id_gaps, 2U);
  EXPECT_EQ(e.seq_id_reordered, 3U);
  EXPECT_EQ(e.rx_pkt_dupl, 1U);
}

TEST(Fronthaul, NonOranAndGarbageFramesAreCountedNotCrashing) {
  const FronthaulConfig config = config_for(CompressionMethod::none, 16, false, 1, 12);
  auto assembler = *SlotAssembler::create(config);
  std::mt19937 engine(1);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> frame(engine() % 200);
    for (auto& b : frame) b = static_cast<std::uint8_t>(engine());
    if (frame.size() > 14 && i % 2) {  // make half of them look like eCPRI
      frame[12] = 0xAE;
      frame[13] = 0xFE;
    }
    assembler.on_frame(frame, i * 1000, {});
  }
  const AssemblerCounters& c = assembler.counters();
  EXPECT_EQ(c.frames, 2000U);
  EXPECT_GT(c.not_oran + c.malformed + c.unknown_eaxc, 1900U);
}

TEST(Fronthaul, ThroughAPcapFileTheGridsAreIdentical) {
  for (PcapFormat format : {PcapFormat::pcap, PcapFormat::pcapng}) {
    const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, true, 2, 51);
    auto packer = *UplanePacker::create(config);
    std::vector<phy::ResourceGrid> grids = {random_grid(2, 51, 11), random_grid(2, 51, 12)};
    const auto frames = pack(packer, grids, 100, config.numerology);
    const auto path = std::filesystem::temp_directory_path() /
                      ("airan_fronthaul_" + std::to_string(::getpid()) + (format == PcapFormat::pcap ? ".pcap" : ".pcapng"));
    {
      auto writer = PcapWriter::create(path.string(), format);
      ASSERT_TRUE(writer) << writer.error().message;
      for (const TimedFrame& f : frames) ASSERT_TRUE(writer->write(f.bytes, static_cast<std::uint64_t>(f.arrival_ns) + 1'700'000'000'000'000'000ULL));
      ASSERT_TRUE(writer->close());
    }
    auto reader = PcapReader::open(path.string());
    ASSERT_TRUE(reader) << reader.error().message;
    auto assembler = *SlotAssembler::create(config);
    std::vector<phy::ResourceGrid> got;
    auto on_slot = [&](const AssembledSlot& slot) { got.push_back(*slot.grid); };
    Packet packet;
    for (;;) {
      auto more = reader->next(packet);
      ASSERT_TRUE(more);
      if (!*more) break;
      assembler.on_frame(packet.data, static_cast<std::int64_t>(packet.timestamp_ns), on_slot);
    }
    assembler.flush(on_slot);
    std::filesystem::remove(path);
    ASSERT_EQ(got.size(), 2U);
    for (std::size_t s = 0; s < 2; ++s) {
      phy::ResourceGrid expected;
      ASSERT_TRUE(packer.quantize(grids[s], expected));
      expect_equal(got[s], expected);
    }
    for (const EaxcCounters& e : assembler.counters().eaxc) EXPECT_EQ(e.rx_on_time, e.total_msgs_rcvd);
  }
}

TEST(Fronthaul, SlotTimingAndConfigValidation) {
  EXPECT_EQ(slot_index({1, 2, 1}, 1), (10 + 2) * 2 + 1);
  EXPECT_EQ(slot_time(25, 1), (SlotTime{1, 2, 1}));
  EXPECT_EQ(slots_per_frame_cycle(1), 5120);
  // mu = 1: slot 1 of a subframe starts 0.5 ms in; symbol 0 of slot 0 at 0.
  EXPECT_EQ(symbol_air_time_ns({0, 0, 1}, 0, 1), 500'000);
  EXPECT_EQ(symbol_air_time_ns({2, 3, 0}, 0, 1), 23'000'000);
  FronthaulConfig bad = config_for(CompressionMethod::none, 16, false, 2, 51);
  bad.eaxc_ids = {1, 1};
  EXPECT_FALSE(SlotAssembler::create(bad));
  bad = config_for(CompressionMethod::none, 16, false, 2, 51);
  bad.carrier_prbs = 300;
  EXPECT_FALSE(UplanePacker::create(bad));
}

}  // namespace
}  // namespace airan::io

namespace airan::io {
namespace {

// Uplink and downlink flows on the same eAxC ids (told apart by dataDirection): each assembler
// takes its own direction, leaves the other's SeqIds and counters alone, and classifies the
// downlink against the DU's transmit window before air time.
TEST(Fronthaul, UplinkAndDownlinkFlowsOnSharedEaxcsStayApart) {
  FronthaulConfig ul = config_for(CompressionMethod::block_floating_point, 9, true, 2, 24);
  ul.t1a_min_up_ns = 100'000;
  ul.t1a_max_up_ns = 400'000;
  ASSERT_TRUE(ul.validate());
  const FronthaulConfig dl = ul.downlink();
  EXPECT_EQ(dl.direction, DataDirection::downlink);
  EXPECT_EQ(dl.eaxc_ids, ul.eaxc_ids);
  EXPECT_EQ(dl.window.ta4_min_ns, -400'000);
  EXPECT_EQ(dl.window.ta4_max_ns, -100'000);

  auto ul_packer = *UplanePacker::create(ul);
  auto dl_packer = *UplanePacker::create(dl);
  const std::vector<phy::ResourceGrid> ul_grids = {random_grid(2, 24, 5), random_grid(2, 24, 6)};
  const std::vector<phy::ResourceGrid> dl_grids = {random_grid(2, 24, 7), random_grid(2, 24, 8)};
  std::vector<TimedFrame> frames = pack(ul_packer, ul_grids, 10, 1);  // 100 us after air time
  // The downlink: 250 us before air time (on time), one frame 50 us before (late for the DU).
  std::size_t dl_frames = 0;
  for (std::size_t s = 0; s < dl_grids.size(); ++s) {
    const SlotTime time = slot_time(10 + static_cast<int>(s), 1);
    ASSERT_TRUE(dl_packer.pack_slot(dl_grids[s], time, [&](std::span<const std::uint8_t> bytes, int symbol) {
      const std::int64_t lead = dl_frames == 5 ? 50'000 : 250'000;
      frames.push_back({{bytes.begin(), bytes.end()}, symbol_air_time_ns(time, symbol, 1) - lead, symbol});
      ++dl_frames;
    }));
  }
  std::stable_sort(frames.begin(), frames.end(),
                   [](const TimedFrame& a, const TimedFrame& b) { return a.arrival_ns < b.arrival_ns; });
  auto ul_assembler = *SlotAssembler::create(ul);
  auto dl_assembler = *SlotAssembler::create(dl);
  ul_assembler.set_frame_zero_time(0);
  dl_assembler.set_frame_zero_time(0);
  const Collected ul_got = assemble(ul_assembler, frames);
  const Collected dl_got = assemble(dl_assembler, frames);

  ASSERT_EQ(ul_got.slots.size(), 2U);
  for (std::size_t s = 0; s < 2; ++s) {
    phy::ResourceGrid expected;
    ASSERT_TRUE(ul_packer.quantize(ul_grids[s], expected));
    expect_equal(ul_got.grids[s], expected);
  }
  ASSERT_EQ(dl_got.slots.size(), 2U);
  EXPECT_TRUE(dl_got.slots[1].complete);
  phy::ResourceGrid expected_dl;
  ASSERT_TRUE(dl_packer.quantize(dl_grids[1], expected_dl));
  expect_equal(dl_got.grids[1], expected_dl);

  EXPECT_EQ(ul_assembler.counters().wrong_direction, dl_frames);
  EXPECT_EQ(dl_assembler.counters().wrong_direction, frames.size() - dl_frames);
  std::uint64_t dl_on_time = 0, dl_late = 0, dl_reordered = 0;
  for (const EaxcCounters& e : dl_assembler.counters().eaxc) {
    EXPECT_EQ(e.seq_id_gaps, 0U);  // the uplink's SeqIds are not in the count
    dl_on_time += e.rx_on_time;
    dl_late += e.rx_late;
    dl_reordered += e.seq_id_reordered;
  }
  EXPECT_EQ(dl_on_time, dl_frames - 1);
  EXPECT_EQ(dl_late, 1U);
  EXPECT_EQ(dl_reordered, 1U);  // the late frame arrived behind later SeqIds
  for (const EaxcCounters& e : ul_assembler.counters().eaxc) {
    EXPECT_EQ(e.seq_id_gaps + e.seq_id_reordered, 0U);
    EXPECT_EQ(e.rx_on_time, e.total_msgs_rcvd);
  }

  FronthaulConfig bad = ul;
  bad.t1a_min_up_ns = 500'000;
  EXPECT_NE(bad.validate().message().find("T1a_min_up"), std::string::npos);
}

TEST(Fronthaul, CellJsonCarriesTheDownlink) {
  FronthaulConfig c = config_for(CompressionMethod::block_floating_point, 14, false, 4, 51);
  c.downlink_eaxc_ids = {0x20, 0x21};
  c.t1a_min_up_ns = 80'000;
  c.t1a_max_up_ns = 300'000;
  auto back = fronthaul_from_json(fronthaul_to_json(c));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->downlink_eaxc_ids, c.downlink_eaxc_ids);
  EXPECT_EQ(back->t1a_min_up_ns, 80'000);
  EXPECT_EQ(back->t1a_max_up_ns, 300'000);
  EXPECT_EQ(back->downlink().ports(), 2);

  nlohmann::json j = fronthaul_to_json(c);
  j.erase("downlink");  // a cell file from before: the downlink uses the uplink's eAxCs
  auto old = fronthaul_from_json(j);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->downlink().eaxc_ids, c.eaxc_ids);
  j = fronthaul_to_json(c);
  j["downlink"]["t1a_max_us"] = 5;  // a typo
  auto typo = fronthaul_from_json(j);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("downlink.t1a_max_us"), std::string::npos) << typo.error().message;
}

}  // namespace
}  // namespace airan::io

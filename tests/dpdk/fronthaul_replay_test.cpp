// A fronthaul capture replayed through DPDK (net_pcap vdev, the same code path as a live NIC)
// into the slot assembler: the slot grids equal the ones that were packed (after the
// compression round trip), and a libpcap replay of the same file gives the same grids.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "airan/io/dpdk_port.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/io/pcap.hpp"
#include "eal.hpp"

namespace airan::io {
namespace {

TEST(FronthaulReplay, NetPcapFillsTheSlotGridsThatWerePacked) {
  REQUIRE_EAL();
  FronthaulConfig config;
  config.numerology = 1;
  config.carrier_prbs = 51;
  config.eaxc_ids = {0, 1, 2, 3};
  config.uplane.uplink.dynamic = true;
  config.uplane.uplink.static_comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  config.mtu = 1500;
  auto packer = *UplanePacker::create(config);

  std::mt19937 engine(4);
  std::normal_distribution<float> normal(0.0F, 0.7F);
  std::vector<phy::ResourceGrid> sent;
  std::uint64_t written = 0;
  const auto path = std::filesystem::temp_directory_path() / ("airan_replay_" + std::to_string(::getpid()) + ".pcap");
  {
    auto writer = *PcapWriter::create(path.string(), PcapFormat::pcap);
    for (int s = 0; s < 3; ++s) {
      phy::ResourceGrid grid(4, 14, 12 * 51);
      for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
      const SlotTime time = slot_time(200 + s, 1);
      ASSERT_TRUE(packer.pack_slot(grid, time, [&](std::span<const std::uint8_t> bytes, int symbol) {
        const auto t = static_cast<std::uint64_t>(symbol_air_time_ns(time, symbol, 1) + 100'000);
        ASSERT_TRUE(writer.write(bytes, 1'700'000'000'000'000'000ULL + t));
        ++written;
      }));
      phy::ResourceGrid quantized;
      ASSERT_TRUE(packer.quantize(grid, quantized));
      sent.push_back(std::move(quantized));
    }
    ASSERT_TRUE(writer.close());
  }

  auto port_id = (*testing::eal())->attach_vdev("net_pcap_fh,rx_pcap=" + path.string());
  ASSERT_TRUE(port_id) << port_id.error().message;
  // Packet buffers in GPU-mapped pinned memory when a GPU is usable (host memory otherwise).
  ExternalMemoryConfig memory;
  memory.allocator = ExternalAllocator::gpu_mapped_or_host();
  auto pool = PacketPool::create_external({.name = "fh_ext_pool", .mbufs = 2047, .cache_size = 32}, memory);
  ASSERT_TRUE(pool) << pool.error().message;
  auto assembler = *SlotAssembler::create(config);
  std::vector<phy::ResourceGrid> received;
  auto on_slot = [&](const AssembledSlot& slot) {
    EXPECT_TRUE(slot.complete);
    received.push_back(*slot.grid);
  };
  {
    // net_pcap hands each packet its capture time: the reception window works as with libpcap.
    PortConfig port_config;
    port_config.rx_timestamps = true;
    auto port = DpdkPort::open("net_pcap_fh", *pool, port_config);
    ASSERT_TRUE(port) << port.error().message;
    std::array<rte_mbuf*, 32> burst{};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::uint64_t frames = 0;
    const std::uint64_t expected_frames = written;
    EXPECT_EQ(written, 3U * 14 * 4);  // 51 BFP9 PRBs (1428 bytes) fit one 1500-byte packet
    while (frames < expected_frames && std::chrono::steady_clock::now() < deadline) {
      const std::uint16_t n = port->rx_burst(burst);
      for (std::uint16_t i = 0; i < n; ++i) {
        const auto timestamp = port->rx_timestamp_ns(burst[i]);
        ASSERT_TRUE(timestamp.has_value());
        assembler.on_frame(mbuf::data(burst[i]), *timestamp, on_slot);
        mbuf::free(burst[i]);
      }
      frames += n;
    }
    EXPECT_EQ(frames, expected_frames);
    ASSERT_TRUE(port->close());
  }
  assembler.flush(on_slot);
  ASSERT_TRUE((*testing::eal())->detach_vdev("net_pcap_fh"));
  std::filesystem::remove(path);

  ASSERT_EQ(received.size(), sent.size());
  for (std::size_t s = 0; s < sent.size(); ++s) {
    ASSERT_EQ(received[s].data().size(), sent[s].data().size());
    for (std::size_t i = 0; i < sent[s].data().size(); ++i) ASSERT_EQ(received[s].data()[i], sent[s].data()[i]);
  }
  EXPECT_EQ(assembler.counters().malformed, 0U);
  EXPECT_EQ(assembler.counters().slots_complete, 3U);
  for (const EaxcCounters& e : assembler.counters().eaxc) EXPECT_EQ(e.rx_on_time, e.total_msgs_rcvd);
}

}  // namespace
}  // namespace airan::io

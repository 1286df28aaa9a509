// DPDK integration tests: one EAL per process (started on first use with the lab defaults:
// --no-huge --no-pci -m 256 --no-shconf --no-telemetry), vdevs only, no NIC needed.
// When the EAL cannot start here, every test is skipped with the EAL's error.
#include "airan/io/dpdk_port.hpp"
#include "airan/io/pcap.hpp"
#include "eal.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace airan::io {
namespace {

namespace fs = std::filesystem;

using testing::eal;
using testing::test_options;

std::vector<std::vector<std::uint8_t>> random_frames(std::size_t count, std::uint32_t seed,
                                                     std::size_t min_size = 60,
                                                     std::size_t max_size = 1514) {
  std::mt19937 rng(seed);
  std::vector<std::vector<std::uint8_t>> frames(count);
  for (auto& f : frames) {
    f.resize(min_size + rng() % (max_size - min_size + 1));
    for (auto& b : f) b = static_cast<std::uint8_t>(rng());
  }
  return frames;
}

std::vector<std::span<const std::uint8_t>> spans(const std::vector<std::vector<std::uint8_t>>& v) {
  return {v.begin(), v.end()};
}

// Receives until `want` packets arrived or `timeout` passed; the caller frees the mbufs.
std::vector<rte_mbuf*> receive(DpdkPort& port, std::size_t want,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::vector<rte_mbuf*> got;
  std::array<rte_mbuf*, 32> burst{};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    const std::uint16_t n = port.rx_burst(burst);
    got.insert(got.end(), burst.begin(), burst.begin() + n);
    if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return got;
}

bool inside(std::span<const std::uint8_t> inner, std::span<const std::uint8_t> outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            (std::string("airan_dpdk_") + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TEST(DpdkRuntime, StartsOnceWithLabDefaults) {
  REQUIRE_EAL();
  DpdkRuntime* runtime = *eal();
  ASSERT_NE(runtime, nullptr);
  EXPECT_EQ(DpdkRuntime::get(), runtime);
  EXPECT_TRUE(dpdk_running());
  const auto& args = runtime->args();
  for (const char* want : {"--no-huge", "--no-pci", "--no-shconf", "--no-telemetry"}) {
    EXPECT_NE(std::find(args.begin(), args.end(), want), args.end()) << want;
  }
  std::string all;
  for (const auto& a : args) all += a + " ";
  std::cout << "EAL arguments: " << all << "\n";

  // Same options: the same runtime. Different options: an error naming the running arguments.
  auto again = DpdkRuntime::start(test_options());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, runtime);
  EalOptions other = test_options();
  other.memory_mb = 512;
  auto different = DpdkRuntime::start(other);
  ASSERT_FALSE(different);
  EXPECT_NE(different.error().message.find("already runs"), std::string::npos)
      << different.error().message;

  EXPECT_GE(runtime->port_count(), 2);
  EXPECT_TRUE(runtime->find_port("net_ring0"));
  EXPECT_TRUE(runtime->find_port("net_null0"));
  auto missing = runtime->find_port("net_nothing7");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("net_nothing7"), std::string::npos);
  EXPECT_NE(missing.error().message.find("net_ring0"), std::string::npos);
}

TEST(DpdkPort, RingLoopbackBurst) {
  REQUIRE_EAL();
  auto pool = PacketPool::create({.name = "ring_pool", .mbufs = 1023, .cache_size = 32});
  ASSERT_TRUE(pool) << pool.error().message;
  auto port = DpdkPort::open("net_ring0", *pool, {.rx_descriptors = 256, .tx_descriptors = 256});
  ASSERT_TRUE(port) << port.error().message;
  EXPECT_EQ(port->name(), "net_ring0");

  // net_ring0 without arguments is one ring for both directions: what is sent comes back.
  const auto frames = random_frames(48, 11);
  const auto frame_spans = spans(frames);
  std::uint16_t sent = 0;
  for (std::size_t i = 0; i < frames.size(); i += 16) {
    sent += port->tx_copy(std::span(frame_spans).subspan(i, 16), *pool);
  }
  ASSERT_EQ(sent, frames.size());

  auto received = receive(*port, frames.size());
  ASSERT_EQ(received.size(), frames.size());
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto data = mbuf::data(received[i]);
    ASSERT_EQ(data.size(), frames[i].size()) << "packet " << i;
    EXPECT_TRUE(std::equal(data.begin(), data.end(), frames[i].begin())) << "packet " << i;
    EXPECT_EQ(mbuf::packet_length(received[i]), frames[i].size());
    bytes += frames[i].size();
  }
  mbuf::free_bulk(received);
  EXPECT_EQ(pool->in_use(), 0U);

  auto stats = port->stats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->airan.tx_packets, frames.size());
  EXPECT_EQ(stats->airan.rx_packets, frames.size());
  EXPECT_EQ(stats->airan.tx_bytes, bytes);
  EXPECT_EQ(stats->airan.rx_bytes, bytes);
  EXPECT_EQ(stats->airan.dropped, 0U);
  EXPECT_EQ(stats->airan.errors, 0U);
  EXPECT_EQ(stats->eth.opackets, frames.size());
  EXPECT_EQ(stats->eth.ipackets, frames.size());

  // Raw mbuf bursts: allocate, fill, tx_burst, rx_burst.
  std::array<rte_mbuf*, 8> mbufs{};
  ASSERT_TRUE(pool->alloc_bulk(mbufs));
  for (std::size_t i = 0; i < mbufs.size(); ++i) {
    ASSERT_TRUE(mbuf::assign(mbufs[i], frames[i]));
  }
  ASSERT_EQ(port->tx_burst(mbufs), mbufs.size());
  auto back = receive(*port, mbufs.size());
  ASSERT_EQ(back.size(), mbufs.size());
  mbuf::free_bulk(back);

  // A frame larger than the data room is an error, counted; the others are sent.
  std::vector<std::uint8_t> jumbo(4000, 1);
  std::vector<std::span<const std::uint8_t>> mixed{frames[0], jumbo, frames[1]};
  EXPECT_EQ(port->tx_copy(mixed, *pool), 2);
  auto two = receive(*port, 2);
  EXPECT_EQ(two.size(), 2U);
  mbuf::free_bulk(two);
  stats = port->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->airan.errors, 1U);

  ASSERT_TRUE(port->reset_stats());
  stats = port->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->airan.rx_packets, 0U);
  EXPECT_EQ(stats->eth.ipackets, 0U);
  EXPECT_TRUE(port->close());
  EXPECT_EQ(pool->in_use(), 0U);
  // A closed port's queues are not touched.
  std::array<rte_mbuf*, 4> none{};
  EXPECT_EQ(port->rx_burst(none), 0);
  EXPECT_EQ(port->tx_copy(mixed, *pool), 0);
  EXPECT_EQ(pool->in_use(), 0U);
}

TEST(DpdkPort, NullPortBursts) {
  REQUIRE_EAL();
  auto pool = PacketPool::create({.name = "null_pool", .mbufs = 1023, .cache_size = 32});
  ASSERT_TRUE(pool) << pool.error().message;
  auto port = DpdkPort::open("net_null0", *pool);
  ASSERT_TRUE(port) << port.error().message;

  // net_null swallows every packet sent and produces 64-byte packets on receive.
  std::array<rte_mbuf*, 32> mbufs{};
  ASSERT_TRUE(pool->alloc_bulk(mbufs));
  const std::vector<std::uint8_t> frame(128, 0x42);
  for (auto* m : mbufs) ASSERT_TRUE(mbuf::assign(m, frame));
  EXPECT_EQ(port->tx_burst_or_drop(mbufs), mbufs.size());
  std::array<rte_mbuf*, 32> rx{};
  const std::uint16_t n = port->rx_burst(rx);
  EXPECT_GT(n, 0);
  for (std::uint16_t i = 0; i < n; ++i) EXPECT_EQ(mbuf::packet_length(rx[i]), 64U);
  mbuf::free_bulk(std::span(rx.data(), n));
  EXPECT_EQ(pool->in_use(), 0U);

  auto stats = port->stats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->airan.tx_packets, 32U);
  EXPECT_EQ(stats->airan.tx_bytes, 32U * 128U);
  EXPECT_EQ(stats->airan.rx_packets, n);
  EXPECT_EQ(stats->eth.opackets, 32U);
  EXPECT_EQ(stats->eth.ipackets, n);
}

// rx_pcap = a file written with PcapWriter: every packet arrives, bytes and count identical;
// sending them back through tx_pcap and reading that file gives them again. The rx pool is an
// external-memory pool, so the received bytes land in the registered (GPU-readable) area.
TEST(DpdkPort, PcapPortReplaysCaptureIntoExternalPool) {
  REQUIRE_EAL();
  TempDir dir;
  const auto frames = random_frames(300, 12);
  const auto in_file = dir.file("in.pcap");
  const auto out_file = dir.file("out.pcap");
  {
    auto writer = PcapWriter::create(in_file, PcapFormat::pcap);
    ASSERT_TRUE(writer) << writer.error().message;
    std::uint64_t ts = 1'700'000'000'000'000'000ULL;
    for (const auto& f : frames) ASSERT_TRUE(writer->write(f, ts += 1000));
    ASSERT_TRUE(writer->close());
  }
  auto port_id = (*eal())->attach_vdev("net_pcap0,rx_pcap=" + in_file + ",tx_pcap=" + out_file);
  ASSERT_TRUE(port_id) << port_id.error().message;

  auto pool = PacketPool::create_external({.name = "pcap_ext_pool", .mbufs = 1023, .cache_size = 32});
  ASSERT_TRUE(pool) << pool.error().message;
  {
    auto port = DpdkPort::open("net_pcap0", *pool);
    ASSERT_TRUE(port) << port.error().message;
    EXPECT_EQ(port->id(), *port_id);
    auto received = receive(*port, frames.size(), std::chrono::seconds(5));
    // Nothing beyond the file's packets.
    std::array<rte_mbuf*, 32> extra{};
    EXPECT_EQ(port->rx_burst(extra), 0);
    ASSERT_EQ(received.size(), frames.size());
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const auto data = mbuf::data(received[i]);
      ASSERT_EQ(data.size(), frames[i].size()) << "packet " << i;
      EXPECT_TRUE(std::equal(data.begin(), data.end(), frames[i].begin())) << "packet " << i;
      EXPECT_TRUE(inside(data, pool->external_memory())) << "packet " << i;
      bytes += data.size();
    }
    auto stats = port->stats();
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->airan.rx_packets, frames.size());
    EXPECT_EQ(stats->airan.rx_bytes, bytes);
    EXPECT_EQ(stats->eth.ipackets, frames.size());
    EXPECT_EQ(stats->eth.ibytes, bytes);

    // Send them back out through tx_pcap (the driver frees the mbufs it takes).
    std::size_t sent = 0;
    while (sent < received.size()) {
      const auto n = port->tx_burst(std::span(received).subspan(sent, std::min<std::size_t>(32, received.size() - sent)));
      ASSERT_GT(n, 0);
      sent += n;
    }
    stats = port->stats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->airan.tx_packets, frames.size());
    EXPECT_EQ(stats->airan.tx_bytes, bytes);
    EXPECT_EQ(pool->in_use(), 0U);
    ASSERT_TRUE(port->close());
  }
  ASSERT_TRUE((*eal())->detach_vdev("net_pcap0"));  // closes the tx_pcap dumper

  auto reader = PcapReader::open(out_file);
  ASSERT_TRUE(reader) << reader.error().message;
  Packet packet;
  std::size_t count = 0;
  for (;;) {
    auto more = reader->next(packet);
    ASSERT_TRUE(more) << more.error().message;
    if (!*more) break;
    ASSERT_LT(count, frames.size());
    ASSERT_EQ(packet.data.size(), frames[count].size()) << "packet " << count;
    EXPECT_TRUE(std::equal(packet.data.begin(), packet.data.end(), frames[count].begin()));
    ++count;
  }
  EXPECT_EQ(count, frames.size());
}

TEST(PacketPool, ExternalMemoryPoolUsesTheRegisteredBuffer) {
  REQUIRE_EAL();
  // A counting allocator stands in for cudaHostAlloc(cudaHostAllocMapped) / cudaFreeHost.
  static int allocations = 0;
  static int deallocations = 0;
  static std::size_t allocated = 0;
  ExternalMemoryConfig memory;
  memory.allocator.allocate = [](std::size_t size, std::size_t alignment) -> void* {
    ++allocations;
    allocated = size;
    return std::aligned_alloc(alignment, size);
  };
  memory.allocator.deallocate = [](void* p, std::size_t size) {
    ++deallocations;
    EXPECT_EQ(size, allocated);
    std::free(p);
  };
  {
    auto pool = PacketPool::create_external(
        {.name = "ext_pool", .mbufs = 511, .cache_size = 0, .data_room = 2176}, memory);
    ASSERT_TRUE(pool) << pool.error().message;
    EXPECT_EQ(allocations, 1);
    EXPECT_TRUE(pool->is_external());
    const auto area = pool->external_memory();
    EXPECT_EQ(area.size(), allocated);
    EXPECT_GE(area.size(), 511U * 2176U);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(area.data()) % 4096, 0U);
    EXPECT_EQ(pool->available(), 511U);

    std::vector<rte_mbuf*> mbufs(511);
    ASSERT_TRUE(pool->alloc_bulk(mbufs));
    EXPECT_EQ(pool->in_use(), 511U);
    std::vector<rte_mbuf*> one(1);
    EXPECT_FALSE(pool->alloc_bulk(one));  // exhausted

    std::vector<const std::uint8_t*> starts;
    for (std::size_t i = 0; i < mbufs.size(); ++i) {
      const auto buffer = mbuf::buffer(mbufs[i]);
      ASSERT_TRUE(inside(buffer, area)) << "mbuf " << i;
      EXPECT_EQ(buffer.size(), 2176U);
      starts.push_back(buffer.data());
      const std::vector<std::uint8_t> payload(100 + i, static_cast<std::uint8_t>(i));
      ASSERT_TRUE(mbuf::assign(mbufs[i], payload));
      const auto data = mbuf::data(mbufs[i]);
      ASSERT_TRUE(inside(data, area));
      // The bytes are in the registered area itself: what a GPU kernel would read.
      const std::size_t offset = static_cast<std::size_t>(data.data() - area.data());
      EXPECT_EQ(area[offset], static_cast<std::uint8_t>(i));
      EXPECT_EQ(area[offset + payload.size() - 1], static_cast<std::uint8_t>(i));
    }
    std::sort(starts.begin(), starts.end());
    EXPECT_EQ(std::adjacent_find(starts.begin(), starts.end()), starts.end()) << "buffers overlap";
    mbuf::free_bulk(mbufs);
    EXPECT_EQ(pool->in_use(), 0U);
  }
  EXPECT_EQ(deallocations, 1);
}

TEST(PacketPool, ConfigurationErrorsNameTheParameter) {
  REQUIRE_EAL();
  auto long_name = PacketPool::create({.name = std::string(40, 'x')});
  ASSERT_FALSE(long_name);
  EXPECT_NE(long_name.error().message.find("name = "), std::string::npos) << long_name.error().message;
  auto cache = PacketPool::create({.name = "c", .mbufs = 100, .cache_size = 512});
  ASSERT_FALSE(cache);
  EXPECT_NE(cache.error().message.find("cache_size = 512"), std::string::npos) << cache.error().message;
  ExternalMemoryConfig memory;
  memory.page_size = 1000;
  auto page = PacketPool::create_external({.name = "p", .mbufs = 100, .cache_size = 0}, memory);
  ASSERT_FALSE(page);
  EXPECT_NE(page.error().message.find("page_size = 1000"), std::string::npos) << page.error().message;
  ExternalMemoryConfig failing;
  failing.allocator.allocate = [](std::size_t, std::size_t) -> void* { return nullptr; };
  failing.allocator.deallocate = [](void*, std::size_t) {};
  auto nomem = PacketPool::create_external({.name = "f", .mbufs = 100, .cache_size = 0}, failing);
  ASSERT_FALSE(nomem);
  EXPECT_NE(nomem.error().message.find("allocator"), std::string::npos) << nomem.error().message;
}

TEST(DpdkPort, OpenErrorsNameTheParameter) {
  REQUIRE_EAL();
  auto pool = PacketPool::create({.name = "err_pool", .mbufs = 511, .cache_size = 0});
  ASSERT_TRUE(pool) << pool.error().message;
  auto missing = DpdkPort::open("0000:99:00.0", *pool);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("0000:99:00.0"), std::string::npos) << missing.error().message;
  auto zero = DpdkPort::open("net_ring0", *pool, {.rx_descriptors = 0});
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("rx_descriptors = 0"), std::string::npos) << zero.error().message;
  auto first = DpdkPort::open("net_ring0", *pool);
  ASSERT_TRUE(first) << first.error().message;
  auto second = DpdkPort::open("net_ring0", *pool);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("already open"), std::string::npos) << second.error().message;
  ASSERT_TRUE(first->close());
  auto reopened = DpdkPort::open("net_ring0", *pool);  // a closed port can be opened again
  EXPECT_TRUE(reopened) << reopened.error().message;
  auto bad_vdev = (*eal())->attach_vdev("net_pcap9,rx_pcap=/nonexistent/in.pcap");
  ASSERT_FALSE(bad_vdev);
  EXPECT_NE(bad_vdev.error().message.find("net_pcap9"), std::string::npos) << bad_vdev.error().message;
}

// net_af_packet on the loopback interface: needs CAP_NET_RAW; skipped when unavailable.
TEST(DpdkPort, AfPacketOnLoopback) {
  REQUIRE_EAL();
  auto port_id = (*eal())->attach_vdev("net_af_packet0,iface=lo");
  if (!port_id) GTEST_SKIP() << "net_af_packet on lo unavailable: " << port_id.error().message;
  auto pool = PacketPool::create({.name = "afp_pool", .mbufs = 2047, .cache_size = 32});
  ASSERT_TRUE(pool) << pool.error().message;
  {
    auto port = DpdkPort::open("net_af_packet0", *pool, {.rx_descriptors = 512, .tx_descriptors = 512});
    ASSERT_TRUE(port) << port.error().message;
    // An Ethernet frame with a local experimental EtherType (0x88B5) and a marker payload.
    std::vector<std::uint8_t> frame(64, 0);
    for (int i = 0; i < 6; ++i) frame[i] = 0xFF;
    frame[6] = 0x02;
    frame[12] = 0x88;
    frame[13] = 0xB5;
    const std::string marker = "airan-af-packet-test";
    std::copy(marker.begin(), marker.end(), frame.begin() + 14);
    std::vector<std::span<const std::uint8_t>> one{frame};
    ASSERT_EQ(port->tx_copy(one, *pool), 1);
    bool seen = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::array<rte_mbuf*, 32> burst{};
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      const std::uint16_t n = port->rx_burst(burst);
      for (std::uint16_t i = 0; i < n; ++i) {
        const auto data = mbuf::data(burst[i]);
        if (data.size() == frame.size() && std::equal(data.begin(), data.end(), frame.begin())) seen = true;
      }
      mbuf::free_bulk(std::span(burst.data(), n));
      if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(seen) << "the frame sent on lo did not come back";
    ASSERT_TRUE(port->close());
  }
  EXPECT_TRUE((*eal())->detach_vdev("net_af_packet0"));
}

}  // namespace
}  // namespace airan::io

// DPDK receive-loop rate on virtual devices (no NIC here): net_null generates packets as fast
// as they are polled, net_ring loops transmitted packets back. EAL with the lab defaults.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "airan/io/dpdk_port.hpp"

namespace airan::io {
namespace {

const Expected<DpdkRuntime*>& runtime() {
  static const Expected<DpdkRuntime*> eal = [] {
    EalOptions options;
    options.vdevs = {"net_null0,size=1500", "net_ring0"};
    return DpdkRuntime::start(options);
  }();
  return eal;
}

void BM_NullRxBurst(benchmark::State& state) {
  if (!runtime()) {
    state.SkipWithError(runtime().error().message.c_str());
    return;
  }
  auto pool = PacketPool::create({.name = "bench_null_pool", .mbufs = 4095, .cache_size = 256});
  if (!pool) {
    state.SkipWithError(pool.error().message.c_str());
    return;
  }
  auto port = DpdkPort::open("net_null0", *pool);
  if (!port) {
    state.SkipWithError(port.error().message.c_str());
    return;
  }
  std::array<rte_mbuf*, 32> burst{};
  std::uint64_t packets = 0;
  for (auto _ : state) {
    const std::uint16_t n = port->rx_burst(burst);
    packets += n;
    mbuf::free_bulk(std::span<rte_mbuf* const>(burst.data(), n));
  }
  state.counters["packets/s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.counters["Gbit/s_at_1500B"] =
      benchmark::Counter(static_cast<double>(packets) * 1500 * 8 / 1e9, benchmark::Counter::kIsRate);
  (void)port->close();
}
BENCHMARK(BM_NullRxBurst);

void BM_RingLoopback(benchmark::State& state) {
  if (!runtime()) {
    state.SkipWithError(runtime().error().message.c_str());
    return;
  }
  auto pool = PacketPool::create({.name = "bench_ring_pool", .mbufs = 4095, .cache_size = 256});
  auto port = pool ? DpdkPort::open("net_ring0", *pool) : Expected<DpdkPort>(Error{"no pool"});
  if (!port) {
    state.SkipWithError(port.error().message.c_str());
    return;
  }
  std::array<rte_mbuf*, 32> tx{};
  std::array<rte_mbuf*, 32> rx{};
  std::vector<std::uint8_t> frame(1500, 0xAB);
  std::uint64_t packets = 0;
  for (auto _ : state) {
    if (!pool->alloc_bulk(tx)) continue;
    for (rte_mbuf* m : tx) mbuf::assign(m, frame);
    const std::uint16_t sent = port->tx_burst_or_drop(tx);
    const std::uint16_t received = port->rx_burst(rx);
    mbuf::free_bulk(std::span<rte_mbuf* const>(rx.data(), received));
    packets += received;
    (void)sent;
  }
  state.counters["packets/s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  (void)port->close();
}
BENCHMARK(BM_RingLoopback);

}  // namespace
}  // namespace airan::io

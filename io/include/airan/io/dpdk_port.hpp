// DPDK 22.11 wrapper: the EAL runtime, packet mempools (normal and over external, GPU-readable
// memory) and Ethernet ports with one rx and one tx queue, burst rx/tx and statistics.
//
// This header needs no DPDK headers: rte_mbuf and rte_mempool are only forward-declared, so
// any target linking airan_io can use it. Code that wants the inline DPDK mbuf accessors
// includes <rte_mbuf.h> itself (and links DPDK's compile flags); the helpers in
// `airan::io::mbuf` cover the common cases without them (an out-of-line call per packet).
//
// Lifecycle
//   DpdkRuntime::start(options) initialises the EAL once per process. Defaults suit a lab
//   machine without hugepages or NICs: `--no-huge -m 256 --no-pci --no-shconf --no-telemetry
//   --file-prefix airan_<pid> --log-level=warning` and lcore 0 floating over the CPUs the
//   process may run on (so the EAL does not pin the main thread). `--in-memory` cannot be used
//   with --no-huge (EAL: "--legacy-mem is not compatible with --in-memory"); --no-shconf gives
//   the same "no files shared with other processes" behaviour. Virtual devices (net_pcap,
//   net_ring, net_null, net_af_packet...) are listed in the options or attached later with
//   DpdkRuntime::attach_vdev(); a real NIC is named by its PCI address in `pci_allow` (then
//   --no-pci is not passed, and hugepages are usually wanted: `hugepages = true`).
//   At process exit (std::atexit) every port still open is stopped and closed, then
//   rte_eal_cleanup() runs; objects destroyed after that do not touch DPDK any more.
//
// Threading: DpdkRuntime calls are serialised internally. A DpdkPort's rx_burst/tx_burst are
//   for one thread each (the usual DPDK rule for one queue); stats() may be called from any.
//
// Errors: every setup call returns Expected/Status whose message names the parameter, its value
//   and, where DPDK reports one, the rte_errno text. The burst calls return counts and never
//   allocate.
//
// Mempools over external memory (GPU-readable packet buffers)
//   PacketPool::create_external() allocates the data area with an allocator callback (default:
//   std::aligned_alloc, page aligned), registers it with rte_extmem_register() (page size 4096
//   under --no-huge; page IOVAs RTE_BAD_IOVA because no device DMA is needed for vdevs) and
//   builds the pool with rte_pktmbuf_pool_create_extbuf() and one rte_pktmbuf_extmem
//   descriptor: the mbuf headers live in DPDK memory, the packet bytes in the external area.
//   A CUDA build passes an allocator calling cudaHostAlloc(&p, size, cudaHostAllocMapped) and
//   a deallocator calling cudaFreeHost(p): the packets are then in pinned host memory that
//   kernels read through cudaHostGetDevicePointer() (zero copy over PCIe). CUDA is not
//   included here; io stays CUDA-free.
//
//   GPUDirect variant (not runnable on this machine: needs a NIC bound to vfio-pci or a
//   bifurcated mlx5 driver, a GPU, nvidia-peermem / dma-buf, and hugepages):
//     1. allocate device memory (cudaMalloc, aligned to the GPU page size of 64 KiB), or use
//        the gpudev library: rte_gpu_mem_alloc() + rte_gpu_mem_register() does this for you;
//     2. rte_extmem_register(dev_ptr, len, NULL, 0, 64 KiB) so the EAL knows the area;
//     3. rte_dev_dma_map(rte_eth_devices[port].device, dev_ptr, iova, len) so the NIC (IOMMU)
//        can DMA into it, with iova = dev_ptr in IOVA-as-VA mode (--iova-mode=va);
//     4. rte_pktmbuf_pool_create_extbuf() with descriptors whose buf_iova is that IOVA and
//        whose elements do not cross GPU pages; the rx queue then writes packets straight into
//        GPU memory (the CPU must not touch the payload; headers can be split with buffer
//        split offload). Teardown in reverse: rte_dev_dma_unmap, rte_extmem_unregister,
//        cudaFree / rte_gpu_mem_free.
//   ExternalMemoryConfig::iova_as_va + dma_map_ports give the DMA-capable variant with host
//   memory (pages registered with IOVA = VA, then rte_dev_dma_map on each listed port); it
//   needs --iova-mode=va and a real device, so it is not exercised by the tests here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airan/phy/expected.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace airan::io {

// ---------------------------------------------------------------------------------------------
// EAL

struct EalOptions {
  // Virtual devices, as for --vdev: "net_ring0", "net_null0", "net_pcap0,rx_pcap=in.pcap,
  // tx_pcap=out.pcap", "net_af_packet0,iface=eth0".
  std::vector<std::string> vdevs;
  // Real NICs by PCI address ("0000:3b:00.0"), passed as -a; empty: --no-pci.
  std::vector<std::string> pci_allow;
  bool hugepages = false;        // false: --no-huge (anonymous 4 KiB pages)
  unsigned memory_mb = 256;      // -m (only with --no-huge; hugepage runs size on demand)
  std::string lcores;            // --lcores value; empty: "0@(<CPUs this process may use>)"
  std::string log_level = "warning";
  std::string file_prefix;       // empty: "airan_<pid>" (unique per process)
  bool shared_config = false;    // false: --no-shconf (no multi-process files)
  bool telemetry = false;        // false: --no-telemetry (no socket in /var/run/dpdk)
  std::vector<std::string> extra_args;  // appended verbatim

  // The argv the EAL receives (argv[0] = "airan"). Deterministic for given options.
  std::vector<std::string> to_args() const;
  bool operator==(const EalOptions&) const = default;
};

class DpdkRuntime {
 public:
  // Starts the EAL on the first call. Later calls with equal options return the same runtime;
  // with different options they return an error saying the EAL already runs (and with which
  // arguments). If the first start failed, every later call returns that failure: the EAL
  // cannot be initialised twice in one process. The error carries the EAL's own log lines.
  static Expected<DpdkRuntime*> start(const EalOptions& options = {});
  // The running runtime, or nullptr.
  static DpdkRuntime* get();

  const EalOptions& options() const { return options_; }
  const std::vector<std::string>& args() const { return args_; }

  // Ports known to the EAL (probed vdevs and NICs).
  std::uint16_t port_count() const;
  // Port id of a device name ("net_ring0", "0000:3b:00.0").
  Expected<std::uint16_t> find_port(std::string_view name) const;
  // Hot-plugs a virtual device after start (rte_dev_probe): `devargs` as for --vdev, e.g.
  // "net_pcap1,rx_pcap=/tmp/in.pcap". Returns its port id.
  Expected<std::uint16_t> attach_vdev(std::string_view devargs);
  // Removes a virtual device attached earlier (its port must be closed; rte_eal_hotplug_remove).
  Status detach_vdev(std::string_view name);

  // Stops/closes open ports and calls rte_eal_cleanup(). Runs at exit; callable earlier.
  // After it, start() fails (the EAL cannot be restarted in the same process) and the pointer
  // start() returned is no longer valid.
  static void shutdown();

  DpdkRuntime(const DpdkRuntime&) = delete;
  DpdkRuntime& operator=(const DpdkRuntime&) = delete;

 private:
  DpdkRuntime() = default;
  EalOptions options_;
  std::vector<std::string> args_;
};

// True while the EAL is initialised and not cleaned up (objects check it in their destructors).
bool dpdk_running();

// ---------------------------------------------------------------------------------------------
// Mempools

struct MempoolConfig {
  std::string name = "airan_pool";  // unique among pools (DPDK memzone name, < 26 chars)
  std::uint32_t mbufs = 8191;        // best 2^n - 1
  std::uint32_t cache_size = 256;    // per-lcore cache; <= 512 and <= mbufs / 1.5
  std::uint16_t data_room = 2176;    // RTE_MBUF_DEFAULT_BUF_SIZE: 2048 + 128 headroom
  int socket_id = -1;                // SOCKET_ID_ANY
};

// Allocator for the external data area of create_external(). Called once at creation with a
// size that is a multiple of `alignment` (the page size); must return memory aligned to it or
// nullptr. The deallocator runs after the pool is freed and the area unregistered.
struct ExternalAllocator {
  std::function<void*(std::size_t size, std::size_t alignment)> allocate;
  std::function<void(void* ptr, std::size_t size)> deallocate;
  // Default: std::aligned_alloc / std::free, zero-filled.
  static ExternalAllocator host();
  // Page-locked, GPU-mapped host memory (cudaHostAlloc mapped, phy::allocate_gpu_mapped_host)
  // when a GPU is usable, else host(): the packet buffers GPU kernels read without a copy.
  static ExternalAllocator gpu_mapped_or_host();
};

struct ExternalMemoryConfig {
  ExternalAllocator allocator = ExternalAllocator::host();
  std::size_t page_size = 4096;  // must match the backing pages (4096 under --no-huge)
  // false: pages registered with IOVA = RTE_BAD_IOVA (CPU-only and vdev use; no NIC DMA).
  // true: IOVA = virtual address (requires the EAL in IOVA-as-VA mode) and the area is mapped
  //       for DMA on each port of dma_map_ports with rte_dev_dma_map.
  bool iova_as_va = false;
  std::vector<std::uint16_t> dma_map_ports;
};

class PacketPool {
 public:
  // rte_pktmbuf_pool_create: headers and data in DPDK memory.
  static Expected<PacketPool> create(const MempoolConfig& config = {});
  // rte_pktmbuf_pool_create_extbuf over an area from config.allocator, registered with
  // rte_extmem_register (see the header comment).
  static Expected<PacketPool> create_external(const MempoolConfig& config,
                                              const ExternalMemoryConfig& memory = {});

  PacketPool(PacketPool&& other) noexcept;
  PacketPool& operator=(PacketPool&& other) noexcept;
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;
  ~PacketPool();  // frees the pool (all mbufs should be back), unregisters and frees the area

  rte_mempool* get() const { return pool_; }
  const std::string& name() const { return name_; }
  bool is_external() const { return external_ != nullptr; }
  // The registered external area (empty for a normal pool). GPU kernels read packets here.
  std::span<std::uint8_t> external_memory() const {
    return {static_cast<std::uint8_t*>(external_), external_size_};
  }
  std::uint16_t data_room() const { return data_room_; }
  unsigned available() const;  // mbufs in the pool (including per-lcore caches)
  unsigned in_use() const;

  // All-or-nothing bulk allocation: fills `out` and returns true, or leaves it and returns false.
  bool alloc_bulk(std::span<rte_mbuf*> out);

 private:
  PacketPool() = default;
  void reset() noexcept;

  rte_mempool* pool_ = nullptr;
  std::string name_;
  std::uint16_t data_room_ = 0;
  void* external_ = nullptr;
  std::size_t external_size_ = 0;
  std::size_t page_size_ = 0;
  std::function<void(void*, std::size_t)> deallocate_;
  std::vector<std::uint16_t> dma_mapped_ports_;
  std::uint64_t dma_iova_ = 0;
};

// Out-of-line mbuf helpers (single-segment packets) for code without DPDK headers.
namespace mbuf {
// The packet bytes of the first segment (rte_pktmbuf_mtod, data_len).
std::span<std::uint8_t> data(rte_mbuf* m);
std::uint32_t packet_length(const rte_mbuf* m);
// Start of the buffer the mbuf owns (buf_addr) and its size (buf_len).
std::span<std::uint8_t> buffer(rte_mbuf* m);
// Resets the mbuf and copies `bytes` in; false when they exceed the tailroom.
bool assign(rte_mbuf* m, std::span<const std::uint8_t> bytes);
void free(rte_mbuf* m);
void free_bulk(std::span<rte_mbuf* const> mbufs);
// The receive timestamp the driver attached (ports opened with rx_timestamps), in the driver's
// unit (net_pcap: nanoseconds of the capture clock); nullopt when none.
std::optional<std::uint64_t> rx_timestamp(const rte_mbuf* m);
}  // namespace mbuf

// ---------------------------------------------------------------------------------------------
// Ports

struct PortConfig {
  std::uint16_t rx_descriptors = 1024;  // adjusted to the driver's limits (rte_eth_dev_adjust_nb_rx_tx_desc)
  std::uint16_t tx_descriptors = 1024;
  bool promiscuous = true;              // ignored by drivers that do not support it
  std::uint16_t mtu = 0;                // 0: driver default
  // Receive timestamps (RTE_ETH_RX_OFFLOAD_TIMESTAMP): net_pcap gives each packet its capture
  // time, a NIC its arrival time. An error names the port when the driver cannot.
  bool rx_timestamps = false;
};

// Counters kept by the wrapper, DPDK style (monotonic, reset by reset_stats()).
struct PortCounters {
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_packets = 0;  // accepted by the driver
  std::uint64_t tx_bytes = 0;
  std::uint64_t dropped = 0;     // tx packets not accepted and freed by tx_burst_or_drop/tx_copy
  std::uint64_t errors = 0;      // tx_copy: no mbuf or packet larger than the data room
};

// rte_eth_stats of the driver.
struct EthStats {
  std::uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
  std::uint64_t imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
};

struct PortStats {
  PortCounters airan;
  EthStats eth;
};

class DpdkPort {
 public:
  // Configures one rx and one tx queue on the named device ("net_ring0", "0000:3b:00.0"),
  // rx buffers from `rx_pool` (which must outlive the port), starts it.
  static Expected<DpdkPort> open(std::string_view device_name, PacketPool& rx_pool,
                                 const PortConfig& config = {});
  static Expected<DpdkPort> open(std::uint16_t port_id, PacketPool& rx_pool,
                                 const PortConfig& config = {});

  DpdkPort(DpdkPort&& other) noexcept;
  DpdkPort& operator=(DpdkPort&& other) noexcept;
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;
  ~DpdkPort();  // close()

  // Receives up to out.size() (clamped to 65535) packets; the caller owns the returned mbufs.
  // On a closed port rx_burst and tx_burst return 0.
  std::uint16_t rx_burst(std::span<rte_mbuf*> out);
  // Queues packets for transmission; returns how many the driver took (it frees those). The
  // rest stay owned by the caller.
  std::uint16_t tx_burst(std::span<rte_mbuf* const> packets);
  // As tx_burst, but frees the packets the driver did not take and counts them as dropped.
  std::uint16_t tx_burst_or_drop(std::span<rte_mbuf* const> packets);
  // Copies each byte span into an mbuf of `pool` and sends them (for tests and tools; packets
  // that do not fit the data room, or when the pool is empty, count as errors and are skipped).
  // At most 64 packets per call. Returns the number sent.
  std::uint16_t tx_copy(std::span<const std::span<const std::uint8_t>> packets, PacketPool& pool);

  Expected<PortStats> stats() const;
  Status reset_stats();

  std::uint16_t id() const { return port_id_; }
  const std::string& name() const { return name_; }
  std::array<std::uint8_t, 6> mac_address() const;
  std::uint16_t rx_descriptors() const { return rx_descriptors_; }
  std::uint16_t tx_descriptors() const { return tx_descriptors_; }
  bool is_open() const { return open_; }
  // The packet's receive timestamp in nanoseconds (ports opened with rx_timestamps): net_pcap
  // stores microseconds of the capture time, other drivers nanoseconds. nullopt when none.
  std::optional<std::int64_t> rx_timestamp_ns(const rte_mbuf* m) const {
    const auto t = mbuf::rx_timestamp(m);
    if (!t) return std::nullopt;
    return static_cast<std::int64_t>(*t) * timestamp_scale_ns_;
  }

  // Stops and closes the port (rte_eth_dev_stop, rte_eth_dev_close). Idempotent.
  Status close();

 private:
  DpdkPort() = default;

  std::uint16_t port_id_ = 0xFFFF;
  std::string name_;
  bool open_ = false;
  std::uint16_t rx_descriptors_ = 0;
  std::uint16_t tx_descriptors_ = 0;
  std::int64_t timestamp_scale_ns_ = 1;
  PortCounters counters_;
};

}  // namespace airan::io

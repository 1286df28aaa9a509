// DPDK 22.11 wrapper (see airan/io/dpdk_port.hpp). Only this file includes DPDK headers.
// rte_pktmbuf_pool_create_extbuf and rte_dev_dma_map are experimental APIs in 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include "airan/io/dpdk_port.hpp"
#include "airan/phy/gpu.hpp"

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace airan::io {

namespace {

// The receive-timestamp dynamic mbuf field, registered once per process (-1 until then or on
// failure) and the flag drivers set on mbufs that carry it.
int rx_timestamp_offset();
std::uint64_t rx_timestamp_flag();

struct TimestampField {
  int offset = -1;
  std::uint64_t flag = 0;
};

const TimestampField& timestamp_field() {
  static const TimestampField field = [] {
    TimestampField f;
    int offset = -1;
    std::uint64_t flag = 0;
    if (rte_mbuf_dyn_rx_timestamp_register(&offset, &flag) == 0) {
      f.offset = offset;
      f.flag = flag;
    }
    return f;
  }();
  return field;
}

int rx_timestamp_offset() { return timestamp_field().offset; }
std::uint64_t rx_timestamp_flag() { return timestamp_field().flag; }

}  // namespace
namespace {

// Process-wide EAL state. Heap-allocated and never freed so that the atexit handler and late
// destructors can use it whatever the static destruction order.
struct EalState {
  std::mutex mutex;
  bool attempted = false;
  bool cleaned_up = false;
  std::string failure;                      // the first start's error, when it failed
  DpdkRuntime* runtime = nullptr;
  std::set<std::uint16_t> running_ports;     // started through DpdkPort and not stopped
  std::set<std::uint16_t> configured_ports;  // configured by us: closed at shutdown
  std::string runtime_dir_to_remove;         // our auto-generated --file-prefix directory
  std::vector<char*> argv_owned;             // strdup'ed EAL arguments, kept for the process
  std::vector<char*> argv;                   // the array given to the EAL (which rewrites it)
};

EalState& eal_state() {
  static EalState* state = new EalState;  // intentionally leaked
  return *state;
}

std::atomic<bool> g_running{false};

std::string rte_error_text(int err) { return rte_strerror(err < 0 ? -err : err); }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

// "0@(0-3,6)": lcore 0 allowed to float over the CPUs of this process's affinity mask.
std::string default_lcores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return "0";
  std::string list;
  int cpu = 0;
  while (cpu < CPU_SETSIZE) {
    if (!CPU_ISSET(cpu, &set)) {
      ++cpu;
      continue;
    }
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    if (!list.empty()) list += ',';
    list += last == cpu ? fmt::format("{}", cpu) : fmt::format("{}-{}", cpu, last);
    cpu = last + 1;
  }
  if (list.empty()) return "0";
  return fmt::format("0@({})", list);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void stop_and_close_all_locked(EalState& state) {
  for (std::uint16_t port : state.configured_ports) {
    if (!rte_eth_dev_is_valid_port(port)) continue;
    (void)rte_eth_dev_stop(port);
    (void)rte_eth_dev_close(port);
  }
  state.running_ports.clear();
  state.configured_ports.clear();
}

void shutdown_at_exit() { DpdkRuntime::shutdown(); }

template <typename T>
void bump(std::uint64_t& counter, T value) {
  // Single writer per counter (the rx or the tx thread); readers may see a slightly old value.
  std::atomic_ref<std::uint64_t>(counter).store(
      std::atomic_ref<std::uint64_t>(counter).load(std::memory_order_relaxed) +
          static_cast<std::uint64_t>(value),
      std::memory_order_relaxed);
}

std::uint64_t read(const std::uint64_t& counter) {
  return std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(counter))
      .load(std::memory_order_relaxed);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// EAL

std::vector<std::string> EalOptions::to_args() const {
  std::vector<std::string> args{"airan"};
  args.push_back("--lcores=" + (lcores.empty() ? default_lcores() : lcores));
  if (!hugepages) {
    args.push_back("--no-huge");
    args.push_back("-m");
    args.push_back(std::to_string(memory_mb));
  }
  if (pci_allow.empty()) {
    args.push_back("--no-pci");
  } else {
    for (const auto& pci : pci_allow) {
      args.push_back("-a");
      args.push_back(pci);
    }
  }
  if (!shared_config) args.push_back("--no-shconf");
  if (!telemetry) args.push_back("--no-telemetry");
  args.push_back("--file-prefix=" +
                 (file_prefix.empty() ? fmt::format("airan_{}", ::getpid()) : file_prefix));
  args.push_back("--log-level=" + log_level);
  for (const auto& vdev : vdevs) args.push_back("--vdev=" + vdev);
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

bool dpdk_running() { return g_running.load(std::memory_order_acquire); }

Expected<DpdkRuntime*> DpdkRuntime::start(const EalOptions& options) {
  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  if (state.runtime != nullptr) {
    if (state.runtime->options_ == options) return state.runtime;
    return Error{fmt::format(
        "DpdkRuntime::start: the EAL already runs in this process with arguments [{}]; it "
        "cannot be started again with arguments [{}] (use DpdkRuntime::get() or attach_vdev())",
        join(state.runtime->args_), join(options.to_args()))};
  }
  if (state.cleaned_up) {
    return Error{"DpdkRuntime::start: the EAL was shut down in this process and cannot restart"};
  }
  if (state.attempted) return Error{state.failure};
  state.attempted = true;

  if (options.memory_mb == 0 && !options.hugepages) {
    state.failure = "DpdkRuntime::start: memory_mb = 0; must be > 0 with --no-huge";
    state.attempted = false;  // nothing reached the EAL yet
    return Error{state.failure};
  }

  const std::vector<std::string> args = options.to_args();
  // The EAL keeps pointers into argv: give it copies that live for the whole process.
  for (const auto& a : args) state.argv_owned.push_back(::strdup(a.c_str()));
  state.argv = state.argv_owned;
  state.argv.push_back(nullptr);

  // Capture the EAL's log lines during init so that a failure can say why.
  char* log_buffer = nullptr;
  std::size_t log_size = 0;
  std::FILE* log_stream = ::open_memstream(&log_buffer, &log_size);
  if (log_stream != nullptr) rte_openlog_stream(log_stream);
  const int rc = rte_eal_init(static_cast<int>(args.size()), state.argv.data());
  const int err = rte_errno;
  rte_openlog_stream(nullptr);  // back to the EAL's default (console and syslog)
  std::string log;
  if (log_stream != nullptr) {
    std::fclose(log_stream);
    log.assign(log_buffer != nullptr ? log_buffer : "", log_size);
    std::free(log_buffer);
  }

  if (rc < 0) {
    state.failure = fmt::format(
        "DpdkRuntime::start: rte_eal_init failed ({}) with arguments [{}]{}{}",
        rte_error_text(err), join(args), log.empty() ? "" : "; EAL log: ", trim(log));
    return Error{state.failure};
  }
  if (!log.empty()) std::fputs(log.c_str(), stderr);  // keep warnings visible

  auto* runtime = new DpdkRuntime;  // lives until shutdown() (at exit at the latest)
  runtime->options_ = options;
  runtime->args_ = args;
  state.runtime = runtime;
  if (options.file_prefix.empty()) {
    const char* dir = rte_eal_get_runtime_dir();
    if (dir != nullptr) state.runtime_dir_to_remove = dir;
  }
  g_running.store(true, std::memory_order_release);
  std::atexit(shutdown_at_exit);
  return runtime;
}

DpdkRuntime* DpdkRuntime::get() {
  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  return state.runtime;
}

void DpdkRuntime::shutdown() {
  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  if (state.runtime == nullptr || state.cleaned_up) return;
  stop_and_close_all_locked(state);
  g_running.store(false, std::memory_order_release);
  state.cleaned_up = true;
  (void)rte_eal_cleanup();
  if (!state.runtime_dir_to_remove.empty()) {
    // Empty with --no-shconf --no-telemetry; rmdir fails harmlessly otherwise.
    (void)::rmdir(state.runtime_dir_to_remove.c_str());
  }
  delete state.runtime;
  state.runtime = nullptr;
}

std::uint16_t DpdkRuntime::port_count() const { return rte_eth_dev_count_avail(); }

Expected<std::uint16_t> DpdkRuntime::find_port(std::string_view name) const {
  const std::string n(name);
  std::uint16_t port = 0;
  if (rte_eth_dev_get_port_by_name(n.c_str(), &port) == 0) return port;
  std::string known;
  for (std::uint16_t id = rte_eth_find_next(0); id < RTE_MAX_ETHPORTS;
       id = rte_eth_find_next(static_cast<std::uint16_t>(id + 1))) {
    std::array<char, RTE_ETH_NAME_MAX_LEN> buf{};
    if (rte_eth_dev_get_name_by_port(id, buf.data()) == 0) {
      if (!known.empty()) known += ", ";
      known += buf.data();
    }
  }
  return Error{fmt::format("device_name = \"{}\": no such DPDK port (ports: {})", n,
                           known.empty() ? "none" : known)};
}

Expected<std::uint16_t> DpdkRuntime::attach_vdev(std::string_view devargs) {
  if (!dpdk_running()) return Error{"DpdkRuntime::attach_vdev: the EAL is not running"};
  const std::string all(devargs);
  const auto comma = all.find(',');
  const std::string name = all.substr(0, comma);
  if (name.empty()) return Error{"DpdkRuntime::attach_vdev: devargs is empty; expected \"net_xxxN[,key=value...]\""};
  std::lock_guard lock(eal_state().mutex);
  // rte_dev_probe (EAL hot-plug) rather than rte_vdev_init: the vdev bus library is a driver
  // plugin that libdpdk.pc does not link.
  const int rc = rte_dev_probe(all.c_str());
  if (rc != 0) {
    return Error{fmt::format("DpdkRuntime::attach_vdev: devargs = \"{}\": rte_dev_probe failed: {}",
                             all, rte_error_text(rc))};
  }
  std::uint16_t port = 0;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port) != 0) {
    return Error{fmt::format(
        "DpdkRuntime::attach_vdev: devargs = \"{}\": device probed but it is not an ethdev", all)};
  }
  return port;
}

Status DpdkRuntime::detach_vdev(std::string_view name) {
  if (!dpdk_running()) return Error{"DpdkRuntime::detach_vdev: the EAL is not running"};
  const std::string n(name);
  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  std::uint16_t port = 0;
  if (rte_eth_dev_get_port_by_name(n.c_str(), &port) == 0) {
    if (state.running_ports.count(port) != 0) {
      return Error{fmt::format("DpdkRuntime::detach_vdev: name = \"{}\": port {} is still open", n,
                               port)};
    }
    state.configured_ports.erase(port);
  }
  const int rc = rte_eal_hotplug_remove("vdev", n.c_str());
  if (rc != 0) {
    return Error{fmt::format("DpdkRuntime::detach_vdev: name = \"{}\": rte_eal_hotplug_remove "
                             "failed: {}",
                             n, rte_error_text(rc))};
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Mempools

ExternalAllocator ExternalAllocator::host() {
  ExternalAllocator a;
  a.allocate = [](std::size_t size, std::size_t alignment) -> void* {
    void* p = std::aligned_alloc(alignment, size);
    if (p != nullptr) std::memset(p, 0, size);  // fault the pages in now, not on the data path
    return p;
  };
  a.deallocate = [](void* p, std::size_t) { std::free(p); };
  return a;
}

ExternalAllocator ExternalAllocator::gpu_mapped_or_host() {
  if (!phy::detect_gpu().available) return host();
  ExternalAllocator a;
  a.allocate = [](std::size_t size, std::size_t alignment) -> void* {
    void* p = phy::allocate_gpu_mapped_host(size);  // page aligned by the CUDA runtime
    if (p != nullptr && reinterpret_cast<std::uintptr_t>(p) % alignment != 0) {
      phy::free_gpu_mapped_host(p);
      return nullptr;
    }
    if (p != nullptr) std::memset(p, 0, size);
    return p;
  };
  a.deallocate = [](void* p, std::size_t) { phy::free_gpu_mapped_host(p); };
  return a;
}

namespace {
Status check_pool_config(const char* who, const MempoolConfig& c) {
  if (!dpdk_running()) {
    return Error{fmt::format("{}: the EAL is not running (call DpdkRuntime::start first)", who)};
  }
  if (c.name.empty() || c.name.size() >= RTE_MEMPOOL_NAMESIZE) {
    return Error{fmt::format("{}: name = \"{}\" must have 1..{} characters", who, c.name,
                             RTE_MEMPOOL_NAMESIZE - 1)};
  }
  if (c.mbufs < 2) return Error{fmt::format("{}: mbufs = {} must be >= 2", who, c.mbufs)};
  if (c.cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE || c.cache_size * 1.5 > c.mbufs) {
    return Error{fmt::format("{}: cache_size = {} must be <= {} and <= mbufs / 1.5 = {}", who,
                             c.cache_size, RTE_MEMPOOL_CACHE_MAX_SIZE,
                             static_cast<unsigned>(c.mbufs / 1.5))};
  }
  if (c.data_room <= RTE_PKTMBUF_HEADROOM) {
    return Error{fmt::format("{}: data_room = {} must exceed the headroom of {} bytes", who,
                             c.data_room, RTE_PKTMBUF_HEADROOM)};
  }
  return Status::ok();
}
}  // namespace

Expected<PacketPool> PacketPool::create(const MempoolConfig& config) {
  if (Status s = check_pool_config("PacketPool::create", config); !s) return s.error();
  rte_mempool* mp = rte_pktmbuf_pool_create(config.name.c_str(), config.mbufs, config.cache_size,
                                            0, config.data_room, config.socket_id);
  if (mp == nullptr) {
    return Error{fmt::format(
        "PacketPool::create: name = \"{}\", mbufs = {}, data_room = {}: rte_pktmbuf_pool_create "
        "failed: {}",
        config.name, config.mbufs, config.data_room, rte_error_text(rte_errno))};
  }
  PacketPool pool;
  pool.pool_ = mp;
  pool.name_ = config.name;
  pool.data_room_ = config.data_room;
  return pool;
}

Expected<PacketPool> PacketPool::create_external(const MempoolConfig& config,
                                                 const ExternalMemoryConfig& memory) {
  constexpr const char* who = "PacketPool::create_external";
  if (Status s = check_pool_config(who, config); !s) return s.error();
  const std::size_t page = memory.page_size;
  if (page < 4096 || (page & (page - 1)) != 0) {
    return Error{fmt::format("{}: page_size = {} must be a power of two >= 4096", who, page)};
  }
  if (!memory.allocator.allocate || !memory.allocator.deallocate) {
    return Error{fmt::format("{}: allocator.allocate and allocator.deallocate must be set", who)};
  }
  const std::size_t elt = RTE_ALIGN_CEIL(static_cast<std::size_t>(config.data_room),
                                         static_cast<std::size_t>(RTE_CACHE_LINE_SIZE));
  if (elt > UINT16_MAX) {
    return Error{fmt::format("{}: data_room = {} too large for an external element", who,
                             config.data_room)};
  }
  const std::size_t size = RTE_ALIGN_CEIL(elt * config.mbufs, page);

  PacketPool pool;
  pool.name_ = config.name;
  pool.data_room_ = config.data_room;
  pool.page_size_ = page;
  pool.deallocate_ = memory.allocator.deallocate;
  pool.external_ = memory.allocator.allocate(size, page);
  if (pool.external_ == nullptr) {
    return Error{fmt::format("{}: allocator could not provide {} bytes aligned to {} (mbufs = {}, "
                             "data_room = {})",
                             who, size, page, config.mbufs, config.data_room)};
  }
  pool.external_size_ = size;
  if (reinterpret_cast<std::uintptr_t>(pool.external_) % page != 0) {
    return Error{fmt::format("{}: allocator returned {} which is not aligned to page_size = {}", who,
                             pool.external_, page)};
  }

  const unsigned n_pages = static_cast<unsigned>(size / page);
  std::vector<rte_iova_t> iovas;
  if (memory.iova_as_va) {
    if (rte_eal_iova_mode() != RTE_IOVA_VA) {
      return Error{fmt::format("{}: iova_as_va = true needs the EAL in IOVA-as-VA mode "
                               "(--iova-mode=va); it runs in PA mode",
                               who)};
    }
    iovas.resize(n_pages);
    for (unsigned i = 0; i < n_pages; ++i) {
      iovas[i] = reinterpret_cast<rte_iova_t>(pool.external_) + static_cast<rte_iova_t>(i) * page;
    }
  }
  if (rte_extmem_register(pool.external_, size, iovas.empty() ? nullptr : iovas.data(),
                          iovas.empty() ? 0 : n_pages, page) != 0) {
    const int err = rte_errno;
    pool.deallocate_(pool.external_, size);
    pool.external_ = nullptr;
    return Error{fmt::format("{}: rte_extmem_register({} bytes, page_size = {}) failed: {}", who,
                             size, page, rte_error_text(err))};
  }
  for (std::uint16_t port : memory.dma_map_ports) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port, &info) != 0 || info.device == nullptr) {
      return Error{fmt::format("{}: dma_map_ports contains {} which is not a valid port", who,
                               port)};
    }
    const rte_iova_t iova = memory.iova_as_va ? reinterpret_cast<rte_iova_t>(pool.external_)
                                              : RTE_BAD_IOVA;
    if (rte_dev_dma_map(info.device, pool.external_, iova, size) != 0) {
      return Error{fmt::format("{}: rte_dev_dma_map on port {} failed: {} (needs iova_as_va and "
                               "a device behind an IOMMU or with its own mapping)",
                               who, port, rte_error_text(rte_errno))};
    }
    pool.dma_mapped_ports_.push_back(port);
    pool.dma_iova_ = iova;
  }

  rte_pktmbuf_extmem ext{};
  ext.buf_ptr = pool.external_;
  ext.buf_iova = memory.iova_as_va ? reinterpret_cast<rte_iova_t>(pool.external_) : RTE_BAD_IOVA;
  ext.buf_len = size;
  ext.elt_size = static_cast<std::uint16_t>(elt);
  pool.pool_ = rte_pktmbuf_pool_create_extbuf(config.name.c_str(), config.mbufs, config.cache_size,
                                              0, config.data_room, config.socket_id, &ext, 1);
  if (pool.pool_ == nullptr) {
    return Error{fmt::format(
        "{}: name = \"{}\", mbufs = {}, data_room = {}: rte_pktmbuf_pool_create_extbuf failed: {}",
        who, config.name, config.mbufs, config.data_room, rte_error_text(rte_errno))};
  }
  return pool;
}

PacketPool::PacketPool(PacketPool&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      name_(std::move(other.name_)),
      data_room_(other.data_room_),
      external_(std::exchange(other.external_, nullptr)),
      external_size_(std::exchange(other.external_size_, 0)),
      page_size_(other.page_size_),
      deallocate_(std::move(other.deallocate_)),
      dma_mapped_ports_(std::move(other.dma_mapped_ports_)),
      dma_iova_(other.dma_iova_) {}

PacketPool& PacketPool::operator=(PacketPool&& other) noexcept {
  if (this != &other) {
    reset();
    pool_ = std::exchange(other.pool_, nullptr);
    name_ = std::move(other.name_);
    data_room_ = other.data_room_;
    external_ = std::exchange(other.external_, nullptr);
    external_size_ = std::exchange(other.external_size_, 0);
    page_size_ = other.page_size_;
    deallocate_ = std::move(other.deallocate_);
    dma_mapped_ports_ = std::move(other.dma_mapped_ports_);
    dma_iova_ = other.dma_iova_;
  }
  return *this;
}

PacketPool::~PacketPool() { reset(); }

void PacketPool::reset() noexcept {
  const bool running = dpdk_running();
  if (pool_ != nullptr && running) rte_mempool_free(pool_);
  pool_ = nullptr;
  if (external_ != nullptr) {
    if (running) {
      for (std::uint16_t port : dma_mapped_ports_) {
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(port, &info) == 0 && info.device != nullptr) {
          (void)rte_dev_dma_unmap(info.device, external_, dma_iova_, external_size_);
        }
      }
      (void)rte_extmem_unregister(external_, external_size_);
    }
    if (deallocate_) deallocate_(external_, external_size_);
    external_ = nullptr;
    external_size_ = 0;
  }
  dma_mapped_ports_.clear();
}

unsigned PacketPool::available() const {
  return pool_ != nullptr ? rte_mempool_avail_count(pool_) : 0U;
}

unsigned PacketPool::in_use() const {
  return pool_ != nullptr ? rte_mempool_in_use_count(pool_) : 0U;
}

bool PacketPool::alloc_bulk(std::span<rte_mbuf*> out) {
  if (pool_ == nullptr || out.size() > UINT_MAX) return false;
  return rte_pktmbuf_alloc_bulk(pool_, out.data(), static_cast<unsigned>(out.size())) == 0;
}

namespace mbuf {

std::optional<std::uint64_t> rx_timestamp(const rte_mbuf* m) {
  const int offset = rx_timestamp_offset();
  if (offset < 0 || !(m->ol_flags & rx_timestamp_flag())) return std::nullopt;
  return *RTE_MBUF_DYNFIELD(m, offset, const rte_mbuf_timestamp_t*);
}

std::span<std::uint8_t> data(rte_mbuf* m) {
  return {rte_pktmbuf_mtod(m, std::uint8_t*), m->data_len};
}

std::uint32_t packet_length(const rte_mbuf* m) { return m->pkt_len; }

std::span<std::uint8_t> buffer(rte_mbuf* m) {
  return {static_cast<std::uint8_t*>(m->buf_addr), m->buf_len};
}

bool assign(rte_mbuf* m, std::span<const std::uint8_t> bytes) {
  rte_pktmbuf_reset(m);
  if (bytes.size() > rte_pktmbuf_tailroom(m)) return false;
  char* p = rte_pktmbuf_append(m, static_cast<std::uint16_t>(bytes.size()));
  if (p == nullptr) return false;
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return true;
}

void free(rte_mbuf* m) { rte_pktmbuf_free(m); }

void free_bulk(std::span<rte_mbuf* const> mbufs) {
  rte_pktmbuf_free_bulk(const_cast<rte_mbuf**>(mbufs.data()), static_cast<unsigned>(mbufs.size()));
}

}  // namespace mbuf

// ---------------------------------------------------------------------------------------------
// Ports

Expected<DpdkPort> DpdkPort::open(std::string_view device_name, PacketPool& rx_pool,
                                  const PortConfig& config) {
  DpdkRuntime* runtime = DpdkRuntime::get();
  if (runtime == nullptr || !dpdk_running()) {
    return Error{fmt::format("DpdkPort::open: device_name = \"{}\": the EAL is not running",
                             device_name)};
  }
  auto port = runtime->find_port(device_name);
  if (!port) return Error{"DpdkPort::open: " + port.error().message};
  return open(*port, rx_pool, config);
}

Expected<DpdkPort> DpdkPort::open(std::uint16_t port_id, PacketPool& rx_pool,
                                  const PortConfig& config) {
  if (!dpdk_running()) return Error{"DpdkPort::open: the EAL is not running"};
  if (!rte_eth_dev_is_valid_port(port_id)) {
    return Error{fmt::format("DpdkPort::open: port_id = {} is not a valid port ({} available)",
                             port_id, rte_eth_dev_count_avail())};
  }
  if (rx_pool.get() == nullptr) return Error{"DpdkPort::open: rx_pool is empty (moved from?)"};
  if (config.rx_descriptors == 0 || config.tx_descriptors == 0) {
    return Error{fmt::format("DpdkPort::open: rx_descriptors = {}, tx_descriptors = {}; both must "
                             "be > 0",
                             config.rx_descriptors, config.tx_descriptors)};
  }
  std::array<char, RTE_ETH_NAME_MAX_LEN> name_buf{};
  (void)rte_eth_dev_get_name_by_port(port_id, name_buf.data());
  const std::string name = name_buf.data();

  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  if (state.running_ports.count(port_id) != 0) {
    return Error{fmt::format("DpdkPort::open: port {} ({}) is already open", port_id, name)};
  }
  const auto fail = [&](std::string_view what, int rc) -> Error {
    return Error{fmt::format("DpdkPort::open: port {} ({}): {}: {}", port_id, name, what,
                             rte_error_text(rc))};
  };

  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) return fail("rte_eth_dev_info_get", rc);
  // A port may be reopened after close() (it is only stopped then).
  (void)rte_eth_dev_stop(port_id);

  rte_eth_conf conf{};
  if (config.rx_timestamps) {
    if (rx_timestamp_offset() < 0) {
      return Error{fmt::format("DpdkPort::open: port {} ({}): cannot register the mbuf timestamp field", port_id, name)};
    }
    // Drivers that fill the registered field without advertising the offload (net_pcap)
    // still get it; mbuf::rx_timestamp says per packet whether a timestamp came.
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  }
  if (config.mtu != 0) {
    if (config.mtu < info.min_mtu || config.mtu > info.max_mtu) {
      return Error{fmt::format("DpdkPort::open: port {} ({}): mtu = {} outside [{}, {}]", port_id,
                               name, config.mtu, info.min_mtu, info.max_mtu)};
    }
    conf.rxmode.mtu = config.mtu;
  }
  if (int rc = rte_eth_dev_configure(port_id, 1, 1, &conf); rc != 0) {
    return fail("rte_eth_dev_configure(1 rx queue, 1 tx queue)", rc);
  }
  state.configured_ports.insert(port_id);

  std::uint16_t nb_rx = config.rx_descriptors;
  std::uint16_t nb_tx = config.tx_descriptors;
  if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rx, &nb_tx); rc != 0) {
    return fail(fmt::format("rte_eth_dev_adjust_nb_rx_tx_desc(rx_descriptors = {}, "
                            "tx_descriptors = {})",
                            config.rx_descriptors, config.tx_descriptors),
                rc);
  }
  int socket = rte_eth_dev_socket_id(port_id);
  if (socket < 0) socket = SOCKET_ID_ANY;
  if (int rc = rte_eth_rx_queue_setup(port_id, 0, nb_rx, static_cast<unsigned>(socket), nullptr,
                                      rx_pool.get());
      rc != 0) {
    return fail(fmt::format("rte_eth_rx_queue_setup(rx_descriptors = {}, pool \"{}\")", nb_rx,
                            rx_pool.name()),
                rc);
  }
  if (int rc = rte_eth_tx_queue_setup(port_id, 0, nb_tx, static_cast<unsigned>(socket), nullptr);
      rc != 0) {
    return fail(fmt::format("rte_eth_tx_queue_setup(tx_descriptors = {})", nb_tx), rc);
  }
  if (int rc = rte_eth_dev_start(port_id); rc != 0) return fail("rte_eth_dev_start", rc);
  if (config.promiscuous) {
    const int rc = rte_eth_promiscuous_enable(port_id);
    if (rc != 0 && rc != -ENOTSUP) {
      (void)rte_eth_dev_stop(port_id);
      return fail("rte_eth_promiscuous_enable", rc);
    }
  }
  (void)rte_eth_stats_reset(port_id);
  state.running_ports.insert(port_id);

  DpdkPort port;
  port.port_id_ = port_id;
  port.name_ = name;
  port.open_ = true;
  port.rx_descriptors_ = nb_rx;
  port.tx_descriptors_ = nb_tx;
  port.timestamp_scale_ns_ = std::string_view(info.driver_name ? info.driver_name : "") == "net_pcap" ? 1000 : 1;
  return port;
}

DpdkPort::DpdkPort(DpdkPort&& other) noexcept
    : port_id_(other.port_id_),
      name_(std::move(other.name_)),
      open_(std::exchange(other.open_, false)),
      rx_descriptors_(other.rx_descriptors_),
      tx_descriptors_(other.tx_descriptors_),
      timestamp_scale_ns_(other.timestamp_scale_ns_),
      counters_(other.counters_) {}

DpdkPort& DpdkPort::operator=(DpdkPort&& other) noexcept {
  if (this != &other) {
    (void)close();
    port_id_ = other.port_id_;
    name_ = std::move(other.name_);
    open_ = std::exchange(other.open_, false);
    rx_descriptors_ = other.rx_descriptors_;
    tx_descriptors_ = other.tx_descriptors_;
    timestamp_scale_ns_ = other.timestamp_scale_ns_;
    counters_ = other.counters_;
  }
  return *this;
}

DpdkPort::~DpdkPort() { (void)close(); }

Status DpdkPort::close() {
  if (!open_) return Status::ok();
  open_ = false;
  if (!dpdk_running()) return Status::ok();  // already closed by DpdkRuntime::shutdown
  EalState& state = eal_state();
  std::lock_guard lock(state.mutex);
  state.running_ports.erase(port_id_);
  if (int rc = rte_eth_dev_stop(port_id_); rc != 0) {
    return Error{fmt::format("DpdkPort::close: port {} ({}): rte_eth_dev_stop: {}", port_id_, name_,
                             rte_error_text(rc))};
  }
  return Status::ok();
}

std::uint16_t DpdkPort::rx_burst(std::span<rte_mbuf*> out) {
  if (!open_) return 0;  // a stopped queue must not be polled
  const auto n = static_cast<std::uint16_t>(std::min<std::size_t>(out.size(), UINT16_MAX));
  const std::uint16_t got = rte_eth_rx_burst(port_id_, 0, out.data(), n);
  if (got != 0) {
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < got; ++i) bytes += out[i]->pkt_len;
    bump(counters_.rx_packets, got);
    bump(counters_.rx_bytes, bytes);
  }
  return got;
}

std::uint16_t DpdkPort::tx_burst(std::span<rte_mbuf* const> packets) {
  const auto n = static_cast<std::uint16_t>(std::min<std::size_t>(packets.size(), UINT16_MAX));
  if (n == 0 || !open_) return 0;
  std::uint64_t bytes = 0;
  for (std::uint16_t i = 0; i < n; ++i) bytes += packets[i]->pkt_len;
  auto** pkts = const_cast<rte_mbuf**>(packets.data());
  const std::uint16_t sent = rte_eth_tx_burst(port_id_, 0, pkts, n);
  // The sent mbufs may already be recycled: count the bytes of the unsent ones (still ours).
  for (std::uint16_t i = sent; i < n; ++i) bytes -= packets[i]->pkt_len;
  bump(counters_.tx_packets, sent);
  bump(counters_.tx_bytes, bytes);
  return sent;
}

std::uint16_t DpdkPort::tx_burst_or_drop(std::span<rte_mbuf* const> packets) {
  const std::uint16_t sent = tx_burst(packets);
  const std::size_t n = std::min<std::size_t>(packets.size(), UINT16_MAX);
  if (sent < n) {
    rte_pktmbuf_free_bulk(const_cast<rte_mbuf**>(packets.data()) + sent,
                          static_cast<unsigned>(n - sent));
    bump(counters_.dropped, n - sent);
  }
  return sent;
}

std::uint16_t DpdkPort::tx_copy(std::span<const std::span<const std::uint8_t>> packets,
                                PacketPool& pool) {
  constexpr std::size_t kMax = 64;
  std::array<rte_mbuf*, kMax> burst{};
  std::size_t count = 0;
  std::uint64_t errors = 0;
  for (std::size_t i = 0; i < packets.size() && i < kMax; ++i) {
    rte_mbuf* m = pool.get() != nullptr ? rte_pktmbuf_alloc(pool.get()) : nullptr;
    if (m == nullptr) {
      ++errors;
      continue;
    }
    if (!mbuf::assign(m, packets[i])) {
      rte_pktmbuf_free(m);
      ++errors;
      continue;
    }
    burst[count++] = m;
  }
  if (errors != 0) bump(counters_.errors, errors);
  return tx_burst_or_drop(std::span<rte_mbuf* const>(burst.data(), count));
}

Expected<PortStats> DpdkPort::stats() const {
  PortStats s;
  s.airan.rx_packets = read(counters_.rx_packets);
  s.airan.rx_bytes = read(counters_.rx_bytes);
  s.airan.tx_packets = read(counters_.tx_packets);
  s.airan.tx_bytes = read(counters_.tx_bytes);
  s.airan.dropped = read(counters_.dropped);
  s.airan.errors = read(counters_.errors);
  if (!dpdk_running()) return Error{"DpdkPort::stats: the EAL is not running"};
  rte_eth_stats eth{};
  if (int rc = rte_eth_stats_get(port_id_, &eth); rc != 0) {
    return Error{fmt::format("DpdkPort::stats: port {} ({}): rte_eth_stats_get: {}", port_id_,
                             name_, rte_error_text(rc))};
  }
  s.eth.ipackets = eth.ipackets;
  s.eth.opackets = eth.opackets;
  s.eth.ibytes = eth.ibytes;
  s.eth.obytes = eth.obytes;
  s.eth.imissed = eth.imissed;
  s.eth.ierrors = eth.ierrors;
  s.eth.oerrors = eth.oerrors;
  s.eth.rx_nombuf = eth.rx_nombuf;
  return s;
}

Status DpdkPort::reset_stats() {
  for (std::uint64_t* c : {&counters_.rx_packets, &counters_.rx_bytes, &counters_.tx_packets,
                           &counters_.tx_bytes, &counters_.dropped, &counters_.errors}) {
    std::atomic_ref<std::uint64_t>(*c).store(0, std::memory_order_relaxed);
  }
  if (!dpdk_running()) return Error{"DpdkPort::reset_stats: the EAL is not running"};
  if (int rc = rte_eth_stats_reset(port_id_); rc != 0 && rc != -ENOTSUP) {
    return Error{fmt::format("DpdkPort::reset_stats: port {} ({}): rte_eth_stats_reset: {}",
                             port_id_, name_, rte_error_text(rc))};
  }
  return Status::ok();
}

std::array<std::uint8_t, 6> DpdkPort::mac_address() const {
  std::array<std::uint8_t, 6> mac{};
  rte_ether_addr addr{};
  if (dpdk_running() && rte_eth_macaddr_get(port_id_, &addr) == 0) {
    std::copy(std::begin(addr.addr_bytes), std::end(addr.addr_bytes), mac.begin());
  }
  return mac;
}

}  // namespace airan::io

#include "airan/dpdk_device.hpp"

#include <regex>

#include <fmt/format.h>

#include "airan/replay.hpp"

namespace airan::tools {

bool is_pci_address(const std::string& port) {
  static const std::regex pci(R"(^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$)");
  return std::regex_match(port, pci);
}

Expected<std::unique_ptr<DpdkDevice>> DpdkDevice::open(const std::string& port, int mtu, const std::string& pool_name) {
  const bool pci = is_pci_address(port);
  if (!pci && port.rfind("net_", 0) != 0) {
    return Error{fmt::format("--port {}: neither a PCI address (0000:3b:00.0) nor a DPDK vdev (net_af_packet0,iface=eth0)",
                             port)};
  }
  if (mtu < 64 || mtu > 65535 - 150) return Error{fmt::format("cell mtu {} is outside 64..65385", mtu)};
  io::EalOptions eal;
  if (pci) {
    // A real NIC: the EAL probes only this device, and DMA wants hugepages.
    eal.pci_allow = {port};
    eal.hugepages = true;
  }
  auto runtime = io::DpdkRuntime::start(eal);
  if (!runtime) return Error{fmt::format("--port {}: the DPDK EAL did not start: {}", port, runtime.error().message)};

  std::unique_ptr<DpdkDevice> d(new DpdkDevice());
  d->runtime_ = *runtime;
  if (pci) {
    d->name_ = port;
  } else {
    auto id = d->runtime_->attach_vdev(port);
    if (!id) return Error{fmt::format("--port {}: {}", port, id.error().message)};
    d->name_ = port.substr(0, port.find(','));
    d->attached_vdev_ = true;
  }
  // Enough mbufs for the rx ring and a few bursts in flight; each holds a whole frame.
  auto pool = io::PacketPool::create({.name = pool_name,
                                      .mbufs = 4095,
                                      .cache_size = 256,
                                      .data_room = static_cast<std::uint16_t>(mbuf_data_room_for_mtu(mtu))});
  if (!pool) return Error{fmt::format("--port {}: {}", port, pool.error().message)};
  d->pool_.emplace(std::move(*pool));
  io::PortConfig config;
  config.rx_timestamps = true;
  auto opened = io::DpdkPort::open(d->name_, *d->pool_, config);
  if (!opened) return Error{fmt::format("--port {}: {}", port, opened.error().message)};
  d->port_.emplace(std::move(*opened));
  return d;
}

DpdkDevice::~DpdkDevice() {
  if (port_) (void)port_->close();
  port_.reset();
  if (attached_vdev_ && runtime_ != nullptr && io::dpdk_running()) (void)runtime_->detach_vdev(name_);
  pool_.reset();
}

}  // namespace airan::tools

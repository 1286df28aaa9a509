// A DPDK port named the way a lab names it on the command line: a PCI address of a NIC bound
// to a DPDK driver ("0000:3b:00.0", "3b:00.0") or a virtual device string as for --vdev
// ("net_af_packet0,iface=eth0", "net_pcap0,rx_pcap=in.pcap"). Shared by `airan run` (receive)
// and `airan ru-emu --tx` (transmit).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "airan/io/dpdk_port.hpp"
#include "airan/phy/expected.hpp"

namespace airan::tools {

// True for a PCI address: [DDDD:]BB:DD.F in hex.
bool is_pci_address(const std::string& port);

// The EAL (started here unless it runs already), the device (a vdev is attached, a PCI NIC is
// allow-listed with -a and hugepages), a packet pool whose mbufs hold a whole frame of
// `mtu` bytes, and the port opened on it with one rx and one tx queue (rx timestamps asked for:
// drivers that have them attach them). Destruction closes the port, detaches a vdev and frees
// the pool, in that order.
class DpdkDevice {
 public:
  static Expected<std::unique_ptr<DpdkDevice>> open(const std::string& port, int mtu, const std::string& pool_name);
  ~DpdkDevice();
  DpdkDevice(const DpdkDevice&) = delete;
  DpdkDevice& operator=(const DpdkDevice&) = delete;

  io::DpdkPort& port() { return *port_; }
  io::PacketPool& pool() { return *pool_; }
  // The device name DPDK knows ("net_af_packet0", "0000:3b:00.0").
  const std::string& name() const { return name_; }

 private:
  DpdkDevice() = default;
  io::DpdkRuntime* runtime_ = nullptr;
  std::string name_;
  bool attached_vdev_ = false;
  std::optional<io::PacketPool> pool_;
  std::optional<io::DpdkPort> port_;
};

}  // namespace airan::tools

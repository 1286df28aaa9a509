// GpuFronthaulOrder on a device against the CPU: real U-plane packets go through the
// SlotAssembler in grid mode (the CPU's grid) and in descriptor mode on the component's pinned,
// mapped arena; the device grid, copied back, must equal the CPU grid bit for bit (same integer
// decoding, one float multiply) for BFP 8/9/12/14/16 and uncompressed 16-bit, with the grid
// padding between rows left 0; a captured CUDA graph serves several slots; GpuPuschFrontEnd reads
// the ordered grid in place (its LLRs equal those from the uploaded CPU grid); run/setup errors.
// Skips, with the reason, where there is no device.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <bit>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "airan/io/cuda/gpu_fronthaul_order.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

#if defined(AIRAN_WITH_CUDA)
#include <cuda_runtime.h>
#endif

namespace airan::io {
namespace {

#if defined(AIRAN_WITH_CUDA)

FronthaulConfig config_for(CompressionMethod method, int iq_width, int ports, int prbs, int mtu) {
  FronthaulConfig c;
  c.numerology = 1;
  c.carrier_prbs = prbs;
  c.eaxc_ids.clear();
  for (int p = 0; p < ports; ++p) c.eaxc_ids.push_back(static_cast<std::uint16_t>(p));
  c.uplane.uplink.static_comp = make_ud_comp_hdr(iq_width, method);
  c.mtu = mtu;
  c.window.enabled = false;
  return c;
}

phy::ResourceGrid random_grid(int ports, int prbs, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0F, 0.8F);
  phy::ResourceGrid grid(ports, 14, 12 * prbs);
  for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
  return grid;
}

struct DeviceGrid {
  void* ptr = nullptr;
  std::size_t elements = 0;
  explicit DeviceGrid(std::size_t n) : elements(n) {
    EXPECT_EQ(cudaMalloc(&ptr, n * sizeof(std::complex<float>)), cudaSuccess);
  }
  ~DeviceGrid() { cudaFree(ptr); }
  std::vector<std::complex<float>> to_host() const {
    std::vector<std::complex<float>> out(elements);
    EXPECT_EQ(cudaMemcpy(out.data(), ptr, elements * sizeof(std::complex<float>), cudaMemcpyDeviceToHost), cudaSuccess);
    return out;
  }
};

// Mismatching elements (bit patterns) between the CPU grid and the device grid of row_stride;
// padding must be 0.
std::size_t mismatches(const phy::ResourceGrid& cpu, const std::vector<std::complex<float>>& gpu, int row_stride) {
  std::size_t bad = 0;
  for (int p = 0; p < cpu.ports(); ++p) {
    for (int l = 0; l < cpu.symbols(); ++l) {
      for (int k = 0; k < row_stride; ++k) {
        const std::complex<float> c = k < cpu.subcarriers() ? cpu.symbol(p, l)[static_cast<std::size_t>(k)]
                                                            : std::complex<float>{};
        const std::complex<float> g = gpu[(static_cast<std::size_t>(p) * cpu.symbols() + l) * row_stride + k];
        if (std::bit_cast<std::uint64_t>(c) != std::bit_cast<std::uint64_t>(g)) ++bad;
      }
    }
  }
  return bad;
}

GpuFronthaulOrderLimits limits_for(const FronthaulConfig& config, int row_stride) {
  GpuFronthaulOrderLimits l;
  l.max_sections = 1024;
  l.max_payload_bytes = std::size_t{1} << 20;
  l.arena_slots = config.slots_in_flight;
  l.ports = config.ports();
  l.prbs = config.carrier_prbs;
  l.row_stride = row_stride;
  l.iq_scale = config.iq_scale;
  return l;
}

struct Case {
  CompressionMethod method;
  int iq_width;
  int ports;
  int mtu;
  int row_stride_extra;
};

TEST(GpuFronthaulOrder, DeviceGridMatchesTheCpuAssembler) {
  AIRAN_REQUIRE_GPU();
  const Case cases[] = {{CompressionMethod::block_floating_point, 9, 4, 1500, 0},
                        {CompressionMethod::block_floating_point, 8, 2, 1500, 24},
                        {CompressionMethod::block_floating_point, 12, 2, 2000, 0},
                        {CompressionMethod::block_floating_point, 14, 3, 1000, 12},
                        {CompressionMethod::block_floating_point, 16, 2, 9000, 0},
                        {CompressionMethod::none, 16, 4, 3000, 0}};
  for (const Case& c : cases) {
    SCOPED_TRACE("method " + std::to_string(static_cast<int>(c.method)) + " iqWidth " + std::to_string(c.iq_width));
    const FronthaulConfig config = config_for(c.method, c.iq_width, c.ports, 273, c.mtu);
    const int row_stride = 12 * 273 + c.row_stride_extra;
    auto order = GpuFronthaulOrder::create(limits_for(config, row_stride));
    ASSERT_TRUE(order.has_value()) << order.error().message;
    auto packer = UplanePacker::create(config);
    auto cpu = SlotAssembler::create(config);
    auto gpu = SlotAssembler::create(config, SectionOutput{order->host_arena(), 1024});
    ASSERT_TRUE(packer.has_value() && cpu.has_value() && gpu.has_value());
    DeviceGrid grid(order->grid_elements());
    std::vector<phy::ResourceGrid> cpu_grids;
    std::vector<std::vector<std::complex<float>>> gpu_grids;
    auto on_cpu = [&](const AssembledSlot& s) { cpu_grids.push_back(*s.grid); };
    auto on_gpu = [&](const AssembledSlot& s) {
      const Status set = order->setup(s.sections, s.payload);
      ASSERT_TRUE(set) << set.error().message;
      const Status ran = order->run(grid.ptr, grid.elements);
      ASSERT_TRUE(ran) << ran.error().message;
      ASSERT_TRUE(order->synchronize());  // before the assembler may reuse this slot's arena
      gpu_grids.push_back(grid.to_host());
    };
    for (int slot = 0; slot < 3; ++slot) {
      const phy::ResourceGrid tx = random_grid(c.ports, 273, 50U + static_cast<unsigned>(slot));
      ASSERT_TRUE(packer->pack_slot(tx, slot_time(slot, 1), [&](std::span<const std::uint8_t> bytes, int) {
        cpu->on_frame(bytes, 0, on_cpu);
        gpu->on_frame(bytes, 0, on_gpu);
      }));
    }
    cpu->flush(on_cpu);
    gpu->flush(on_gpu);
    ASSERT_EQ(cpu_grids.size(), 3U);
    ASSERT_EQ(gpu_grids.size(), 3U);
    for (std::size_t i = 0; i < cpu_grids.size(); ++i) {
      EXPECT_EQ(mismatches(cpu_grids[i], gpu_grids[i], row_stride), 0U) << "slot " << i;
    }
  }
}

// run() captured once into a graph; setup per slot feeds it new descriptors (the count and the
// payload position travel in device memory, so the graph's arguments never change).
TEST(GpuFronthaulOrder, OneGraphServesEverySlot) {
  AIRAN_REQUIRE_GPU();
  const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, 4, 273, 1500);
  const int row_stride = 12 * 273;
  auto order = GpuFronthaulOrder::create(limits_for(config, row_stride));
  ASSERT_TRUE(order.has_value()) << order.error().message;
  auto packer = UplanePacker::create(config);
  auto cpu = SlotAssembler::create(config);
  auto gpu = SlotAssembler::create(config, SectionOutput{order->host_arena(), 1024});
  ASSERT_TRUE(packer.has_value() && cpu.has_value() && gpu.has_value());
  DeviceGrid grid(order->grid_elements());
  auto stream = static_cast<cudaStream_t>(order->stream());
  cudaGraphExec_t exec = nullptr;
  std::vector<phy::ResourceGrid> cpu_grids;
  std::vector<std::vector<std::complex<float>>> gpu_grids;
  auto on_cpu = [&](const AssembledSlot& s) { cpu_grids.push_back(*s.grid); };
  auto on_gpu = [&](const AssembledSlot& s) {
    const Status set = order->setup(s.sections, s.payload);
    ASSERT_TRUE(set) << set.error().message;
    if (exec == nullptr) {
      cudaGraph_t graph = nullptr;
      ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
      const Status ran = order->run(grid.ptr, grid.elements);
      ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
      ASSERT_TRUE(ran) << ran.error().message;
      ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
      cudaGraphDestroy(graph);
    }
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    ASSERT_TRUE(order->synchronize());
    gpu_grids.push_back(grid.to_host());
  };
  for (int slot = 0; slot < 4; ++slot) {
    phy::ResourceGrid tx = random_grid(4, 273, 90U + static_cast<unsigned>(slot));
    int frame = 0;
    ASSERT_TRUE(packer->pack_slot(tx, slot_time(slot, 1), [&](std::span<const std::uint8_t> bytes, int) {
      if (slot == 2 && frame++ % 5 == 0) return;  // a slot with missing sections: fewer descriptors
      cpu->on_frame(bytes, 0, on_cpu);
      gpu->on_frame(bytes, 0, on_gpu);
    }));
  }
  cpu->flush(on_cpu);
  gpu->flush(on_gpu);
  if (exec != nullptr) cudaGraphExecDestroy(exec);
  ASSERT_EQ(cpu_grids.size(), 4U);
  ASSERT_EQ(gpu_grids.size(), 4U);
  for (std::size_t i = 0; i < cpu_grids.size(); ++i) {
    EXPECT_EQ(mismatches(cpu_grids[i], gpu_grids[i], row_stride), 0U) << "slot " << i;
  }
}

// The order step writes GpuPuschFrontEnd::device_grid() on the front end's stream; the front
// end's LLRs must be exactly those it gives for the CPU assembler's grid uploaded.
TEST(GpuFronthaulOrder, FrontEndReadsTheOrderedGridInPlace) {
  AIRAN_REQUIRE_GPU();
  phy::PuschConfig pusch;
  pusch.numerology = 1;
  pusch.bwp_size = 273;
  pusch.rb_size = 273;
  pusch.num_layers = 1;
  pusch.num_antenna_ports = 1;
  pusch.mcs_table = phy::McsTable::qam256;
  pusch.mcs_index = 15;
  pusch.dmrs.additional_position = 1;
  pusch.dmrs.num_cdm_groups_without_data = 2;
  auto plan = phy::plan_pusch(pusch);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  std::mt19937_64 engine(4);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(engine() >> 63);
  phy::PuschTransmitter transmitter;
  phy::ResourceGrid tx;
  ASSERT_TRUE(transmitter.transmit(*plan, tb, tx).is_ok());
  ASSERT_EQ(tx.subcarriers(), 12 * 273);
  constexpr int kRx = 4;
  std::normal_distribution<float> normal(0.0F, 0.5F);
  phy::ResourceGrid rx(kRx, 14, tx.subcarriers());
  for (int r = 0; r < kRx; ++r) {
    const phy::Complex h(normal(engine), normal(engine));
    for (int l = 0; l < 14; ++l) {
      for (int k = 0; k < tx.subcarriers(); ++k) {
        rx.symbol(r, l)[static_cast<std::size_t>(k)] =
            h * tx.symbol(0, l)[static_cast<std::size_t>(k)] + phy::Complex(0.05F * normal(engine), 0.05F * normal(engine));
      }
    }
  }

  phy::GpuPuschLimits fe_limits;
  fe_limits.max_prbs = 273;
  fe_limits.grid_prbs = 273;
  fe_limits.max_layers = 1;
  fe_limits.max_rx_ports = kRx;
  fe_limits.max_ues = 1;
  auto front_end = phy::GpuPuschFrontEnd::create(fe_limits, phy::GpuPuschFrontEndConfig{});
  ASSERT_TRUE(front_end.has_value()) << front_end.error().message;
  phy::GpuPuschFrontEnd& fe = **front_end;
  const FronthaulConfig config = config_for(CompressionMethod::block_floating_point, 9, kRx, 273, 1500);
  auto order = GpuFronthaulOrder::create(limits_for(config, 12 * fe_limits.grid_prbs), fe.stream());
  ASSERT_TRUE(order.has_value()) << order.error().message;
  auto packer = UplanePacker::create(config);
  auto cpu = SlotAssembler::create(config);
  auto gpu = SlotAssembler::create(config, SectionOutput{order->host_arena(), 1024});
  ASSERT_TRUE(packer.has_value() && cpu.has_value() && gpu.has_value());
  std::vector<std::vector<std::uint8_t>> frames;
  ASSERT_TRUE(packer->pack_slot(rx, SlotTime{0, 0, 0}, [&](std::span<const std::uint8_t> bytes, int) {
    frames.emplace_back(bytes.begin(), bytes.end());
  }));
  const phy::GpuPuschUe ue{&*plan, 0};
  std::vector<float> from_upload;
  std::vector<float> from_order;
  auto on_cpu = [&](const AssembledSlot& s) {
    ASSERT_TRUE(fe.setup(std::span(&ue, 1), kRx, 12 * 273));
    ASSERT_TRUE(fe.upload_grid(*s.grid));
    ASSERT_TRUE(fe.run());
    ASSERT_TRUE(fe.copy_llrs_to_host());
    ASSERT_TRUE(fe.synchronize());
    from_upload.assign(fe.llrs(0).begin(), fe.llrs(0).end());
  };
  auto on_gpu = [&](const AssembledSlot& s) {
    ASSERT_TRUE(fe.setup(std::span(&ue, 1), kRx, 12 * 273));
    const Status set = order->setup(s.sections, s.payload);
    ASSERT_TRUE(set) << set.error().message;
    const Status ran = order->run(fe.device_grid(), order->grid_elements());
    ASSERT_TRUE(ran) << ran.error().message;
    ASSERT_TRUE(fe.run());  // same stream: ordered after the order step
    ASSERT_TRUE(fe.copy_llrs_to_host());
    ASSERT_TRUE(fe.synchronize());
    from_order.assign(fe.llrs(0).begin(), fe.llrs(0).end());
  };
  for (const auto& f : frames) cpu->on_frame(f, 0, on_cpu);
  cpu->flush(on_cpu);
  for (const auto& f : frames) gpu->on_frame(f, 0, on_gpu);
  gpu->flush(on_gpu);
  ASSERT_EQ(from_upload.size(), static_cast<std::size_t>(plan->g));
  ASSERT_EQ(from_order.size(), from_upload.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < from_upload.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(from_upload[i]) != std::bit_cast<std::uint32_t>(from_order[i])) ++differ;
  }
  EXPECT_EQ(differ, 0U) << "of " << from_upload.size() << " LLRs";
}

TEST(GpuFronthaulOrder, ErrorsNameWhatIsWrong) {
  AIRAN_REQUIRE_GPU();
  GpuFronthaulOrderLimits limits;
  limits.ports = 2;
  limits.prbs = 20;
  limits.row_stride = 240;
  auto order = GpuFronthaulOrder::create(limits);
  ASSERT_TRUE(order.has_value()) << order.error().message;
  DeviceGrid grid(order->grid_elements());
  const Status early = order->run(grid.ptr, grid.elements);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message.find("setup has not run"), std::string::npos) << early.error().message;
  const std::span<const std::uint8_t> payload = order->host_arena().first(1000);
  const SectionDescriptor good{0, 1, 3, CompressionMethod::block_floating_point, 2, 10, 9};
  ASSERT_TRUE(order->setup(std::span(&good, 1), payload));
  const Status small = order->run(grid.ptr, grid.elements - 1);
  ASSERT_FALSE(small);
  EXPECT_NE(small.error().message.find("needed"), std::string::npos) << small.error().message;
  std::vector<std::uint8_t> elsewhere(1000);
  const Status outside = order->setup(std::span(&good, 1), elsewhere);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("host arena"), std::string::npos) << outside.error().message;
  SectionDescriptor bad = good;
  bad.port = 2;
  const Status port = order->setup(std::span(&bad, 1), payload);
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("section 0: port 2"), std::string::npos) << port.error().message;
  // The earlier setup stays in place: run still works.
  ASSERT_TRUE(order->run(grid.ptr, grid.elements));
  ASSERT_TRUE(order->synchronize());
}

#else

TEST(GpuFronthaulOrder, NotBuiltWithoutCuda) {
  auto order = GpuFronthaulOrder::create(GpuFronthaulOrderLimits{});
  ASSERT_FALSE(order.has_value());
  GTEST_SKIP() << order.error().message;
}

#endif

}  // namespace
}  // namespace airan::io

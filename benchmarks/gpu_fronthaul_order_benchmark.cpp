// GpuFronthaulOrder per slot: a 273-PRB, 4-port uplink slot with BFP iqWidth 9 (MTU 1500, so
// each symbol and port arrives in several sections), assembled in descriptor mode into the
// component's pinned, mapped arena, then decompressed on the GPU into the device grid (the
// layout GpuPuschFrontEnd reads).
//
// Time is wall-clock time per slot, measured to the end of synchronize() (so launch overhead
// counts). Counters:
//   GB/s       compressed payload bytes of the slot per second, in units of 10^9 (read over the
//              bus from mapped host memory: this is the figure the link bounds)
//   sections   descriptors of the slot
// Variants: "run" = grid memset + descriptor copy + kernel; "setup_run" = the host's descriptor
// validation first; "graph" = run() captured once as a CUDA graph and relaunched.
// Slot budget at 30 kHz: 500 us. Built only with the CUDA backend; without a device every
// benchmark reports the reason.
#include <benchmark/benchmark.h>

#if defined(AIRAN_WITH_CUDA)

#include <cuda_runtime.h>

#include <random>
#include <string>
#include <vector>

#include "airan/io/cuda/gpu_fronthaul_order.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/phy/gpu.hpp"

namespace {

using namespace airan;
using namespace airan::io;

enum class Mode { run, setup_run, graph };

void bm_gpu_fronthaul_order(benchmark::State& state, Mode mode) {
  const phy::GpuInfo& gpu = phy::detect_gpu();
  if (!gpu.available) {
    state.SkipWithError(("no GPU: " + gpu.reason).c_str());
    return;
  }
  constexpr int kPorts = 4;
  constexpr int kPrbs = 273;
  FronthaulConfig config;
  config.numerology = 1;
  config.carrier_prbs = kPrbs;
  config.eaxc_ids = {0, 1, 2, 3};
  config.uplane.uplink.static_comp = make_ud_comp_hdr(9, CompressionMethod::block_floating_point);
  config.mtu = 1500;
  config.window.enabled = false;

  GpuFronthaulOrderLimits limits;
  limits.max_sections = 1024;
  limits.max_payload_bytes = std::size_t{1} << 20;
  limits.arena_slots = config.slots_in_flight;
  limits.ports = kPorts;
  limits.prbs = kPrbs;
  limits.row_stride = 12 * kPrbs;
  limits.iq_scale = config.iq_scale;
  auto order = GpuFronthaulOrder::create(limits);
  if (!order) {
    state.SkipWithError(order.error().message.c_str());
    return;
  }
  auto packer = UplanePacker::create(config);
  auto assembler = SlotAssembler::create(config, SectionOutput{order->host_arena(), limits.max_sections});
  if (!packer || !assembler) {
    state.SkipWithError("fronthaul config rejected");
    return;
  }
  std::mt19937 engine(1);
  std::normal_distribution<float> normal(0.0F, 0.7F);
  phy::ResourceGrid tx(kPorts, 14, 12 * kPrbs);
  for (auto& x : tx.data()) x = {normal(engine), normal(engine)};
  // One slot's descriptors; its payload stays in the arena since no later frame reuses the part
  // (with more frames, the run would have to complete inside on_slot).
  std::vector<SectionDescriptor> sections;
  std::span<const std::uint8_t> payload;
  auto on_slot = [&](const AssembledSlot& s) {
    sections.assign(s.sections.begin(), s.sections.end());
    payload = s.payload;
  };
  const Status packed = packer->pack_slot(tx, SlotTime{0, 0, 0}, [&](std::span<const std::uint8_t> bytes, int) {
    assembler->on_frame(bytes, 0, on_slot);
  });
  assembler->flush(on_slot);
  if (!packed || sections.empty()) {
    state.SkipWithError("packing the slot failed");
    return;
  }
  void* grid = nullptr;
  if (cudaMalloc(&grid, order->grid_elements() * 8) != cudaSuccess) {
    state.SkipWithError("cudaMalloc of the grid failed");
    return;
  }
  auto check = [&state](const Status& s) {
    if (!s) state.SkipWithError(s.error().message.c_str());
    return static_cast<bool>(s);
  };
  auto stream = static_cast<cudaStream_t>(order->stream());
  cudaGraphExec_t exec = nullptr;
  bool ok = check(order->setup(sections, payload));
  if (ok && mode == Mode::graph) {
    cudaGraph_t graph = nullptr;
    ok = cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) == cudaSuccess;
    const Status ran = order->run(grid, order->grid_elements());
    ok = cudaStreamEndCapture(stream, &graph) == cudaSuccess && ok && check(ran) &&
         cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess;
    if (graph != nullptr) cudaGraphDestroy(graph);
    if (!ok && ran) state.SkipWithError("capturing the graph failed");
  }
  if (ok) {
    // Warm up (first-launch module loading) outside the timed loop.
    ok = check(order->run(grid, order->grid_elements())) && check(order->synchronize());
  }
  if (ok) {
    for (auto _ : state) {
      if (mode == Mode::setup_run && !check(order->setup(sections, payload))) break;
      if (mode == Mode::graph) {
        if (cudaGraphLaunch(exec, stream) != cudaSuccess) {
          state.SkipWithError("cudaGraphLaunch failed");
          break;
        }
      } else if (!check(order->run(grid, order->grid_elements()))) {
        break;
      }
      if (!check(order->synchronize())) break;
    }
    const double bytes = static_cast<double>(payload.size());
    state.counters["GB/s"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["sections"] = static_cast<double>(sections.size());
    state.counters["payload_kB"] = bytes / 1e3;
  }
  if (exec != nullptr) cudaGraphExecDestroy(exec);
  cudaFree(grid);
}

const bool registered = [] {
  const std::pair<const char*, Mode> modes[] = {
      {"run", Mode::run}, {"setup_run", Mode::setup_run}, {"graph", Mode::graph}};
  for (const auto& [name, mode] : modes) {
    const std::string full = std::string("GpuFronthaulOrder/273prb_4port_bfp9/") + name;
    benchmark::RegisterBenchmark(full.c_str(), [mode = mode](benchmark::State& s) { bm_gpu_fronthaul_order(s, mode); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace

#endif  // AIRAN_WITH_CUDA

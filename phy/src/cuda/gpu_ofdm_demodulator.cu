// GpuOfdmDemodulator: per slot, gather (CP removal) -> one batched cuFFT C2C forward in place
// (batch = max_ports x symbols, planned once at create) -> extract (bins to subcarriers, window
// offset ramp and 1/sqrt(N), upconversion phase). Launches and the FFT batch are for the
// create-time maxima (ports beyond the slot's return at once; their FFT rows hold stale but
// finite data that nothing reads), so one captured graph serves every slot.
#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "airan/phy/cuda/gpu_ofdm_demodulator.hpp"
#include "airan/phy/detail/gpu_ofdm_kernels.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;
using detail::OfdmBuffers;
using detail::OfdmSlotDescriptor;

static_assert(sizeof(ComplexF) == sizeof(cufftComplex), "cuFFT works on the ComplexF buffers in place");

__global__ void gather_kernel(OfdmBuffers b) {
  const std::size_t t = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t < detail::ofdm_gather_threads(b)) detail::ofdm_gather_thread(b, t);
}

__global__ void extract_kernel(OfdmBuffers b) {
  const std::size_t t = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t < detail::ofdm_extract_threads(b)) detail::ofdm_extract_thread(b, t);
}

constexpr const char* kComponent = "GPU OFDM demodulator";

Status cuda_status(cudaError_t error, const char* what) { return cuda_support::status(error, kComponent, what); }

Status cufft_status(cufftResult result, const char* what) {
  if (result == CUFFT_SUCCESS) return Status::ok();
  return Error{std::string("GPU OFDM demodulator: ") + what + ": cuFFT error " + std::to_string(static_cast<int>(result))};
}

}  // namespace

struct GpuOfdmDemodulator::Impl {
  OfdmConfig config;
  GpuOfdmDemodulatorLimits limits;
  cudaStream_t stream = nullptr;
  cudaEvent_t descriptor_copied = nullptr;  // the next setup() overwrites the pinned source
  bool descriptor_in_flight = false;
  cufftHandle plan = 0;
  bool have_plan = false;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t graph_exec = nullptr;
  OfdmBuffers buffers{};
  ComplexF* own_grid = nullptr;
  ComplexF* input = nullptr;
  OfdmSlotDescriptor* host_descriptor = nullptr;  // pinned
  cuda_support::Allocations memory{kComponent};  // freed after the destructor's body
  int slot = -1;
  int ports = 0;

  ~Impl() {
    if (graph_exec) cudaGraphExecDestroy(graph_exec);
    if (graph) cudaGraphDestroy(graph);
    if (have_plan) cufftDestroy(plan);
    if (host_descriptor) cudaFreeHost(host_descriptor);
    if (descriptor_copied) cudaEventDestroy(descriptor_copied);
    if (stream) cudaStreamDestroy(stream);
  }

  template <typename T>
  Status allocate(T*& out, std::size_t count, const char* what) {
    return memory.device(out, count, what);
  }

  Status launch() {
    constexpr unsigned kThreads = 256;
    const auto blocks = [](std::size_t work) { return static_cast<unsigned>((work + kThreads - 1) / kThreads); };
    gather_kernel<<<blocks(detail::ofdm_gather_threads(buffers)), kThreads, 0, stream>>>(buffers);
    if (Status s = cuda_status(cudaGetLastError(), "gather launch"); !s) return s;
    auto* data = reinterpret_cast<cufftComplex*>(buffers.fft);
    if (Status s = cufft_status(cufftExecC2C(plan, data, data, CUFFT_FORWARD), "FFT"); !s) return s;
    extract_kernel<<<blocks(detail::ofdm_extract_threads(buffers)), kThreads, 0, stream>>>(buffers);
    return cuda_status(cudaGetLastError(), "extract launch");
  }
};

GpuOfdmDemodulator::GpuOfdmDemodulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuOfdmDemodulator::~GpuOfdmDemodulator() = default;

Expected<std::unique_ptr<GpuOfdmDemodulator>> GpuOfdmDemodulator::create(const OfdmConfig& config,
                                                                        const GpuOfdmDemodulatorLimits& limits) {
  if (Status s = config.validate(); !s) return Error{"GPU OFDM demodulator: " + s.message()};
  if (limits.max_ports < 1 || limits.max_ports > 16) {
    return Error{"GPU OFDM demodulator: max_ports=" + std::to_string(limits.max_ports) + " is outside 1..16"};
  }
  const int row = limits.grid_row_subcarriers == 0 ? config.grid_subcarriers : limits.grid_row_subcarriers;
  if (row < config.grid_subcarriers) {
    return Error{"GPU OFDM demodulator: grid_row_subcarriers=" + std::to_string(limits.grid_row_subcarriers) +
                 " is below grid_subcarriers=" + std::to_string(config.grid_subcarriers)};
  }
  const int symbols = config.numerology.symbols_per_slot();
  if (symbols > detail::kOfdmMaxSymbols) {
    return Error{"GPU OFDM demodulator: " + std::to_string(symbols) + " symbols per slot, at most 14"};
  }
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU OFDM demodulator: no GPU: " + gpu.reason};

  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.config = config;
  m.limits = limits;
  m.limits.grid_row_subcarriers = row;
  int input_row = 0;
  for (int slot = 0; slot < config.numerology.slots_per_subframe(); ++slot) {
    input_row = std::max(input_row, config.slot_samples(slot));
  }
  OfdmBuffers& b = m.buffers;
  b.max_ports = limits.max_ports;
  b.symbols = symbols;
  b.fft_size = config.fft_size;
  b.input_row = input_row;
  b.grid_subcarriers = config.grid_subcarriers;
  b.grid_row = row;
  const auto ports = static_cast<std::size_t>(limits.max_ports);
  const std::size_t rows = ports * symbols;

  if (Status s = cuda_status(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "stream"); !s) return s.error();
  if (Status s = cuda_status(cudaEventCreateWithFlags(&m.descriptor_copied, cudaEventDisableTiming), "event"); !s) {
    return s.error();
  }
  OfdmSlotDescriptor* descriptor = nullptr;
  ComplexF* ramp = nullptr;
  const Status allocations[] = {
      m.allocate(descriptor, 1, "slot descriptor"),
      m.allocate(m.input, ports * input_row, "input samples"),
      m.allocate(b.fft, rows * config.fft_size, "FFT buffer"),
      m.allocate(ramp, static_cast<std::size_t>(config.grid_subcarriers), "ramp"),
      m.allocate(m.own_grid, rows * row, "grid"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_descriptor), sizeof(OfdmSlotDescriptor)),
                  "pinned descriptor"),
  };
  for (const Status& allocation : allocations) {
    if (!allocation) return allocation.error();
  }
  b.slot = descriptor;
  b.input = m.input;
  b.ramp = ramp;
  b.grid = m.own_grid;
  // Zeroed once: ports a slot does not use are gathered from and transformed but never read.
  if (Status s = cuda_status(cudaMemset(b.fft, 0, rows * config.fft_size * sizeof(ComplexF)), "FFT buffer"); !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaMemset(m.input, 0, ports * input_row * sizeof(ComplexF)), "input"); !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaMemset(m.own_grid, 0, rows * row * sizeof(ComplexF)), "grid"); !s) return s.error();
  if (Status s = cuda_status(cudaMemset(descriptor, 0, sizeof(OfdmSlotDescriptor)), "descriptor"); !s) {
    return s.error();
  }
  std::vector<ComplexF> host_ramp(static_cast<std::size_t>(config.grid_subcarriers));
  for (int k = 0; k < config.grid_subcarriers; ++k) {
    host_ramp[k] = detail::ofdm_demod_ramp(k, config.grid_subcarriers, config.fft_size, config.fft_window_offset);
  }
  if (Status s = cuda_status(cudaMemcpy(ramp, host_ramp.data(), host_ramp.size() * sizeof(ComplexF),
                                        cudaMemcpyHostToDevice),
                             "ramp copy");
      !s) {
    return s.error();
  }
  // One plan for every slot: batch = max_ports x symbols contiguous rows of fft_size.
  int n = config.fft_size;
  if (Status s = cufft_status(cufftPlanMany(&m.plan, 1, &n, nullptr, 1, n, nullptr, 1, n, CUFFT_C2C,
                                            static_cast<int>(rows)),
                              "plan");
      !s) {
    return s.error();
  }
  m.have_plan = true;
  if (Status s = cufft_status(cufftSetStream(m.plan, m.stream), "plan stream"); !s) return s.error();
  std::size_t work = 0;
  if (cufftGetSize(m.plan, &work) == CUFFT_SUCCESS) m.memory.count_device_bytes(work);
  return std::unique_ptr<GpuOfdmDemodulator>(new GpuOfdmDemodulator(std::move(impl)));
}

Status GpuOfdmDemodulator::setup(int slot, int ports) {
  Impl& m = *impl_;
  if (ports < 1 || ports > m.limits.max_ports) {
    return Error{"GPU OFDM demodulator: ports=" + std::to_string(ports) + " is outside 1.." +
                 std::to_string(m.limits.max_ports)};
  }
  if (m.descriptor_in_flight) {
    if (Status s = cuda_status(cudaEventSynchronize(m.descriptor_copied), "previous descriptor copy"); !s) return s;
    m.descriptor_in_flight = false;
  }
  if (Status s = detail::fill_ofdm_slot_descriptor(m.config, slot, ports, *m.host_descriptor); !s) {
    return Error{"GPU OFDM demodulator: " + s.message()};
  }
  m.slot = slot;
  m.ports = ports;
  if (Status s = cuda_status(cudaMemcpyAsync(const_cast<OfdmSlotDescriptor*>(m.buffers.slot), m.host_descriptor,
                                             sizeof(OfdmSlotDescriptor), cudaMemcpyHostToDevice, m.stream),
                             "descriptor copy");
      !s) {
    return s;
  }
  m.descriptor_in_flight = true;
  return cuda_status(cudaEventRecord(m.descriptor_copied, m.stream), "descriptor copy event");
}

Status GpuOfdmDemodulator::upload_input(std::span<const Complex> samples) {
  Impl& m = *impl_;
  if (m.slot < 0) return Error{"GPU OFDM demodulator: upload_input before setup"};
  const auto per_port = static_cast<std::size_t>(m.config.slot_samples(m.slot));
  if (samples.size() != per_port * m.ports) {
    return Error{"GPU OFDM demodulator: " + std::to_string(samples.size()) + " samples, slot " +
                 std::to_string(m.slot) + " of " + std::to_string(m.ports) + " ports needs " +
                 std::to_string(per_port * m.ports)};
  }
  const std::size_t row_bytes = per_port * sizeof(ComplexF);
  return cuda_status(cudaMemcpy2DAsync(m.input, static_cast<std::size_t>(m.buffers.input_row) * sizeof(ComplexF),
                                       samples.data(), row_bytes, row_bytes, static_cast<std::size_t>(m.ports),
                                       cudaMemcpyHostToDevice, m.stream),
                     "input copy");
}

void* GpuOfdmDemodulator::device_input() { return impl_->input; }
int GpuOfdmDemodulator::input_row_samples() const { return impl_->buffers.input_row; }

Status GpuOfdmDemodulator::set_output(void* device_grid) {
  Impl& m = *impl_;
  if (m.graph_exec) return Error{"GPU OFDM demodulator: set_output after capture_graph (the graph keeps its output)"};
  m.buffers.grid = device_grid != nullptr ? static_cast<ComplexF*>(device_grid) : m.own_grid;
  return Status::ok();
}

void* GpuOfdmDemodulator::device_grid() { return impl_->own_grid; }

Status GpuOfdmDemodulator::run() {
  if (impl_->slot < 0) return Error{"GPU OFDM demodulator: run before setup"};
  return impl_->launch();
}

Status GpuOfdmDemodulator::capture_graph() {
  Impl& m = *impl_;
  if (m.slot < 0) return Error{"GPU OFDM demodulator: capture_graph before setup"};
  if (m.graph_exec) return Status::ok();
  return cuda_support::capture(m.stream, [&m] { return m.launch(); }, m.graph, m.graph_exec, kComponent);
}

Status GpuOfdmDemodulator::run_graph() {
  Impl& m = *impl_;
  if (!m.graph_exec) {
    if (Status s = capture_graph(); !s) return s;
  }
  return cuda_status(cudaGraphLaunch(m.graph_exec, m.stream), "graph launch");
}

Status GpuOfdmDemodulator::copy_grid_to_host(ResourceGrid& grid) {
  Impl& m = *impl_;
  if (m.slot < 0) return Error{"GPU OFDM demodulator: copy_grid_to_host before setup"};
  if (m.buffers.grid != m.own_grid) {
    return Error{"GPU OFDM demodulator: copy_grid_to_host: the output was set to another device grid (set_output)"};
  }
  if (Status s = synchronize(); !s) return s;
  const OfdmBuffers& b = m.buffers;
  grid.resize(m.ports, b.symbols, b.grid_subcarriers);
  const std::size_t row_bytes = static_cast<std::size_t>(b.grid_subcarriers) * sizeof(ComplexF);
  return cuda_status(cudaMemcpy2D(grid.data().data(), row_bytes, m.own_grid,
                                  static_cast<std::size_t>(b.grid_row) * sizeof(ComplexF), row_bytes,
                                  static_cast<std::size_t>(m.ports) * b.symbols, cudaMemcpyDeviceToHost),
                     "grid copy");
}

Status GpuOfdmDemodulator::synchronize() { return cuda_status(cudaStreamSynchronize(impl_->stream), "synchronize"); }
void* GpuOfdmDemodulator::stream() const { return impl_->stream; }
std::size_t GpuOfdmDemodulator::device_bytes() const { return impl_->memory.device_bytes(); }
const OfdmConfig& GpuOfdmDemodulator::config() const { return impl_->config; }

}  // namespace airan::phy

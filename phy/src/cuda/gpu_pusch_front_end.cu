// GpuPuschFrontEnd: the PUSCH front half as five kernels per slot, each batched over the UEs
// of the slot (blockIdx.y = UE) and launched for the create-time maxima, so that one captured
// graph serves every slot; threads beyond a UE's own sizes return at once.
//   1. sequences:  Gold words of the DMRS (per DMRS symbol) and of the data scrambling;
//   2. ls:         least-squares estimate per DMRS pair, OCC despread;
//   3. denoise:    one block per (UE, DMRS group, rx, layer): DFT-window denoising as direct
//                  sums, the noise residual, linear interpolation to every subcarrier;
//   4. equalize:   one thread per RE: the channel interpolated in time, ZF/MMSE for 1..4 layers;
//   5. demap:      one thread per equalised symbol: max-log LLRs, descrambled.
// The per-thread work is in detail/pusch_front_end_kernels.hpp (run on the CPU by a test too),
// its per-element arithmetic that of the CPU stages (detail/*_math.hpp).
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/detail/pusch_front_end_kernels.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;
using detail::FrontEndBuffers;
using detail::kMaxDftLength;
using detail::kMaxPairs;
using detail::UeDescriptor;

constexpr int kDenoiseThreads = 256;

__global__ void sequences_kernel(FrontEndBuffers b) {
  detail::sequence_thread(b, static_cast<int>(blockIdx.y), static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

__global__ void ls_kernel(FrontEndBuffers b) {
  detail::ls_thread(b, static_cast<int>(blockIdx.y), static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

// Sum over the block of one double per thread; every thread gets the total.
__device__ double block_sum(double v, double* scratch) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xFFFFFFFFU, v, offset);
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int warp = static_cast<int>(threadIdx.x) / 32;
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  double total = 0.0;
  for (int w = 0; w < static_cast<int>(blockDim.x) / 32; ++w) total += scratch[w];
  return total;
}

__global__ void __launch_bounds__(kDenoiseThreads) denoise_interpolate_kernel(FrontEndBuffers b) {
  const int ue = static_cast<int>(blockIdx.y);
  const UeDescriptor& d = b.ues[ue];
  int g = 0;
  int r = 0;
  int p = 0;
  if (!detail::decode_link(b, d, static_cast<int>(blockIdx.x), g, r, p)) return;  // uniform over the block

  __shared__ ComplexF pairs[kMaxPairs];
  __shared__ ComplexF derotated[kMaxPairs];
  __shared__ ComplexF twiddle[kMaxDftLength];  // e^{+2 pi j q / m}
  __shared__ ComplexF taps[kMaxPairs];
  __shared__ double scratch[2][kDenoiseThreads / 32];
  const int n = d.pairs;
  const int tid = static_cast<int>(threadIdx.x);
  const int step = static_cast<int>(blockDim.x);
  const std::size_t link = detail::link_index(b, ue, g, r, p);
  for (int i = tid; i < n; i += step) pairs[i] = b.pair_estimates[link * kMaxPairs + i];
  __syncthreads();

  double residual = 0.0;
  if (d.taps_half > 0) {
    const int m = 2 * n;
    const int half = d.taps_half;
    double slope_re = 0.0;
    double slope_im = 0.0;
    for (int i = tid; i + 1 < n; i += step) {
      const ComplexF c = detail::mul_conj(pairs[i + 1], pairs[i]);
      slope_re += c.re;
      slope_im += c.im;
    }
    slope_re = block_sum(slope_re, scratch[0]);
    slope_im = block_sum(slope_im, scratch[1]);
    const double slope = atan2(slope_im, slope_re);
    for (int q = tid; q < m; q += step) {
      double s = 0.0;
      double c = 0.0;
      sincospi(2.0 * q / m, &s, &c);
      twiddle[q] = {static_cast<float>(c), static_cast<float>(s)};
    }
    for (int i = tid; i < n; i += step) {
      double s = 0.0;
      double c = 0.0;
      sincos(-slope * i, &s, &c);
      derotated[i] = detail::rotate(pairs[i], static_cast<float>(c), static_cast<float>(s));
    }
    __syncthreads();
    for (int ti = tid; ti < 2 * half + 1; ti += step) taps[ti] = detail::denoise_tap(derotated, twiddle, n, half, ti);
    __syncthreads();
    const float scale = 1.0F / static_cast<float>(m);
    for (int i = tid; i < n; i += step) {
      double s = 0.0;
      double c = 0.0;
      sincos(slope * i, &s, &c);
      const ComplexF smooth =
          detail::rotate(detail::denoise_element(taps, twiddle, n, half, i), static_cast<float>(c), static_cast<float>(s)) *
          scale;
      residual += detail::norm(pairs[i] - smooth);
      derotated[i] = smooth;  // element i is this thread's alone from here on
    }
    __syncthreads();
    if (d.dft) {
      for (int i = tid; i < n; i += step) pairs[i] = derotated[i];
    }
  }
  residual = block_sum(residual, scratch[0]);
  if (tid == 0) b.residuals[link] = residual;
  __syncthreads();
  for (int k = tid; k < d.subcarriers; k += step) detail::interpolate_thread(b, d, ue, g, r, p, pairs, k);
}

__global__ void equalize_kernel(FrontEndBuffers b) {
  detail::equalize_thread(b, static_cast<int>(blockIdx.y), static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

__global__ void demap_kernel(FrontEndBuffers b) {
  detail::demap_thread(b, static_cast<int>(blockIdx.y), static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x);
}

Status cuda_status(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return Status::ok();
  return Error{std::string("GPU PUSCH front end: ") + what + ": " + cudaGetErrorString(error)};
}

std::string ue_error(std::size_t ue, const std::string& what) {
  return "GPU PUSCH front end: UE " + std::to_string(ue) + ": " + what;
}

}  // namespace

struct GpuPuschFrontEnd::Impl {
  GpuPuschLimits limits;
  GpuPuschFrontEndConfig config;
  cudaStream_t stream = nullptr;
  // Recorded after each descriptor copy: the next setup() waits for it before it overwrites the
  // pinned descriptors that copy reads (so at most one slot is set up ahead of the GPU).
  cudaEvent_t descriptors_copied = nullptr;
  bool descriptors_in_flight = false;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t graph_exec = nullptr;
  FrontEndBuffers buffers{};
  std::vector<void*> device_allocations;
  std::size_t bytes = 0;
  UeDescriptor* host_descriptors = nullptr;  // pinned
  float* host_llrs = nullptr;                // pinned, [ue][max_llrs]
  float* host_noise = nullptr;               // pinned, [ue]
  int ues = 0;
  int rx_ports = 0;
  int grid_subcarriers = 0;
  int llr_counts[64] = {};
  bool have_grid_shape = false;

  ~Impl() {
    if (graph_exec) cudaGraphExecDestroy(graph_exec);
    if (graph) cudaGraphDestroy(graph);
    for (void* p : device_allocations) cudaFree(p);
    if (host_descriptors) cudaFreeHost(host_descriptors);
    if (host_llrs) cudaFreeHost(host_llrs);
    if (host_noise) cudaFreeHost(host_noise);
    if (descriptors_copied) cudaEventDestroy(descriptors_copied);
    if (stream) cudaStreamDestroy(stream);
  }

  template <typename T>
  Status allocate(T*& out, std::size_t count, const char* what) {
    void* p = nullptr;
    if (Status s = cuda_status(cudaMalloc(&p, std::max<std::size_t>(count, 1) * sizeof(T)), what); !s) return s;
    device_allocations.push_back(p);
    bytes += count * sizeof(T);
    out = static_cast<T*>(p);
    return Status::ok();
  }

  Status launch() {
    const FrontEndBuffers& b = buffers;
    const unsigned ue_blocks = static_cast<unsigned>(limits.max_ues);
    constexpr unsigned kThreads = 256;
    const auto blocks = [](std::size_t work, unsigned threads) {
      return static_cast<unsigned>((work + threads - 1) / threads);
    };
    sequences_kernel<<<dim3(blocks(detail::sequence_threads(b), kThreads), ue_blocks), kThreads, 0, stream>>>(b);
    ls_kernel<<<dim3(blocks(detail::ls_threads(b, limits.max_prbs), kThreads), ue_blocks), kThreads, 0, stream>>>(b);
    const auto links = static_cast<unsigned>(detail::kFrontEndMaxGroups * b.max_rx * b.max_layers);
    denoise_interpolate_kernel<<<dim3(links, ue_blocks), kDenoiseThreads, 0, stream>>>(b);
    constexpr unsigned kEqualizerThreads = 128;  // registers: the 4-layer solve is large
    equalize_kernel<<<dim3(blocks(detail::equalize_threads(b), kEqualizerThreads), ue_blocks), kEqualizerThreads, 0,
                      stream>>>(b);
    demap_kernel<<<dim3(blocks(b.max_symbols, kThreads), ue_blocks), kThreads, 0, stream>>>(b);
    return cuda_status(cudaGetLastError(), "kernel launch");
  }
};

GpuPuschFrontEnd::GpuPuschFrontEnd(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;

Expected<std::unique_ptr<GpuPuschFrontEnd>> GpuPuschFrontEnd::create(const GpuPuschLimits& limits,
                                                                    const GpuPuschFrontEndConfig& config) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU PUSCH front end: no GPU: " + gpu.reason};
  if (limits.max_prbs < 1 || limits.max_prbs > detail::kFrontEndMaxPrbs) {
    return Error{"GPU PUSCH front end: max_prbs=" + std::to_string(limits.max_prbs) + " is outside 1..275"};
  }
  if (limits.grid_prbs < limits.max_prbs || limits.grid_prbs > detail::kFrontEndMaxPrbs) {
    return Error{"GPU PUSCH front end: grid_prbs=" + std::to_string(limits.grid_prbs) + " is outside max_prbs..275"};
  }
  if (limits.max_layers < 1 || limits.max_layers > kMaxPuschLayers) {
    return Error{"GPU PUSCH front end: max_layers=" + std::to_string(limits.max_layers) + " is outside 1..4"};
  }
  if (limits.max_rx_ports < 1 || limits.max_rx_ports > kMaxEqualizerRx) {
    return Error{"GPU PUSCH front end: max_rx_ports=" + std::to_string(limits.max_rx_ports) + " is outside 1..16"};
  }
  if (limits.max_ues < 1 || limits.max_ues > 64) {
    return Error{"GPU PUSCH front end: max_ues=" + std::to_string(limits.max_ues) + " is outside 1..64"};
  }
  const int q = limits.max_modulation_order;
  if (q != 2 && q != 4 && q != 6 && q != 8 && q != 10) {
    return Error{"GPU PUSCH front end: max_modulation_order=" + std::to_string(q) + " is not 2, 4, 6, 8 or 10"};
  }
  if (config.estimator.noise_covariance) {
    return Error{"GPU PUSCH front end: the noise covariance (MMSE-IRC) is not implemented on the GPU"};
  }
  if (!(config.estimator.dft_delay_window > 0.0 && config.estimator.dft_delay_window < 1.0) ||
      !(config.estimator.dft_early_window >= 0.0 && config.estimator.dft_early_window < 1.0)) {
    return Error{"GPU PUSCH front end: the DFT windows must lie in (0, 1) and [0, 1)"};
  }

  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->config = config;
  Impl& m = *impl;
  if (Status s = cuda_status(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "stream"); !s) return s.error();
  if (Status s = cuda_status(cudaEventCreateWithFlags(&m.descriptors_copied, cudaEventDisableTiming), "event"); !s) {
    return s.error();
  }
  FrontEndBuffers& b = m.buffers;
  b.max_rx = limits.max_rx_ports;
  b.max_layers = limits.max_layers;
  b.max_subcarriers = 12 * limits.max_prbs;
  b.max_symbols = static_cast<std::size_t>(b.max_subcarriers) * kSymbolsPerSlot * limits.max_layers;
  b.max_llrs = b.max_symbols * static_cast<std::size_t>(q);
  b.max_scrambling_words = static_cast<int>((b.max_llrs + 31) / 32);
  b.grid_subcarriers = 12 * limits.grid_prbs;
  const auto ues = static_cast<std::size_t>(limits.max_ues);
  const std::size_t links = ues * detail::kFrontEndMaxGroups * b.max_rx * b.max_layers;

  UeDescriptor* descriptors = nullptr;
  detail::QamDemapTable* tables = nullptr;
  ComplexF* grid = nullptr;
  // Every allocation is attempted; the first failure is reported (the destructor frees the rest).
  const Status allocations[] = {
      m.allocate(descriptors, ues, "descriptors"),
      m.allocate(tables, detail::kDemapMaxBitsPerDim + 1, "QAM tables"),
      m.allocate(grid, static_cast<std::size_t>(b.max_rx) * kSymbolsPerSlot * b.grid_subcarriers, "grid"),
      m.allocate(b.pair_estimates, links * kMaxPairs, "pair estimates"),
      m.allocate(b.channel, links * b.max_subcarriers, "channel estimates"),
      m.allocate(b.residuals, links, "residuals"),
      m.allocate(b.dmrs_words, ues * detail::kFrontEndMaxDmrsSymbols * detail::kDmrsWordsPerSymbol, "DMRS sequences"),
      m.allocate(b.scrambling_words, ues * b.max_scrambling_words, "scrambling sequences"),
      m.allocate(b.symbols, ues * b.max_symbols, "equalised symbols"),
      m.allocate(b.symbol_noise, ues * b.max_symbols, "symbol noise variances"),
      m.allocate(b.llrs, ues * b.max_llrs, "LLRs"),
      m.allocate(b.noise_variances, ues, "noise variances"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_descriptors), ues * sizeof(UeDescriptor)),
                  "pinned descriptors"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_llrs), ues * b.max_llrs * sizeof(float)),
                  "pinned LLRs"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_noise), ues * sizeof(float)), "pinned noise"),
  };
  for (const Status& allocation : allocations) {
    if (!allocation) return allocation.error();
  }
  b.ues = descriptors;
  b.qam_tables = tables;
  b.grid = grid;
  std::fill(m.host_descriptors, m.host_descriptors + ues, UeDescriptor{});
  detail::QamDemapTable host_tables[detail::kDemapMaxBitsPerDim + 1];
  for (int k = 2; k <= detail::kDemapMaxBitsPerDim; ++k) host_tables[k] = detail::qam_demap_table(k);
  if (Status s = cuda_status(cudaMemcpy(tables, host_tables, sizeof host_tables, cudaMemcpyHostToDevice), "QAM tables");
      !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaMemset(descriptors, 0, ues * sizeof(UeDescriptor)), "descriptors"); !s) {
    return s.error();
  }
  return std::unique_ptr<GpuPuschFrontEnd>(new GpuPuschFrontEnd(std::move(impl)));
}

Status GpuPuschFrontEnd::setup(std::span<const GpuPuschUe> ues, int rx_ports, int grid_subcarriers) {
  Impl& m = *impl_;
  const GpuPuschLimits& lim = m.limits;
  if (static_cast<int>(ues.size()) > lim.max_ues) {
    return Error{"GPU PUSCH front end: " + std::to_string(ues.size()) + " UEs in the slot, created for at most " +
                 std::to_string(lim.max_ues)};
  }
  if (rx_ports < 1 || rx_ports > lim.max_rx_ports) {
    return Error{"GPU PUSCH front end: " + std::to_string(rx_ports) + " receive ports, created for 1.." +
                 std::to_string(lim.max_rx_ports)};
  }
  if (grid_subcarriers < 12 || grid_subcarriers > m.buffers.grid_subcarriers) {
    return Error{"GPU PUSCH front end: the grid has " + std::to_string(grid_subcarriers) +
                 " subcarriers, created for 12.." + std::to_string(m.buffers.grid_subcarriers)};
  }
  if (m.descriptors_in_flight) {
    if (Status s = cuda_status(cudaEventSynchronize(m.descriptors_copied), "previous descriptor copy"); !s) return s;
    m.descriptors_in_flight = false;
  }
  for (std::size_t u = 0; u < ues.size(); ++u) {
    if (ues[u].plan == nullptr) return Error{ue_error(u, "no plan")};
    if (Status s = detail::fill_ue_descriptor(*ues[u].plan, ues[u].bwp_grid_offset, rx_ports, grid_subcarriers,
                                              lim.max_prbs, lim.max_layers, lim.max_modulation_order,
                                              m.config.equalizer == EqualizerType::mmse, m.config.estimator,
                                              m.host_descriptors[u]);
        !s) {
      return Error{ue_error(u, s.message())};
    }
  }
  // Only now that every UE is valid: a failed setup leaves the last slot's state as it was
  // (the device descriptors too, as nothing was copied).
  for (std::size_t u = 0; u < ues.size(); ++u) m.llr_counts[u] = ues[u].plan->g;
  for (std::size_t u = ues.size(); u < static_cast<std::size_t>(lim.max_ues); ++u) {
    m.host_descriptors[u].active = 0;
    m.llr_counts[u] = 0;
  }
  m.ues = static_cast<int>(ues.size());
  m.rx_ports = rx_ports;
  m.grid_subcarriers = grid_subcarriers;
  m.have_grid_shape = true;
  if (Status s = cuda_status(cudaMemcpyAsync(const_cast<UeDescriptor*>(m.buffers.ues), m.host_descriptors,
                                             static_cast<std::size_t>(lim.max_ues) * sizeof(UeDescriptor),
                                             cudaMemcpyHostToDevice, m.stream),
                             "descriptor copy");
      !s) {
    return s;
  }
  m.descriptors_in_flight = true;
  return cuda_status(cudaEventRecord(m.descriptors_copied, m.stream), "descriptor copy event");
}

Status GpuPuschFrontEnd::upload_grid(const ResourceGrid& cell_grid) {
  Impl& m = *impl_;
  if (!m.have_grid_shape) return Error{"GPU PUSCH front end: upload_grid before setup"};
  if (cell_grid.ports() != m.rx_ports || cell_grid.symbols() != kSymbolsPerSlot ||
      cell_grid.subcarriers() != m.grid_subcarriers) {
    return Error{"GPU PUSCH front end: the grid is " + std::to_string(cell_grid.ports()) + " x " +
                 std::to_string(cell_grid.symbols()) + " x " + std::to_string(cell_grid.subcarriers()) +
                 ", setup said " + std::to_string(m.rx_ports) + " x 14 x " + std::to_string(m.grid_subcarriers)};
  }
  // Rows of the device grid keep the create-time width, so that the kernels' arguments (and a
  // captured graph) never change.
  const std::size_t row_bytes = static_cast<std::size_t>(m.grid_subcarriers) * sizeof(ComplexF);
  return cuda_status(cudaMemcpy2DAsync(const_cast<ComplexF*>(m.buffers.grid),
                                       static_cast<std::size_t>(m.buffers.grid_subcarriers) * sizeof(ComplexF),
                                       cell_grid.data().data(), row_bytes, row_bytes,
                                       static_cast<std::size_t>(m.rx_ports) * kSymbolsPerSlot, cudaMemcpyHostToDevice,
                                       m.stream),
                     "grid copy");
}

void* GpuPuschFrontEnd::device_grid() { return const_cast<ComplexF*>(impl_->buffers.grid); }

Status GpuPuschFrontEnd::run() {
  if (!impl_->have_grid_shape) return Error{"GPU PUSCH front end: run before setup"};
  return impl_->launch();
}

Status GpuPuschFrontEnd::capture_graph() {
  Impl& m = *impl_;
  if (!m.have_grid_shape) return Error{"GPU PUSCH front end: capture_graph before setup"};
  if (m.graph_exec) return Status::ok();
  if (Status s = cuda_status(cudaStreamBeginCapture(m.stream, cudaStreamCaptureModeThreadLocal), "begin capture"); !s) {
    return s;
  }
  const Status launched = m.launch();
  const Status ended = cuda_status(cudaStreamEndCapture(m.stream, &m.graph), "end capture");
  if (!launched) return launched;
  if (!ended) return ended;
  return cuda_status(cudaGraphInstantiate(&m.graph_exec, m.graph, 0), "graph instantiation");
}

Status GpuPuschFrontEnd::run_graph() {
  Impl& m = *impl_;
  if (!m.graph_exec) {
    if (Status s = capture_graph(); !s) return s;
  }
  return cuda_status(cudaGraphLaunch(m.graph_exec, m.stream), "graph launch");
}

Status GpuPuschFrontEnd::copy_llrs_to_host() {
  Impl& m = *impl_;
  if (m.ues > 0) {
    if (Status s = cuda_status(cudaMemcpyAsync(m.host_noise, m.buffers.noise_variances,
                                               static_cast<std::size_t>(m.ues) * sizeof(float), cudaMemcpyDeviceToHost,
                                               m.stream),
                               "noise copy");
        !s) {
      return s;
    }
  }
  for (int u = 0; u < m.ues; ++u) {
    const std::size_t offset = static_cast<std::size_t>(u) * m.buffers.max_llrs;
    if (Status s = cuda_status(cudaMemcpyAsync(m.host_llrs + offset, m.buffers.llrs + offset,
                                               static_cast<std::size_t>(m.llr_counts[u]) * sizeof(float),
                                               cudaMemcpyDeviceToHost, m.stream),
                               "LLR copy");
        !s) {
      return s;
    }
  }
  return Status::ok();
}

Status GpuPuschFrontEnd::synchronize() { return cuda_status(cudaStreamSynchronize(impl_->stream), "synchronize"); }

std::span<const float> GpuPuschFrontEnd::llrs(int ue) const {
  const Impl& m = *impl_;
  if (ue < 0 || ue >= m.ues) return {};
  return {m.host_llrs + static_cast<std::size_t>(ue) * m.buffers.max_llrs, static_cast<std::size_t>(m.llr_counts[ue])};
}

float GpuPuschFrontEnd::noise_variance(int ue) const {
  const Impl& m = *impl_;
  return ue >= 0 && ue < m.ues ? m.host_noise[ue] : 0.0F;
}

GpuPuschFrontEnd::DeviceOutputs GpuPuschFrontEnd::device_outputs() const {
  const FrontEndBuffers& b = impl_->buffers;
  return {b.llrs, b.max_llrs, b.symbol_noise, b.max_symbols, b.noise_variances};
}

void* GpuPuschFrontEnd::stream() const { return impl_->stream; }

std::size_t GpuPuschFrontEnd::device_bytes() const { return impl_->bytes; }

}  // namespace airan::phy

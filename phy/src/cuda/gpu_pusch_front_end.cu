// GpuPuschFrontEnd: the PUSCH front half as five kernels per slot, each batched over the UEs
// of the slot (blockIdx.y = UE) and launched for the create-time maxima, so that one captured
// graph serves every slot; threads beyond a UE's own sizes return at once.
//   1. sequences:  Gold words of the DMRS (per DMRS symbol) and of the data scrambling;
//   2. ls:         least-squares estimate per DMRS pair, OCC despread;
//   3. denoise:    one block per (UE, DMRS group, rx, layer): DFT-window denoising as direct
//                  sums, the noise residual, linear interpolation to every subcarrier;
//   4. equalize:   one thread per RE: the channel interpolated in time, ZF/MMSE for 1..4 layers;
//   4b. transform precoding (DFT-s-OFDM UEs; kernels return at once for the others): block-mean
//                  noise, then the inverse DFT of each symbol as a Bluestein convolution: chirp
//                  pre-multiply, cuFFT forward, filter multiply, cuFFT inverse, chirp
//                  post-multiply and 1/sqrt(M) (detail/transform_precoding_math.hpp says why);
//   5. demap:      one thread per equalised symbol: max-log LLRs, descrambled.
// The per-thread work is in detail/pusch_front_end_kernels.hpp (run on the CPU by a test too),
// its per-element arithmetic that of the CPU stages (detail/*_math.hpp).
#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cuda_support.cuh"
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

// One block per (symbol block, UE): the block's mean noise variance in double (a tree sum, where
// the CPU sums serially: the same value to double rounding, then rounded once to float).
__global__ void __launch_bounds__(kDenoiseThreads) tp_noise_kernel(FrontEndBuffers b) {
  __shared__ double scratch[kDenoiseThreads / 32];
  const int ue = static_cast<int>(blockIdx.y);
  const int block = static_cast<int>(blockIdx.x);
  const UeDescriptor& d = b.ues[ue];
  if (!detail::tp_block_active(b, d, block)) return;  // uniform over the block
  float* noise = b.symbol_noise + static_cast<std::size_t>(ue) * b.max_symbols +
                 static_cast<std::size_t>(block) * d.subcarriers;
  double sum = 0.0;
  for (int i = static_cast<int>(threadIdx.x); i < d.subcarriers; i += static_cast<int>(blockDim.x)) sum += noise[i];
  const float mean = detail::tp_block_noise(block_sum(sum, scratch), d.subcarriers);
  __syncthreads();  // every thread has read its noise values before any is overwritten
  for (int i = static_cast<int>(threadIdx.x); i < d.subcarriers; i += static_cast<int>(blockDim.x)) noise[i] = mean;
}

__global__ void tp_pre_kernel(FrontEndBuffers b) {
  detail::tp_pre_thread(b, static_cast<int>(blockIdx.y), static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x);
}

__global__ void tp_filter_kernel(FrontEndBuffers b) {
  detail::tp_filter_thread(b, static_cast<int>(blockIdx.y),
                           static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x);
}

__global__ void tp_post_kernel(FrontEndBuffers b) {
  detail::tp_post_thread(b, static_cast<int>(blockIdx.y), static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x);
}

// Filter rows before their FFT: row f is the chirp filter of the f-th allowed M.
__global__ void tp_filter_table_kernel(ComplexF* filters, const int* sizes, int count, int n_fft) {
  const std::size_t t = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<std::size_t>(count) * n_fft) return;
  const int row = static_cast<int>(t / static_cast<std::size_t>(n_fft));
  filters[t] = detail::tp_filter_element(static_cast<int>(t % static_cast<std::size_t>(n_fft)), sizes[row], n_fft);
}

__global__ void demap_kernel(FrontEndBuffers b) {
  detail::demap_thread(b, static_cast<int>(blockIdx.y), static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x);
}

constexpr const char* kComponent = "GPU PUSCH front end";

Status cuda_status(cudaError_t error, const char* what) { return cuda_support::status(error, kComponent, what); }

Status cufft_status(cufftResult result, const char* what) {
  if (result == CUFFT_SUCCESS) return Status::ok();
  return Error{std::string("GPU PUSCH front end: ") + what + ": cuFFT error " + std::to_string(static_cast<int>(result))};
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
  cuda_support::Allocations memory{kComponent};  // freed after the destructor's body
  UeDescriptor* host_descriptors = nullptr;  // pinned
  float* host_llrs = nullptr;                // pinned, [ue][max_llrs]
  float* host_noise = nullptr;               // pinned, [ue]
  ComplexF* host_tp_dmrs = nullptr;          // pinned, [ue][2 x kMaxPairs] (transform precoding)
  // Transform precoding: forward and inverse plans of size tp_fft_size, batch max_ues x 14.
  cufftHandle tp_forward = 0;
  cufftHandle tp_inverse = 0;
  bool have_tp_plans = false;
  int ues = 0;
  int rx_ports = 0;
  int grid_subcarriers = 0;
  int llr_counts[64] = {};
  bool have_grid_shape = false;

  ~Impl() {
    if (graph_exec) cudaGraphExecDestroy(graph_exec);
    if (graph) cudaGraphDestroy(graph);
    if (host_descriptors) cudaFreeHost(host_descriptors);
    if (host_llrs) cudaFreeHost(host_llrs);
    if (host_noise) cudaFreeHost(host_noise);
    if (host_tp_dmrs) cudaFreeHost(host_tp_dmrs);
    if (have_tp_plans) {
      cufftDestroy(tp_forward);
      cufftDestroy(tp_inverse);
    }
    if (descriptors_copied) cudaEventDestroy(descriptors_copied);
    if (stream) cudaStreamDestroy(stream);
  }

  // One cell's grid: max_rx_ports x 14 rows of the create-time width.
  std::size_t cell_grid_elements() const {
    return static_cast<std::size_t>(limits.max_rx_ports) * kSymbolsPerSlot * static_cast<std::size_t>(12 * limits.grid_prbs);
  }

  template <typename T>
  Status allocate(T*& out, std::size_t count, const char* what) {
    return memory.device(out, count, what);
  }

  // Transform precoding at create: buffers, the filter spectra of every allowed M up to
  // 12 max_prbs (a temporary cuFFT plan over the table), the two slot plans with one shared
  // work area. Nothing of it is made per slot.
  Status create_transform_precoding() {
    FrontEndBuffers& b = buffers;
    const int n_fft = detail::transform_precoding_fft_size(limits.max_prbs);
    const int filters = detail::transform_precoding_filter_count(limits.max_prbs);
    const auto ues = static_cast<std::size_t>(limits.max_ues);
    const std::size_t rows = ues * detail::kFrontEndSymbols;
    ComplexF* dmrs = nullptr;
    ComplexF* table = nullptr;
    int* sizes = nullptr;
    const Status allocations[] = {
        allocate(dmrs, ues * 2 * detail::kMaxPairs, "low-PAPR DMRS"),
        allocate(b.tp_work, rows * n_fft, "transform precoding rows"),
        allocate(table, static_cast<std::size_t>(std::max(filters, 1)) * n_fft, "transform precoding filters"),
        allocate(sizes, static_cast<std::size_t>(std::max(filters, 1)), "transform precoding sizes"),
        cuda_status(cudaMallocHost(reinterpret_cast<void**>(&host_tp_dmrs), ues * 2 * detail::kMaxPairs * sizeof(ComplexF)),
                    "pinned low-PAPR DMRS"),
    };
    for (const Status& allocation : allocations) {
      if (!allocation) return allocation;
    }
    if (Status s = cuda_status(cudaMemset(b.tp_work, 0, rows * n_fft * sizeof(ComplexF)), "transform precoding rows");
        !s) {
      return s;
    }
    if (Status s = cuda_status(cudaMemset(dmrs, 0, ues * 2 * detail::kMaxPairs * sizeof(ComplexF)), "DMRS"); !s) {
      return s;
    }
    std::vector<int> host_sizes;
    for (int n = 1; n <= limits.max_prbs; ++n) {
      if (detail::transform_precoding_filter_index(n) >= 0) host_sizes.push_back(12 * n);
    }
    if (Status s = cuda_status(cudaMemcpy(sizes, host_sizes.data(), host_sizes.size() * sizeof(int),
                                          cudaMemcpyHostToDevice),
                               "transform precoding sizes");
        !s) {
      return s;
    }
    const std::size_t table_elements = host_sizes.size() * static_cast<std::size_t>(n_fft);
    tp_filter_table_kernel<<<static_cast<unsigned>((table_elements + 255) / 256), 256>>>(table, sizes, filters, n_fft);
    if (Status s = cuda_status(cudaGetLastError(), "filter table launch"); !s) return s;
    int n = n_fft;
    {
      cufftHandle table_plan = 0;
      if (Status s = cufft_status(cufftPlanMany(&table_plan, 1, &n, nullptr, 1, n, nullptr, 1, n, CUFFT_C2C, filters),
                                  "filter table plan");
          !s) {
        return s;
      }
      auto* data = reinterpret_cast<cufftComplex*>(table);
      const Status executed = cufft_status(cufftExecC2C(table_plan, data, data, CUFFT_FORWARD), "filter table FFT");
      const Status synced = cuda_status(cudaDeviceSynchronize(), "filter table");
      cufftDestroy(table_plan);
      if (!executed) return executed;
      if (!synced) return synced;
    }
    // The two slot plans run one after the other on the one stream: one work area serves both.
    std::size_t work_forward = 0;
    std::size_t work_inverse = 0;
    const Status created[] = {
        cufft_status(cufftCreate(&tp_forward), "plan handle"),
        cufft_status(cufftCreate(&tp_inverse), "plan handle"),
    };
    for (const Status& c : created) {
      if (!c) return c;
    }
    have_tp_plans = true;
    const Status planned[] = {
        cufft_status(cufftSetAutoAllocation(tp_forward, 0), "plan work area"),
        cufft_status(cufftSetAutoAllocation(tp_inverse, 0), "plan work area"),
        cufft_status(cufftMakePlanMany(tp_forward, 1, &n, nullptr, 1, n, nullptr, 1, n, CUFFT_C2C,
                                       static_cast<int>(rows), &work_forward),
                     "forward plan"),
        cufft_status(cufftMakePlanMany(tp_inverse, 1, &n, nullptr, 1, n, nullptr, 1, n, CUFFT_C2C,
                                       static_cast<int>(rows), &work_inverse),
                     "inverse plan"),
    };
    for (const Status& p : planned) {
      if (!p) return p;
    }
    char* work_area = nullptr;
    if (Status s = allocate(work_area, std::max(work_forward, work_inverse), "cuFFT work area"); !s) return s;
    const Status set[] = {
        cufft_status(cufftSetWorkArea(tp_forward, work_area), "work area"),
        cufft_status(cufftSetWorkArea(tp_inverse, work_area), "work area"),
        cufft_status(cufftSetStream(tp_forward, stream), "plan stream"),
        cufft_status(cufftSetStream(tp_inverse, stream), "plan stream"),
    };
    for (const Status& x : set) {
      if (!x) return x;
    }
    b.tp_dmrs = dmrs;
    b.tp_filters = table;
    b.tp_fft_size = n_fft;
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
    if (b.tp_fft_size > 0) {
      if (Status s = cuda_status(cudaGetLastError(), "kernel launch"); !s) return s;
      tp_noise_kernel<<<dim3(detail::kFrontEndSymbols, ue_blocks), kDenoiseThreads, 0, stream>>>(b);
      tp_pre_kernel<<<dim3(blocks(detail::tp_row_threads(b), kThreads), ue_blocks), kThreads, 0, stream>>>(b);
      if (Status s = cuda_status(cudaGetLastError(), "transform precoding launch"); !s) return s;
      auto* work = reinterpret_cast<cufftComplex*>(b.tp_work);
      if (Status s = cufft_status(cufftExecC2C(tp_forward, work, work, CUFFT_FORWARD), "transform precoding FFT"); !s) {
        return s;
      }
      tp_filter_kernel<<<dim3(blocks(detail::tp_row_threads(b), kThreads), ue_blocks), kThreads, 0, stream>>>(b);
      if (Status s = cuda_status(cudaGetLastError(), "transform precoding launch"); !s) return s;
      if (Status s = cufft_status(cufftExecC2C(tp_inverse, work, work, CUFFT_INVERSE), "transform precoding IFFT"); !s) {
        return s;
      }
      tp_post_kernel<<<dim3(blocks(detail::tp_post_threads(b), kThreads), ue_blocks), kThreads, 0, stream>>>(b);
    }
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
  if (limits.max_cells < 1 || limits.max_cells > 64) {
    return Error{"GPU PUSCH front end: max_cells=" + std::to_string(limits.max_cells) + " is outside 1..64"};
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
      m.allocate(grid, static_cast<std::size_t>(limits.max_cells) * m.cell_grid_elements(), "grid"),
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
  if (config.transform_precoding) {
    if (Status s = m.create_transform_precoding(); !s) return s.error();
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
    if (ues[u].cell < 0 || ues[u].cell >= lim.max_cells) {
      return Error{ue_error(u, "cell " + std::to_string(ues[u].cell) + " is outside 0.." +
                                   std::to_string(lim.max_cells - 1))};
    }
    ComplexF* tp_dmrs = m.host_tp_dmrs ? m.host_tp_dmrs + u * 2 * detail::kMaxPairs : nullptr;
    if (Status s = detail::fill_ue_descriptor(*ues[u].plan, ues[u].bwp_grid_offset, rx_ports, grid_subcarriers,
                                              lim.max_prbs, lim.max_layers, lim.max_modulation_order,
                                              m.config.equalizer == EqualizerType::mmse, m.config.estimator,
                                              m.buffers.tp_fft_size > 0, m.host_descriptors[u], tp_dmrs);
        !s) {
      return Error{ue_error(u, s.message())};
    }
    m.host_descriptors[u].grid_base = static_cast<std::size_t>(ues[u].cell) * m.cell_grid_elements();
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
  // The low-PAPR DMRS of the transform-precoded UEs (6 x rb_size values each).
  for (std::size_t u = 0; u < ues.size(); ++u) {
    if (!m.host_descriptors[u].transform_precoding) continue;
    const std::size_t offset = u * 2 * detail::kMaxPairs;
    if (Status s = cuda_status(cudaMemcpyAsync(const_cast<ComplexF*>(m.buffers.tp_dmrs) + offset, m.host_tp_dmrs + offset,
                                               static_cast<std::size_t>(6 * ues[u].plan->config.rb_size) * sizeof(ComplexF),
                                               cudaMemcpyHostToDevice, m.stream),
                               "DMRS copy");
        !s) {
      return s;
    }
  }
  m.descriptors_in_flight = true;
  return cuda_status(cudaEventRecord(m.descriptors_copied, m.stream), "descriptor copy event");
}

Status GpuPuschFrontEnd::upload_grid(const ResourceGrid& cell_grid) { return upload_grid(0, cell_grid); }

Status GpuPuschFrontEnd::upload_grid(int cell, const ResourceGrid& cell_grid) {
  Impl& m = *impl_;
  if (cell < 0 || cell >= m.limits.max_cells) {
    return Error{"GPU PUSCH front end: upload_grid of cell " + std::to_string(cell) + ", created for 0.." +
                 std::to_string(m.limits.max_cells - 1)};
  }
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
  return cuda_status(cudaMemcpy2DAsync(const_cast<ComplexF*>(m.buffers.grid) +
                                           static_cast<std::size_t>(cell) * m.cell_grid_elements(),
                                       static_cast<std::size_t>(m.buffers.grid_subcarriers) * sizeof(ComplexF),
                                       cell_grid.data().data(), row_bytes, row_bytes,
                                       static_cast<std::size_t>(m.rx_ports) * kSymbolsPerSlot, cudaMemcpyHostToDevice,
                                       m.stream),
                     "grid copy");
}

void* GpuPuschFrontEnd::device_grid(int cell) {
  Impl& m = *impl_;
  if (cell < 0 || cell >= m.limits.max_cells) return nullptr;
  return const_cast<ComplexF*>(m.buffers.grid) + static_cast<std::size_t>(cell) * m.cell_grid_elements();
}

Status GpuPuschFrontEnd::run() {
  if (!impl_->have_grid_shape) return Error{"GPU PUSCH front end: run before setup"};
  return impl_->launch();
}

Status GpuPuschFrontEnd::capture_graph() {
  Impl& m = *impl_;
  if (!m.have_grid_shape) return Error{"GPU PUSCH front end: capture_graph before setup"};
  if (m.graph_exec) return Status::ok();
  return cuda_support::capture(m.stream, [&m] { return m.launch(); }, m.graph, m.graph_exec, kComponent);
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

std::size_t GpuPuschFrontEnd::device_bytes() const { return impl_->memory.device_bytes(); }

}  // namespace airan::phy

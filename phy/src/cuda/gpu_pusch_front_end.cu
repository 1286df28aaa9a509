// GpuPuschFrontEnd: the PUSCH front half as five kernels per slot, each batched over the UEs
// of the slot (blockIdx.y = UE) and launched for the create-time maxima, so that one captured
// graph serves every slot; threads beyond a UE's own sizes return at once.
//   1. sequences:  Gold words of the DMRS (per DMRS symbol) and of the data scrambling;
//   2. ls:         least-squares estimate per DMRS pair, OCC despread;
//   3. denoise:    one block per (UE, DMRS group, rx, layer): DFT-window denoising as direct
//                  sums, the noise residual, linear interpolation to every subcarrier;
//   4. equalize:   one thread per RE: the channel interpolated in time, ZF/MMSE for 1..4 layers;
//   5. demap:      one thread per equalised symbol: max-log LLRs, descrambled.
// The per-element arithmetic is that of the CPU stages (detail/*_math.hpp).
#include <cuda_runtime.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/detail/channel_estimation_math.hpp"
#include "airan/phy/detail/demapper_math.hpp"
#include "airan/phy/detail/equalizer_math.hpp"
#include "airan/phy/detail/gold_math.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/pusch/dmrs.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;

constexpr int kMaxGridPrbs = 275;
constexpr int kMaxGroups = kMaxDmrsSymbols / 2;  // DMRS time groups: 4 positions (double symbols pair up)
constexpr int kMaxPairs = 3 * kMaxGridPrbs;        // type 1: 6 DMRS REs per PRB
constexpr int kMaxDftLength = 2 * kMaxPairs;       // the mirrored sequence
constexpr int kDmrsWordsPerSymbol = (2 * 6 * kMaxGridPrbs + 31) / 32;  // c(0 .. 2 (m_first + count)), CRBs < 275
constexpr int kDenoiseThreads = 256;

// Everything the kernels need of one UE, filled by setup() on the host. Plain data, copied to
// the device as is; sizes in elements.
struct UeDescriptor {
  int active;  // 0: this slot has fewer UEs, every kernel returns
  int rx_ports;
  int layers;
  int qm;
  int mmse;
  int dft;                  // interpolate the DFT-denoised pair estimates
  int grid_offset;          // cell-grid subcarrier of the allocation's first subcarrier
  int subcarriers;          // 12 * rb_size
  int start_symbol;
  int num_symbols;
  int pair_step;
  int period;
  int res_per_prb;
  int pairs;                // DMRS pairs per layer and DMRS symbol
  int dmrs_length;
  int num_groups;
  int m_first;              // DMRS sequence index of the allocation's first DMRS RE
  int dmrs_words;           // Gold words per DMRS symbol
  int taps_half;            // DFT window: taps -half..half kept; 0 when pairs < 4
  int data_res;             // per layer
  int g;                    // LLRs
  int scrambling_words;
  unsigned scrambling_c_init;
  unsigned is_dmrs_symbol;  // bit l: slot symbol l carries DMRS
  unsigned dmrs_data_mask;  // 12-bit mask of a DMRS symbol's data subcarriers
  int dmrs_data_per_prb;
  float beta_dmrs;
  double beta2;
  double residual_dof;
  int dmrs_symbol[kMaxDmrsSymbols];
  int dmrs_l_prime[kMaxDmrsSymbols];
  unsigned dmrs_c_init[kMaxDmrsSymbols];
  int delta[kMaxPuschLayers];
  int w_f[kMaxPuschLayers][2];
  int w_t[kMaxPuschLayers][2];
  double group_symbol[kMaxGroups];
  int re_offset[kSymbolsPerSlot];  // data RE index (per layer) of the symbol's first data RE
};

// Device buffers and their strides (create-time maxima), passed to every kernel by value.
struct DeviceBuffers {
  const UeDescriptor* ues;
  const detail::QamDemapTable* qam_tables;  // by bits per dimension
  const ComplexF* grid;        // [rx][symbol][grid subcarrier]
  int grid_subcarriers;
  ComplexF* pair_estimates;    // [ue][group][rx][layer][pair]
  ComplexF* channel;           // [ue][group][rx][layer][subcarrier]
  double* residuals;           // [ue][group][rx][layer]
  unsigned* dmrs_words;        // [ue][dmrs symbol][word]
  unsigned* scrambling_words;  // [ue][word]
  ComplexF* symbols;           // [ue][data RE][layer]
  float* symbol_noise;         // likewise
  float* llrs;                 // [ue][llr]
  int max_rx;
  int max_layers;
  int max_subcarriers;
  std::size_t max_symbols;     // per UE: data REs x layers
  std::size_t max_llrs;
  int max_scrambling_words;
};

__host__ __device__ inline std::size_t link_index(const DeviceBuffers& b, int ue, int group, int rx, int layer) {
  return ((static_cast<std::size_t>(ue) * kMaxGroups + group) * b.max_rx + rx) * b.max_layers + layer;
}

__global__ void sequences_kernel(DeviceBuffers b) {
  const UeDescriptor& d = b.ues[blockIdx.y];
  if (!d.active) return;
  const int t = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (t < d.scrambling_words) {
    b.scrambling_words[static_cast<std::size_t>(blockIdx.y) * b.max_scrambling_words + t] =
        detail::gold_word(d.scrambling_c_init, static_cast<unsigned>(t));
  }
  const int dmrs_total = kMaxDmrsSymbols * kDmrsWordsPerSymbol;
  if (t < dmrs_total) {
    const int s = t / kDmrsWordsPerSymbol;
    const int w = t % kDmrsWordsPerSymbol;
    if (s < d.num_groups * d.dmrs_length && w < d.dmrs_words) {
      b.dmrs_words[static_cast<std::size_t>(blockIdx.y) * dmrs_total + t] =
          detail::gold_word(d.dmrs_c_init[s], static_cast<unsigned>(w));
    }
  }
}

__global__ void ls_kernel(DeviceBuffers b) {
  const int ue = static_cast<int>(blockIdx.y);
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  int t = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int n = t % d.pairs;
  t /= d.pairs;
  const int p = t % d.layers;
  t /= d.layers;
  const int r = t % d.rx_ports;
  const int g = t / d.rx_ports;
  if (g >= d.num_groups) return;
  const unsigned* words = b.dmrs_words + static_cast<std::size_t>(ue) * kMaxDmrsSymbols * kDmrsWordsPerSymbol;
  ComplexF acc{0.0F, 0.0F};
  for (int s = g * d.dmrs_length; s < (g + 1) * d.dmrs_length; ++s) {
    const float qpsk_scale = detail::dmrs_qpsk_scale(d.beta_dmrs, d.w_t[p][d.dmrs_l_prime[s]]);
    const ComplexF* y = b.grid + (static_cast<std::size_t>(r) * kSymbolsPerSlot + d.dmrs_symbol[s]) * b.grid_subcarriers +
                        d.grid_offset;
    for (int j = 2 * n; j < 2 * n + 2; ++j) {
      const int m = d.m_first + j;
      const unsigned word = words[s * kDmrsWordsPerSymbol + (2 * m) / 32];
      const unsigned bit = (2U * static_cast<unsigned>(m)) % 32U;
      const ComplexF v = detail::dmrs_value(qpsk_scale, d.w_f[p][j % 2], (word >> bit) & 1U, (word >> (bit + 1)) & 1U);
      const int k = (j / 2) * d.period + (j % 2) * d.pair_step + d.delta[p];
      acc = acc + detail::ls_term(y[k], v);
    }
  }
  const float norm = detail::ls_pair_normalization(d.dmrs_length, d.beta2);
  b.pair_estimates[link_index(b, ue, g, r, p) * kMaxPairs + n] = acc * norm;
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

// As the CPU estimator's denoise(): the phase slope removed, the sequence mirrored to m = 2n,
// only delay taps -half..half kept, slope restored; here as direct sums over a twiddle table
// (m is rarely a power of two, and only about half the taps survive).
__global__ void __launch_bounds__(kDenoiseThreads) denoise_interpolate_kernel(DeviceBuffers b) {
  const int ue = static_cast<int>(blockIdx.y);
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  int link = static_cast<int>(blockIdx.x);
  const int p = link % b.max_layers;
  link /= b.max_layers;
  const int r = link % b.max_rx;
  const int g = link / b.max_rx;
  if (p >= d.layers || r >= d.rx_ports || g >= d.num_groups) return;

  __shared__ ComplexF pairs[kMaxPairs];
  __shared__ ComplexF derotated[kMaxPairs];
  __shared__ ComplexF twiddle[kMaxDftLength];  // e^{+2 pi j q / m}
  __shared__ ComplexF taps[kMaxPairs];
  __shared__ double scratch[2][kDenoiseThreads / 32];
  const int n = d.pairs;
  const ComplexF* ls = b.pair_estimates + link_index(b, ue, g, r, p) * kMaxPairs;
  for (int i = static_cast<int>(threadIdx.x); i < n; i += blockDim.x) pairs[i] = ls[i];
  __syncthreads();

  double residual = 0.0;
  if (d.taps_half > 0) {
    const int m = 2 * n;
    const int half = d.taps_half;
    double slope_re = 0.0;
    double slope_im = 0.0;
    for (int i = static_cast<int>(threadIdx.x); i + 1 < n; i += blockDim.x) {
      const ComplexF c = detail::mul_conj(pairs[i + 1], pairs[i]);
      slope_re += c.re;
      slope_im += c.im;
    }
    slope_re = block_sum(slope_re, scratch[0]);
    slope_im = block_sum(slope_im, scratch[1]);
    const double slope = atan2(slope_im, slope_re);
    for (int q = static_cast<int>(threadIdx.x); q < m; q += blockDim.x) {
      double s = 0.0;
      double c = 0.0;
      sincospi(2.0 * q / m, &s, &c);
      twiddle[q] = {static_cast<float>(c), static_cast<float>(s)};
    }
    for (int i = static_cast<int>(threadIdx.x); i < n; i += blockDim.x) {
      double s = 0.0;
      double c = 0.0;
      sincos(-slope * i, &s, &c);
      const ComplexF rot{static_cast<float>(c), static_cast<float>(s)};
      derotated[i] = {pairs[i].re * rot.re - pairs[i].im * rot.im, pairs[i].re * rot.im + pairs[i].im * rot.re};
    }
    __syncthreads();
    // Tap t (index t + half): sum over the mirrored sequence, element i and m-1-i together.
    for (int ti = static_cast<int>(threadIdx.x); ti < 2 * half + 1; ti += blockDim.x) {
      const int t = (ti - half + m) % m;
      float acc_re = 0.0F;
      float acc_im = 0.0F;
      int q0 = 0;                          // t i mod m
      int q1 = static_cast<int>((static_cast<long long>(t) * (m - 1)) % m);  // t (m-1-i) mod m
      for (int i = 0; i < n; ++i) {
        const ComplexF w{twiddle[q0].re + twiddle[q1].re, twiddle[q0].im + twiddle[q1].im};
        acc_re += derotated[i].re * w.re - derotated[i].im * w.im;
        acc_im += derotated[i].re * w.im + derotated[i].im * w.re;
        q0 += t;
        if (q0 >= m) q0 -= m;
        q1 -= t;
        if (q1 < 0) q1 += m;
      }
      taps[ti] = {acc_re, acc_im};
    }
    __syncthreads();
    const float scale = 1.0F / static_cast<float>(m);
    for (int i = static_cast<int>(threadIdx.x); i < n; i += blockDim.x) {
      float acc_re = 0.0F;
      float acc_im = 0.0F;
      for (int ti = 0; ti < 2 * half + 1; ++ti) {
        const int t = ti - half;
        int q = static_cast<int>((static_cast<long long>(-t) * i) % m);  // e^{-2 pi j t i / m}
        if (q < 0) q += m;
        acc_re += taps[ti].re * twiddle[q].re - taps[ti].im * twiddle[q].im;
        acc_im += taps[ti].re * twiddle[q].im + taps[ti].im * twiddle[q].re;
      }
      double s = 0.0;
      double c = 0.0;
      sincos(slope * i, &s, &c);
      const ComplexF smooth{(acc_re * static_cast<float>(c) - acc_im * static_cast<float>(s)) * scale,
                            (acc_re * static_cast<float>(s) + acc_im * static_cast<float>(c)) * scale};
      residual += detail::norm(pairs[i] - smooth);
      derotated[i] = smooth;  // thread i owns element i from here on
    }
    __syncthreads();
    if (d.dft) {
      for (int i = static_cast<int>(threadIdx.x); i < n; i += blockDim.x) pairs[i] = derotated[i];
    }
  }
  residual = block_sum(residual, scratch[0]);
  if (threadIdx.x == 0) b.residuals[link_index(b, ue, g, r, p)] = residual;
  __syncthreads();

  const double centre0 = detail::first_pair_centre(d.delta[p], d.pair_step);
  ComplexF* h = b.channel + link_index(b, ue, g, r, p) * b.max_subcarriers;
  for (int k = static_cast<int>(threadIdx.x); k < d.subcarriers; k += blockDim.x) {
    const detail::InterpolationWeight w = detail::frequency_interpolation_weight(k, centre0, d.period, n);
    h[k] = detail::interpolate(pairs[w.n0], pairs[w.n1], w.w);
  }
}

template <int L>
__device__ void equalize_re(const DeviceBuffers& b, const UeDescriptor& d, int ue, int symbol, int k, float nv,
                            std::size_t re) {
  const detail::TimeInterpolationWeight tw = detail::time_interpolation_weight(d.group_symbol, d.num_groups, symbol);
  detail::EqualizerAccumulator<L> acc;
  for (int r = 0; r < d.rx_ports; ++r) {
    ComplexF h[L];
    for (int v = 0; v < L; ++v) {
      const ComplexF h0 = b.channel[link_index(b, ue, tw.g0, r, v) * b.max_subcarriers + k];
      const ComplexF h1 = b.channel[link_index(b, ue, tw.g1, r, v) * b.max_subcarriers + k];
      h[v] = detail::interpolate_in_time(h0, h1, tw.w1);
    }
    const ComplexF y = b.grid[(static_cast<std::size_t>(r) * kSymbolsPerSlot + symbol) * b.grid_subcarriers +
                              d.grid_offset + k];
    acc.add_port(h, y);
  }
  ComplexF x[L];
  float x_nv[L];
  detail::solve_equalizer<L>(d.mmse != 0, acc, nv, x, x_nv);
  const std::size_t base = static_cast<std::size_t>(ue) * b.max_symbols + re * L;
  for (int v = 0; v < L; ++v) {
    b.symbols[base + v] = x[v];
    b.symbol_noise[base + v] = x_nv[v];
  }
}

__global__ void equalize_kernel(DeviceBuffers b) {
  const int ue = static_cast<int>(blockIdx.y);
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  const int t = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int k = t % b.max_subcarriers;
  const int symbol = d.start_symbol + t / b.max_subcarriers;
  if (k >= d.subcarriers || symbol >= d.start_symbol + d.num_symbols) return;
  std::size_t re = static_cast<std::size_t>(d.re_offset[symbol]);
  if ((d.is_dmrs_symbol >> symbol) & 1U) {
    const unsigned sc = static_cast<unsigned>(k % 12);
    if (((d.dmrs_data_mask >> sc) & 1U) == 0U) return;
    re += static_cast<std::size_t>(k / 12) * d.dmrs_data_per_prb + detail::popcount32(d.dmrs_data_mask & ((1U << sc) - 1U));
  } else {
    re += static_cast<std::size_t>(k);
  }
  // The noise estimate from the residuals of every link, summed in the CPU's order.
  double residual = 0.0;
  for (int g = 0; g < d.num_groups; ++g) {
    for (int r = 0; r < d.rx_ports; ++r) {
      for (int p = 0; p < d.layers; ++p) residual += b.residuals[link_index(b, ue, g, r, p)];
    }
  }
  const float nv = detail::max_f(
      detail::noise_variance_from_residual(residual, d.residual_dof, d.dmrs_length, d.beta2),
      detail::kEqualizerMinNoiseVariance);
  switch (d.layers) {
    case 1: return equalize_re<1>(b, d, ue, symbol, k, nv, re);
    case 2: return equalize_re<2>(b, d, ue, symbol, k, nv, re);
    case 3: return equalize_re<3>(b, d, ue, symbol, k, nv, re);
    default: return equalize_re<4>(b, d, ue, symbol, k, nv, re);
  }
}

__global__ void demap_kernel(DeviceBuffers b) {
  const int ue = static_cast<int>(blockIdx.y);
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= static_cast<std::size_t>(d.data_res) * d.layers) return;
  const std::size_t base = static_cast<std::size_t>(ue) * b.max_symbols;
  const float inverse = detail::demap_inverse_variance(b.symbol_noise[base + i], 1.0F);
  float llr[2 * detail::kDemapMaxBitsPerDim];
  if (d.qm == 2) {
    detail::demap_qpsk_symbol(b.symbols[base + i], inverse, llr);
  } else {
    detail::demap_qam_symbol(b.qam_tables[d.qm / 2], b.symbols[base + i], inverse, llr);
  }
  const unsigned* words = b.scrambling_words + static_cast<std::size_t>(ue) * b.max_scrambling_words;
  float* out = b.llrs + static_cast<std::size_t>(ue) * b.max_llrs;
  for (int j = 0; j < d.qm; ++j) {
    const std::size_t bit = i * d.qm + j;
    out[bit] = detail::descramble_llr(llr[j], (words[bit / 32] >> (bit % 32)) & 1U);
  }
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
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t graph_exec = nullptr;
  DeviceBuffers buffers{};
  std::vector<void*> device_allocations;
  std::size_t bytes = 0;
  UeDescriptor* host_descriptors = nullptr;  // pinned
  float* host_llrs = nullptr;                // pinned, [ue][max_llrs]
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
    const DeviceBuffers& b = buffers;
    const unsigned ue_blocks = static_cast<unsigned>(limits.max_ues);
    constexpr unsigned kThreads = 256;
    const auto blocks = [](std::size_t work) { return static_cast<unsigned>((work + kThreads - 1) / kThreads); };
    const std::size_t sequence_work =
        std::max<std::size_t>(static_cast<std::size_t>(b.max_scrambling_words), kMaxDmrsSymbols * kDmrsWordsPerSymbol);
    sequences_kernel<<<dim3(blocks(sequence_work), ue_blocks), kThreads, 0, stream>>>(b);
    const std::size_t ls_work = static_cast<std::size_t>(kMaxGroups) * b.max_rx * b.max_layers * 3 * limits.max_prbs;
    ls_kernel<<<dim3(blocks(ls_work), ue_blocks), kThreads, 0, stream>>>(b);
    denoise_interpolate_kernel<<<dim3(static_cast<unsigned>(kMaxGroups * b.max_rx * b.max_layers), ue_blocks),
                                 kDenoiseThreads, 0, stream>>>(b);
    constexpr unsigned kEqualizerThreads = 128;  // registers: the 4-layer solve is large
    const std::size_t re_work = static_cast<std::size_t>(kSymbolsPerSlot) * b.max_subcarriers;
    equalize_kernel<<<dim3(static_cast<unsigned>((re_work + kEqualizerThreads - 1) / kEqualizerThreads), ue_blocks),
                      kEqualizerThreads, 0, stream>>>(b);
    demap_kernel<<<dim3(blocks(b.max_symbols), ue_blocks), kThreads, 0, stream>>>(b);
    return cuda_status(cudaGetLastError(), "kernel launch");
  }
};

GpuPuschFrontEnd::GpuPuschFrontEnd(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;

Expected<std::unique_ptr<GpuPuschFrontEnd>> GpuPuschFrontEnd::create(const GpuPuschLimits& limits,
                                                                    const GpuPuschFrontEndConfig& config) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU PUSCH front end: no GPU: " + gpu.reason};
  if (limits.max_prbs < 1 || limits.max_prbs > kMaxGridPrbs) {
    return Error{"GPU PUSCH front end: max_prbs=" + std::to_string(limits.max_prbs) + " is outside 1..275"};
  }
  if (limits.grid_prbs < limits.max_prbs || limits.grid_prbs > kMaxGridPrbs) {
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
  DeviceBuffers& b = m.buffers;
  b.max_rx = limits.max_rx_ports;
  b.max_layers = limits.max_layers;
  b.max_subcarriers = 12 * limits.max_prbs;
  b.max_symbols = static_cast<std::size_t>(b.max_subcarriers) * kSymbolsPerSlot * limits.max_layers;
  b.max_llrs = b.max_symbols * static_cast<std::size_t>(q);
  b.max_scrambling_words = static_cast<int>((b.max_llrs + 31) / 32);
  b.grid_subcarriers = 12 * limits.grid_prbs;
  const auto ues = static_cast<std::size_t>(limits.max_ues);
  const std::size_t links = ues * kMaxGroups * b.max_rx * b.max_layers;

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
      m.allocate(b.dmrs_words, ues * kMaxDmrsSymbols * kDmrsWordsPerSymbol, "DMRS sequences"),
      m.allocate(b.scrambling_words, ues * b.max_scrambling_words, "scrambling sequences"),
      m.allocate(b.symbols, ues * b.max_symbols, "equalised symbols"),
      m.allocate(b.symbol_noise, ues * b.max_symbols, "symbol noise variances"),
      m.allocate(b.llrs, ues * b.max_llrs, "LLRs"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_descriptors), ues * sizeof(UeDescriptor)),
                  "pinned descriptors"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_llrs), ues * b.max_llrs * sizeof(float)),
                  "pinned LLRs"),
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
  const double window = m.config.estimator.dft_delay_window - m.config.estimator.dft_early_window;
  for (std::size_t u = 0; u < ues.size(); ++u) {
    if (ues[u].plan == nullptr) return Error{ue_error(u, "no plan")};
    const PuschPlan& plan = *ues[u].plan;
    const PuschConfig& c = plan.config;
    if (c.transform_precoding) return Error{ue_error(u, "transform precoding is not implemented on the GPU")};
    if (c.num_layers > lim.max_layers || c.num_layers > rx_ports) {
      return Error{ue_error(u, std::to_string(c.num_layers) + " layers, created for " + std::to_string(lim.max_layers) +
                                   " and " + std::to_string(rx_ports) + " receive ports")};
    }
    if (c.rb_size > lim.max_prbs) {
      return Error{ue_error(u, std::to_string(c.rb_size) + " PRBs, created for " + std::to_string(lim.max_prbs))};
    }
    if (plan.modulation_order < 2 || plan.modulation_order > lim.max_modulation_order) {
      return Error{ue_error(u, "modulation order " + std::to_string(plan.modulation_order) + ", created for 2.." +
                                   std::to_string(lim.max_modulation_order))};
    }
    if (ues[u].bwp_grid_offset < 0 || ues[u].bwp_grid_offset + 12 * c.bwp_size > grid_subcarriers) {
      return Error{ue_error(u, "its BWP (offset " + std::to_string(ues[u].bwp_grid_offset) + ", " +
                                   std::to_string(c.bwp_size) + " PRBs) does not fit the grid")};
    }
    const DmrsLayout layout = dmrs_layout(c.dmrs.config_type);
    const int groups = plan.num_dmrs_symbols / c.dmrs.length;
    if (groups < 1 || groups > kMaxGroups) return Error{ue_error(u, "DMRS groups outside 1..4")};

    UeDescriptor& d = m.host_descriptors[u];
    d = UeDescriptor{};
    d.active = 1;
    d.rx_ports = rx_ports;
    d.layers = c.num_layers;
    d.qm = plan.modulation_order;
    d.mmse = m.config.equalizer == EqualizerType::mmse ? 1 : 0;
    d.dft = m.config.estimator.interpolation == FrequencyInterpolation::dft ? 1 : 0;
    d.grid_offset = ues[u].bwp_grid_offset + plan.first_subcarrier();
    d.subcarriers = plan.num_subcarriers();
    d.start_symbol = c.start_symbol;
    d.num_symbols = c.num_symbols;
    d.pair_step = layout.pair_step;
    d.period = layout.period;
    d.res_per_prb = layout.res_per_prb;
    d.pairs = layout.res_per_prb * c.rb_size / 2;
    d.dmrs_length = c.dmrs.length;
    d.num_groups = groups;
    d.m_first = layout.res_per_prb * (c.bwp_start + c.rb_start);
    d.dmrs_words = (2 * (d.m_first + layout.res_per_prb * c.rb_size) + 31) / 32;
    if (d.dmrs_words > kDmrsWordsPerSymbol) return Error{ue_error(u, "its allocation ends beyond CRB 275")};
    // As the CPU's denoise(): at most half the taps, so that the residual keeps degrees of freedom.
    const int n = d.pairs;
    d.taps_half = n < 4 ? 0 : std::clamp(static_cast<int>(std::ceil(window * (2 * n) * layout.period)), 1, n / 2 - 1);
    const double kept = n < 4 ? n : d.taps_half + 1;
    d.residual_dof = static_cast<double>(groups) * rx_ports * c.num_layers * (n - kept);
    d.data_res = plan.data_res;
    d.g = plan.g;
    d.scrambling_words = (plan.g + 31) / 32;
    d.scrambling_c_init = plan.scrambling_c_init;
    d.dmrs_data_mask = plan.dmrs_symbol_data_mask;
    d.dmrs_data_per_prb = std::popcount(static_cast<unsigned>(plan.dmrs_symbol_data_mask));
    d.beta_dmrs = static_cast<float>(plan.beta_dmrs);
    d.beta2 = plan.beta_dmrs * plan.beta_dmrs;
    for (int s = 0; s < plan.num_dmrs_symbols; ++s) {
      d.dmrs_symbol[s] = plan.dmrs_symbols[s];
      d.dmrs_l_prime[s] = plan.dmrs_l_prime[s];
      d.dmrs_c_init[s] = pusch_dmrs_c_init(c.slot_number, plan.dmrs_symbols[s], c.dmrs.n_id[c.dmrs.n_scid], c.dmrs.n_scid);
    }
    for (int p = 0; p < c.num_layers; ++p) {
      const DmrsPortParameters port = dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[p]);
      d.delta[p] = port.delta;
      d.w_f[p][0] = port.w_f[0];
      d.w_f[p][1] = port.w_f[1];
      d.w_t[p][0] = port.w_t[0];
      d.w_t[p][1] = port.w_t[1];
    }
    for (int g = 0; g < groups; ++g) d.group_symbol[g] = plan.dmrs_symbols[g * c.dmrs.length] + 0.5 * (c.dmrs.length - 1);
    int re = 0;
    for (int l = 0; l < kSymbolsPerSlot; ++l) {
      d.re_offset[l] = re;
      if (plan.is_dmrs_symbol[l]) d.is_dmrs_symbol |= 1U << l;
      if (l < c.start_symbol || l >= c.start_symbol + c.num_symbols) continue;
      re += plan.is_dmrs_symbol[l] ? c.rb_size * d.dmrs_data_per_prb : plan.num_subcarriers();
    }
    if (re != plan.data_res) return Error{ue_error(u, "the data REs do not add up to the plan's")};
    m.llr_counts[u] = plan.g;
  }
  for (std::size_t u = ues.size(); u < static_cast<std::size_t>(lim.max_ues); ++u) {
    m.host_descriptors[u].active = 0;
    m.llr_counts[u] = 0;
  }
  m.ues = static_cast<int>(ues.size());
  m.rx_ports = rx_ports;
  m.grid_subcarriers = grid_subcarriers;
  m.have_grid_shape = true;
  return cuda_status(cudaMemcpyAsync(const_cast<UeDescriptor*>(m.buffers.ues), m.host_descriptors,
                                     static_cast<std::size_t>(lim.max_ues) * sizeof(UeDescriptor),
                                     cudaMemcpyHostToDevice, m.stream),
                     "descriptor copy");
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

void* GpuPuschFrontEnd::stream() const { return impl_->stream; }

std::size_t GpuPuschFrontEnd::device_bytes() const { return impl_->bytes; }

}  // namespace airan::phy

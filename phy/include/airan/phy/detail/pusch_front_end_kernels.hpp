// The GPU PUSCH front end's data layout (descriptors, buffers) and the work of one thread of
// each of its kernels, as AIRAN_HD functions: gpu_pusch_front_end.cu wraps them in __global__
// kernels, and a CPU test runs them in loops over every thread to check the kernels' indexing
// and orchestration against PuschReceiver::soft_bits without a GPU.
//
// Buffers (element counts at the create-time maxima; UE u's slab starts at u x the per-UE max):
//   grid            complex float [cell][rx][14][grid_subcarriers] (the cells' grids; a UE reads
//                   its own cell's from grid_base)
//   pair_estimates  complex float [ue][group][rx][layer][kMaxPairs]
//   channel         complex float [ue][group][rx][layer][max_subcarriers]
//   residuals       double        [ue][group][rx][layer]
//   dmrs_words      uint32        [ue][kMaxDmrsSymbols][kDmrsWordsPerSymbol]
//   scrambling_words uint32       [ue][max_scrambling_words]
//   symbols, symbol_noise  complex float / float [ue][data RE][layer] (codeword order)
//   llrs            float         [ue][max_llrs]
//   noise_variances float         [ue] (per RE and rx port, from the DMRS residuals)
// and, for transform precoding (DFT-s-OFDM; absent when created without it):
//   tp_dmrs         complex float [ue][2 x kMaxPairs]   the UE's low-PAPR DMRS sequence r(k)
//   tp_work         complex float [ue][14][tp_fft_size] Bluestein convolution rows (cuFFT in place)
//   tp_filters      complex float [filter][tp_fft_size] FFT_N(b) / N per allowed M (create)
#pragma once

#include <cstddef>
#include <cstdint>

#include "airan/phy/detail/channel_estimation_math.hpp"
#include "airan/phy/detail/demapper_math.hpp"
#include "airan/phy/detail/equalizer_math.hpp"
#include "airan/phy/detail/gold_math.hpp"
#include "airan/phy/detail/transform_precoding_math.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {
struct PuschPlan;
struct ChannelEstimatorConfig;
}  // namespace airan::phy

namespace airan::phy::detail {

inline constexpr int kFrontEndMaxPrbs = 275;
inline constexpr int kFrontEndMaxLayers = 4;
inline constexpr int kFrontEndSymbols = 14;
inline constexpr int kFrontEndMaxDmrsSymbols = 8;
inline constexpr int kFrontEndMaxGroups = 4;  // DMRS time groups (double symbols pair up)
inline constexpr int kMaxPairs = 3 * kFrontEndMaxPrbs;  // type 1: 6 DMRS REs per PRB
inline constexpr int kMaxDftLength = 2 * kMaxPairs;      // the mirrored sequence
inline constexpr int kDmrsWordsPerSymbol = (2 * 6 * kFrontEndMaxPrbs + 31) / 32;  // c(0 .. 2 (m_first + count))

// Everything the kernels need of one UE, filled by fill_ue_descriptor on the host. Plain data.
struct UeDescriptor {
  int active;  // 0: this slot has fewer UEs, every kernel returns
  int rx_ports;
  int layers;
  int qm;
  int mmse;
  int dft;                  // interpolate the DFT-denoised pair estimates
  int grid_offset;          // cell-grid subcarrier of the allocation's first subcarrier
  std::size_t grid_base;    // first element of the UE's cell grid (cells of one front end lie back to back)
  int subcarriers;          // 12 * rb_size
  int start_symbol;
  int num_symbols;
  int pair_step;
  int period;
  int pairs;                // DMRS pairs per layer and DMRS symbol
  int dmrs_length;
  int num_groups;
  int m_first;              // DMRS sequence index of the allocation's first DMRS RE
  int dmrs_words;           // Gold words per DMRS symbol
  int taps_half;            // DFT window: taps -half..half kept; 0 when pairs < 4
  int data_res;             // per layer
  int g;                    // LLRs
  int scrambling_words;
  std::uint32_t scrambling_c_init;
  std::uint32_t is_dmrs_symbol;  // bit l: slot symbol l carries DMRS
  std::uint32_t dmrs_data_mask;  // 12-bit mask of a DMRS symbol's data subcarriers
  int dmrs_data_per_prb;
  float beta_dmrs;
  double beta2;
  double residual_dof;
  int dmrs_symbol[kFrontEndMaxDmrsSymbols];
  int dmrs_l_prime[kFrontEndMaxDmrsSymbols];
  std::uint32_t dmrs_c_init[kFrontEndMaxDmrsSymbols];
  int delta[kFrontEndMaxLayers];
  int w_f[kFrontEndMaxLayers][2];
  int w_t[kFrontEndMaxLayers][2];
  double group_symbol[kFrontEndMaxGroups];
  int re_offset[kFrontEndSymbols];  // data RE index (per layer) of the symbol's first data RE
  // Transform precoding (one layer, no data beside the DMRS, so the data REs are tp_blocks
  // whole symbols of `subcarriers` REs each, in order).
  int transform_precoding;
  int tp_blocks;
  int tp_filter;                    // row of tp_filters: transform_precoding_filter_index(rb_size)
};

// Validates one UE against the limits and fills its descriptor. Errors name the field.
// Transform-precoded UEs are refused ("not enabled"): this form has nowhere to put their DMRS.
Status fill_ue_descriptor(const PuschPlan& plan, int bwp_grid_offset, int rx_ports, int grid_subcarriers,
                          int max_prbs, int max_layers, int max_modulation_order, bool mmse,
                          const ChannelEstimatorConfig& estimator, UeDescriptor& out);
// The same, with transform precoding: a transform-precoded UE's low-PAPR DMRS sequence (6 x
// rb_size values, the same on every DMRS symbol: no group or sequence hopping, as
// generate_pusch_dmrs) is written to tp_dmrs (2 x kMaxPairs entries), which may be null when
// transform_precoding_enabled is false (such UEs are then refused, naming the setting).
Status fill_ue_descriptor(const PuschPlan& plan, int bwp_grid_offset, int rx_ports, int grid_subcarriers,
                          int max_prbs, int max_layers, int max_modulation_order, bool mmse,
                          const ChannelEstimatorConfig& estimator, bool transform_precoding_enabled,
                          UeDescriptor& out, ComplexF* tp_dmrs);

// Allowed transform-precoding sizes: n_prb in 1..max_prbs with 12 n_prb = 2^a 3^b 5^c. The
// filter table holds one row per allowed size in increasing order; this is n_prb's row.
int transform_precoding_filter_index(int n_prb);
int transform_precoding_filter_count(int max_prbs);
inline int transform_precoding_fft_size(int max_prbs) {
  int largest = 1;
  for (int n = 1; n <= max_prbs; ++n) {
    if (transform_precoding_filter_index(n) >= 0) largest = n;
  }
  return tp_fft_size(12 * largest);
}

struct FrontEndBuffers {
  const UeDescriptor* ues;
  const QamDemapTable* qam_tables;  // by bits per dimension
  const ComplexF* grid;
  int grid_subcarriers;             // row stride of the grid
  ComplexF* pair_estimates;
  ComplexF* channel;
  double* residuals;
  std::uint32_t* dmrs_words;
  std::uint32_t* scrambling_words;
  ComplexF* symbols;
  float* symbol_noise;
  float* llrs;
  float* noise_variances;
  const ComplexF* tp_dmrs;     // null when created without transform precoding
  ComplexF* tp_work;
  const ComplexF* tp_filters;
  int tp_fft_size;             // 0 when created without transform precoding
  int max_rx;
  int max_layers;
  int max_subcarriers;
  std::size_t max_symbols;  // per UE: data REs x layers
  std::size_t max_llrs;
  int max_scrambling_words;
};

AIRAN_HD std::size_t link_index(const FrontEndBuffers& b, int ue, int group, int rx, int layer) {
  return ((static_cast<std::size_t>(ue) * kFrontEndMaxGroups + group) * b.max_rx + rx) * b.max_layers + layer;
}

// ---- 1. sequences: thread t of UE ue writes scrambling word t and DMRS word t ----
AIRAN_HD std::size_t sequence_threads(const FrontEndBuffers& b) {
  const std::size_t dmrs = static_cast<std::size_t>(kFrontEndMaxDmrsSymbols) * kDmrsWordsPerSymbol;
  return static_cast<std::size_t>(b.max_scrambling_words) > dmrs ? static_cast<std::size_t>(b.max_scrambling_words)
                                                                  : dmrs;
}

AIRAN_HD void sequence_thread(const FrontEndBuffers& b, int ue, int t) {
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  if (t < d.scrambling_words) {
    b.scrambling_words[static_cast<std::size_t>(ue) * b.max_scrambling_words + t] =
        gold_word(d.scrambling_c_init, static_cast<std::uint32_t>(t));
  }
  const int s = t / kDmrsWordsPerSymbol;
  const int w = t % kDmrsWordsPerSymbol;
  if (s < d.num_groups * d.dmrs_length && w < d.dmrs_words) {
    b.dmrs_words[static_cast<std::size_t>(ue) * kFrontEndMaxDmrsSymbols * kDmrsWordsPerSymbol + t] =
        gold_word(d.dmrs_c_init[s], static_cast<std::uint32_t>(w));
  }
}

// ---- 2. least squares: thread t = ((g * rx + r) * layers + p) * pairs + n ----
AIRAN_HD std::size_t ls_threads(const FrontEndBuffers& b, int max_prbs) {
  return static_cast<std::size_t>(kFrontEndMaxGroups) * b.max_rx * b.max_layers * 3 * max_prbs;
}

AIRAN_HD void ls_thread(const FrontEndBuffers& b, int ue, int t) {
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  const int n = t % d.pairs;
  t /= d.pairs;
  const int p = t % d.layers;
  t /= d.layers;
  const int r = t % d.rx_ports;
  const int g = t / d.rx_ports;
  if (g >= d.num_groups) return;
  const std::uint32_t* words = b.dmrs_words + static_cast<std::size_t>(ue) * kFrontEndMaxDmrsSymbols * kDmrsWordsPerSymbol;
  ComplexF acc{0.0F, 0.0F};
  for (int s = g * d.dmrs_length; s < (g + 1) * d.dmrs_length; ++s) {
    const float qpsk_scale = dmrs_qpsk_scale(d.beta_dmrs, d.w_t[p][d.dmrs_l_prime[s]]);
    const ComplexF* y =
        b.grid + d.grid_base + (static_cast<std::size_t>(r) * kFrontEndSymbols + d.dmrs_symbol[s]) * b.grid_subcarriers +
        d.grid_offset;
    for (int j = 2 * n; j < 2 * n + 2; ++j) {
      ComplexF v;
      if (d.transform_precoding) {
        v = low_papr_dmrs_value(d.beta_dmrs, d.w_t[p][d.dmrs_l_prime[s]], d.w_f[p][j % 2],
                                b.tp_dmrs[static_cast<std::size_t>(ue) * 2 * kMaxPairs + j]);
      } else {
        const int m = d.m_first + j;
        // 2m is even and pairs start at multiples of 4 bits: c(2m), c(2m+1) share a word.
        const std::uint32_t word = words[s * kDmrsWordsPerSymbol + (2 * m) / 32];
        const std::uint32_t bit = (2U * static_cast<std::uint32_t>(m)) % 32U;
        v = dmrs_value(qpsk_scale, d.w_f[p][j % 2], (word >> bit) & 1U, (word >> (bit + 1)) & 1U);
      }
      const int k = (j / 2) * d.period + (j % 2) * d.pair_step + d.delta[p];
      acc = acc + ls_term(y[k], v);
    }
  }
  const float norm = ls_pair_normalization(d.dmrs_length, d.beta2);
  b.pair_estimates[link_index(b, ue, g, r, p) * kMaxPairs + n] = acc * norm;
}

// ---- 3. denoising and interpolation: one block per link (UE, group, rx, layer) ----
// Links are numbered ((g * max_rx) + r) * max_layers + p; false when the UE has no such link.
AIRAN_HD bool decode_link(const FrontEndBuffers& b, const UeDescriptor& d, int link, int& g, int& r, int& p) {
  p = link % b.max_layers;
  link /= b.max_layers;
  r = link % b.max_rx;
  g = link / b.max_rx;
  return d.active && p < d.layers && r < d.rx_ports && g < d.num_groups;
}

// The CPU's denoise() (channel_estimator.cpp): phase slope removed, the n pair estimates
// mirrored to m = 2n, delay taps -half..half kept, slope restored; here as direct sums over a
// twiddle table e^{+2 pi j q / m} (m is rarely a power of two and only about half the taps
// survive). Tap ti (t = ti - half) of the mirrored, derotated sequence:
AIRAN_HD ComplexF denoise_tap(const ComplexF* derotated, const ComplexF* twiddle, int n, int half, int ti) {
  const int m = 2 * n;
  const int t = (ti - half + m) % m;
  float acc_re = 0.0F;
  float acc_im = 0.0F;
  int q0 = 0;                                                            // t i mod m
  int q1 = static_cast<int>((static_cast<long long>(t) * (m - 1)) % m);  // t (m - 1 - i) mod m
  for (int i = 0; i < n; ++i) {
    const ComplexF w{twiddle[q0].re + twiddle[q1].re, twiddle[q0].im + twiddle[q1].im};
    acc_re += derotated[i].re * w.re - derotated[i].im * w.im;
    acc_im += derotated[i].re * w.im + derotated[i].im * w.re;
    q0 += t;
    if (q0 >= m) q0 -= m;
    q1 -= t;
    if (q1 < 0) q1 += m;
  }
  return {acc_re, acc_im};
}

// Element i of the denoised sequence, before the slope is restored (times m).
AIRAN_HD ComplexF denoise_element(const ComplexF* taps, const ComplexF* twiddle, int n, int half, int i) {
  const int m = 2 * n;
  float acc_re = 0.0F;
  float acc_im = 0.0F;
  for (int ti = 0; ti < 2 * half + 1; ++ti) {
    int q = static_cast<int>((static_cast<long long>(half - ti) * i) % m);  // e^{-2 pi j t i / m}
    if (q < 0) q += m;
    acc_re += taps[ti].re * twiddle[q].re - taps[ti].im * twiddle[q].im;
    acc_im += taps[ti].re * twiddle[q].im + taps[ti].im * twiddle[q].re;
  }
  return {acc_re, acc_im};
}

// Rotation of a by the unit phasor (c, s).
AIRAN_HD ComplexF rotate(ComplexF a, float c, float s) { return {a.re * c - a.im * s, a.re * s + a.im * c}; }

// Subcarrier k of a link's channel from its (denoised or LS) pair estimates.
AIRAN_HD void interpolate_thread(const FrontEndBuffers& b, const UeDescriptor& d, int ue, int g, int r, int p,
                                 const ComplexF* pairs, int k) {
  const double centre0 = first_pair_centre(d.delta[p], d.pair_step);
  const InterpolationWeight w = frequency_interpolation_weight(k, centre0, d.period, d.pairs);
  b.channel[link_index(b, ue, g, r, p) * b.max_subcarriers + k] = interpolate(pairs[w.n0], pairs[w.n1], w.w);
}

// ---- 4. equalisation: thread t = symbol offset * max_subcarriers + k ----
AIRAN_HD std::size_t equalize_threads(const FrontEndBuffers& b) {
  return static_cast<std::size_t>(kFrontEndSymbols) * b.max_subcarriers;
}

template <int L>
AIRAN_HD void equalize_re(const FrontEndBuffers& b, const UeDescriptor& d, int ue, int symbol, int k, float nv,
                          std::size_t re) {
  const TimeInterpolationWeight tw = time_interpolation_weight(d.group_symbol, d.num_groups, symbol);
  EqualizerAccumulator<L> acc;
  for (int r = 0; r < d.rx_ports; ++r) {
    ComplexF h[L];
    for (int v = 0; v < L; ++v) {
      const ComplexF h0 = b.channel[link_index(b, ue, tw.g0, r, v) * b.max_subcarriers + k];
      const ComplexF h1 = b.channel[link_index(b, ue, tw.g1, r, v) * b.max_subcarriers + k];
      h[v] = interpolate_in_time(h0, h1, tw.w1);
    }
    const ComplexF y =
        b.grid[d.grid_base + (static_cast<std::size_t>(r) * kFrontEndSymbols + symbol) * b.grid_subcarriers +
               d.grid_offset + k];
    acc.add_port(h, y);
  }
  ComplexF x[L];
  float x_nv[L];
  solve_equalizer<L>(d.mmse != 0, acc, nv, x, x_nv);
  const std::size_t base = static_cast<std::size_t>(ue) * b.max_symbols + re * L;
  for (int v = 0; v < L; ++v) {
    b.symbols[base + v] = x[v];
    b.symbol_noise[base + v] = x_nv[v];
  }
}

// The noise estimate from every link's residual, summed in the CPU's order.
AIRAN_HD float ue_noise_variance(const FrontEndBuffers& b, const UeDescriptor& d, int ue) {
  double residual = 0.0;
  for (int g = 0; g < d.num_groups; ++g) {
    for (int r = 0; r < d.rx_ports; ++r) {
      for (int p = 0; p < d.layers; ++p) residual += b.residuals[link_index(b, ue, g, r, p)];
    }
  }
  return noise_variance_from_residual(residual, d.residual_dof, d.dmrs_length, d.beta2);
}

AIRAN_HD void equalize_thread(const FrontEndBuffers& b, int ue, int t) {
  const UeDescriptor& d = b.ues[ue];
  if (!d.active) return;
  if (t == 0) b.noise_variances[ue] = ue_noise_variance(b, d, ue);
  const int k = t % b.max_subcarriers;
  const int symbol = d.start_symbol + t / b.max_subcarriers;
  if (k >= d.subcarriers || symbol >= d.start_symbol + d.num_symbols) return;
  std::size_t re = static_cast<std::size_t>(d.re_offset[symbol]);
  if ((d.is_dmrs_symbol >> symbol) & 1U) {
    const auto sc = static_cast<std::uint32_t>(k % 12);
    if (((d.dmrs_data_mask >> sc) & 1U) == 0U) return;
    re += static_cast<std::size_t>(k / 12) * d.dmrs_data_per_prb + popcount32(d.dmrs_data_mask & ((1U << sc) - 1U));
  } else {
    re += static_cast<std::size_t>(k);
  }
  const float nv = max_f(ue_noise_variance(b, d, ue), kEqualizerMinNoiseVariance);
  switch (d.layers) {
    case 1: return equalize_re<1>(b, d, ue, symbol, k, nv, re);
    case 2: return equalize_re<2>(b, d, ue, symbol, k, nv, re);
    case 3: return equalize_re<3>(b, d, ue, symbol, k, nv, re);
    default: return equalize_re<4>(b, d, ue, symbol, k, nv, re);
  }
}

// ---- 4b. inverse transform precoding (transform-precoded UEs only; see
// transform_precoding_math.hpp for the Bluestein form), between equalisation and demapping:
//   tp_noise   block per (UE, symbol block): the block's mean noise variance (the kernel reduces
//              in a tree; tp_block_noise_sum is the serial sum the CPU does, for the emulation);
//   tp_pre     thread t = block * tp_fft_size + n: convolution input row;
//   FFT_N forward (cuFFT, batch max_ues x 14);
//   tp_filter  same threads: times the filter spectrum of the UE's M;
//   FFT_N inverse;
//   tp_post    thread t = block * max_subcarriers + i: the symbols, in place.
AIRAN_HD bool tp_block_active(const FrontEndBuffers& b, const UeDescriptor& d, int block) {
  return b.tp_fft_size > 0 && d.active && d.transform_precoding && block < d.tp_blocks;
}

AIRAN_HD std::size_t tp_row_threads(const FrontEndBuffers& b) {
  return static_cast<std::size_t>(kFrontEndSymbols) * b.tp_fft_size;
}

AIRAN_HD ComplexF* tp_row(const FrontEndBuffers& b, int ue, int block) {
  return b.tp_work + (static_cast<std::size_t>(ue) * kFrontEndSymbols + block) * b.tp_fft_size;
}

AIRAN_HD void tp_pre_thread(const FrontEndBuffers& b, int ue, std::size_t t) {
  const UeDescriptor& d = b.ues[ue];
  const int block = static_cast<int>(t / static_cast<std::size_t>(b.tp_fft_size));
  const int n = static_cast<int>(t % static_cast<std::size_t>(b.tp_fft_size));
  if (block >= kFrontEndSymbols || !tp_block_active(b, d, block)) return;
  const ComplexF* y = b.symbols + static_cast<std::size_t>(ue) * b.max_symbols + static_cast<std::size_t>(block) * d.subcarriers;
  tp_row(b, ue, block)[n] = tp_pre(y, n, d.subcarriers);
}

AIRAN_HD void tp_filter_thread(const FrontEndBuffers& b, int ue, std::size_t t) {
  const UeDescriptor& d = b.ues[ue];
  const int block = static_cast<int>(t / static_cast<std::size_t>(b.tp_fft_size));
  const int n = static_cast<int>(t % static_cast<std::size_t>(b.tp_fft_size));
  if (block >= kFrontEndSymbols || !tp_block_active(b, d, block)) return;
  ComplexF* row = tp_row(b, ue, block);
  row[n] = tp_mul(row[n], b.tp_filters[static_cast<std::size_t>(d.tp_filter) * b.tp_fft_size + n]);
}

AIRAN_HD std::size_t tp_post_threads(const FrontEndBuffers& b) {
  return static_cast<std::size_t>(kFrontEndSymbols) * b.max_subcarriers;
}

AIRAN_HD void tp_post_thread(const FrontEndBuffers& b, int ue, std::size_t t) {
  const UeDescriptor& d = b.ues[ue];
  const int block = static_cast<int>(t / static_cast<std::size_t>(b.max_subcarriers));
  const int i = static_cast<int>(t % static_cast<std::size_t>(b.max_subcarriers));
  if (block >= kFrontEndSymbols || !tp_block_active(b, d, block) || i >= d.subcarriers) return;
  b.symbols[static_cast<std::size_t>(ue) * b.max_symbols + static_cast<std::size_t>(block) * d.subcarriers + i] =
      tp_post(tp_row(b, ue, block)[i], i, d.subcarriers);
}

// The serial form of the tp_noise kernel's block (the CPU's order).
AIRAN_HD void tp_noise_block_serial(const FrontEndBuffers& b, int ue, int block) {
  const UeDescriptor& d = b.ues[ue];
  if (!tp_block_active(b, d, block)) return;
  float* noise = b.symbol_noise + static_cast<std::size_t>(ue) * b.max_symbols + static_cast<std::size_t>(block) * d.subcarriers;
  double sum = 0.0;
  for (int i = 0; i < d.subcarriers; ++i) sum += noise[i];
  const float mean = tp_block_noise(sum, d.subcarriers);
  for (int i = 0; i < d.subcarriers; ++i) noise[i] = mean;
}

// ---- 5. demapping and descrambling: thread i = equalised symbol (codeword order) ----
AIRAN_HD void demap_thread(const FrontEndBuffers& b, int ue, std::size_t i) {
  const UeDescriptor& d = b.ues[ue];
  if (!d.active || i >= static_cast<std::size_t>(d.data_res) * d.layers) return;
  const std::size_t base = static_cast<std::size_t>(ue) * b.max_symbols;
  const float inverse = demap_inverse_variance(b.symbol_noise[base + i], 1.0F);
  float llr[2 * kDemapMaxBitsPerDim];
  if (d.qm == 2) {
    demap_qpsk_symbol(b.symbols[base + i], inverse, llr);
  } else {
    demap_qam_symbol(b.qam_tables[d.qm / 2], b.symbols[base + i], inverse, llr);
  }
  const std::uint32_t* words = b.scrambling_words + static_cast<std::size_t>(ue) * b.max_scrambling_words;
  float* out = b.llrs + static_cast<std::size_t>(ue) * b.max_llrs;
  for (int j = 0; j < d.qm; ++j) {
    const std::size_t bit = i * d.qm + j;
    out[bit] = descramble_llr(llr[j], (words[bit / 32] >> (bit % 32)) & 1U);
  }
}

}  // namespace airan::phy::detail

// Modulation mapper (TS 38.211 5.1) and max-log soft demapper.
//
// Bits are unpacked (one bit per byte, 0/1) in codeword order; symbol i carries bits
// b(qm*i) .. b(qm*i + qm - 1). Every constellation has unit average energy with the exact
// 38.211 normalisations: QPSK 1/sqrt(2), 16QAM 1/sqrt(10), 64QAM 1/sqrt(42),
// 256QAM 1/sqrt(170), 1024QAM 1/sqrt(682).
//
// Soft bits are LLR = log P(b=0)/P(b=1) (positive means 0), max-log over the constellation,
// for complex AWGN of variance noise_variance (noise_variance/2 per real dimension):
// LLR = (min_{s: b=1} |y-s|^2 - min_{s: b=0} |y-s|^2) / noise_variance. For QPSK that is
// 2 sqrt(2) y / noise_variance, the convention of qpsk_demodulate_soft.
// The square QAMs are Gray-mapped per dimension (even bits on I, odd bits on Q), so the
// demapper works per real dimension on piecewise-linear tables: exact max-log, no search.
//
// The data-path functions do not allocate and do not validate beyond assert(): sizes are
// preconditions (checked in debug builds), stated on each function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

enum class Modulation : std::uint8_t {
  pi2_bpsk,  // 5.1.2, pi/2-BPSK: the phase alternates with the symbol index i
  bpsk,      // 5.1.2
  qpsk,      // 5.1.3
  qam16,     // 5.1.4
  qam64,     // 5.1.5
  qam256,    // 5.1.6
  qam1024,   // 5.1.7
};

// Modulation order Qm: 1, 1, 2, 4, 6, 8, 10.
int bits_per_symbol(Modulation modulation);
std::string_view to_string(Modulation modulation);

// Qm in {1, 2, 4, 6, 8, 10}; qm = 1 is BPSK, or pi/2-BPSK when pi2_bpsk is set (pi2_bpsk is
// ignored for qm > 1). Error names qm and the allowed values.
Expected<Modulation> modulation_from_order(int qm, bool pi2_bpsk = false);

// symbols[i] = d(first_symbol_index + i) of 38.211 5.1. Precondition:
// bits.size() == bits_per_symbol(modulation) * symbols.size(), bits are 0/1.
// first_symbol_index matters only for pi/2-BPSK (phase of symbol i is pi/2 * (i mod 2)),
// for a codeword mapped in pieces.
void modulate(Modulation modulation, std::span<const std::uint8_t> bits, std::span<Complex> symbols,
              std::size_t first_symbol_index = 0);

// Max-log LLRs, qm per symbol in bit order. noise_variance holds one post-equalisation
// complex noise variance per symbol, or a single value for all symbols
// (noise_variance.size() == symbols.size() or 1). Variances are floored at 1e-12.
// Precondition: llrs.size() == bits_per_symbol(modulation) * symbols.size().
void demodulate_soft(Modulation modulation, std::span<const Complex> symbols,
                     std::span<const float> noise_variance, std::span<float> llrs,
                     std::size_t first_symbol_index = 0);

// The same LLRs quantised for the decoder: llrs[i] = clamp(round(gain * llr_i), -127, 127),
// round half to even.
void demodulate_soft(Modulation modulation, std::span<const Complex> symbols,
                     std::span<const float> noise_variance, float gain, std::span<Llr> llrs,
                     std::size_t first_symbol_index = 0);

// The constellation point nearest to each symbol (for EVM): per dimension for the square QAMs,
// a plain search for (pi/2-)BPSK. Precondition: nearest.size() == symbols.size().
void hard_decision(Modulation modulation, std::span<const Complex> symbols, std::span<Complex> nearest,
                   std::size_t first_symbol_index = 0);

// The constellation point of the qm-bit label `label` (first bit most significant), symbol
// index 0 (for pi/2-BPSK, index 0 is the unrotated point). For tests and tools.
Complex constellation_point(Modulation modulation, unsigned label);

}  // namespace airan::phy

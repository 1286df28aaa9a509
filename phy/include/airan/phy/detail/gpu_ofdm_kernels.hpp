// The GPU OFDM demodulator's data layout and the work of one thread of each of its kernels, as
// AIRAN_HD functions: gpu_ofdm_demodulator.cu wraps them in __global__ kernels and
// tests/phy/detail/ofdm_emulation_test.cpp runs every thread on the CPU (FFTW in place of cuFFT)
// against OfdmDemodulator, so the indexing is checked without a GPU.
//
// Buffers:
//   input   complex float [max_ports][input_row]            time samples of one slot per port
//   fft     complex float [max_ports][symbols][fft_size]    FFT windows, transformed in place
//   ramp    complex float [grid_subcarriers]                detail::ofdm_demod_ramp
//   grid    complex float [max_ports][symbols][grid_row]    output (own or the front end's)
#pragma once

#include <cstddef>

#include "airan/phy/detail/ofdm_math.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {
struct OfdmConfig;
}  // namespace airan::phy

namespace airan::phy::detail {

// Per slot, filled on the host by setup().
struct OfdmSlotDescriptor {
  int ports;                              // ports to demodulate this slot
  int window_start[kOfdmMaxSymbols];      // first sample of each symbol's FFT window
  ComplexF phase[kOfdmMaxSymbols];        // upconversion phase per symbol ({1, 0} when off)
};

// Fills the descriptor of slot `slot` (its position in the subframe sets the CP lengths and the
// upconversion phases) exactly as OfdmDemodulator::demodulate walks the slot (phy/src/ofdm).
Status fill_ofdm_slot_descriptor(const OfdmConfig& config, int slot, int ports, OfdmSlotDescriptor& out);

struct OfdmBuffers {
  const OfdmSlotDescriptor* slot;
  const ComplexF* input;
  ComplexF* fft;
  const ComplexF* ramp;
  ComplexF* grid;
  int max_ports;
  int symbols;           // per slot (14, or 12 with the extended CP)
  int fft_size;
  int input_row;         // samples between ports in input
  int grid_subcarriers;  // occupied subcarriers written per row
  int grid_row;          // subcarriers between rows of grid
};

// ---- gather: thread t = ((port * symbols) + l) * fft_size + n ----
AIRAN_HD std::size_t ofdm_gather_threads(const OfdmBuffers& b) {
  return static_cast<std::size_t>(b.max_ports) * b.symbols * b.fft_size;
}

AIRAN_HD void ofdm_gather_thread(const OfdmBuffers& b, std::size_t t) {
  const int n = static_cast<int>(t % static_cast<std::size_t>(b.fft_size));
  const std::size_t row = t / static_cast<std::size_t>(b.fft_size);
  const int l = static_cast<int>(row % static_cast<std::size_t>(b.symbols));
  const int port = static_cast<int>(row / static_cast<std::size_t>(b.symbols));
  if (port >= b.slot->ports) return;
  b.fft[t] = b.input[static_cast<std::size_t>(port) * b.input_row + b.slot->window_start[l] + n];
}

// ---- extract: thread t = ((port * symbols) + l) * grid_subcarriers + k ----
AIRAN_HD std::size_t ofdm_extract_threads(const OfdmBuffers& b) {
  return static_cast<std::size_t>(b.max_ports) * b.symbols * b.grid_subcarriers;
}

AIRAN_HD void ofdm_extract_thread(const OfdmBuffers& b, std::size_t t) {
  const int k = static_cast<int>(t % static_cast<std::size_t>(b.grid_subcarriers));
  const std::size_t row = t / static_cast<std::size_t>(b.grid_subcarriers);
  const int l = static_cast<int>(row % static_cast<std::size_t>(b.symbols));
  const int port = static_cast<int>(row / static_cast<std::size_t>(b.symbols));
  if (port >= b.slot->ports) return;
  const ComplexF bin = b.fft[row * b.fft_size + ofdm_bin(k, b.grid_subcarriers, b.fft_size)];
  b.grid[row * b.grid_row + k] = ofdm_demod_value(bin, b.ramp[k], b.slot->phase[l]);
}

}  // namespace airan::phy::detail

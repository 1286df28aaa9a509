// The GPU OFDM demodulator's kernels, run on the CPU: every thread of the gather and extract
// kernels of detail/gpu_ofdm_kernels.hpp in a loop, FFTW in place of the batched cuFFT, on host
// buffers of the GPU layout (input rows of the subframe's longest slot, an output grid with rows
// wider than the occupied subcarriers, as GpuPuschFrontEnd's; more ports than the slot uses),
// against OfdmDemodulator port by port. This checks the slot descriptor (CP pattern with the
// longer CP every 0.5 ms, window
// offset, upconversion phase), the indexing and the scaling without a GPU.
//
// Tolerance: both sides run the same per-element code and an FFTW transform of the same
// window, possibly with different FFTW plans (MEASURE against ESTIMATE), so the difference is
// FFT rounding only: |emulated - cpu| <= 1e-5 x the RMS of the grid, for every RE. (With both
// plans FFTW_ESTIMATE, as here, the two agree bit for bit on the machine that wrote this.)
#include <gtest/gtest.h>

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <random>
#include <vector>

#include "airan/phy/detail/gpu_ofdm_kernels.hpp"
#include "airan/phy/fftw_planner.hpp"
#include "airan/phy/ofdm/ofdm.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;

struct HostOfdmDemodulator {
  detail::OfdmSlotDescriptor slot{};
  std::vector<ComplexF> input, fft, ramp, grid;
  detail::OfdmBuffers b{};

  HostOfdmDemodulator(const OfdmConfig& c, int max_ports, int grid_row) {
    int input_row = 0;
    for (int s = 0; s < c.numerology.slots_per_subframe(); ++s) input_row = std::max(input_row, c.slot_samples(s));
    const int symbols = c.numerology.symbols_per_slot();
    b.max_ports = max_ports;
    b.symbols = symbols;
    b.fft_size = c.fft_size;
    b.input_row = input_row;
    b.grid_subcarriers = c.grid_subcarriers;
    b.grid_row = grid_row;
    input.assign(static_cast<std::size_t>(max_ports) * input_row, ComplexF{0.0F, 0.0F});
    fft.assign(static_cast<std::size_t>(max_ports) * symbols * c.fft_size, ComplexF{0.0F, 0.0F});
    // Outside the occupied subcarriers the grid must stay as it was: fill it with a marker.
    grid.assign(static_cast<std::size_t>(max_ports) * symbols * grid_row, ComplexF{7.0F, -7.0F});
    for (int k = 0; k < c.grid_subcarriers; ++k) {
      ramp.push_back(detail::ofdm_demod_ramp(k, c.grid_subcarriers, c.fft_size, c.fft_window_offset));
    }
    b.slot = &slot;
    b.input = input.data();
    b.fft = fft.data();
    b.ramp = ramp.data();
    b.grid = grid.data();
  }

  // The batched forward transform of every row, as cuFFT (CUFFT_FORWARD, unnormalised) does it.
  void fft_rows() {
    const int n = b.fft_size;
    const int rows = b.max_ports * b.symbols;
    fftwf_plan plan = nullptr;
    {
      std::lock_guard lock(fftw_planner_mutex());
      auto* data = reinterpret_cast<fftwf_complex*>(fft.data());
      plan = fftwf_plan_many_dft(1, &n, rows, data, nullptr, 1, n, data, nullptr, 1, n, FFTW_FORWARD, FFTW_ESTIMATE);
    }
    ASSERT_NE(plan, nullptr);
    fftwf_execute(plan);
    std::lock_guard lock(fftw_planner_mutex());
    fftwf_destroy_plan(plan);
  }

  void run() {
    for (std::size_t t = 0; t < detail::ofdm_gather_threads(b); ++t) detail::ofdm_gather_thread(b, t);
    fft_rows();
    for (std::size_t t = 0; t < detail::ofdm_extract_threads(b); ++t) detail::ofdm_extract_thread(b, t);
  }
};

struct Case {
  int mu;
  int fft_size;
  int prbs;
  int window_offset;
  bool upconversion;
  int slot;
  int ports;
  int max_ports;
  int grid_row;  // output row stride in subcarriers
};

void check(const Case& k) {
  SCOPED_TRACE("mu " + std::to_string(k.mu) + ", FFT " + std::to_string(k.fft_size) + ", slot " +
               std::to_string(k.slot) + ", offset " + std::to_string(k.window_offset) +
               (k.upconversion ? ", upconversion phase" : ""));
  OfdmConfig c;
  c.numerology.mu = k.mu;
  c.fft_size = k.fft_size;
  c.grid_subcarriers = 12 * k.prbs;
  c.fft_window_offset = k.window_offset;
  c.upconversion_phase = k.upconversion;
  c.carrier_frequency_hz = k.upconversion ? 3.5e9 + 15e3 * 7 : 0.0;
  c.plan_effort = FftPlanEffort::estimate;
  auto modulator = OfdmModulator::create(c);
  auto demodulator = OfdmDemodulator::create(c);
  ASSERT_TRUE(modulator.has_value()) << modulator.error().message;
  ASSERT_TRUE(demodulator.has_value()) << demodulator.error().message;

  // A random grid per port, modulated, plus noise (so that nothing relies on a clean signal).
  std::mt19937_64 e(static_cast<std::uint64_t>(k.mu * 100 + k.slot * 10 + k.window_offset));
  std::normal_distribution<float> normal(0.0F, 1.0F);
  const int symbols = c.numerology.symbols_per_slot();
  const int samples = c.slot_samples(k.slot);
  ResourceGrid tx(k.ports, symbols, c.grid_subcarriers);
  for (auto& v : tx.data()) v = Complex(normal(e), normal(e));
  std::vector<Complex> time(static_cast<std::size_t>(k.ports) * samples);
  for (int p = 0; p < k.ports; ++p) {
    std::span<Complex> port(time.data() + static_cast<std::size_t>(p) * samples, static_cast<std::size_t>(samples));
    ASSERT_TRUE(modulator->modulate(tx, p, port, k.slot).is_ok());
    for (auto& v : port) v += 0.01F * Complex(normal(e), normal(e));
  }
  ResourceGrid cpu(k.ports, symbols, c.grid_subcarriers);
  for (int p = 0; p < k.ports; ++p) {
    std::span<const Complex> port(time.data() + static_cast<std::size_t>(p) * samples, static_cast<std::size_t>(samples));
    ASSERT_TRUE(demodulator->demodulate(port, cpu, p, k.slot).is_ok());
  }

  HostOfdmDemodulator gpu(c, k.max_ports, k.grid_row);
  ASSERT_TRUE(detail::fill_ofdm_slot_descriptor(c, k.slot, k.ports, gpu.slot).is_ok());
  for (int p = 0; p < k.ports; ++p) {
    for (int i = 0; i < samples; ++i) {
      gpu.input[static_cast<std::size_t>(p) * gpu.b.input_row + i] = detail::to_hd(time[static_cast<std::size_t>(p) * samples + i]);
    }
  }
  gpu.run();

  double power = 0.0;
  for (const Complex& v : cpu.data()) power += std::norm(v);
  const double rms = std::sqrt(power / static_cast<double>(cpu.data().size()));
  double worst = 0.0;
  for (int p = 0; p < k.max_ports; ++p) {
    for (int l = 0; l < symbols; ++l) {
      for (int sc = 0; sc < k.grid_row; ++sc) {
        const ComplexF got = gpu.grid[(static_cast<std::size_t>(p) * symbols + l) * k.grid_row + sc];
        if (p >= k.ports || sc >= c.grid_subcarriers) {
          // Ports beyond the slot's and subcarriers beyond the occupied ones are not written.
          ASSERT_TRUE(got.re == 7.0F && got.im == -7.0F) << "port " << p << " symbol " << l << " subcarrier " << sc;
          continue;
        }
        worst = std::max(worst, static_cast<double>(std::abs(detail::from_hd(got) - cpu.at(p, l, sc))) / rms);
      }
    }
  }
  EXPECT_LE(worst, 1e-5) << "worst |emulated - cpu| / rms";
  // And the CPU demodulator itself recovers the transmitted grid (so the comparison is of a
  // working demodulation, not of two equal mistakes).
  double error = 0.0;
  for (std::size_t i = 0; i < tx.data().size(); ++i) error += std::norm(cpu.data()[i] - tx.data()[i]);
  EXPECT_LT(std::sqrt(error / static_cast<double>(tx.data().size())), 0.05);
}

TEST(GpuOfdmEmulation, MatchesTheCpuDemodulator273Prb30KhzFft4096) {
  // 4 ports into a grid with wider rows (as a GpuPuschFrontEnd's of 275 PRBs), and as wide.
  check({1, 4096, 273, 0, false, 0, 4, 4, 12 * 275});
  check({1, 4096, 273, 0, false, 1, 4, 4, 12 * 273});
  // 60 kHz: slot 1 has no longer CP, slot 2 has.
  check({2, 4096, 135, 0, false, 1, 2, 4, 12 * 135});
  check({2, 4096, 135, 0, false, 2, 2, 4, 12 * 135});
}

TEST(GpuOfdmEmulation, WindowOffsetAndUpconversionPhase) {
  check({1, 4096, 273, 144, true, 3, 2, 4, 12 * 273});
  check({1, 2048, 100, 36, false, 2, 1, 2, 12 * 106});
}

TEST(GpuOfdmEmulation, FifteenKhzHasTwoLongCpsPerSlot) {
  // 15 kHz: symbols 0 and 7 of every slot carry the longer CP.
  check({0, 1024, 52, 16, true, 5, 2, 2, 12 * 52});
}

TEST(GpuOfdmEmulation, SlotDescriptorFollowsTheCpPattern) {
  // The longer CP (16 kappa T_c more) opens every 0.5 ms: at 30 kHz symbol 0 of every slot, at
  // 60 kHz symbol 0 of slots 0 and 2 of the subframe only.
  OfdmConfig c;
  c.numerology.mu = 1;
  c.fft_size = 4096;
  c.grid_subcarriers = 12 * 273;
  detail::OfdmSlotDescriptor d{};
  const int long_cp = c.numerology.cp_length_samples(0, 0, 4096);
  const int short_cp = c.numerology.cp_length_samples(1, 0, 4096);
  EXPECT_EQ(long_cp, 352);  // 144 x 2 + 64 at 122.88 Msps
  EXPECT_EQ(short_cp, 288);
  for (int slot : {0, 1, 7}) {
    ASSERT_TRUE(detail::fill_ofdm_slot_descriptor(c, slot, 1, d).is_ok());
    EXPECT_EQ(d.window_start[0], long_cp) << "slot " << slot;
    EXPECT_EQ(d.window_start[1], long_cp + 4096 + short_cp) << "slot " << slot;
    EXPECT_EQ(d.window_start[13], long_cp + 13 * 4096 + 13 * short_cp) << "slot " << slot;
    EXPECT_EQ(d.phase[0].re, 1.0F);
    EXPECT_EQ(d.phase[0].im, 0.0F);
  }
  c.numerology.mu = 2;
  ASSERT_TRUE(detail::fill_ofdm_slot_descriptor(c, 1, 1, d).is_ok());
  EXPECT_EQ(d.window_start[0], c.numerology.cp_length_samples(0, 1, 4096));
  EXPECT_EQ(c.numerology.cp_length_samples(0, 1, 4096), short_cp);
  ASSERT_TRUE(detail::fill_ofdm_slot_descriptor(c, 2, 1, d).is_ok());
  EXPECT_EQ(d.window_start[0], 416);  // 288 + 128: the 16 kappa T_c at 245.76 Msps
  EXPECT_FALSE(detail::fill_ofdm_slot_descriptor(c, -1, 1, d).is_ok());
}

}  // namespace
}  // namespace airan::phy

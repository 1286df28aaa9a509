// Transform precoding (DFT-s-OFDM), TS 38.211 6.3.1.4, and its inverse for the receiver.
//
// For each OFDM symbol l of M = M_sc^PUSCH = 12 n_prb subcarriers:
//   y(l*M + k) = 1/sqrt(M) sum_{i=0}^{M-1} x(l*M + i) e^{-j 2 pi i k / M}
// and the inverse x(l*M + i) = 1/sqrt(M) sum_k y(l*M + k) e^{+j 2 pi i k / M}. Both are unitary.
// M must be 2^a 3^b 5^c (6.3.1.4), i.e. n_prb = 2^a' 3^b 5^c.
//
// A TransformPrecoder holds the FFTW3 plans of one size, made once (planning is serialised
// by fftw_planner_mutex() of fftw_planner.hpp; FFTW's planner is not thread-safe) and its own buffers, so
// apply()/apply_inverse() do not allocate. One object per thread: executing is not shared.
#pragma once

#include <memory>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/fftw_planner.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// OK when n_prb >= 1 and 12 n_prb is 2^a 3^b 5^c; otherwise an error naming n_prb and M.
Status validate_transform_precoding_prbs(int n_prb);

class TransformPrecoder {
 public:
  // Plans for M = 12 n_prb. measure = true uses FFTW_MEASURE (slower to create, tens of ms
  // for large sizes); the default FFTW_ESTIMATE plans instantly.
  static Expected<TransformPrecoder> create(int n_prb, bool measure = false);

  TransformPrecoder(TransformPrecoder&&) noexcept;
  TransformPrecoder& operator=(TransformPrecoder&&) noexcept;
  TransformPrecoder(const TransformPrecoder&) = delete;
  TransformPrecoder& operator=(const TransformPrecoder&) = delete;
  ~TransformPrecoder();

  int subcarriers() const;  // M

  // in.size() == out.size() == a multiple of M (one block per OFDM symbol). in and out may be
  // the same span.
  Status apply(std::span<const Complex> in, std::span<Complex> out);
  Status apply_inverse(std::span<const Complex> in, std::span<Complex> out);

 private:
  struct Impl;
  explicit TransformPrecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy

// Code shared by the CPU and CUDA backends: AIRAN_HD marks functions that nvcc compiles for
// both host and device, so the CPU tests run the very arithmetic the GPU kernels run.
// These headers use no std:: function that has no device version (std::complex's operators
// are not __device__), hence the small float-pair helpers below.
#pragma once

#include <complex>
#include <cstdint>

#if defined(__CUDACC__)
#define AIRAN_HD __host__ __device__ __forceinline__
#else
#define AIRAN_HD inline
#endif

namespace airan::phy::detail {

// Same layout as std::complex<float> (two floats, real first): device buffers hold ComplexF,
// filled byte for byte from host std::complex<float> arrays (cudaMemcpy). Host code converts by
// value (to_hd / from_hd, free after inlining) instead of casting pointers, which would access
// std::complex objects through another type.
struct ComplexF {
  float re;
  float im;
};

inline ComplexF to_hd(std::complex<float> c) { return {c.real(), c.imag()}; }
inline std::complex<float> from_hd(ComplexF c) { return {c.re, c.im}; }

AIRAN_HD ComplexF operator+(ComplexF a, ComplexF b) { return {a.re + b.re, a.im + b.im}; }
AIRAN_HD ComplexF operator-(ComplexF a, ComplexF b) { return {a.re - b.re, a.im - b.im}; }
AIRAN_HD ComplexF operator*(ComplexF a, float s) { return {a.re * s, a.im * s}; }
// a * conj(b), written as GCC evaluates std::complex<float> a * std::conj(b) under
// -fcx-limited-range, so the CPU results stay bit for bit what they were.
AIRAN_HD ComplexF mul_conj(ComplexF a, ComplexF b) { return {a.re * b.re + a.im * b.im, a.im * b.re - a.re * b.im}; }
AIRAN_HD float norm(ComplexF a) { return a.re * a.re + a.im * a.im; }

// As std::min / std::max (including which operand a NaN comparison returns).
AIRAN_HD float min_f(float a, float b) { return b < a ? b : a; }
AIRAN_HD float max_f(float a, float b) { return a < b ? b : a; }
AIRAN_HD float clamp_f(float v, float lo, float hi) { return v < lo ? lo : (hi < v ? hi : v); }

AIRAN_HD int popcount32(std::uint32_t v) {
#if defined(__CUDA_ARCH__)
  return __popc(v);
#else
  return __builtin_popcount(v);
#endif
}

AIRAN_HD float sqrt_f(float v) {
#if defined(__CUDA_ARCH__)
  return ::sqrtf(v);
#else
  return __builtin_sqrtf(v);
#endif
}

AIRAN_HD float abs_f(float v) {
#if defined(__CUDA_ARCH__)
  return ::fabsf(v);
#else
  return __builtin_fabsf(v);
#endif
}
AIRAN_HD float copysign_f(float magnitude, float sign) {
#if defined(__CUDA_ARCH__)
  return ::copysignf(magnitude, sign);
#else
  return __builtin_copysignf(magnitude, sign);
#endif
}

}  // namespace airan::phy::detail

// O-RAN fronthaul U-plane IQ (de)compression, O-RAN.WG4.CUS Annex A: no compression,
// block floating point (A.1), block scaling (A.2) and mu-law (A.3), for iqWidth 1..16.
//
// Samples on the API are int16 IQ, interleaved I,Q, 12 REs = 24 values per PRB: the fixed-point
// format O-RAN carries. Compressed PRBs are laid out as on the wire: the udCompParam byte (absent
// for no compression) followed by 24 values of iqWidth bits, I then Q per RE, packed MSB first
// (network bit order) with no padding between values; 24 * iqWidth bits is always a whole number
// (3 * iqWidth) of bytes.
//
// Methods, exactly:
//  - none (udCompMeth 0): each value is the top iqWidth bits of the int16 (value >> (16 - iqWidth),
//    arithmetic), i.e. the same full-scale fraction as the int16; decompression shifts it back
//    left. iqWidth 16 is the plain big-endian int16.
//  - block floating point (1), Annex A.1: exponent e = the smallest e >= 0 such that every I and Q
//    value v of the PRB satisfies -2^(w-1) <= (v >> e) <= 2^(w-1) - 1 (w = iqWidth). Equivalently
//    (the Annex's pseudo-code) maxValue = max(max v, |min v| - 1), e = max(0, bit_length(maxValue)
//    + 1 - w), e = 0 for an all-zero PRB. The mantissa is v >> e, an arithmetic shift, i.e. rounding
//    toward minus infinity: the Annex writes "Quantize(scaler * v)" leaving the rounding to the
//    implementation; truncation by shift is what srsRAN (iq_compression_bfp_impl) and the Intel/OAI
//    xran reference (xran_bfp_ref.cpp: "ARS data by exponent") do, and it can never overflow the
//    mantissa (rounding to nearest can: the Intel FPGA IP erratum 000091403). MATLAB's
//    nrORANBlockCompress truncates toward zero instead (fix), which differs by one LSB for negative
//    values that are not multiples of 2^e. udCompParam = exponent in the low 4 bits, high 4 bits
//    reserved (0). Decompression: sign-extended mantissa << e. Error: 0 <= v - v' < 2^e.
//  - block scaling (2), Annex A.2, as implemented by MATLAB nrORANBlockCompress/Decompress (the
//    pseudo-code of the Annex was not available to check against; the udCompParam format, an
//    unsigned blockScaler with 1 integer and 7 fractional bits, agrees with Wireshark's
//    packet-oran.c): maxValue as for BFP, blockScaler s = ceil(maxValue / 256) (0..128; 0 for an
//    all-zero PRB, which is then scaled as if s were 1), compressed value
//    c = round(v * 2^(w-9) / s) saturated to [-2^(w-1), 2^(w-1)-1] (round half away from zero, exact
//    rational arithmetic); decompression v' = round(s * c / 2^(w-9)), saturated to int16.
//  - mu-law (3), Annex A.3, as implemented by MATLAB nrORANBlockCompress/Decompress (the
//    udCompParam layout, compBitWidth in the high 4 bits and compShift in the low 4 bits, agrees
//    with Wireshark): compShift = 7 if max|v| < 2^8, 6 if < 2^9, ... 1 if < 2^14, else 0;
//    a = min(|v| << compShift, 2^15 - 1); the magnitude is a / 2^(15-w) for a <= 2^13,
//    a / 2^(16-w) + 2^(w-3) for a <= 2^14, a / 2^(17-w) + 2^(w-2) above, truncated; the value is
//    sign * magnitude carried as a w-bit two's complement integer (magnitude <= 2^(w-1) - 1).
//    compBitWidth carries iqWidth (16 as 0, like udIqWidth). Decompression inverts the three
//    segments and divides by 2^compShift, rounding to nearest (half away from zero) to an int16
//    (MATLAB returns the unrounded value).
#pragma once

#include <complex>
#include <cstdint>
#include <span>

#include "airan/phy/cpu_features.hpp"
#include "airan/phy/expected.hpp"

namespace airan::io {

using Complex = std::complex<float>;

// udCompMeth values (O-RAN.WG4.CUS, udCompHdr). 4..15 are other or reserved methods.
enum class CompressionMethod : std::uint8_t {
  none = 0,
  block_floating_point = 1,
  block_scaling = 2,
  mu_law = 3,
};

struct CompressionParams {
  CompressionMethod method = CompressionMethod::none;
  int iq_width = 16;  // udIqWidth: bits of each I and each Q value, 1..16
};

inline constexpr int kIqValuesPerPrb = 24;  // 12 REs x (I, Q)

// OK when the method is one of the four above and iq_width is 1..16; the error names the field.
Status validate(const CompressionParams& params);

// Bytes of one compressed PRB: none 3*iqWidth; BFP, block scaling and mu-law 1 + 3*iqWidth.
// 0 when validate(params) fails.
int compressed_prb_bytes(const CompressionParams& params);

// udCompHdr: udIqWidth in the high 4 bits (16 written as 0), udCompMeth in the low 4 bits.
// params must be valid.
std::uint8_t encode_comp_header(const CompressionParams& params);
// Errors on a udCompMeth this module does not implement (4..15).
Expected<CompressionParams> decode_comp_header(std::uint8_t header);

// The BFP exponent of one PRB (see above); exposed for tests and diagnostics.
int bfp_exponent(std::span<const std::int16_t> prb_iq /*24*/, int iq_width);

// Compresses n = iq.size() / 24 PRBs into out (n * compressed_prb_bytes(params) bytes).
// Hot path: params must be valid and the sizes right (asserted only); no allocation.
void compress_prbs(const CompressionParams& params, std::span<const std::int16_t> iq,
                   std::span<std::uint8_t> out);
// Decompresses num_prbs PRBs from `in` (untrusted: network input) into iq_out (24 * num_prbs).
// Errors, naming the parameter, when params are invalid, num_prbs < 0, `in` holds fewer than
// num_prbs * compressed_prb_bytes bytes, iq_out is too small, or a PRB carries a udCompParam
// that cannot be decoded to int16 (BFP exponent > 16 - iqWidth; mu-law compBitWidth different
// from iqWidth). Reserved udCompParam bits are ignored, as O-RAN asks of receivers. Never reads
// outside `in`; on error, PRBs before the bad one have been written.
Status decompress_prbs(const CompressionParams& params, std::span<const std::uint8_t> in,
                       int num_prbs, std::span<std::int16_t> iq_out);

// The checks of decompress_prbs without decoding: OK exactly when decompress_prbs(params, in,
// num_prbs, a large enough iq_out) is, with the same error. The slot assembler's descriptor mode
// uses it to accept or reject a section as grid mode does while leaving it compressed.
Status check_compressed_prbs(const CompressionParams& params, std::span<const std::uint8_t> in, int num_prbs);

// The same with an explicit instruction set (tests and benchmarks compare them); an ISA this
// build or processor lacks falls back to generic. The result is bit-identical for every ISA.
void compress_prbs(const CompressionParams& params, std::span<const std::int16_t> iq,
                   std::span<std::uint8_t> out, phy::CpuIsa isa);
Status decompress_prbs(const CompressionParams& params, std::span<const std::uint8_t> in,
                       int num_prbs, std::span<std::int16_t> iq_out, phy::CpuIsa isa);

// Full scale of the float <-> int16 conversion: with scale = kIqFullScale a float amplitude of
// 1.0 maps to 32768 (saturated to 32767), i.e. [-1, 1) covers the int16 range.
inline constexpr float kIqFullScale = 32768.0f;

// iq16[2k] = sat16(round(real(x[k]) * scale)), iq16[2k+1] the same for imag: rounding to nearest
// even, saturating to [-32768, 32767] (NaN gives an unspecified value). iq16.size() == 2 * x.size().
void float_to_iq16(std::span<const Complex> x, float scale, std::span<std::int16_t> iq16);
// x[k] = (iq16[2k] + j iq16[2k+1]) * (1 / scale). x.size() * 2 == iq16.size().
void iq16_to_float(std::span<const std::int16_t> iq16, float scale, std::span<Complex> x);

}  // namespace airan::io

// O-RAN IQ compression (O-RAN.WG4.CUS Annex A): hand-computed BFP bytes, round trips of every
// method and width, edge cases, udCompHdr, decompression of bad input, AVX2 == generic.
#include "airan/io/compression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace airan::io {
namespace {

using phy::CpuIsa;

constexpr CompressionMethod kAllMethods[] = {CompressionMethod::none,
                                             CompressionMethod::block_floating_point,
                                             CompressionMethod::block_scaling,
                                             CompressionMethod::mu_law};

std::vector<std::uint8_t> compress(const CompressionParams& p, const std::vector<std::int16_t>& iq,
                                   CpuIsa isa = phy::best_cpu_isa()) {
  std::vector<std::uint8_t> out(iq.size() / kIqValuesPerPrb * compressed_prb_bytes(p));
  compress_prbs(p, iq, out, isa);
  return out;
}

std::vector<std::int16_t> decompress(const CompressionParams& p, const std::vector<std::uint8_t>& in,
                                     int num_prbs, CpuIsa isa = phy::best_cpu_isa()) {
  std::vector<std::int16_t> iq(static_cast<std::size_t>(num_prbs) * kIqValuesPerPrb, 12345);
  const Status s = decompress_prbs(p, in, num_prbs, iq, isa);
  EXPECT_TRUE(s.is_ok()) << s.message();
  return iq;
}

// Random PRBs: per PRB a random amplitude (2^0 .. 2^15), so that all BFP exponents occur;
// some PRBs hold the extremes.
std::vector<std::int16_t> random_iq(int num_prbs, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::int16_t> iq(static_cast<std::size_t>(num_prbs) * kIqValuesPerPrb);
  for (int p = 0; p < num_prbs; ++p) {
    const int bits = static_cast<int>(rng() % 17);  // 0..16
    const std::int32_t lo = bits == 0 ? 0 : -(1 << (bits - 1));
    const std::int32_t hi = bits == 0 ? 0 : (1 << (bits - 1)) - 1;
    std::uniform_int_distribution<std::int32_t> d(lo, hi);
    for (int i = 0; i < kIqValuesPerPrb; ++i) {
      iq[static_cast<std::size_t>(p) * kIqValuesPerPrb + i] = static_cast<std::int16_t>(d(rng));
    }
    if (p % 7 == 3) iq[static_cast<std::size_t>(p) * kIqValuesPerPrb + rng() % 24] = -32768;
    if (p % 7 == 5) iq[static_cast<std::size_t>(p) * kIqValuesPerPrb + rng() % 24] = 32767;
  }
  return iq;
}

// Largest round-trip error allowed for one PRB of `iq` compressed into `prb` (with its param byte).
std::int32_t error_bound(const CompressionParams& p, const std::uint8_t* prb) {
  const int w = p.iq_width;
  switch (p.method) {
    case CompressionMethod::none: return (1 << (16 - w)) - 1;
    case CompressionMethod::block_floating_point: return (1 << (prb[0] & 0x0f)) - 1;
    case CompressionMethod::block_scaling: {
      // c = round(v 2^(w-9) / s): v' is within half a step (s 2^(9-w)) plus the saturation of c
      // (one more step) plus the final rounding.
      const double step = std::max(1, static_cast<int>(prb[0])) * std::ldexp(1.0, 9 - w);
      return static_cast<std::int32_t>(std::ceil(1.5 * step)) + 1;
    }
    case CompressionMethod::mu_law: {
      // The largest segment step is 2^(17-w) in units of |v| 2^compShift.
      const int shift = prb[0] & 0x0f;
      return static_cast<std::int32_t>(std::ceil(std::ldexp(1.0, 17 - w - shift))) + 2;
    }
  }
  return 0;
}

void expect_round_trip(const CompressionParams& p, const std::vector<std::int16_t>& iq,
                       CpuIsa isa = phy::best_cpu_isa()) {
  const int n = static_cast<int>(iq.size() / kIqValuesPerPrb);
  const auto bytes = compress(p, iq, isa);
  const auto back = decompress(p, bytes, n, isa);
  const int prb_bytes = compressed_prb_bytes(p);
  for (int prb = 0; prb < n; ++prb) {
    const std::int32_t bound = error_bound(p, bytes.data() + prb * prb_bytes);
    for (int i = 0; i < kIqValuesPerPrb; ++i) {
      const std::size_t k = static_cast<std::size_t>(prb) * kIqValuesPerPrb + i;
      const std::int32_t err = iq[k] - back[k];
      if (p.method == CompressionMethod::none || p.method == CompressionMethod::block_floating_point) {
        // truncation by arithmetic shift: the decompressed value never exceeds the input
        ASSERT_GE(err, 0) << "method " << int(p.method) << " w " << p.iq_width << " prb " << prb << " i " << i;
      }
      ASSERT_LE(std::abs(err), bound) << "method " << int(p.method) << " w " << p.iq_width << " prb "
                                      << prb << " i " << i << " in " << iq[k] << " out " << back[k];
    }
  }
}

std::vector<std::uint8_t> hex(std::initializer_list<int> v) {
  std::vector<std::uint8_t> out;
  for (int x : v) out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

TEST(CompressionHeader, EncodesWidthHighNibbleMethodLowNibble) {
  EXPECT_EQ(encode_comp_header({CompressionMethod::block_floating_point, 9}), 0x91);
  EXPECT_EQ(encode_comp_header({CompressionMethod::block_floating_point, 14}), 0xe1);
  EXPECT_EQ(encode_comp_header({CompressionMethod::none, 16}), 0x00);  // 16 is carried as 0
  EXPECT_EQ(encode_comp_header({CompressionMethod::mu_law, 8}), 0x83);
  EXPECT_EQ(encode_comp_header({CompressionMethod::block_scaling, 1}), 0x12);
  for (CompressionMethod m : kAllMethods) {
    for (int w = 1; w <= 16; ++w) {
      const auto d = decode_comp_header(encode_comp_header({m, w}));
      ASSERT_TRUE(d.has_value());
      EXPECT_EQ(d->method, m);
      EXPECT_EQ(d->iq_width, w);
    }
  }
}

TEST(CompressionHeader, UnknownMethodIsAnError) {
  for (int m = 4; m < 16; ++m) {
    const auto d = decode_comp_header(static_cast<std::uint8_t>(0x90 | m));
    ASSERT_FALSE(d.has_value()) << m;
    EXPECT_NE(d.error().message.find("udCompMeth"), std::string::npos) << d.error().message;
  }
}

TEST(CompressionParams, ValidateNamesTheFieldAndSizes) {
  EXPECT_TRUE(validate({CompressionMethod::block_floating_point, 9}).is_ok());
  const Status w0 = validate({CompressionMethod::block_floating_point, 0});
  ASSERT_FALSE(w0.is_ok());
  EXPECT_NE(w0.message().find("iq_width"), std::string::npos);
  EXPECT_FALSE(validate({CompressionMethod::none, 17}).is_ok());
  const Status m = validate({static_cast<CompressionMethod>(5), 9});
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.message().find("method"), std::string::npos);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::block_floating_point, 9}), 28);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::block_floating_point, 14}), 43);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::none, 16}), 48);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::none, 9}), 27);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::block_scaling, 8}), 25);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::mu_law, 8}), 25);
  EXPECT_EQ(compressed_prb_bytes({CompressionMethod::mu_law, 0}), 0);
}

// BFP9, one PRB, derived by hand from Annex A.1:
//   I0 = 2047, Q0 = -2048: maxValue = max(2047, |-2048| - 1) = 2047, 11 bits,
//   exponent = 11 + 1 - 9 = 3. Mantissas (v >> 3, toward minus infinity):
//   255 = 0 1111 1111, -256 = 1 0000 0000, I1 = 13 -> 1 = 0 0000 0001,
//   Q1 = -1 -> -1 = 1 1111 1111 (MATLAB's fix() would give 0), I11 = 7 -> 0, Q11 = -9 -> -2 =
//   1 1111 1110, all others 0.
//   Group of values 0..7 (9 bytes): 011111111 100000000 000000001 111111111 0...0
//     = 01111111 11000000 00000000 00111111 11110000 00000000 x4 = 7F C0 00 3F F0 00 00 00 00
//   values 8..15: 9 zero bytes; values 16..23: 63 zero bits then 111111110 = 00 x7, 01, FE.
TEST(CompressionBfp, HandComputedBfp9) {
  std::vector<std::int16_t> iq(24, 0);
  iq[0] = 2047;
  iq[1] = -2048;
  iq[2] = 13;
  iq[3] = -1;
  iq[22] = 7;
  iq[23] = -9;
  const auto expected = hex({0x03, 0x7F, 0xC0, 0x00, 0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00,  //
                             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,        //
                             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFE});
  const CompressionParams p{CompressionMethod::block_floating_point, 9};
  for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
    EXPECT_EQ(compress(p, iq, isa), expected);
    const auto back = decompress(p, expected, 1, isa);
    EXPECT_EQ(back[0], 2040);   // 255 << 3
    EXPECT_EQ(back[1], -2048);  // -256 << 3
    EXPECT_EQ(back[2], 8);
    EXPECT_EQ(back[3], -8);
    EXPECT_EQ(back[22], 0);
    EXPECT_EQ(back[23], -16);
  }
}

// BFP14, one PRB, by hand: I0 = 32767, Q0 = -32768: maxValue = 32767, 15 bits,
//   exponent = 15 + 1 - 14 = 2. Mantissas: 8191 = 01 1111 1111 1111, -8192 = 10 0000 0000 0000,
//   I1 = 5 -> 1 = 00 0000 0000 0001, Q1 = -5 -> -2 = 11 1111 1111 1110, others 0.
//   Values 0..7 (14 bytes): 01111111 11111110 00000000 00000000 00000000 01111111 11111110 0 x7
//   = 7F FE 00 00 00 7F FE 00 00 00 00 00 00 00; values 8..23: 28 zero bytes.
TEST(CompressionBfp, HandComputedBfp14) {
  std::vector<std::int16_t> iq(24, 0);
  iq[0] = 32767;
  iq[1] = -32768;
  iq[2] = 5;
  iq[3] = -5;
  std::vector<std::uint8_t> expected = hex({0x02, 0x7F, 0xFE, 0x00, 0x00, 0x00, 0x7F, 0xFE});
  expected.resize(43, 0x00);
  const CompressionParams p{CompressionMethod::block_floating_point, 14};
  for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
    EXPECT_EQ(compress(p, iq, isa), expected);
    const auto back = decompress(p, expected, 1, isa);
    EXPECT_EQ(back[0], 32764);
    EXPECT_EQ(back[1], -32768);
    EXPECT_EQ(back[2], 4);
    EXPECT_EQ(back[3], -8);
  }
}

TEST(CompressionBfp, ExponentEdgeCases) {
  auto prb = [](std::int16_t v) { return std::vector<std::int16_t>(24, v); };
  auto one = [](std::int16_t v) {
    std::vector<std::int16_t> x(24, 0);
    x[17] = v;
    return x;
  };
  EXPECT_EQ(bfp_exponent(prb(0), 9), 0);        // all zero
  EXPECT_EQ(bfp_exponent(prb(0), 1), 0);
  EXPECT_EQ(bfp_exponent(one(32767), 9), 7);    // 16 bits - 9
  EXPECT_EQ(bfp_exponent(one(-32768), 9), 7);   // -32768 >> 7 = -256 fits 9 bits
  EXPECT_EQ(bfp_exponent(one(255), 9), 0);      // max positive of 9 bits
  EXPECT_EQ(bfp_exponent(one(256), 9), 1);
  EXPECT_EQ(bfp_exponent(one(-256), 9), 0);     // min negative of 9 bits
  EXPECT_EQ(bfp_exponent(one(-257), 9), 1);
  EXPECT_EQ(bfp_exponent(one(32767), 16), 0);
  EXPECT_EQ(bfp_exponent(one(-32768), 16), 0);
  EXPECT_EQ(bfp_exponent(one(-32768), 15), 1);
  EXPECT_EQ(bfp_exponent(one(-1), 1), 0);       // -1 is a 1-bit two's complement value
  EXPECT_EQ(bfp_exponent(one(1), 1), 1);
  EXPECT_EQ(bfp_exponent(one(-32768), 1), 15);
  EXPECT_EQ(bfp_exponent(one(32767), 1), 15);
  // the definition: smallest e with every v >> e in [-2^(w-1), 2^(w-1) - 1]
  std::mt19937 rng(7);
  for (int t = 0; t < 2000; ++t) {
    const auto iq = random_iq(1, static_cast<std::uint32_t>(rng()));
    for (int w = 1; w <= 16; ++w) {
      int e = 0;
      while (!std::all_of(iq.begin(), iq.end(), [&](std::int16_t v) {
        return (v >> e) >= -(1 << (w - 1)) && (v >> e) <= (1 << (w - 1)) - 1;
      })) {
        ++e;
      }
      ASSERT_EQ(bfp_exponent(iq, w), e) << "w " << w;
    }
  }
}

TEST(CompressionRoundTrip, EveryMethodEveryWidthWithinQuantisationError) {
  const auto iq = random_iq(200, 11);
  for (CompressionMethod m : kAllMethods) {
    for (int w = 1; w <= 16; ++w) {
      for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
        SCOPED_TRACE(testing::Message() << "method " << int(m) << " w " << w << " isa " << int(isa));
        expect_round_trip({m, w}, iq, isa);
      }
    }
  }
}

TEST(CompressionRoundTrip, ExactWhenValuesFit) {
  std::mt19937 rng(3);
  for (int w = 1; w <= 16; ++w) {
    std::uniform_int_distribution<std::int32_t> d(-(1 << (w - 1)), (1 << (w - 1)) - 1);
    std::vector<std::int16_t> small(24 * 40), coarse(24 * 40);
    for (std::size_t i = 0; i < small.size(); ++i) {
      small[i] = static_cast<std::int16_t>(d(rng));  // BFP exponent 0
      coarse[i] = static_cast<std::int16_t>(d(rng) * (1 << (16 - w)));  // low 16 - w bits zero
    }
    for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
      const CompressionParams bfp{CompressionMethod::block_floating_point, w};
      EXPECT_EQ(decompress(bfp, compress(bfp, small, isa), 40, isa), small) << w;
      EXPECT_EQ(decompress(bfp, compress(bfp, coarse, isa), 40, isa), coarse) << w;
      const CompressionParams none{CompressionMethod::none, w};
      EXPECT_EQ(decompress(none, compress(none, coarse, isa), 40, isa), coarse) << w;
    }
  }
  // Block scaling at 16 bits with blockScaler 128 (a PRB reaching full scale) is exact.
  auto iq = random_iq(30, 5);
  for (std::size_t p = 0; p < 30; ++p) iq[p * 24] = 32767;
  const CompressionParams bs{CompressionMethod::block_scaling, 16};
  EXPECT_EQ(decompress(bs, compress(bs, iq), 30), iq);
}

TEST(CompressionEdge, AllZeroFullScaleAndAlternating) {
  std::vector<std::vector<std::int16_t>> cases = {
      std::vector<std::int16_t>(24, 0), std::vector<std::int16_t>(24, 32767),
      std::vector<std::int16_t>(24, -32768), std::vector<std::int16_t>(24)};
  for (int i = 0; i < 24; ++i) cases[3][i] = i % 2 ? -32768 : 32767;
  for (CompressionMethod m : kAllMethods) {
    for (int w = 1; w <= 16; ++w) {
      for (const auto& c : cases) expect_round_trip({m, w}, c);
      const auto zero = decompress({m, w}, compress({m, w}, cases[0]), 1);
      EXPECT_EQ(zero, cases[0]) << int(m) << " " << w;
    }
  }
  const CompressionParams bfp9{CompressionMethod::block_floating_point, 9};
  EXPECT_EQ(compress(bfp9, cases[0])[0], 0);  // all-zero PRB: exponent 0
  EXPECT_EQ(compress(bfp9, cases[1])[0], 7);
  EXPECT_EQ(decompress(bfp9, compress(bfp9, cases[1]), 1)[0], 32640);   // 255 << 7
  EXPECT_EQ(decompress(bfp9, compress(bfp9, cases[2]), 1)[0], -32768);  // -256 << 7, exact
  const auto alt = decompress(bfp9, compress(bfp9, cases[3]), 1);
  EXPECT_EQ(alt[0], 32640);
  EXPECT_EQ(alt[1], -32768);
  // No compression at 16 bits is the big-endian int16.
  const CompressionParams none16{CompressionMethod::none, 16};
  const auto be = compress(none16, cases[3]);
  EXPECT_EQ(be[0], 0x7f);
  EXPECT_EQ(be[1], 0xff);
  EXPECT_EQ(be[2], 0x80);
  EXPECT_EQ(be[3], 0x00);
  // mu-law at full scale: compShift 0, magnitude 2^(w-1) - 1.
  const CompressionParams mu9{CompressionMethod::mu_law, 9};
  const auto mu = compress(mu9, cases[1]);
  EXPECT_EQ(mu[0], 0x90);                 // compBitWidth 9, compShift 0
  EXPECT_EQ(mu[1], 0x7f);                 // 255 = 0 1111 1111 ...
  const auto block = compress({CompressionMethod::block_scaling, 9}, cases[1]);
  EXPECT_EQ(block[0], 128);               // blockScaler ceil(32767 / 256) = 1.0 in Q1.7
}

TEST(CompressionMuLaw, SegmentsAndShift) {
  // Small PRB: max |v| = 100 < 2^8 -> compShift 7; a = 100 << 7 = 12800 is in the second
  // segment: 12800 / 2^(16-9) + 2^(9-3) = 100 + 64 = 164.
  std::vector<std::int16_t> iq(24, 0);
  iq[0] = 100;
  iq[1] = -100;
  const CompressionParams mu9{CompressionMethod::mu_law, 9};
  const auto c = compress(mu9, iq);
  EXPECT_EQ(c[0], 0x97);
  // 164 = 0 1010 0100, -164 = 512 - 164 = 1 0101 1100 -> 01010010 01010111 00...
  EXPECT_EQ(c[1], 0x52);
  EXPECT_EQ(c[2], 0x57);
  const auto back = decompress(mu9, c, 1);
  EXPECT_EQ(back[0], 100);
  EXPECT_EQ(back[1], -100);
}

TEST(CompressionDecompress, RejectsShortBuffersAndBadParams) {
  const auto iq = random_iq(10, 1);
  for (CompressionMethod m : kAllMethods) {
    for (int w : {1, 8, 9, 14, 16}) {
      const CompressionParams p{m, w};
      const auto bytes = compress(p, iq);
      std::vector<std::int16_t> out(240);
      for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
        const std::span<const std::uint8_t> short_in(bytes.data(), bytes.size() - 1);
        const Status s = decompress_prbs(p, short_in, 10, out, isa);
        ASSERT_FALSE(s.is_ok());
        EXPECT_NE(s.message().find("bytes"), std::string::npos) << s.message();
        EXPECT_FALSE(decompress_prbs(p, bytes, -1, out, isa).is_ok());
        EXPECT_FALSE(decompress_prbs(p, bytes, 10, std::span(out).first(239), isa).is_ok());
        EXPECT_FALSE(decompress_prbs(p, {}, 1, out, isa).is_ok());
        EXPECT_TRUE(decompress_prbs(p, {}, 0, out, isa).is_ok());
        EXPECT_TRUE(decompress_prbs(p, bytes, 10, out, isa).is_ok());
      }
    }
  }
  std::vector<std::int16_t> out(240);
  std::vector<std::uint8_t> bytes(28 * 10, 0);
  EXPECT_FALSE(decompress_prbs({CompressionMethod::none, 0}, bytes, 1, out).is_ok());
  EXPECT_FALSE(decompress_prbs({static_cast<CompressionMethod>(4), 9}, bytes, 1, out).is_ok());
  // BFP9 exponent 8 would overflow int16: rejected, naming the PRB; reserved bits are ignored.
  const CompressionParams bfp9{CompressionMethod::block_floating_point, 9};
  for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2}) {
    bytes.assign(28 * 10, 0);
    bytes[28 * 9] = 0x07 | 0xf0;
    EXPECT_TRUE(decompress_prbs(bfp9, bytes, 10, out, isa).is_ok());
    bytes[28 * 6] = 0x08;
    const Status s = decompress_prbs(bfp9, bytes, 10, out, isa);
    ASSERT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find("exponent 8"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("PRB 6"), std::string::npos) << s.message();
  }
  // mu-law: compBitWidth must match udIqWidth.
  const CompressionParams mu9{CompressionMethod::mu_law, 9};
  bytes.assign(28, 0);
  bytes[0] = 0x83;
  const Status s = decompress_prbs(mu9, bytes, 1, out);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("compBitWidth"), std::string::npos) << s.message();
}

TEST(CompressionIsa, Avx2AndGenericGiveIdenticalBytesAndSamples) {
  if (!phy::cpu_isa_available(CpuIsa::avx2)) GTEST_SKIP() << "no AVX2 on this machine or build";
  for (int n : {1, 2, 3, 5, 17, 273}) {
    const auto iq = random_iq(n, static_cast<std::uint32_t>(100 + n));
    for (CompressionMethod m : kAllMethods) {
      for (int w = 1; w <= 16; ++w) {
        const CompressionParams p{m, w};
        const std::size_t size = static_cast<std::size_t>(n) * compressed_prb_bytes(p);
        // guard bytes after the span must survive
        std::vector<std::uint8_t> a(size + 64, 0xa5), b(size + 64, 0xa5);
        compress_prbs(p, iq, std::span(a).first(size), CpuIsa::generic);
        compress_prbs(p, iq, std::span(b).first(size), CpuIsa::avx2);
        ASSERT_EQ(a, b) << "method " << int(m) << " w " << w << " n " << n;
        ASSERT_TRUE(std::all_of(b.begin() + size, b.end(), [](std::uint8_t x) { return x == 0xa5; }));
        // decompress random bytes too (any mantissa bits; BFP exponents kept legal)
        std::mt19937 rng(static_cast<std::uint32_t>(w * 1000 + n));
        std::vector<std::uint8_t> noise(size);
        for (auto& x : noise) x = static_cast<std::uint8_t>(rng());
        if (m == CompressionMethod::block_floating_point) {
          for (int k = 0; k < n; ++k) {
            auto& e = noise[static_cast<std::size_t>(k) * compressed_prb_bytes(p)];
            e = static_cast<std::uint8_t>((e & 0xf0) | ((e & 0x0f) % (17 - w)));
          }
        }
        if (m == CompressionMethod::mu_law) {
          for (int k = 0; k < n; ++k) {
            auto& e = noise[static_cast<std::size_t>(k) * compressed_prb_bytes(p)];
            e = static_cast<std::uint8_t>(((w & 0x0f) << 4) | (e & 0x0f));
          }
        }
        for (const auto* src : {&a, &noise}) {
          const std::span<const std::uint8_t> in(src->data(), size);
          std::vector<std::int16_t> ga(iq.size() + 32, 7), gb(iq.size() + 32, 7);
          ASSERT_TRUE(decompress_prbs(p, in, n, std::span(ga).first(iq.size()), CpuIsa::generic).is_ok());
          ASSERT_TRUE(decompress_prbs(p, in, n, std::span(gb).first(iq.size()), CpuIsa::avx2).is_ok());
          ASSERT_EQ(ga, gb) << "method " << int(m) << " w " << w << " n " << n;
          ASSERT_TRUE(std::all_of(gb.begin() + iq.size(), gb.end(), [](std::int16_t x) { return x == 7; }));
        }
      }
    }
  }
}

TEST(CompressionFloat, ConversionRoundsSaturatesAndInverts) {
  std::vector<Complex> x = {{0.5f, -0.5f}, {1.0f, -1.0f}, {2.0f, -3.0f}, {1.5f / 32768, 2.5f / 32768}};
  for (int i = 0; i < 37; ++i) x.emplace_back(0.001f * static_cast<float>(i), -0.002f * static_cast<float>(i));  // odd length tail
  std::vector<std::int16_t> iq(2 * x.size());
  float_to_iq16(x, kIqFullScale, iq);
  EXPECT_EQ(iq[0], 16384);
  EXPECT_EQ(iq[1], -16384);
  EXPECT_EQ(iq[2], 32767);   // saturated
  EXPECT_EQ(iq[3], -32768);
  EXPECT_EQ(iq[4], 32767);
  EXPECT_EQ(iq[5], -32768);
  EXPECT_EQ(iq[6], 2);       // 1.5 -> 2 (nearest even)
  EXPECT_EQ(iq[7], 2);       // 2.5 -> 2
  for (std::size_t i = 4; i < x.size(); ++i) {
    EXPECT_EQ(iq[2 * i], static_cast<std::int16_t>(std::nearbyint(x[i].real() * kIqFullScale))) << i;
    EXPECT_EQ(iq[2 * i + 1], static_cast<std::int16_t>(std::nearbyint(x[i].imag() * kIqFullScale))) << i;
  }
  std::vector<Complex> back(x.size());
  iq16_to_float(iq, kIqFullScale, back);
  EXPECT_FLOAT_EQ(back[0].real(), 0.5f);
  EXPECT_FLOAT_EQ(back[1].imag(), -1.0f);
  for (std::size_t i = 4; i < x.size(); ++i) {
    EXPECT_NEAR(back[i].real(), x[i].real(), 0.5f / kIqFullScale + 1e-7f);
  }
}

}  // namespace
}  // namespace airan::io

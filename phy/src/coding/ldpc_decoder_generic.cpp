// Portable instantiation of the layered min-sum decoder: plain loops over 32 lanes,
// which the compiler turns into whatever vector instructions the baseline target has.
#define AIRAN_LDPC_ISA_NAMESPACE generic
#include "coding/ldpc_decoder_kernel.hpp"
#include "coding/ldpc_decoder_factory.hpp"

#include <fmt/format.h>

namespace airan::phy {
namespace generic {
namespace {

#define AIRAN_INLINE [[gnu::always_inline]] inline

// GCC/Clang vector extensions: 32 int8 lanes, lowered to whatever vector instructions the
// baseline target has (two SSE2 registers on plain x86-64). Everything is written with
// comparisons, wrapping arithmetic and bitwise selects, which every SIMD ISA has; ternaries on
// byte vectors or signed byte min/max would be scalarised on SSE2.
struct PortableOps {
  // Two 16-byte halves: the width every SIMD ISA (SSE2, NEON) has in one register.
  using H = std::int8_t __attribute__((vector_size(16)));
  using HU = std::uint8_t __attribute__((vector_size(16)));
  struct V {
    H lo, hi;
  };
  using Q = std::int8_t __attribute__((vector_size(8)));
  using H16 = std::int16_t __attribute__((vector_size(16)));
  using H16U = std::uint16_t __attribute__((vector_size(16)));
  struct W {
    H16 part[4];  // lanes 0..7, 8..15, 16..23, 24..31
  };
  AIRAN_INLINE static H16 widen8(Q q) { return __builtin_convertvector(q, H16); }
  AIRAN_INLINE static Q narrow8(H16 x) {
    const H16 lo = H16{} - 128;
    const H16 hi = H16{} + 127;
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    return __builtin_convertvector(x, Q);
  }
  AIRAN_INLINE static W load_wide(const std::int16_t* p) {
    W w;
    std::memcpy(&w.part, p, sizeof w.part);
    return w;
  }
  AIRAN_INLINE static void store_wide(std::int16_t* p, const W& w) { std::memcpy(p, &w.part, sizeof w.part); }
  AIRAN_INLINE static W widen(V v) {
    return {{widen8(__builtin_shufflevector(v.lo, v.lo, 0, 1, 2, 3, 4, 5, 6, 7)),
             widen8(__builtin_shufflevector(v.lo, v.lo, 8, 9, 10, 11, 12, 13, 14, 15)),
             widen8(__builtin_shufflevector(v.hi, v.hi, 0, 1, 2, 3, 4, 5, 6, 7)),
             widen8(__builtin_shufflevector(v.hi, v.hi, 8, 9, 10, 11, 12, 13, 14, 15))}};
  }
  AIRAN_INLINE static V narrow(const W& w) {
    const Q a = narrow8(w.part[0]);
    const Q b = narrow8(w.part[1]);
    const Q c = narrow8(w.part[2]);
    const Q d = narrow8(w.part[3]);
    return {__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            __builtin_shufflevector(c, d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)};
  }
  // |values| stay far below 2^15 (see the kernel), so plain wrapping arithmetic is exact.
  template <typename F>
  AIRAN_INLINE static W each_wide(const W& a, const W& b, F f) {
    return {{f(a.part[0], b.part[0]), f(a.part[1], b.part[1]), f(a.part[2], b.part[2]), f(a.part[3], b.part[3])}};
  }
  AIRAN_INLINE static W add_wide(const W& a, const W& b) {
    return each_wide(a, b, [](H16 x, H16 y) { return reinterpret_cast<H16>(reinterpret_cast<H16U>(x) + reinterpret_cast<H16U>(y)); });
  }
  AIRAN_INLINE static W sub_wide(const W& a, const W& b) {
    return each_wide(a, b, [](H16 x, H16 y) { return reinterpret_cast<H16>(reinterpret_cast<H16U>(x) - reinterpret_cast<H16U>(y)); });
  }
  AIRAN_INLINE static W xor_wide(const W& a, const W& b) {
    return each_wide(a, b, [](H16 x, H16 y) { return x ^ y; });
  }

  template <typename F>
  AIRAN_INLINE static V each(V a, V b, F f) { return {f(a.lo, b.lo), f(a.hi, b.hi)}; }
  AIRAN_INLINE static H hsplat(int x) { return H{} + static_cast<std::int8_t>(x); }
  // mask lanes are 0 or -1: picks b where mask is set, else a.
  AIRAN_INLINE static H select(H mask, H a, H b) { return (a & ~mask) | (b & mask); }
  AIRAN_INLINE static H wrap_add(H a, H b) { return reinterpret_cast<H>(reinterpret_cast<HU>(a) + reinterpret_cast<HU>(b)); }
  AIRAN_INLINE static H wrap_sub(H a, H b) { return reinterpret_cast<H>(reinterpret_cast<HU>(a) - reinterpret_cast<HU>(b)); }
  // Where a + b (or a - b) wrapped, saturate to -128 or 127 by the sign of a.
  AIRAN_INLINE static H saturate(H a, H r, H overflow) {
    const H limit = (a < H{}) ^ hsplat(0x7F);  // -1 ^ 0x7F = -128, 0 ^ 0x7F = 127
    return select(overflow < H{}, r, limit);
  }
  AIRAN_INLINE static H hadds(H a, H b) {
    const H r = wrap_add(a, b);
    return saturate(a, r, (a ^ r) & (b ^ r));
  }
  AIRAN_INLINE static H hsubs(H a, H b) {
    const H r = wrap_sub(a, b);
    return saturate(a, r, (a ^ b) & (a ^ r));
  }

  AIRAN_INLINE static V load(const std::int8_t* p) {
    V v;
    std::memcpy(&v.lo, p, 16);
    std::memcpy(&v.hi, p + 16, 16);
    return v;
  }
  AIRAN_INLINE static void store(std::int8_t* p, V v) {
    std::memcpy(p, &v.lo, 16);
    std::memcpy(p + 16, &v.hi, 16);
  }
  AIRAN_INLINE static V zero() { return {H{}, H{}}; }
  AIRAN_INLINE static V set1(std::int8_t x) { return {hsplat(x), hsplat(x)}; }
  AIRAN_INLINE static V adds(V a, V b) { return each(a, b, hadds); }
  AIRAN_INLINE static V subs(V a, V b) { return each(a, b, hsubs); }
  AIRAN_INLINE static V max(V a, V b) { return each(a, b, [](H x, H y) { return select(y > x, x, y); }); }
  AIRAN_INLINE static V min(V a, V b) { return each(a, b, [](H x, H y) { return select(y < x, x, y); }); }
  // Callers keep lanes above -128, so the negation cannot overflow.
  AIRAN_INLINE static V abs(V a) { return each(a, a, [](H x, H) { return select(x < H{}, x, wrap_sub(H{}, x)); }); }
  AIRAN_INLINE static V cmpgt(V a, V b) { return each(a, b, [](H x, H y) { return H(x > y); }); }
  AIRAN_INLINE static V cmpeq(V a, V b) { return each(a, b, [](H x, H y) { return H(x == y); }); }
  AIRAN_INLINE static V blend(V a, V b, V mask) {
    return {select(mask.lo < H{}, a.lo, b.lo), select(mask.hi < H{}, a.hi, b.hi)};
  }
  AIRAN_INLINE static V bit_xor(V a, V b) { return each(a, b, [](H x, H y) { return x ^ y; }); }
  AIRAN_INLINE static V bit_or(V a, V b) { return each(a, b, [](H x, H y) { return x | y; }); }
  AIRAN_INLINE static V sign(V a, V s) {
    return each(a, s, [](H x, H y) { return select(y == H{}, select(y < H{}, x, wrap_sub(H{}, x)), H{}); });
  }
  // Once per row and chunk, not per edge: a scalar loop is fast enough.
  AIRAN_INLINE static V scale_offset(V magnitude, int scaling_x16, int offset) {
    std::int8_t lanes[32];
    store(lanes, magnitude);
    for (auto& m : lanes) m = static_cast<std::int8_t>(ldpc_math::scale_offset_magnitude(m, scaling_x16, offset));
    return load(lanes);
  }
  AIRAN_INLINE static bool any_negative(V v, int valid_lanes) {
    std::int8_t lanes[32];
    store(lanes, v);
    for (int i = 0; i < valid_lanes; ++i) {
      if (lanes[i] < 0) return true;
    }
    return false;
  }
};

class GenericLdpcDecoder final : public LdpcDecoder {
 public:
  explicit GenericLdpcDecoder(const LdpcDecoderConfig& config)
      : kernel_(config), workspace_(std::make_unique<Workspace>()) {}
  LdpcDecoderResult decode(const LdpcGraph& graph, std::span<const Llr> llrs, std::span<std::uint8_t> c) override {
    return kernel_.decode(*workspace_, graph, llrs, c);
  }
  CpuIsa isa() const override { return CpuIsa::generic; }

 private:
  LayeredMinSum<PortableOps> kernel_;
  std::unique_ptr<Workspace> workspace_;
};

}  // namespace

std::unique_ptr<LdpcDecoder> make_ldpc_decoder(const LdpcDecoderConfig& config) {
  return std::make_unique<GenericLdpcDecoder>(config);
}

}  // namespace generic

Status validate(const LdpcDecoderConfig& config) {
  if (config.max_iterations < 1 || config.max_iterations > 100) {
    return Error{fmt::format("LDPC max_iterations={} is outside 1..100", config.max_iterations)};
  }
  if (config.scaling_x16 < 0 || config.scaling_x16 > 16) {
    return Error{fmt::format("LDPC scaling_x16={} is outside 0..16 (0 = tuned per base graph, else factor/16)",
                             config.scaling_x16)};
  }
  if (config.offset < 0 || config.offset > 32) {
    return Error{fmt::format("LDPC offset={} is outside 0..32", config.offset)};
  }
  return Status::ok();
}

Expected<std::unique_ptr<LdpcDecoder>> create_ldpc_decoder(const LdpcDecoderConfig& config, CpuIsa isa) {
  if (Status s = validate(config); !s) return s.error();
  if (!cpu_isa_available(isa)) {
    return Error{fmt::format("LDPC decoder: instruction set {} is not available on this machine or build",
                             to_string(isa))};
  }
#if defined(AIRAN_HAVE_AVX2_KERNELS)
  if (isa == CpuIsa::avx2) return avx2::make_ldpc_decoder(config);
#endif
  return generic::make_ldpc_decoder(config);
}

}  // namespace airan::phy

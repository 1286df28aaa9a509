// Portable instantiation of the layered min-sum decoder: plain loops over 32 lanes,
// which the compiler turns into whatever vector instructions the baseline target has.
#define AIRAN_LDPC_ISA_NAMESPACE generic
#include "coding/ldpc_decoder_kernel.hpp"
#include "coding/ldpc_decoder_factory.hpp"

#include <fmt/format.h>

namespace airan::phy {
namespace generic {
namespace {

struct PortableOps {
  struct V {
    std::array<std::int8_t, kLanes> lane;
  };
  template <typename F>
  static V map(F f) {
    V out;
    for (int i = 0; i < kLanes; ++i) out.lane[i] = static_cast<std::int8_t>(f(i));
    return out;
  }
  static int saturate(int x) { return std::clamp(x, -128, 127); }

  static V load(const std::int8_t* p) {
    V v;
    std::memcpy(v.lane.data(), p, kLanes);
    return v;
  }
  static void store(std::int8_t* p, const V& v) { std::memcpy(p, v.lane.data(), kLanes); }
  static V zero() { return set1(0); }
  static V set1(std::int8_t x) { return map([&](int) { return x; }); }
  static V adds(const V& a, const V& b) { return map([&](int i) { return saturate(a.lane[i] + b.lane[i]); }); }
  static V subs(const V& a, const V& b) { return map([&](int i) { return saturate(a.lane[i] - b.lane[i]); }); }
  static V max(const V& a, const V& b) { return map([&](int i) { return std::max(a.lane[i], b.lane[i]); }); }
  static V min(const V& a, const V& b) { return map([&](int i) { return std::min(a.lane[i], b.lane[i]); }); }
  static V abs(const V& a) { return map([&](int i) { return a.lane[i] < 0 ? -a.lane[i] : a.lane[i]; }); }
  static V cmpgt(const V& a, const V& b) { return map([&](int i) { return a.lane[i] > b.lane[i] ? -1 : 0; }); }
  static V cmpeq(const V& a, const V& b) { return map([&](int i) { return a.lane[i] == b.lane[i] ? -1 : 0; }); }
  static V blend(const V& a, const V& b, const V& mask) {
    return map([&](int i) { return mask.lane[i] < 0 ? b.lane[i] : a.lane[i]; });
  }
  static V bit_xor(const V& a, const V& b) { return map([&](int i) { return a.lane[i] ^ b.lane[i]; }); }
  static V bit_or(const V& a, const V& b) { return map([&](int i) { return a.lane[i] | b.lane[i]; }); }
  static V sign(const V& a, const V& s) {
    return map([&](int i) { return s.lane[i] < 0 ? -a.lane[i] : (s.lane[i] == 0 ? 0 : a.lane[i]); });
  }
  static V scale_offset(const V& magnitude, int scaling_x16, int offset) {
    return map([&](int i) { return std::clamp((magnitude.lane[i] * scaling_x16 + 8 - 16 * offset) >> 4, 0, 127); });
  }
  static bool any_negative(const V& v, int valid_lanes) {
    for (int i = 0; i < valid_lanes; ++i) {
      if (v.lane[i] < 0) return true;
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

#include "airan/phy/cpu_features.hpp"

#include <cstdlib>

namespace airan::phy {

std::string_view to_string(CpuIsa isa) { return isa == CpuIsa::avx2 ? "avx2" : "generic"; }

std::optional<CpuIsa> parse_cpu_isa(std::string_view name) {
  if (name == "generic") return CpuIsa::generic;
  if (name == "avx2") return CpuIsa::avx2;
  return std::nullopt;
}

bool cpu_isa_available(CpuIsa isa) {
  if (isa == CpuIsa::generic) return true;
#if defined(AIRAN_HAVE_AVX2_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
#else
  return false;
#endif
}

CpuIsa best_cpu_isa() {
  static const CpuIsa best = [] {
    if (const char* forced = std::getenv("AIRAN_CPU_ISA")) {
      if (auto isa = parse_cpu_isa(forced); isa && cpu_isa_available(*isa)) return *isa;
    }
    return cpu_isa_available(CpuIsa::avx2) ? CpuIsa::avx2 : CpuIsa::generic;
  }();
  return best;
}

}  // namespace airan::phy

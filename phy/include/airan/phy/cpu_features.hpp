// Instruction-set selection for the CPU kernels: chosen once at run time so that one
// binary runs on any x86-64 machine and uses AVX2 where the processor has it.
#pragma once

#include <optional>
#include <string_view>

namespace airan::phy {

enum class CpuIsa { generic, avx2 };

std::string_view to_string(CpuIsa isa);
std::optional<CpuIsa> parse_cpu_isa(std::string_view name);

// The best instruction set this build and this processor both support. The environment
// variable AIRAN_CPU_ISA=generic forces the portable kernels (for testing and comparison).
CpuIsa best_cpu_isa();
// True when this build contains the kernels of `isa` and the processor runs them.
bool cpu_isa_available(CpuIsa isa);

}  // namespace airan::phy

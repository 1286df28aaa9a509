# Warnings, SIMD and sanitizer flags shared by every airan target.
add_library(airan_options INTERFACE)
target_compile_options(airan_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
# Complex multiply and divide without the C99 Annex G inf/NaN recovery (a library call per
# operation): IQ samples are finite, and the recovery made equalisation several times slower.
# No errno from math functions and no trapping floating-point exceptions: airan reads neither,
# and both block vectorisation of loops with min/max or sqrt.
target_compile_options(airan_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-fcx-limited-range -fno-math-errno -fno-trapping-math>)

if(AIRAN_NATIVE)
  target_compile_options(airan_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
endif()

if(AIRAN_SANITIZE)
  target_compile_options(airan_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined>)
  target_link_options(airan_options INTERFACE -fsanitize=address,undefined)
endif()

# AVX2 kernels live in their own translation units, compiled with -mavx2 -mfma and
# chosen at run time (cpu_features.hpp), so one binary runs on any x86-64 machine.
set(AIRAN_AVX2_FLAGS -mavx2 -mfma -mbmi2)
include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-mavx2 AIRAN_COMPILER_HAS_AVX2)

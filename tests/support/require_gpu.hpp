// The gpu-labelled tests' guard: without a usable CUDA device the test is skipped, with
// detect_gpu()'s reason as the visible skip message.
#pragma once

#include <gtest/gtest.h>

#include "airan/phy/gpu.hpp"

#define AIRAN_REQUIRE_GPU()                                                        \
  do {                                                                             \
    const ::airan::phy::GpuInfo& airan_gpu = ::airan::phy::detect_gpu();           \
    if (!airan_gpu.available) GTEST_SKIP() << "no GPU: " << airan_gpu.reason;      \
  } while (0)

// GPU tests skip, with their reason, where no CUDA device exists (CI, most laptops).
#include <gtest/gtest.h>

#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

TEST(Gpu, DetectionReportsADeviceOrAReason) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) {
    EXPECT_FALSE(gpu.reason.empty());
    GTEST_SKIP() << "no GPU: " << gpu.reason;
  }
  EXPECT_GE(gpu.device_count, 1);
  EXPECT_FALSE(gpu.name.empty());
  EXPECT_GE(gpu.compute_capability, 80) << "airan supports sm_80 and newer";
}

}  // namespace
}  // namespace airan::phy

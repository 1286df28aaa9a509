// The one EAL of a dpdk_tests process (started on first use with the lab defaults:
// --no-huge --no-pci -m 256 --no-shconf --no-telemetry), shared by every test file.
// When the EAL cannot start here, every test is skipped with the EAL's error.
#pragma once

#include <gtest/gtest.h>

#include "airan/io/dpdk_port.hpp"

namespace airan::io::testing {

inline EalOptions test_options() {
  EalOptions options;
  options.vdevs = {"net_ring0", "net_null0"};
  return options;
}

inline const Expected<DpdkRuntime*>& eal() {
  static const Expected<DpdkRuntime*> runtime = DpdkRuntime::start(test_options());
  return runtime;
}

}  // namespace airan::io::testing

#define REQUIRE_EAL()                                                                                   \
  do {                                                                                                  \
    if (!::airan::io::testing::eal()) {                                                                 \
      GTEST_SKIP() << "EAL cannot start here: " << ::airan::io::testing::eal().error().message;        \
    }                                                                                                   \
  } while (0)

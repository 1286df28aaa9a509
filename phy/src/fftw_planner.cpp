#include "airan/phy/fftw_planner.hpp"

namespace airan::phy {

std::mutex& fftw_planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace airan::phy

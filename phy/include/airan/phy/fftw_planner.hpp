// FFTW's planner is not thread-safe: every plan made in airan is made under this one lock
// (executing plans is thread-safe and needs no lock).
#pragma once

#include <mutex>

namespace airan::phy {

std::mutex& fftw_planner_mutex();

}  // namespace airan::phy

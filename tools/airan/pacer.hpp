// Pacing frames to their capture timestamps, shared by `airan replay --speed` and
// `airan ru-emu --tx-speed`.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>

#include <fmt/format.h>

#include "airan/phy/expected.hpp"

namespace airan::tools {

// "max" -> 0 (no pacing), "realtime" -> 1, a positive number -> that factor of real time.
// `option` names the flag in the error ("--speed", "--tx-speed").
inline Expected<double> parse_speed(const std::string& value, const char* option) {
  if (value == "max") return 0.0;
  if (value == "realtime") return 1.0;
  double speed = -1.0;
  try {
    speed = std::stod(value);
  } catch (...) {
    speed = -1.0;
  }
  if (!(speed > 0.0)) return Error{fmt::format("{} {} is not max, realtime or a positive factor", option, value)};
  return speed;
}

// Paces frames to their capture times: realtime (factor 1) or a speed factor; factor 0: none.
// The first frame goes at once and sets the reference; each later one waits until its offset
// from the first, divided by the factor, has passed.
class Pacer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Pacer(double factor) : factor_(factor) {}
  void wait(std::int64_t timestamp_ns) {
    if (factor_ <= 0.0) return;
    if (!started_) {
      started_ = true;
      first_ = timestamp_ns;
      start_ = Clock::now();
      return;
    }
    const auto due = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                  static_cast<double>(timestamp_ns - first_) / factor_));
    std::this_thread::sleep_until(due);
  }

 private:
  double factor_;
  bool started_ = false;
  std::int64_t first_ = 0;
  Clock::time_point start_;
};

// 1 us of timer slack on this thread while it lives (Linux default: 50 us): short sleeps in a
// polling or pacing loop then wake when asked, not up to 50 us later.
class TimerSlack {
 public:
  TimerSlack() : old_(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) { (void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0); }
  ~TimerSlack() {
    if (old_ > 0) (void)prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_), 0, 0, 0);
  }
  TimerSlack(const TimerSlack&) = delete;
  TimerSlack& operator=(const TimerSlack&) = delete;

 private:
  int old_;
};

// SCHED_FIFO for the calling thread while the object lives: a thread that stamps or paces
// frames must run when its sleep ends, not when a busy machine's fair scheduler gets round to
// it (milliseconds under load). Needs root or CAP_SYS_NICE; without, ok() is false, why() says
// so and the thread keeps its normal priority. The thread sleeps between polls, so it leaves
// the cores to others.
class RealtimePriority {
 public:
  explicit RealtimePriority(int priority) {
    int policy = 0;
    (void)pthread_getschedparam(pthread_self(), &policy, &old_param_);
    old_policy_ = policy;
    sched_param param{};
    param.sched_priority = priority;
    error_ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
  }
  ~RealtimePriority() {
    if (error_ == 0) (void)pthread_setschedparam(pthread_self(), old_policy_, &old_param_);
  }
  RealtimePriority(const RealtimePriority&) = delete;
  RealtimePriority& operator=(const RealtimePriority&) = delete;
  bool ok() const { return error_ == 0; }
  std::string why() const {
    return fmt::format("SCHED_FIFO refused ({}): running at normal priority, arrival times may suffer under load",
                       error_ == EPERM ? "not root and no CAP_SYS_NICE" : std::to_string(error_));
  }

 private:
  int error_ = 0;
  int old_policy_ = SCHED_OTHER;
  sched_param old_param_{};
};

}  // namespace airan::tools

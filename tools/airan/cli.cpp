#include "airan/cli.hpp"

#include <unistd.h>

#include <algorithm>

namespace airan::tools {

ProgressBar::ProgressBar(std::string label, long long total)
    : label_(std::move(label)), total_(std::max(1LL, total)), enabled_(isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(long long done) {
  if (!enabled_) return;
  const int percent = static_cast<int>(100 * std::min(done, total_) / total_);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 40;
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled, "########################################",
               kWidth - filled, "", percent);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!enabled_ || last_percent_ < 0) return;
  std::fprintf(stderr, "\r%*s\r", static_cast<int>(label_.size()) + 50, "");
  std::fflush(stderr);
  last_percent_ = -1;
  enabled_ = false;
}

}  // namespace airan::tools

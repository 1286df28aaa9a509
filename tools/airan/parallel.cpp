#include "airan/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace airan::tools {

std::uint64_t item_seed(std::uint64_t seed, long long item, std::uint64_t stream) {
  std::uint64_t x = (seed + stream * 0xD1B54A32D192ED03ULL) * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(item) + 1;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

int worker_count(int requested, long long items) {
  const int wanted = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(wanted, 1, static_cast<int>(std::clamp<long long>(items, 1, 64)));
}

Status run_workers(int workers, long long items,
                   const std::function<Status(int worker, const std::function<long long()>& next_item)>& run,
                   const std::function<void(long long done)>& report) {
  std::atomic<long long> next{0};
  std::atomic<long long> done{0};
  std::vector<Status> statuses(static_cast<std::size_t>(workers));
  auto body = [&](int worker) {
    bool first = true;
    const std::function<long long()> next_item = [&]() -> long long {
      if (!first) {
        const long long finished = ++done;
        if (worker == 0 && report) report(finished);
      }
      first = false;
      const long long item = next++;
      return item < items ? item : -1;
    };
    statuses[static_cast<std::size_t>(worker)] = run(worker, next_item);
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(body, w);
  body(0);
  for (auto& t : threads) t.join();
  for (const Status& s : statuses) {
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace airan::tools

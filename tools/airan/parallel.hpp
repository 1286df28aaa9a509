// Reproducible parallel simulation: items (codewords, slots) spread over worker threads, each
// item's randomness derived from (seed, item, stream) alone, so results do not depend on the
// number of threads.
#pragma once

#include <cstdint>
#include <functional>

#include "airan/phy/expected.hpp"

namespace airan::tools {

// splitmix64 of (seed, item, stream): an independent random stream per item.
std::uint64_t item_seed(std::uint64_t seed, long long item, std::uint64_t stream = 0);

// Threads to use: `requested`, or all cores when 0, never more than `items` (nor 64).
int worker_count(int requested, long long items);

// Runs run(worker, next_item) on `workers` threads (the caller is worker 0); each worker pulls
// item indices with next_item() until it returns -1. report(done) is called by worker 0 after
// each of its items with the number finished so far (progress bars). Returns the first error.
Status run_workers(int workers, long long items,
                   const std::function<Status(int worker, const std::function<long long()>& next_item)>& run,
                   const std::function<void(long long done)>& report = {});

}  // namespace airan::tools

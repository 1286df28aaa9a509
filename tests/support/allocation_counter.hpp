// Counting replacements of the global operator new/delete, for the tests that check a per-slot
// or per-packet path allocates nothing. They are plain malloc/free unless a test switches
// counting on. Replacement operators are defined once per program: include this header in ONE
// source file of a test binary.
//
// AddressSanitizer brings its own operators and checks that new/delete pairs match; replacing
// them there would make it report mismatches, so the sanitizer build keeps its own and the
// allocation tests skip (kAllocationCountingAvailable is false).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define AIRAN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIRAN_TEST_ASAN 1
#endif
#endif

namespace airan::test_support {

inline std::atomic<bool> g_counting{false};
inline std::atomic<long> g_allocations{0};

#if defined(AIRAN_TEST_ASAN)
inline constexpr bool kAllocationCountingAvailable = false;
#else
inline constexpr bool kAllocationCountingAvailable = true;

inline void* counted_malloc(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
#endif

}  // namespace airan::test_support

#if defined(__GNUC__) && !defined(__clang__)
// GCC pairs the replacement operator new below (malloc) with std::free inside the replacement
// operator delete and calls it a mismatch; both sides are malloc/free, as intended.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#if !defined(AIRAN_TEST_ASAN)
// Every non-aligned form, so that all of them pair malloc with free.
void* operator new(std::size_t size) {
  if (void* p = airan::test_support::counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = airan::test_support::counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return airan::test_support::counted_malloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return airan::test_support::counted_malloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

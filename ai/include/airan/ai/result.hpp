// A value or an error message, for configuration and input errors of ai/.
//
// ai/ depends on no other airan folder, so it cannot use airan::Expected from phy/; this is
// the same idea reduced to what ai/ needs. The message names the parameter that is wrong.
// Building it allocates, which only happens on the error path; nothing per slot returns one.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace airan::ai {

struct ErrorMessage {
  std::string text;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(ErrorMessage error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(storage_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(storage_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(storage_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const std::string& error() const {
    assert(!has_value());
    return std::get<1>(storage_).text;
  }

 private:
  std::variant<T, ErrorMessage> storage_;
};

}  // namespace airan::ai

// anonauth/core/result.hpp: `aa::result<T>`, a value or an `aa::error`.
#pragma once

#include <anonauth/core/error.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace anonauth {

template <class T>
class [[nodiscard]] result {
 public:
  using value_type = T;

  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}                  // NOLINT: implicit by design
  result(anonauth::error e) : state_(std::in_place_index<1>, std::move(e)) {}            // NOLINT
  result(const error_code& kind) : state_(std::in_place_index<1>, anonauth::error(kind)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws `aa::error_exception` if this holds an error.
  T& value() & { check(); return std::get<0>(state_); }
  const T& value() const& { check(); return std::get<0>(state_); }
  T&& value() && { check(); return std::get<0>(std::move(state_)); }

  T& operator*() & noexcept { return *std::get_if<0>(&state_); }
  const T& operator*() const& noexcept { return *std::get_if<0>(&state_); }
  T&& operator*() && noexcept { return std::move(*std::get_if<0>(&state_)); }
  T* operator->() noexcept { return std::get_if<0>(&state_); }
  const T* operator->() const noexcept { return std::get_if<0>(&state_); }

  /// The error; only meaningful when `!has_value()`.
  [[nodiscard]] const anonauth::error& error() const& noexcept { return *std::get_if<1>(&state_); }

 private:
  void check() const {
    if (!has_value()) throw error_exception(error());
  }
  std::variant<T, anonauth::error> state_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;

  result() = default;
  result(anonauth::error e) : error_(std::move(e)), failed_(true) {}           // NOLINT
  result(const error_code& kind) : error_(kind), failed_(true) {}              // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (failed_) throw error_exception(error_);
  }
  [[nodiscard]] const anonauth::error& error() const& noexcept { return error_; }

 private:
  anonauth::error error_{std::string(), std::string(), 0};
  bool failed_ = false;
};

}  // namespace anonauth

// anonauth/rate_limit/no_rate_limit.hpp: the default rate limiter, which allows everything.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/rate_limit/request.hpp>

#include <chrono>
#include <optional>

namespace anonauth {

/// The default: every request is allowed.
struct no_rate_limit {
  static constexpr bool enabled = false;

  [[nodiscard]] constexpr std::optional<std::chrono::milliseconds> acquire(const rate_limit_request&,
                                                                          monotonic_time) const noexcept {
    return std::nullopt;
  }
};

}  // namespace anonauth

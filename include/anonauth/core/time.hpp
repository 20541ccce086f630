// anonauth/core/time.hpp: the timestamp types and the clock policy's default.
#pragma once

#include <chrono>

namespace anonauth {

/// Every stored time: milliseconds since the Unix epoch, UTC (what Better Auth stores).
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// Milliseconds of a monotonic clock: what rate limits run on, so a wall clock stepped back or forward locks nobody out and frees nobody.
using monotonic_time = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;

/// The default clock policy: the system clock, truncated to milliseconds.
struct system_clock {
  [[nodiscard]] timestamp now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace anonauth

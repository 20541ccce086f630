// anonauth/rate_limit/bucket.hpp: one token bucket and its exact integer arithmetic.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>

namespace anonauth::detail {

template <class T>
struct is_chrono_duration : std::false_type {};
template <class Rep, class Ratio>
struct is_chrono_duration<std::chrono::duration<Rep, Ratio>> : std::true_type {};

/// One period in milliseconds, as a reduced ratio. A placeholder for a non-duration, so that
/// E119 is the only error such a Period produces.
template <class Period>
struct period_in_ms {
  using type = std::ratio<1000>;
};
template <class Rep, class Ratio>
struct period_in_ms<std::chrono::duration<Rep, Ratio>> {
  using type = std::ratio_divide<Ratio, std::milli>;
};

/// a - b for a >= b, saturated at the largest int64 (a - b overflows when b is very negative).
constexpr std::int64_t rate_limit_gap(std::int64_t a, std::int64_t b) noexcept {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a > max + b) return max;
  return a - b;
}

/// a + b for b >= 0, saturated at the largest int64.
constexpr std::int64_t rate_limit_sum(std::int64_t a, std::int64_t b) noexcept {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  return a > max - b ? max : a + b;
}

/// The bound of every factor in the bucket arithmetic, so that three of their products add up
/// without overflow.
inline constexpr std::int64_t rate_limit_arithmetic_limit = std::numeric_limits<std::int64_t>::max() / 4;

/// Whether `tokens` per period of num/den milliseconds keeps within rate_limit_arithmetic_limit.
constexpr bool bucket_rate_fits(std::uint64_t tokens, std::int64_t num, std::int64_t den) noexcept {
  constexpr auto limit = static_cast<std::uint64_t>(rate_limit_arithmetic_limit);
  if (num <= 0 || den <= 0 || static_cast<std::uint64_t>(num) > limit || static_cast<std::uint64_t>(den) > limit)
    return false;
  return tokens <= limit / static_cast<std::uint64_t>(num) && tokens <= limit / static_cast<std::uint64_t>(den);
}

/// A bucket's rate, in exact integers: a token is `token_units` units, the bucket holds
/// `bucket_units` and gains `refill_per_ms` units a millisecond. For T tokens per period of
/// num/den milliseconds that is num, T * num and T * den: T tokens per period, with no rounding.
struct bucket_rate {
  std::int64_t token_units = 1;
  std::int64_t refill_per_ms = 1;
  std::int64_t bucket_units = 1;
  std::int64_t full_after_ms = 1;  // an empty bucket is full again after this long (also keeps
                                   // elapsed * refill_per_ms in range after a long idle time)
};

/// The rate of `tokens` per num/den milliseconds; bucket_rate_fits(tokens, num, den) must hold.
constexpr bucket_rate make_bucket_rate(std::uint64_t tokens, std::int64_t num, std::int64_t den) noexcept {
  const auto t = static_cast<std::int64_t>(tokens);
  return {num, t * den, t * num, (num + den - 1) / den};
}

/// A token bucket: its units, counted at `last_ms`.
struct bucket {
  std::int64_t tokens = 0;
  std::int64_t last_ms = 0;
};

/// Credits the bucket with the time from last_ms to now. A clock that goes back credits nothing
/// and last_ms stays put: moving it back would credit the same interval twice once the clock
/// goes forward again (request threads read the clock before taking the lock, so small steps
/// back are routine).
constexpr void refill(bucket& b, const bucket_rate& r, std::int64_t now) noexcept {
  if (now <= b.last_ms) return;
  const std::int64_t elapsed = rate_limit_gap(now, b.last_ms);
  b.tokens = elapsed >= r.full_after_ms ? r.bucket_units
                                        : std::min(r.bucket_units, b.tokens + elapsed * r.refill_per_ms);
  b.last_ms = now;
}

/// How long until a refilled bucket holds a token at `now`: 0 if it does, else at least 1,
/// rounded up (a token is there after exactly that long, not a millisecond before).
constexpr std::int64_t wait_for_token(const bucket& b, const bucket_rate& r, std::int64_t now) noexcept {
  if (b.tokens >= r.token_units) return 0;
  std::int64_t wait = (r.token_units - b.tokens + r.refill_per_ms - 1) / r.refill_per_ms;
  if (now < b.last_ms) wait = rate_limit_sum(wait, rate_limit_gap(b.last_ms, now));
  return wait;
}

/// When a refilled bucket that is not full will be, if nothing is taken from it.
constexpr std::int64_t full_at(const bucket& b, const bucket_rate& r) noexcept {
  return rate_limit_sum(b.last_ms, (r.bucket_units - b.tokens + r.refill_per_ms - 1) / r.refill_per_ms);
}

/// The units a bucket that is not in its table starts with at `now`, when every bucket the
/// table has dropped is full from `lossy_until` on: the least such a bucket can hold now, were
/// it one of them. Full once nothing dropped can still be short of tokens; empty right after a
/// drained bucket was dropped.
constexpr std::int64_t starting_tokens(const bucket_rate& r, std::int64_t lossy_until, std::int64_t now) noexcept {
  if (now >= lossy_until) return r.bucket_units;
  const std::int64_t gap = rate_limit_gap(lossy_until, now);
  if (gap >= r.full_after_ms) return 0;
  return std::max<std::int64_t>(0, r.bucket_units - gap * r.refill_per_ms);
}

}  // namespace anonauth::detail

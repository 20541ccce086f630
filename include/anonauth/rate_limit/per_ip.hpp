// anonauth/rate_limit/per_ip.hpp: aa::per_ip<N, Period>, a budget fixed at compile time per
// client, every credential operation together.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/diag/policies.hpp>
#include <anonauth/rate_limit/bucket.hpp>
#include <anonauth/rate_limit/bucket_table.hpp>
#include <anonauth/rate_limit/keys.hpp>
#include <anonauth/rate_limit/request.hpp>
#include <anonauth/rate_limit/take_tokens.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace anonauth {

/// A token bucket per client (request_context::ip_address, keyed as detail::rate_limit_keys
/// describes), for every credential operation together: each holds at most N tokens and refills
/// continuously at N per Period; a sign-in or sign-up takes one. `aa::per_ip<10, std::chrono::minutes>`
/// allows bursts of 10 and 10 a minute after that. An IPv6 request also takes a token from its
/// /56, which holds ipv6_56_factor times as many, and its /48, ipv6_48_factor times: all three,
/// or none if one is short.
///
/// At most MaxTracked buckets are remembered (an IPv6 client uses three): memory is allocated
/// once, at construction, and never grows; a new bucket in a full shard evicts its least
/// recently used one, and starts short of tokens while an evicted bucket could still be (see
/// detail::bucket_table). Below MaxTracked 3, one IPv6 client's three buckets do not fit together:
/// those left out count as evicted, so the limit errs towards refusing.
///
/// Arithmetic is exact, in integers: one token is `num` units where Period is num/den
/// milliseconds, and a bucket gains N * den units a millisecond. The wait returned is rounded up
/// to whole milliseconds: a token is available after exactly that long, not a millisecond before.
template <std::size_t N, class Period, std::size_t MaxTracked = 65536>
class per_ip {
 public:
  /// An IPv6 /56's budget, in /64 budgets.
  static constexpr std::uint32_t ipv6_56_factor = 4;
  /// An IPv6 /48's budget, in /64 budgets.
  static constexpr std::uint32_t ipv6_48_factor = 16;

 private:
  using period_ms = typename detail::period_in_ms<Period>::type;
  static constexpr std::int64_t arithmetic_limit = detail::rate_limit_arithmetic_limit;
  static constexpr std::uint64_t max_factor = std::max(ipv6_56_factor, ipv6_48_factor);

  // The first of E119's checks that fails, with the three arguments as culprits (diag/policies.hpp).
  static constexpr bool budget_fits =
      period_ms::num <= arithmetic_limit && period_ms::den <= arithmetic_limit &&
      N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::num) / max_factor &&
      N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::den) / max_factor;  // a /48's bucket bounds all
  static_assert(diag::report<diag::first_failure_t<
                    diag::unless_t<(N > 0), diag::per_ip_without_budget<N, Period, MaxTracked>>,
                    diag::unless_t<detail::is_chrono_duration<Period>::value,
                                   diag::per_ip_period_not_a_duration<N, Period, MaxTracked>>,
                    diag::unless_t<(period_ms::num >= period_ms::den),
                                   diag::per_ip_period_under_a_millisecond<N, Period, MaxTracked>>,
                    diag::unless_t<(MaxTracked > 0), diag::per_ip_tracks_nothing<N, Period, MaxTracked>>,
                    diag::unless_t<budget_fits, diag::per_ip_budget_too_large<N, Period, MaxTracked>>,
                    diag::unless_t<(MaxTracked <= (std::size_t{1} << 30)),
                                   diag::per_ip_tracks_too_many<N, Period, MaxTracked>>>>());

  static constexpr bool valid = N > 0 && period_ms::num >= period_ms::den && budget_fits;

  static constexpr detail::bucket_table::rates_type rates() noexcept {
    if constexpr (!valid) {
      return {};  // never used: a static_assert above failed
    } else {
      constexpr auto n = static_cast<std::uint64_t>(N);
      return {detail::make_bucket_rate(n, period_ms::num, period_ms::den),
              detail::make_bucket_rate(n * ipv6_56_factor, period_ms::num, period_ms::den),
              detail::make_bucket_rate(n * ipv6_48_factor, period_ms::num, period_ms::den)};
    }
  }

 public:
  static constexpr bool enabled = true;
  /// The most buckets remembered at once.
  static constexpr std::size_t capacity = MaxTracked;
  /// How many independently locked shards hold them (the LRU order is per shard).
  static constexpr std::size_t shards = detail::bucket_table::shard_count_for(MaxTracked);

  per_ip() : table_(MaxTracked, rates()) {}

  // Movable, since the buckets live on the heap (anonymous_auth initialises its limiter from a
  // value); a moved-from limiter may only be destroyed or assigned to.
  per_ip(per_ip&&) noexcept = default;
  per_ip& operator=(per_ip&&) noexcept = default;
  per_ip(const per_ip&) = delete;
  per_ip& operator=(const per_ip&) = delete;
  ~per_ip() = default;

  /// Takes a token from the buckets of `request.ip_address` at `now`, whatever the operation:
  /// std::nullopt if each had one, otherwise how long until they do. Allocates nothing.
  [[nodiscard]] std::optional<std::chrono::milliseconds> acquire(const rate_limit_request& request,
                                                                 monotonic_time now) {
    const std::array<detail::bucket_claim, detail::max_bucket_claims> claims{
        {{&table_, detail::rate_limit_keys(request.ip_address)}}};
    return detail::take_tokens(claims, 1, nullptr, static_cast<std::int64_t>(now.time_since_epoch().count()));
  }

  /// How many buckets are remembered now (at most `capacity`).
  [[nodiscard]] std::size_t tracked() const { return table_.tracked(); }

 private:
  detail::bucket_table table_;
};

}  // namespace anonauth

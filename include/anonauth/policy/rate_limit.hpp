// anonauth/policy/rate_limit.hpp: the concept of a rate-limit policy for credential operations.
//
// A rate limiter decides, per request, whether a sign-in or sign-up may go ahead:
//
//   aa::credential_limits limits;  // Better Auth's production limits, plus a per-email and a global one
//   const aa::rate_limit_request request{aa::credential_operation::anonymous_sign_in, ip_address, {}};
//   if (auto wait = limits.acquire(request, now)) { /* refused: retry after *wait */ }
//
// aa::no_rate_limit (the default) allows everything. aa::per_ip<N, Period> is a budget fixed at
// compile time, per client, every operation together; aa::credential_limits is configured at run
// time, per operation, per email and over everything. Both keep their token buckets in memory
// allocated once, at construction, and run on a monotonic clock.
//
// The built-in models are in rate_limit/ and included here, so that this header gives what it
// always gave: no_rate_limit.hpp, per_ip.hpp, credential_limits.hpp.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/rate_limit/credential_limits.hpp>
#include <anonauth/rate_limit/no_rate_limit.hpp>
#include <anonauth/rate_limit/per_ip.hpp>
#include <anonauth/rate_limit/request.hpp>

#include <chrono>
#include <concepts>
#include <optional>

namespace anonauth {

/// Decides whether a request may go ahead. `acquire(request, now)` returns std::nullopt when it
/// may (its tokens were taken), or how long until it may (more than zero). Called concurrently
/// from many request threads: a stateful limiter must synchronise itself.
template <class P>
concept rate_limit_policy = requires(P& p, const rate_limit_request& r, monotonic_time now) {
  { p.acquire(r, now) } -> std::same_as<std::optional<std::chrono::milliseconds>>;
};

static_assert(rate_limit_policy<no_rate_limit>);
static_assert(rate_limit_policy<per_ip<1, std::chrono::seconds, 1>>);
static_assert(rate_limit_policy<credential_limits>);

}  // namespace anonauth

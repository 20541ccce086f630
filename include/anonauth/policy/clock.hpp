// anonauth/policy/clock.hpp: the concept of a clock policy.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
// The built-in model, aa::system_clock, is in core/time.hpp.
#pragma once

#include <anonauth/core/time.hpp>

#include <concepts>

namespace anonauth {

/// Tells the time. The default is aa::system_clock; tests inject a manual clock. A clock may
/// also give `steady_now() -> aa::monotonic_time`, what rate limits run on (default
/// std::chrono::steady_clock): a test clock gives one so that limits follow its time.
template <class C>
concept clock_policy = requires(const C& c) {
  { c.now() } -> std::same_as<timestamp>;
};

}  // namespace anonauth

// anonauth/policy/crypto.hpp: concepts of the password hasher, clock, session and random source
// policies.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
#pragma once

#include <anonauth/core/time.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace anonauth {

/// Hashes passwords for storage and checks them. The default is aa::argon2id<> (libsodium).
/// `verify` must take time independent of where the password differs.
template <class H>
concept password_hasher_policy = requires(const H& h, std::string_view s) {
  { h.hash(s) } -> std::convertible_to<std::string>;
  { h.verify(s, s) } -> std::convertible_to<bool>;
};

/// Tells the time. The default is aa::system_clock; tests inject a manual clock.
template <class C>
concept clock_policy = requires(const C& c) {
  { c.now() } -> std::same_as<timestamp>;
};

/// How long sessions last and when use extends them: `lifetime` and `update_age`, both
/// convertible to std::chrono::seconds, static constexpr. A session used once `update_age` has
/// passed since it was last extended lives `lifetime` from that use (Better Auth's expiresIn and
/// updateAge); `update_age` of zero extends on every use.
template <class P>
concept session_policy = requires {
  { std::chrono::seconds(P::lifetime) };
  { std::chrono::seconds(P::update_age) };
} && (std::chrono::seconds(P::lifetime).count() > 0) && (std::chrono::seconds(P::update_age).count() >= 0) &&
    (std::chrono::seconds(P::update_age) <= std::chrono::seconds(P::lifetime));

/// Better Auth's defaults: 7 days, extended on use once a day has passed.
struct better_auth_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{7}};
  static constexpr std::chrono::seconds update_age{std::chrono::days{1}};
};

/// Fills bytes with randomness for ids, tokens and generated names. The default is libsodium's
/// CSPRNG (aa::sodium_random); session tokens are only as good as this source. `fill` is called
/// from many request threads at once: a stateful source must synchronise itself.
template <class R>
concept random_policy = requires(R& r, std::span<std::uint8_t> bytes) {
  { r.fill(bytes) };
};

}  // namespace anonauth

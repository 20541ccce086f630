// anonauth/policy/crypto.hpp: concepts of the password hasher, clock, session and random source
// policies.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
#pragma once

#include <anonauth/core/time.hpp>

#include <algorithm>
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

/// Tells the time. The default is aa::system_clock; tests inject a manual clock. A clock may
/// also give `steady_now() -> aa::monotonic_time`, what rate limits run on (default
/// std::chrono::steady_clock): a test clock gives one so that limits follow its time.
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

/// Better Auth's defaults: 7 days, extended on use once a day has passed; a session opened
/// with remember_me = false lives one day; list_sessions wants a session at most a day old.
struct better_auth_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{7}};
  static constexpr std::chrono::seconds update_age{std::chrono::days{1}};
  static constexpr std::chrono::seconds short_lifetime{std::chrono::days{1}};
  static constexpr std::chrono::seconds fresh_age{std::chrono::days{1}};
};

namespace detail {
/// A session policy may also give `absolute_lifetime` (below), `short_lifetime` (a session opened with remember_me =
/// false; default one day, at most `lifetime`) and `fresh_age` (how recent a session must be
/// for list_sessions, Better Auth's freshAge; default one day, 0 switches the check off).
template <class P>
constexpr std::chrono::seconds short_lifetime_of() {
  if constexpr (requires { std::chrono::seconds(P::short_lifetime); })
    return std::min(std::chrono::seconds(P::short_lifetime), std::chrono::seconds(P::lifetime));
  else
    return std::min(std::chrono::seconds(std::chrono::days{1}), std::chrono::seconds(P::lifetime));
}
/// `absolute_lifetime`: how long after it began a session ends, however often it is used
/// (OWASP ASVS 3.3); 0, the default, is no bound (Better Auth's rule). A guest's session is its
/// only credential: bounding it ends the guest, so pair it with the purge and a sign-up prompt.
template <class P>
constexpr std::chrono::seconds absolute_lifetime_of() {
  if constexpr (requires { std::chrono::seconds(P::absolute_lifetime); }) return std::chrono::seconds(P::absolute_lifetime);
  else return std::chrono::seconds{0};
}
template <class P>
constexpr std::chrono::seconds fresh_age_of() {
  if constexpr (requires { std::chrono::seconds(P::fresh_age); }) return std::chrono::seconds(P::fresh_age);
  else return std::chrono::days{1};
}
}  // namespace detail

/// Fills bytes with randomness for ids, tokens and generated names. The default is libsodium's
/// CSPRNG (aa::sodium_random); session tokens are only as good as this source. `fill` is called
/// from many request threads at once: a stateful source must synchronise itself.
template <class R>
concept random_policy = requires(R& r, std::span<std::uint8_t> bytes) {
  { r.fill(bytes) };
};

}  // namespace anonauth

// anonauth/policy/session.hpp: the concept of a session policy, and how the host reads the
// optional parts of one.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
// The built-in model, aa::better_auth_sessions, is in sessions/better_auth.hpp.
#pragma once

#include <algorithm>
#include <chrono>

namespace anonauth {

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

}  // namespace anonauth

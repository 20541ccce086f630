// anonauth/sessions/better_auth.hpp: the built-in session policies (models of
// anonauth::session_policy, policy/session.hpp). This folder holds session policies only; the
// concept stays in policy/.
#pragma once

#include <chrono>

namespace anonauth {

/// Better Auth's defaults: 7 days, extended on use once a day has passed; a session opened
/// with remember_me = false lives one day; list_sessions wants a session at most a day old.
struct better_auth_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{7}};
  static constexpr std::chrono::seconds update_age{std::chrono::days{1}};
  static constexpr std::chrono::seconds short_lifetime{std::chrono::days{1}};
  static constexpr std::chrono::seconds fresh_age{std::chrono::days{1}};
};

}  // namespace anonauth

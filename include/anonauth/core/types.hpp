// anonauth/core/types.hpp: the value types operations take and return.
#pragma once

#include <anonauth/core/time.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anonauth {

/// What an operation knows of the request that caused it. `session_token` is the raw token a
/// client presents (cookie or bearer); it is what links a sign-up to the guest making it.
struct request_context {
  std::optional<std::string> session_token;
  std::string ip_address;
  std::string user_agent;
  /// Whether the request asks to link the guest whose session it carries. Only
  /// aa::strict_linking reads it: without that option, a sign-in carrying a guest's session
  /// links it (Better Auth's rule).
  bool link_guest = false;
};

/// A session as stored and returned. The token itself is never stored, only its hash.
struct session {
  std::string id;
  std::string user_id;
  timestamp expires_at;
  timestamp created_at;
  timestamp updated_at;
  std::string ip_address;
  std::string user_agent;
};

/// The answer to every sign-in: the raw token (shown once, never stored), its session, its user.
template <class User>
struct signed_in {
  std::string token;
  anonauth::session session;
  User user;
};

/// The answer to get-session.
template <class User>
struct session_view {
  anonauth::session session;
  User user;
};

/// Whether looking a session up may extend it (Better Auth's refresh after updateAge).
/// `never` is Better Auth's disableRefresh, and what it does for a rememberMe: false session.
enum class session_refresh { on_use, never };

/// What anonymous_auth::lookup_session found: the session and its user, and whether this
/// lookup extended the session (the HTTP layer then re-sends the cookie with a fresh Max-Age).
template <class User>
struct session_lookup {
  session_view<User> view;
  bool refreshed = false;
};

/// One of a user's sessions, as anonymous_auth::list_sessions gives them.
struct listed_session {
  anonauth::session session;
  /// Whether this is the session the request was made with.
  bool current = false;
};

struct email_sign_up {
  std::string email;
  std::string password;
  std::string name;
  std::optional<std::string> image;
  /// Better Auth's rememberMe: false opens a short session (the session policy's
  /// short_lifetime, one day by default) that the HTTP layer never extends.
  bool remember_me = true;
};

struct email_sign_in {
  std::string email;
  std::string password;
  /// As email_sign_up::remember_me.
  bool remember_me = true;
};

/// A verified identity from a social provider, as an OAuth callback yields it.
struct social_profile {
  std::string provider_id;
  std::string account_id;
  std::string email;
  std::string name;
  std::optional<std::string> image;
  bool email_verified = false;
};

/// SHA-256 of a session token: the only form in which a token is stored.
using token_hash = std::array<std::uint8_t, 32>;

/// A stored session: the public part and the hash of its token.
struct session_record {
  anonauth::session session;
  token_hash hash{};
};

/// A credential or social account of a user (Better Auth's `account` table, minus OAuth tokens).
struct account {
  std::string id;
  std::string user_id;
  std::string provider_id;  // "credential" for email and password
  std::string account_id;   // the provider's id of the user; the user id for "credential"
  std::optional<std::string> password_hash;  // Argon2id string, credential accounts only
  timestamp created_at;
  timestamp updated_at;
};

inline constexpr const char* credential_provider = "credential";

/// The operations that take or create a credential: what rate limits and audit events name.
enum class credential_operation { anonymous_sign_in, email_sign_in, email_sign_up, social_sign_in };

[[nodiscard]] constexpr std::string_view to_string(credential_operation op) noexcept {
  switch (op) {
    case credential_operation::anonymous_sign_in: return "anonymous_sign_in";
    case credential_operation::email_sign_in: return "email_sign_in";
    case credential_operation::email_sign_up: return "email_sign_up";
    case credential_operation::social_sign_in: return "social_sign_in";
  }
  return "unknown";
}

/// Which guests aa::anonymous_auth::purge_anonymous_users removes, given its cut-off time:
/// `created`: every guest created before it; `last_seen`: those of them not seen since (no
/// session created or extended at or after the cut-off).
enum class purge_by { created, last_seen };

}  // namespace anonauth

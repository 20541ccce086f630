// anonauth/audit/event_types.hpp: what aa::audit<Sink> reports. The concept of a sink is in
// policy/audit_sink.hpp, the built-in sinks in audit/sinks.hpp and audit/json_lines_file.hpp.
//
//   struct my_sink {
//     void operator()(const aa::events::guest_linked& e) { log(e.guest_id, "->", e.user_id); }
//     void operator()(const auto&) {}  // every other event
//   };
//   aa::anonymous_auth<app_schema, aa::audit<my_sink>> auth;
//
// Events are reported after the fact: once the change committed (or, for link_failed, once it
// was rolled back), from the request thread that made it. A sink is called concurrently by many
// threads and must synchronise itself. Without aa::audit, no event is built.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth {

namespace events {

/// The operation that linked or promoted a guest.
enum class link_via { sign_up_email, sign_in_email, sign_in_social };

[[nodiscard]] constexpr std::string_view to_string(link_via via) noexcept {
  switch (via) {
    case link_via::sign_up_email: return "sign_up_email";
    case link_via::sign_in_email: return "sign_in_email";
    case link_via::sign_in_social: return "sign_in_social";
  }
  return "unknown";
}

/// A guest signed in anonymously.
struct guest_created {
  timestamp at;
  std::string user_id;
  std::string ip_address;
};

/// What one migrator of the link did: `rows` is the rows reassigned or dropped, or the fields
/// copied; a custom migrator (aa::on_link) reports none.
struct migrator_rows {
  std::string_view migrator;  // "reassign", "drop", "leave", "copy_if_empty", "copy_fields", "on_link"
  std::string_view table;     // SQL name
  std::string_view columns;   // comma-separated; empty for on_link
  std::optional<std::size_t> rows;
};

/// A guest linked to a real account; its data migrated, one entry per migrator in order.
/// `migrated` is valid during the call only.
struct guest_linked {
  timestamp at;
  std::string guest_id;
  std::string user_id;
  link_via via;
  std::span<const migrator_rows> migrated;
  bool guest_deleted;  // false with aa::keep_anonymous_user
};

/// A guest became the real user in place (aa::on_sign_up<aa::promote_in_place>): same id.
struct guest_promoted {
  timestamp at;
  std::string user_id;
  link_via via;
};

/// A link was attempted and rolled back: nothing changed. `code` and `message` are the error the
/// operation answered.
struct link_failed {
  timestamp at;
  std::string guest_id;
  std::string user_id;  // the account it was linking to (rolled back too if the sign-up created it)
  link_via via;
  std::string code;
  std::string message;
};

/// A guest deleted itself (delete-anonymous-user).
struct guest_deleted {
  timestamp at;
  std::string user_id;
};

/// purge_anonymous_users finished: `count` guests deleted.
struct guests_purged {
  timestamp at;
  timestamp cutoff;
  purge_by by;
  std::size_t count;
};

// --- sign-ins, sign-outs and refusals ------------------------------------------------------
// A sink receives these only if it is callable with them (a template or an overload each):
// sinks written for the six events above keep compiling. None carries a password, a token or
// the email typed at a failed sign-in (users type passwords into the email field).

/// An email or social sign-in opened a session (a guest it linked is reported apart).
struct signed_in {
  timestamp at;
  std::string user_id;
  credential_operation operation;
  std::string ip_address;
};

/// An email or social sign-in refused for its credential: a wrong password, an unknown email,
/// an unlinked social account. `user_id` is the account the email named, if there is one.
struct sign_in_failed {
  timestamp at;
  std::optional<std::string> user_id;
  credential_operation operation;
  std::string ip_address;
  std::string code;
};

/// A new account: an email sign-up, or a first social sign-in that created its user.
struct signed_up {
  timestamp at;
  std::string user_id;
  credential_operation operation;
  std::string ip_address;
};

/// A session ended by sign-out.
struct signed_out {
  timestamp at;
  std::string user_id;
  std::string session_id;
};

/// Sessions of a user ended by revoke-session, revoke-sessions or revoke-other-sessions.
struct sessions_revoked {
  timestamp at;
  std::string user_id;
  std::size_t count;
};

/// A credential operation refused before it did anything: TOO_MANY_REQUESTS (a rate limit) or
/// SERVER_BUSY (the hashing bound).
struct request_refused {
  timestamp at;
  credential_operation operation;
  std::string ip_address;
  std::string code;
  std::chrono::seconds retry_after;
};

}  // namespace events

}  // namespace anonauth

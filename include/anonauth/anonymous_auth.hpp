// anonauth/anonymous_auth.hpp: the composed host, `aa::anonymous_auth<Schema, Options...>`.
//
// The host is the composition: the options resolved once (auth/resolved.hpp, whose constant
// `valid` is the one validity gate), the storage and policy objects (auth/state.hpp), and the
// operations, each a forwarder to its family in anonauth/operations/.
//
// One object serves every request thread: operations may be called concurrently. Writes run in
// storage transactions; password hashing runs outside them, so a slow hash never holds a lock.
#pragma once

#include <anonauth/auth/check.hpp>
#include <anonauth/auth/inert_table.hpp>
#include <anonauth/auth/resolved.hpp>
#include <anonauth/auth/state.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/operations/anonymous_sign_in.hpp>
#include <anonauth/operations/deletion.hpp>
#include <anonauth/operations/email.hpp>
#include <anonauth/operations/sessions.hpp>
#include <anonauth/operations/social.hpp>
#include <anonauth/operations/user.hpp>
#include <anonauth/table_handle.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth {

/// Guest accounts that upgrade to real accounts, over a static schema. See docs/getting-started.md.
///
/// Operations that return aa::result answer a storage failure with their error code and leave
/// storage unchanged; get_session, sign_out, find_user and table handles throw aa::storage_error.
/// The password hasher may throw (Argon2id out of memory), and so may an audit sink: it is called
/// once the change has committed, so its exception reaches the caller with the change kept.
/// Policies, migrators and update_user's edit run on request threads, some under the storage's
/// write lock: they must not call back into the same auth (the memory storage refuses it with
/// std::logic_error rather than deadlocking).
template <class Schema, class... Options>
class anonymous_auth {
  using resolved = detail::resolved_auth<Schema, Options...>;
  using state_type = detail::auth_state<resolved>;
  static constexpr bool valid = resolved::valid;
  /// Whether the operations run: not once the schema failed its check, when the program's user
  /// row (user_type) is not the one they were built over; the tagged error is then the only one.
  static constexpr bool runs = resolved::schema_valid;

 public:
  using schema_type = typename resolved::schema_type;
  using user_type = typename resolved::program_user_type;
  using storage_type = typename resolved::storage_type;
  using backend_type = typename resolved::backend_type;
  using storage_config = typename resolved::storage_config;
  using email_type = typename resolved::email_type;
  using naming_type = typename resolved::naming_type;
  using link_type = typename resolved::link_type;
  using hasher_type = typename resolved::hasher_type;
  using clock_type = typename resolved::clock_type;
  using random_type = typename resolved::random_type;
  using sessions_type = typename resolved::sessions_type;
  using rate_limit_type = typename resolved::rate_limit_type;
  using audit_type = typename resolved::audit_type;
  using sign_up_type = typename resolved::sign_up_type;

  /// aa::on_sign_up<aa::promote_in_place>: sign-up turns the guest's row into the user.
  static constexpr bool promotes_in_place = resolved::promotes_in_place;
  /// Whether an aa::audit<Sink> is set: without one, no event is built.
  static constexpr bool audited = resolved::audited;
  static constexpr bool rate_limited = resolved::rate_limited;
  /// aa::strict_linking: a sign-in links its guest only when request_context::link_guest is set.
  static constexpr bool links_only_when_asked = resolved::links_only_when_asked;
  /// Whether a sign-in that verified a hash made at a lower cost stores a fresh one: the hasher
  /// has needs_rehash(hash) and the storage update_password_hash.
  static constexpr bool can_rehash = resolved::can_rehash;
  /// Better Auth's disableDeleteAnonymousUser.
  static constexpr bool keeps_anonymous_user = resolved::keeps_anonymous_user;
  /// How long a session lives (Better Auth's expiresIn), and after how long a use extends it
  /// (updateAge): aa::sessions<P>, by default 7 days and 1 day.
  static constexpr std::chrono::seconds session_lifetime = resolved::session_lifetime;
  static constexpr std::chrono::seconds session_update_age = resolved::session_update_age;
  /// How long a session opened with remember_me = false lives (Better Auth: one day).
  static constexpr std::chrono::seconds session_short_lifetime = resolved::session_short_lifetime;
  /// How recent a session must be for list_sessions (Better Auth's freshAge); 0: no limit.
  static constexpr std::chrono::seconds session_fresh_age = resolved::session_fresh_age;
  /// How long after it began a session ends however it is used; 0: never (Better Auth's rule).
  static constexpr std::chrono::seconds session_absolute_lifetime = resolved::session_absolute_lifetime;

  anonymous_auth()
    requires valid
      : anonymous_auth(storage_config{}) {}

  /// Builds the storage from its config; stateful policies may follow in any order, each
  /// replacing its default-constructed instance (e.g. aa::runtime_domain_email{"guest.app.com"},
  /// the audit sink aa::json_lines_file{"audit.jsonl"}, a configured aa::credential_limits, or
  /// aa::hashing_limits). Computes one hash (what unknown emails are checked against).
  template <class... Policies>
    requires valid
  explicit anonymous_auth(const storage_config& config, Policies&&... policies)
      : state_(config, std::forward<Policies>(policies)...) {}

  /// After a failed check, whatever the program passes is taken (and never used: the program
  /// does not compile), so the check's error is the only one.
  template <class... Arguments>
    requires(!valid)
  explicit anonymous_auth(Arguments&&...) : state_(storage_config{}) {}

  anonymous_auth(const anonymous_auth&) = delete;
  anonymous_auth& operator=(const anonymous_auth&) = delete;

  // --- anonymous sign-in: operations/anonymous_sign_in.hpp --------------------------------------

  /// POST /sign-in/anonymous: a new guest with a session. With aa::rate_limit, a request over
  /// its budget is TOO_MANY_REQUESTS (429) with error::retry_after(), as for every credential
  /// operation: the limit is taken first, so a refusal costs no hash and no write.
  result<signed_in<user_type>> sign_in_anonymous(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<signed_in<user_type>>>();
    else return operations::sign_in_anonymous(state_, request);
  }

  // --- email and password: operations/email.hpp ------------------------------------------------

  /// POST /sign-up/email. With a guest's session on the request, links the guest to the new
  /// account: account, migrations and the guest's deletion commit together or not at all. With
  /// aa::on_sign_up<aa::promote_in_place>, the guest's own row becomes the account instead.
  result<signed_in<user_type>> sign_up_email(const email_sign_up& body, const request_context& request) {
    return sign_up_email(body, request, [](user_type&) {});
  }

  /// sign_up_email, with `init(User&)` setting the new user's application fields (Better
  /// Auth's additional fields in the sign-up body) before anything is stored. `init` may not
  /// change a core field (std::invalid_argument); text it sets follows update_user's rules.
  template <class Init>
    requires std::invocable<Init&, user_type&>
  result<signed_in<user_type>> sign_up_email(const email_sign_up& body, const request_context& request, Init&& init) {
    if constexpr (!runs) return detail::inert_answer<result<signed_in<user_type>>>();
    else return operations::sign_up_email(state_, body, request, init);
  }

  /// POST /sign-in/email. With a guest's session on the request, links the guest to the account.
  result<signed_in<user_type>> sign_in_email(const email_sign_in& body, const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<signed_in<user_type>>>();
    else return operations::sign_in_email(state_, body, request);
  }

  // --- social sign-in: operations/social.hpp ---------------------------------------------------

  /// A verified identity from an OAuth callback. Signs in the account that owns it, or the user
  /// with its email (only when both the provider and the user verified it), or creates a user.
  /// With a guest's session on the request, links the guest to that account; with
  /// aa::on_sign_up<aa::promote_in_place>, a first social sign-in promotes the guest instead.
  result<signed_in<user_type>> sign_in_social(const social_profile& profile, const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<signed_in<user_type>>>();
    else return operations::sign_in_social(state_, profile, request);
  }

  // --- sessions: operations/sessions.hpp -------------------------------------------------------

  /// GET /get-session: the session and user a token belongs to, if it is valid and unexpired.
  /// An expired session is deleted; one last extended `session_update_age` ago or more is
  /// extended to `session_lifetime` from now (Better Auth's refresh), unless it was opened with
  /// remember_me = false: such a session ends `session_short_lifetime` after it began.
  std::optional<session_view<user_type>> get_session(std::string_view token) {
    auto found = lookup_session(token);
    if (!found) return std::nullopt;
    return std::move(found->view);
  }

  /// get_session, told whether it may extend the session (`session_refresh::never` is Better
  /// Auth's disableRefresh and its rule for a remember_me = false session), and telling whether
  /// it did.
  std::optional<session_lookup<user_type>> lookup_session(std::string_view token,
                                                          session_refresh refresh = session_refresh::on_use) {
    if constexpr (!runs) return detail::inert_answer<std::optional<session_lookup<user_type>>>();
    else return operations::lookup_session(state_, token, refresh);
  }

  /// GET /list-sessions: the unexpired sessions of the request's user, oldest first, the
  /// request's own marked. UNAUTHORIZED without a valid session; SESSION_NOT_FRESH (403) when
  /// the request's session is `session_fresh_age` old or older (Better Auth's freshAge).
  result<std::vector<listed_session>> list_sessions(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<std::vector<listed_session>>>();
    else return operations::list_sessions(state_, request);
  }

  /// POST /revoke-session: ends one session of the request's user, named by its token or its
  /// id (list_sessions gives ids, never the tokens of other sessions: only their hashes are
  /// stored). A session of another user, or none, is left alone and the answer is the same.
  /// The value tells whether the session ended was the request's own.
  result<bool> revoke_session(const request_context& request, std::string_view token_or_id) {
    if constexpr (!runs) return detail::inert_answer<result<bool>>();
    else return operations::revoke_session(state_, request, token_or_id);
  }

  /// POST /revoke-other-sessions: ends every session of the request's user but the request's
  /// own; how many there were.
  result<std::size_t> revoke_other_sessions(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<std::size_t>>();
    else return operations::revoke_sessions_of_request(state_, request, false);
  }

  /// POST /revoke-sessions: ends every session of the request's user, its own included.
  result<std::size_t> revoke_sessions(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<std::size_t>>();
    else return operations::revoke_sessions_of_request(state_, request, true);
  }

  /// Ends every session of a user (all devices): how many there were.
  std::size_t revoke_sessions(std::string_view user_id) {
    if constexpr (!runs) return detail::inert_answer<std::size_t>();
    else return operations::revoke_sessions_of_user(state_, user_id);
  }

  /// POST /sign-out: ends the request's session, if any. Always succeeds, as in Better Auth.
  result<void> sign_out(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<void>>();
    else return operations::sign_out(state_, request);
  }

  // --- the user: operations/user.hpp -----------------------------------------------------------

  /// POST /update-user: `edit(User&)` may change name, image and app fields. Changing the email
  /// is EMAIL_CAN_NOT_BE_UPDATED, another core field FIELD_NOT_ALLOWED, nothing NO_FIELDS_TO_UPDATE.
  template <class Fn>
    requires std::invocable<Fn&, user_type&>
  result<user_type> update_user(const request_context& request, Fn&& edit) {
    if constexpr (!runs) return detail::inert_answer<result<user_type>>();
    else return operations::update_user(state_, request, edit);
  }

  /// The server's own edit of a user, by id: what update_user does, without a request, and with
  /// the schema's aa::server_set fields (a role, a plan) writable. Core fields stay refused.
  /// USER_NOT_FOUND (404) for an unknown id.
  template <class Fn>
    requires std::invocable<Fn&, user_type&>
  result<user_type> update_user_by_id(std::string_view user_id, Fn&& edit) {
    if constexpr (!runs) return detail::inert_answer<result<user_type>>();
    else return operations::update_user_by_id(state_, user_id, edit);
  }

  /// A user by id (any user: guest or not).
  std::optional<user_type> find_user(std::string_view id) {
    if constexpr (!runs) return detail::inert_answer<std::optional<user_type>>();
    else return state_.backend.read([&](const auto& tx) { return tx.find_user(id); });
  }

  // --- deletion and purge: operations/deletion.hpp ---------------------------------------------

  /// POST /delete-anonymous-user, with Better Auth's checks in its order.
  result<void> delete_anonymous_user(const request_context& request) {
    if constexpr (!runs) return detail::inert_answer<result<void>>();
    else return operations::delete_anonymous_user(state_, request);
  }

  /// Deletes the guests created before `cutoff` (with purge_by::last_seen, only those not seen
  /// since), with their sessions, accounts and, by the schema's on_delete rules, their rows: a
  /// one-call job for a cron or a thread. Works in transactions of at most `batch_size` guests,
  /// so it never holds the storage long; a guest linked or seen meanwhile is left alone. Returns
  /// how many guests it deleted.
  std::size_t purge_anonymous_users(timestamp cutoff, purge_by by = purge_by::created, std::size_t batch_size = 256) {
    if constexpr (!runs) return detail::inert_answer<std::size_t>();
    else return operations::purge_anonymous_users(state_, cutoff, by, batch_size);
  }

  // --- tables and storage ----------------------------------------------------------------------

  /// Typed access to an application table. The user table is readable here (count, find,
  /// find_by); users are written only through the operations above.
  template <class Row>
  auto table() noexcept {
    if constexpr (!resolved::schema_valid) {
      return detail::inert_table<Row>{};  // the schema's error is the only one
    } else if constexpr (!schema_type::template has_row_v<Row>) {
      diag::report<diag::table_not_in_schema<Row>>();
      return detail::inert_table<Row>{};  // so that the handle's calls add no error of their own
    } else {
      return table_handle<Row, backend_type, !std::is_same_v<Row, user_type>>(state_.backend);
    }
  }

  /// The app's own write transaction: fn(tx) runs inside one write of the storage, where
  /// tx.table<Row>() reads and writes tables (the user table read-only) and tx.native_handle()
  /// is the connection for the app's own statements (an SQL storage); they all commit together,
  /// or, when fn throws, none does and the exception leaves transaction(). Returns what fn
  /// returns. fn must not call the auth (std::logic_error: the write would wait for itself).
  template <class Fn>
  decltype(auto) transaction(Fn&& fn) {
    if constexpr (runs) {
      return state_.backend.write([&](auto& w) -> decltype(auto) {
        write_transaction<user_type, std::remove_cvref_t<decltype(w)>> tx(w);
        return fn(tx);
      });
    }
  }

  backend_type& storage() noexcept { return state_.backend; }

 private:
  state_type state_;
};

}  // namespace anonauth

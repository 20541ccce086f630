// anonauth/operations/linking.hpp: what a sign-in does to the guest on its request. It links the
// guest to the account (the link migrations, then the guest's deletion) or, with
// aa::on_sign_up<aa::promote_in_place>, turns the guest's row into the account; all in the
// sign-in's transaction, so it commits whole or not at all.
#pragma once

#include <anonauth/audit/describe.hpp>
#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/migrate/context.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/operations/deletion.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/sessions.hpp>

#include <boost/hana/equal.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace anonauth {
namespace detail {

/// What a sign-in did to the guest on its request, for the audit events. Empty without a sink.
template <bool Audited, std::size_t Migrators>
struct link_note {
  void attempt(const std::string&, const std::string&, bool) noexcept {}
};
template <std::size_t Migrators>
struct link_note<true, Migrators> {
  bool attempted = false;
  bool promoted = false;
  bool guest_deleted = false;
  std::string guest_id;
  std::string user_id;
  std::array<events::migrator_rows, Migrators> rows{};
  void attempt(const std::string& guest, const std::string& user, bool promote) {
    attempted = true;
    promoted = promote;
    guest_id = guest;
    user_id = user;
  }
};

}  // namespace detail

namespace operations {

template <class State>
using note_of = detail::link_note<State::audited, State::migrator_count>;

/// The guest whose valid session the request carries, seen through `tx`.
template <class State, class Tx>
std::optional<std::pair<session, typename State::user_type>> guest_of(const Tx& tx, const request_context& request,
                                                                      timestamp now) {
  if constexpr (State::links_only_when_asked) {
    if (!request.link_guest) return std::nullopt;
  }
  const auto hash = request_hash(request);
  if (!hash) return std::nullopt;
  auto current = valid_session_in<typename State::user_type>(tx, *hash, now);
  if (!current || !current->second.is_anonymous) return std::nullopt;
  return current;
}

template <class State, class Mig>
void record_migrator(note_of<State>& note, [[maybe_unused]] std::size_t i, std::optional<std::size_t> rows) {
  if constexpr (State::audited) {
    note.rows[i] = detail::describe_migrator<typename State::schema_type, Mig>();
    note.rows[i].rows = rows;
  } else {
    (void)note;
    (void)rows;
  }
}

/// What the migrator moved (rows or fields), or nothing for a custom migrator.
template <class Mig, class Tx, class User>
std::optional<std::size_t> run_migrator(Tx& tx, const std::pair<session, User>& guest, User& target,
                                        const request_context& request) {
  if constexpr (Mig::kind == detail::migrator_kind::custom) {
    link_context<User, Tx> ctx(tx, guest.second, guest.first, target, request);
    typename Mig::function_type migrator{};
    migrator(ctx);
    return std::nullopt;
  } else {
    return Mig::run(tx, guest.second, target);
  }
}

// A fold of plain calls, not of lambdas: each lambda would be a function of its own, named by
// the whole auth type (schema and migrations), so N migrators would cost O(N^2) characters of
// symbols; plain calls inline into this one function.
template <class State, class Tx, class... Migs>
void run_migrators(Tx& tx, const std::pair<session, typename State::user_type>& guest,
                   typename State::user_type& target, const request_context& request, note_of<State>& note,
                   detail::type_list<Migs...>) {
  [[maybe_unused]] std::size_t i = 0;
  (record_migrator<State, Migs>(note, i++, run_migrator<Migs>(tx, guest, target, request)), ...);
}

/// Runs the link migrations and deletes the guest, unless the target is the guest itself or
/// another guest (Better Auth's guards), or the guest is kept. Throws to abort the transaction.
template <class State, class Tx>
void link(Tx& tx, const std::pair<session, typename State::user_type>& guest, typename State::user_type& target,
          const request_context& request, timestamp now, note_of<State>& note) {
  const auto& anonymous = guest.second;
  if (anonymous.id == target.id || target.is_anonymous) return;
  note.attempt(anonymous.id, target.id, false);
  const auto before = target;
  try {
    run_migrators<State>(tx, guest, target, request, note, typename State::link_type::migrators{});
  } catch (const error_exception&) {
    throw;
  } catch (const storage_error&) {
    throw;  // the operation's own storage-failure code
  } catch (...) {
    throw error_exception(errors::link_migration_failed);
  }
  if (!boost::hana::equal(before, target)) {
    target.updated_at = now;
    tx.update_user(target);
  }
  if constexpr (!State::keeps_anonymous_user) delete_user_in<typename State::schema_type>(tx, anonymous.id);
  if constexpr (State::audited) note.guest_deleted = !State::keeps_anonymous_user;
}

/// Opens the session of a successful sign-in and, when the request carries a guest's session,
/// links the guest to `user`, all in the caller's transaction.
template <class State, class Tx>
result<signed_in<typename State::user_type>> finish_sign_in(State& s, Tx& tx, typename State::user_type user,
                                                            const request_context& request, timestamp now,
                                                            note_of<State>& note, bool remember = true) {
  auto [token, record] = open_session(s, tx, user.id, request, now, remember);
  if (auto guest = guest_of<State>(tx, request, now)) link<State>(tx, *guest, user, request, now, note);
  return signed_in<typename State::user_type>{std::move(token), std::move(record.session), std::move(user)};
}

/// Turns the guest's row into the real user `promoted` (its id, with the new email, name and
/// credential), ends the guest's sessions and opens the user's: nothing moves.
template <class State, class Tx>
result<signed_in<typename State::user_type>> promote(State& s, Tx& tx, typename State::user_type promoted,
                                                     const account& credential, const request_context& request,
                                                     timestamp now, note_of<State>& note, bool remember = true) {
  note.attempt(promoted.id, promoted.id, true);
  promoted.is_anonymous = false;
  promoted.updated_at = now;
  // The guest's tokens must not grant the account: a shared device may still hold one.
  tx.erase_sessions_of_user(promoted.id);
  tx.update_user(promoted);
  tx.insert_account(credential);
  auto [token, record] = open_session(s, tx, promoted.id, request, now, remember);
  return signed_in<typename State::user_type>{std::move(token), std::move(record.session), std::move(promoted)};
}

/// Reports the outcome of a sign-in's link or promotion, if one was attempted, to the sink.
template <class State, class T>
void report_link(State& s, const note_of<State>& note, events::link_via via, const result<T>& outcome, timestamp now) {
  if constexpr (State::audited) {
    if (!note.attempted) return;
    if (!outcome) {
      s.report(events::link_failed{now, note.guest_id, note.user_id, via, std::string(outcome.error().code()),
                                   std::string(outcome.error().message())});
    } else if (note.promoted) {
      s.report(events::guest_promoted{now, note.user_id, via});
    } else {
      s.report(events::guest_linked{now, note.guest_id, note.user_id, via, note.rows, note.guest_deleted});
    }
  } else {
    (void)s;
    (void)note;
    (void)via;
    (void)outcome;
    (void)now;
  }
}

}  // namespace operations
}  // namespace anonauth

// anonauth/operations/sessions.hpp: opening, finding, extending, listing and ending sessions.
// Better Auth's rules: a session expires once expiresAt < now, is extended on use after
// updateAge, and a remember_me = false session is never extended.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/operations/input.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::operations {

/// `wanted`, or the session's absolute end if that comes first.
template <class State>
timestamp capped_expiry(timestamp created_at, timestamp wanted) {
  if constexpr (State::session_absolute_lifetime.count() > 0)
    return std::min(wanted, created_at + State::session_absolute_lifetime);
  else return wanted;
}

/// A new session for `user_id` in the caller's transaction: its token and its stored record.
template <class State, class Tx>
std::pair<std::string, session_record> open_session(State& s, Tx& tx, const std::string& user_id,
                                                     const request_context& request, timestamp now,
                                                     bool remember = true) {
  std::string token = crypto::random_string(s.random, 32);
  session_record record;
  record.hash = crypto::hash_token(token);
  const auto lifetime = remember ? State::session_lifetime : State::session_short_lifetime;
  record.session = session{s.new_id(), user_id, capped_expiry<State>(now, now + lifetime), now, now,
                           request.ip_address, request.user_agent};
  tx.insert_session(record);
  return {std::move(token), std::move(record)};
}

/// The session with this hash and its user (none if the user is gone), seen through `tx`: in
/// one statement where the reader offers it (an SQL storage's join: one round trip to a
/// database server), else by two lookups.
template <class User, class Tx>
std::optional<std::pair<session_record, std::optional<User>>> session_and_user(const Tx& tx, const token_hash& hash) {
  if constexpr (requires { tx.find_session_and_user(hash); }) {
    return tx.find_session_and_user(hash);
  } else {
    auto record = tx.find_session(hash);
    if (!record) return std::nullopt;
    std::optional<User> user = tx.find_user(record->session.user_id);
    return std::pair<session_record, std::optional<User>>{std::move(*record), std::move(user)};
  }
}

/// The unexpired session with this hash and its user, seen through `tx`.
template <class User, class Tx>
std::optional<std::pair<session, User>> valid_session_in(const Tx& tx, const token_hash& hash, timestamp now) {
  auto found = session_and_user<User>(tx, hash);
  if (!found || !crypto::equal_digests(found->first.hash, hash) || found->first.session.expires_at < now ||
      !found->second)
    return std::nullopt;
  return std::pair<session, User>{std::move(found->first.session), std::move(*found->second)};
}

/// The request's valid session and its user, in a read of its own.
template <class State>
std::optional<std::pair<session, typename State::user_type>> find_valid_session(State& s, const request_context& request) {
  const auto hash = request_hash(request);
  if (!hash) return std::nullopt;
  const timestamp now = s.clock.now();
  return s.backend.read(
      [&](const auto& tx) { return valid_session_in<typename State::user_type>(tx, *hash, now); });
}

template <class State>
std::optional<session_lookup<typename State::user_type>> lookup_session(State& s, std::string_view token,
                                                                        session_refresh refresh) {
  using view_type = session_view<typename State::user_type>;
  if (!plausible_token(token)) return std::nullopt;
  const token_hash hash = crypto::hash_token(token);
  const timestamp now = s.clock.now();
  enum class state { missing, expired, valid };
  state found = state::missing;
  std::optional<view_type> view = s.backend.read([&](const auto& tx) -> std::optional<view_type> {
    auto record = session_and_user<typename State::user_type>(tx, hash);
    if (!record || !crypto::equal_digests(record->first.hash, hash)) return std::nullopt;
    if (record->first.session.expires_at < now) {  // Better Auth: expired once expiresAt < now
      found = state::expired;
      return std::nullopt;
    }
    if (!record->second) return std::nullopt;
    found = state::valid;
    return view_type{std::move(record->first.session), std::move(*record->second)};
  });
  if (found == state::expired) s.backend.write([&](auto& tx) { tx.erase_session(hash); });
  if (!view) return std::nullopt;
  const bool due = view->session.expires_at - State::session_lifetime + State::session_update_age <= now;
  // A session opened with remember_me = false spans less than a lifetime, and is never
  // extended: Better Auth's rule, kept here rather than by a cookie so a bearer client gets it.
  // (A session at its absolute end spans less too: there is nothing to extend.)
  const bool remembered = view->session.expires_at - view->session.updated_at >= State::session_lifetime;
  const timestamp extended_to = capped_expiry<State>(view->session.created_at, now + State::session_lifetime);
  if (!due || !remembered || refresh == session_refresh::never || extended_to <= view->session.expires_at)
    return session_lookup<typename State::user_type>{std::move(*view), false};
  // Extended only if it is still there: a concurrent sign-out wins.
  const bool extended = s.backend.write([&](auto& tx) {
    auto record = tx.find_session(hash);
    if (!record) return false;
    record->session.expires_at = extended_to;
    record->session.updated_at = now;
    return tx.update_session(*record);
  });
  if (!extended) return std::nullopt;
  view->session.expires_at = extended_to;
  view->session.updated_at = now;
  return session_lookup<typename State::user_type>{std::move(*view), true};
}

template <class State>
result<std::vector<listed_session>> list_sessions(State& s, const request_context& request) {
  const auto hash = request_hash(request);
  if (!hash) return errors::unauthorized;
  const timestamp now = s.clock.now();
  return s.template run_read<std::vector<listed_session>>(
      errors::failed_to_get_session, [&](const auto& tx) -> result<std::vector<listed_session>> {
        auto current = valid_session_in<typename State::user_type>(tx, *hash, now);
        if (!current) return errors::unauthorized;
        if (State::session_fresh_age.count() > 0 && now - current->first.created_at >= State::session_fresh_age)
          return errors::session_not_fresh;
        std::vector<listed_session> out;
        for (auto& record : tx.sessions_of_user(current->second.id)) {
          if (record.session.expires_at <= now) continue;  // Better Auth lists expiresAt > now
          const bool mine = crypto::equal_digests(record.hash, *hash);
          out.push_back(listed_session{std::move(record.session), mine});
        }
        return out;
      });
}

template <class State>
result<bool> revoke_session(State& s, const request_context& request, std::string_view token_or_id) {
  const auto hash = request_hash(request);
  if (!hash) return errors::unauthorized;
  const timestamp now = s.clock.now();
  const std::optional<token_hash> named =
      plausible_token(token_or_id) ? std::optional<token_hash>(crypto::hash_token(token_or_id)) : std::nullopt;
  std::string user_id;
  bool ended = false;
  auto done = s.template run_write<bool>(errors::failed_to_get_session, [&](auto& tx) -> result<bool> {
    auto current = valid_session_in<typename State::user_type>(tx, *hash, now);
    if (!current) return errors::unauthorized;
    user_id = current->second.id;
    for (const auto& record : tx.sessions_of_user(current->second.id)) {
      if ((named && crypto::equal_digests(record.hash, *named)) || record.session.id == token_or_id) {
        ended = tx.erase_session(record.hash);
        return crypto::equal_digests(record.hash, *hash);
      }
    }
    return false;
  });
  if (done && ended) s.report(events::sessions_revoked{now, std::move(user_id), 1});
  return done;
}

/// Ends the sessions of the request's user, its own too or not: how many.
template <class State>
result<std::size_t> revoke_sessions_of_request(State& s, const request_context& request, bool own_too) {
  const auto hash = request_hash(request);
  if (!hash) return errors::unauthorized;
  const timestamp now = s.clock.now();
  std::string user_id;
  auto done = s.template run_write<std::size_t>(errors::failed_to_get_session, [&](auto& tx) -> result<std::size_t> {
    auto current = valid_session_in<typename State::user_type>(tx, *hash, now);
    if (!current) return errors::unauthorized;
    user_id = current->second.id;
    if (own_too) return tx.erase_sessions_of_user(current->second.id);
    std::size_t ended = 0;
    for (const auto& record : tx.sessions_of_user(current->second.id))
      if (!crypto::equal_digests(record.hash, *hash) && tx.erase_session(record.hash)) ++ended;
    return ended;
  });
  if (done && *done > 0) s.report(events::sessions_revoked{now, std::move(user_id), *done});
  return done;
}

template <class State>
std::size_t revoke_sessions_of_user(State& s, std::string_view user_id) {
  const std::size_t ended = s.backend.write([&](auto& tx) { return tx.erase_sessions_of_user(user_id); });
  if (ended > 0) s.report(events::sessions_revoked{s.clock.now(), std::string(user_id), ended});
  return ended;
}

template <class State>
result<void> sign_out(State& s, const request_context& request) {
  const auto hash = request_hash(request);
  if (!hash) return {};
  if constexpr (State::audited) {
    auto ended = s.backend.write([&](auto& tx) -> std::optional<session> {
      auto record = tx.find_session(*hash);
      if (!record || !tx.erase_session(*hash)) return std::nullopt;
      return std::move(record->session);
    });
    if (ended) s.report(events::signed_out{s.clock.now(), std::move(ended->user_id), std::move(ended->id)});
  } else {
    s.backend.write([&](auto& tx) { tx.erase_session(*hash); });
  }
  return {};
}

}  // namespace anonauth::operations

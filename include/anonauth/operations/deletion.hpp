// anonauth/operations/deletion.hpp: deleting a user with what is theirs, delete-anonymous-user,
// and the purge of old guests.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/detail/meta.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/sessions.hpp>
#include <anonauth/schema/table.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace anonauth::operations {

/// Deletes a user with its sessions, accounts and, by the schema's on_delete rules, its rows.
template <class Schema, class Tx>
void delete_user_in(Tx& tx, const std::string& id) {
  tx.erase_sessions_of_user(id);
  tx.erase_accounts_of_user(id);
  []<class... Entries>(Tx& t, const std::string& uid, detail::type_list<Entries...>) {
    ((Entries::rule == on_delete::cascade ? (void)t.template erase_where<Entries::member>(uid) : void()), ...);
  }(tx, id, typename Schema::user_refs{});
  tx.erase_user(id);
}

/// Whether a user had a session created or extended at or after `since`.
template <class Tx>
bool seen_since(const Tx& tx, std::string_view user_id, timestamp since) {
  for (const auto& record : tx.sessions_of_user(user_id))
    if (record.session.updated_at >= since) return true;
  return false;
}

template <class State>
result<void> delete_anonymous_user(State& s, const request_context& request) {
  const auto hash = request_hash(request);
  if (!hash) return errors::unauthorized;
  const timestamp now = s.clock.now();
  auto done = s.template run_write<std::string>(errors::failed_to_delete_anonymous_user, [&](auto& tx) -> result<std::string> {
    auto current = valid_session_in<typename State::user_type>(tx, *hash, now);
    if (!current) return errors::unauthorized;
    if constexpr (State::keeps_anonymous_user) return errors::delete_anonymous_user_disabled;
    if (!current->second.is_anonymous) return errors::user_is_not_anonymous;
    try {
      tx.erase_sessions_of_user(current->second.id);
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return errors::failed_to_delete_anonymous_user_sessions;
    }
    delete_user_in<typename State::schema_type>(tx, current->second.id);
    return std::move(current->second.id);
  });
  if (!done) return done.error();
  s.report(events::guest_deleted{now, std::move(*done)});
  return {};
}

template <class State>
std::size_t purge_anonymous_users(State& s, timestamp cutoff, purge_by by, std::size_t batch_size) {
  if (batch_size == 0) throw std::invalid_argument("anonauth: purge_anonymous_users needs a batch size above 0");
  std::size_t purged = 0;
  std::string after;  // the walk goes by id, so guests kept by last_seen are not met again
  for (;;) {
    auto [examined, deleted, last_id] = s.backend.write([&](auto& tx) {
      auto guests = tx.anonymous_users_created_before(cutoff, after, batch_size);
      std::size_t gone = 0;
      for (const auto& guest : guests) {
        if (by == purge_by::last_seen && seen_since(tx, guest.id, cutoff)) continue;
        delete_user_in<typename State::schema_type>(tx, guest.id);
        ++gone;
      }
      return std::tuple<std::size_t, std::size_t, std::string>{guests.size(), gone,
                                                               guests.empty() ? std::string() : guests.back().id};
    });
    purged += deleted;
    if (examined < batch_size) break;
    after = std::move(last_id);
  }
  if constexpr (State::audited) {
    if (purged > 0) s.report(events::guests_purged{s.clock.now(), cutoff, by, purged});
  }
  return purged;
}

}  // namespace anonauth::operations

// anonauth/operations/user.hpp: a user row made new, and a user edited (update_user, the server's
// update_user_by_id, a sign-up's init of its application fields).
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/sessions.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <boost/hana/equal.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth::operations {

/// What a new user is made of, in the user row's order; its application fields start
/// value-initialised.
struct new_user {
  std::string name;
  std::string email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
};

/// A new user row with a fresh id, created and updated `now`.
template <class State>
typename State::user_type make_user(State& s, new_user fields, timestamp now) {
  typename State::user_type row{};
  row.id = s.new_id();
  row.name = std::move(fields.name);
  row.email = std::move(fields.email);
  row.email_verified = fields.email_verified;
  row.image = std::move(fields.image);
  row.is_anonymous = fields.is_anonymous;
  row.created_at = now;
  row.updated_at = now;
  return row;
}

/// Runs a sign-up's `init` on `row`: it may set application fields only, and not those the
/// schema marks aa::server_set.
template <class Schema, class User, class Init>
std::optional<error> apply_app_fields(User& row, Init& init) {
  User edited = row;
  init(edited);
  if (detail::core_field_changed(row, edited))
    throw std::invalid_argument("anonauth: a sign-up's init may set application fields only, not core fields");
  if (auto refusal = detail::edit_refusal(row, edited)) return refusal;
  if (auto refusal = detail::server_set_refusal<Schema>(row, edited)) return refusal;
  row = std::move(edited);
  return std::nullopt;
}

/// update_user and update_user_by_id in the caller's transaction: `edit` on a copy of
/// `current`, checked (aa::server_set fields too when the edit is a client's), then stored.
template <class Schema, class Tx, class User, class Fn>
result<User> edit_user_in(Tx& tx, const User& current, Fn& edit, timestamp now, bool by_client) {
  User edited = current;
  edit(edited);  // under the write lock: edit must not call back into this auth
  if (auto refusal = detail::edit_refusal(current, edited)) return std::move(*refusal);
  if (by_client)
    if (auto refusal = detail::server_set_refusal<Schema>(current, edited)) return std::move(*refusal);
  if (boost::hana::equal(edited, current)) return errors::no_fields_to_update;
  edited.updated_at = now;
  tx.update_user(edited);
  return edited;
}

template <class State, class Fn>
result<typename State::user_type> update_user(State& s, const request_context& request, Fn& edit) {
  using user_type = typename State::user_type;
  const auto hash = request_hash(request);
  if (!hash) return errors::unauthorized;
  const timestamp now = s.clock.now();
  return s.template run_write<user_type>(errors::failed_to_update_user, [&](auto& tx) -> result<user_type> {
    auto current = valid_session_in<user_type>(tx, *hash, now);
    if (!current) return errors::unauthorized;
    return edit_user_in<typename State::schema_type>(tx, current->second, edit, now, true);
  });
}

template <class State, class Fn>
result<typename State::user_type> update_user_by_id(State& s, std::string_view user_id, Fn& edit) {
  using user_type = typename State::user_type;
  const timestamp now = s.clock.now();
  return s.template run_write<user_type>(errors::failed_to_update_user, [&](auto& tx) -> result<user_type> {
    auto current = tx.find_user(user_id);
    if (!current) return errors::user_not_found;
    return edit_user_in<typename State::schema_type>(tx, *current, edit, now, false);
  });
}

}  // namespace anonauth::operations

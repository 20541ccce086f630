// anonauth/operations/email.hpp: sign-up and sign-in by email and password. The password is
// hashed outside any transaction, so a slow hash never holds the storage.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/linking.hpp>
#include <anonauth/operations/sessions.hpp>
#include <anonauth/operations/user.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth::operations {

/// The user's email-and-password account, if it has one.
template <class Tx>
std::optional<account> credential_of(const Tx& tx, std::string_view user_id) {
  for (auto& a : tx.accounts_of_user(user_id))
    if (a.provider_id == credential_provider && a.password_hash) return std::move(a);
  return std::nullopt;
}

template <class State, class Init>
result<signed_in<typename State::user_type>> sign_up_email(State& s, const email_sign_up& body,
                                                           const request_context& request, Init& init) {
  using user_type = typename State::user_type;
  using schema_type = typename State::schema_type;
  constexpr auto op = credential_operation::email_sign_up;
  if (auto refusal = s.rate_refusal(op, request, body.email)) return std::move(*refusal);
  if (auto refusal = email_refusal(body.email)) return std::move(*refusal);
  if (auto refusal = detail::name_refusal(body.name)) return std::move(*refusal);
  if (auto refusal = detail::image_refusal(body.image)) return std::move(*refusal);
  if (auto refusal = password_refusal(body.password)) return std::move(*refusal);  // before its length means anything
  const std::size_t length = utf16_length(body.password);
  if (length < limits::min_password) return errors::password_too_short;
  if (length > limits::max_password) return errors::password_too_long;
  if (auto refusal = request_refusal(request)) return std::move(*refusal);
  const std::string email = to_lower_ascii(body.email);

  // Refuse a taken email before paying for the hash (Better Auth's order); checked again below.
  auto taken = s.template run_read<bool>(errors::failed_to_create_user,
                                         [&](const auto& tx) { return tx.find_user_by_email(email).has_value(); });
  if (!taken) return taken.error();
  if (*taken) return errors::user_already_exists_use_another_email;
  std::string password_hash;
  {
    auto slot = s.hashing_slot(op, request);
    if (!slot) return slot.error();
    password_hash = s.hasher.hash(body.password);  // outside any transaction
  }

  const timestamp now = s.clock.now();
  user_type created = make_user(s, new_user{body.name, email, false, body.image, false}, now);
  if (auto refusal = apply_app_fields<schema_type>(created, init)) return std::move(*refusal);
  note_of<State> note;
  auto done = s.template run_write<signed_in<user_type>>(
      errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
        if (tx.find_user_by_email(email)) return errors::user_already_exists_use_another_email;
        if constexpr (State::promotes_in_place) {
          if (auto guest = guest_of<State>(tx, request, now)) {
            user_type promoted = std::move(guest->second);
            if (auto refusal = apply_app_fields<schema_type>(promoted, init)) return std::move(*refusal);
            promoted.name = body.name;
            promoted.email = email;
            promoted.email_verified = false;
            promoted.image = body.image;
            return promote(s, tx, promoted,
                           account{s.new_id(), promoted.id, credential_provider, promoted.id, password_hash, now, now},
                           request, now, note, body.remember_me);
          }
        }
        tx.insert_user(created);
        tx.insert_account(account{s.new_id(), created.id, credential_provider, created.id, password_hash, now, now});
        return finish_sign_in(s, tx, created, request, now, note, body.remember_me);
      });
  report_link(s, note, events::link_via::sign_up_email, done, now);
  if (done) s.report(events::signed_up{now, done->user.id, op, request.ip_address});
  return done;
}

template <class State>
result<signed_in<typename State::user_type>> sign_in_email(State& s, const email_sign_in& body,
                                                           const request_context& request) {
  using user_type = typename State::user_type;
  constexpr auto op = credential_operation::email_sign_in;
  if (auto refusal = s.rate_refusal(op, request, body.email)) return std::move(*refusal);
  if (auto refusal = email_refusal(body.email)) return std::move(*refusal);
  // Better Auth's cap (assertPasswordNotTooLong): hashing megabytes of "password" is a denial
  // of service, and no stored password is longer.
  if (utf16_length(body.password) > limits::max_password) return errors::password_too_long;
  if (auto refusal = request_refusal(request)) return std::move(*refusal);
  const std::string email = to_lower_ascii(body.email);
  using found_type = std::optional<std::pair<user_type, account>>;
  auto looked_up = s.template run_read<found_type>(errors::failed_to_create_session_on_sign_in,
                                                   [&](const auto& tx) -> found_type {
    auto user = tx.find_user_by_email(email);
    if (!user) return std::nullopt;
    auto credential = credential_of(tx, user->id);
    if (!credential) return std::nullopt;
    return std::pair<user_type, account>{std::move(*user), std::move(*credential)};
  });
  if (!looked_up) return looked_up.error();
  const found_type found = std::move(*looked_up);
  const timestamp checked_at = s.clock.now();
  auto failed = [&]() -> result<signed_in<user_type>> {
    s.report(events::sign_in_failed{checked_at, found ? std::optional<std::string>(found->first.id) : std::nullopt, op,
                                    request.ip_address, std::string(errors::invalid_email_or_password.code)});
    return errors::invalid_email_or_password;
  };
  // No stored password holds these, so the answer is the same as for a wrong password.
  if (password_refusal(body.password)) return failed();
  std::optional<std::string> rehashed;
  {
    auto slot = s.hashing_slot(op, request);
    if (!slot) return slot.error();
    // An unknown email costs one verification too, so timing does not tell which emails exist.
    const bool matches = s.hasher.verify(found ? *found->second.password_hash : s.dummy_hash, body.password);
    if (!found || !matches) return failed();
    if constexpr (State::can_rehash) {
      if (s.hasher.needs_rehash(*found->second.password_hash)) rehashed = s.hasher.hash(body.password);
    }
  }

  const timestamp now = s.clock.now();
  note_of<State> note;
  auto done = s.template run_write<signed_in<user_type>>(
      errors::failed_to_create_session_on_sign_in, [&](auto& tx) -> result<signed_in<user_type>> {
        auto user = tx.find_user(found->first.id);
        // The user deleted, or the password changed, since it was checked.
        auto credential = user ? credential_of(tx, user->id) : std::nullopt;
        if (!credential || credential->password_hash != found->second.password_hash)
          return errors::invalid_email_or_password;
        if constexpr (State::can_rehash) {
          if (rehashed) tx.update_password_hash(credential->id, *rehashed, now);
        }
        return finish_sign_in(s, tx, *user, request, now, note, body.remember_me);
      });
  report_link(s, note, events::link_via::sign_in_email, done, now);
  if (done) s.report(events::signed_in{now, done->user.id, op, request.ip_address});
  return done;
}

}  // namespace anonauth::operations

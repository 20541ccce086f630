// anonauth/operations/anonymous_sign_in.hpp: a new guest with its generated email and name, and
// its first session.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/sessions.hpp>
#include <anonauth/operations/user.hpp>
#include <anonauth/policy/generation.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <optional>
#include <string>
#include <utility>

namespace anonauth::operations {

/// The email policy's address, lower-cased; Better Auth's own when the policy gives none.
template <class State>
result<std::string> generate_email(State& s, const request_context& request) {
  generation_context ctx(s.random, request);
  std::string email = s.email.generate(ctx);
  if constexpr (!detail::trusted_format_v<typename State::email_type>) {
    if (email.empty()) email = better_auth_email{}.generate(ctx);  // Better Auth's fallback
    else if (email_refusal(email)) return errors::invalid_email_format;
  }
  return to_lower_ascii(email);
}

/// The naming policy's name; "Anonymous" when it gives none.
template <class State>
result<std::string> generate_name(State& s, const request_context& request) {
  generation_context ctx(s.random, request);
  std::string name = s.naming.generate(ctx);
  if (name.empty()) return std::string(default_guest_name.view());
  if (auto refusal = detail::name_refusal(name)) return std::move(*refusal);
  return name;
}

template <class State>
result<signed_in<typename State::user_type>> sign_in_anonymous(State& s, const request_context& request) {
  using user_type = typename State::user_type;
  if (auto refusal = s.rate_refusal(credential_operation::anonymous_sign_in, request)) return std::move(*refusal);
  if (auto refusal = request_refusal(request)) return std::move(*refusal);
  try {
    if (auto current = find_valid_session(s, request); current && current->second.is_anonymous)
      return errors::anonymous_users_cannot_sign_in_again_anonymously;
  } catch (...) {
    if (!detail::is_storage_failure()) throw;
    return errors::failed_to_create_user;
  }
  auto email = generate_email(s, request);
  if (!email) return email.error();
  auto name = generate_name(s, request);
  if (!name) return name.error();

  const timestamp now = s.clock.now();
  const user_type guest =
      make_user(s, new_user{std::move(*name), std::move(*email), false, std::nullopt, true}, now);
  // Unlike Better Auth, a guest whose session cannot be created is not left behind.
  auto created = s.template run_write<signed_in<user_type>>(
      errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
        tx.insert_user(guest);
        try {
          auto [token, record] = open_session(s, tx, guest.id, request, now);
          return signed_in<user_type>{std::move(token), std::move(record.session), guest};
        } catch (...) {
          if (!detail::is_storage_failure()) throw;
          return errors::could_not_create_session;
        }
      });
  if constexpr (State::audited) {
    if (created) s.report(events::guest_created{now, guest.id, request.ip_address});
  }
  return created;
}

}  // namespace anonauth::operations

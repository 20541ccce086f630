// anonauth/operations/social.hpp: sign-in with a verified identity from an OAuth callback.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/operations/input.hpp>
#include <anonauth/operations/linking.hpp>
#include <anonauth/operations/user.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <optional>
#include <string>
#include <utility>

namespace anonauth::operations {

/// Why a profile cannot sign in at all, if it cannot.
inline std::optional<error> profile_refusal(const social_profile& profile) {
  if (profile.provider_id.empty() || profile.account_id.empty() || profile.provider_id == credential_provider)
    return error(errors::invalid_social_profile);
  if (auto refusal = detail::text_refusal(profile.provider_id, "provider_id", limits::max_identifier)) return refusal;
  if (auto refusal = detail::text_refusal(profile.account_id, "account_id", limits::max_identifier)) return refusal;
  if (auto refusal = email_refusal(profile.email)) return refusal;
  if (!profile.name.empty())
    if (auto refusal = detail::name_refusal(profile.name)) return refusal;
  return detail::image_refusal(profile.image);
}

template <class State>
result<signed_in<typename State::user_type>> sign_in_social(State& s, const social_profile& profile,
                                                            const request_context& request) {
  using user_type = typename State::user_type;
  constexpr auto op = credential_operation::social_sign_in;
  if (auto refusal = s.rate_refusal(op, request)) return std::move(*refusal);
  if (auto refusal = profile_refusal(profile)) return std::move(*refusal);
  if (auto refusal = request_refusal(request)) return std::move(*refusal);
  const std::string email = to_lower_ascii(profile.email);
  // Providers may omit the name (Apple after the first consent): use the email's local part.
  const std::string name = profile.name.empty() ? email.substr(0, email.find('@')) : profile.name;
  const timestamp now = s.clock.now();
  note_of<State> note;
  bool created_user = false;
  std::optional<std::string> refused_user;
  auto social_account = [&](const std::string& user_id) {
    return account{s.new_id(), user_id, profile.provider_id, profile.account_id, std::nullopt, now, now};
  };
  auto done = s.template run_write<signed_in<user_type>>(
      errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
        if (auto linked = tx.find_account(profile.provider_id, profile.account_id)) {
          auto user = tx.find_user(linked->user_id);
          if (!user) return errors::failed_to_create_user;
          return finish_sign_in(s, tx, *user, request, now, note);
        }
        if (auto existing = tx.find_user_by_email(email)) {
          if (!profile.email_verified || !existing->email_verified || existing->is_anonymous) {
            refused_user = existing->id;
            return errors::account_not_linked;
          }
          tx.insert_account(social_account(existing->id));
          return finish_sign_in(s, tx, *existing, request, now, note);
        }
        if constexpr (State::promotes_in_place) {
          if (auto guest = guest_of<State>(tx, request, now)) {
            user_type promoted = std::move(guest->second);
            promoted.name = name;
            promoted.email = email;
            promoted.email_verified = profile.email_verified;
            promoted.image = profile.image;
            created_user = true;
            return promote(s, tx, promoted, social_account(promoted.id), request, now, note);
          }
        }
        user_type created = make_user(s, new_user{name, email, profile.email_verified, profile.image, false}, now);
        tx.insert_user(created);
        tx.insert_account(social_account(created.id));
        created_user = true;
        return finish_sign_in(s, tx, created, request, now, note);
      });
  report_link(s, note, events::link_via::sign_in_social, done, now);
  if (done && created_user) s.report(events::signed_up{now, done->user.id, op, request.ip_address});
  else if (done) s.report(events::signed_in{now, done->user.id, op, request.ip_address});
  else if (done.error().is(errors::account_not_linked))
    s.report(events::sign_in_failed{now, refused_user, op, request.ip_address, std::string(done.error().code())});
  return done;
}

}  // namespace anonauth::operations

// tests/compile_fail/program/exercise.hpp: the shop's calls, included by each one_error_* test
// after its `auth_type`. Plain functions, not templates: the compiler checks every call as it
// reads it, as in a real program, so an error a failed check would cause further on (a
// constructor argument, a table call, a user field) shows up as a second error.
#pragma once

#include "shop.hpp"

#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

/// Every operation and table call on the test's auth.
inline int exercise(auth_type& auth) {
  aa::request_context anonymous_request;
  anonymous_request.ip_address = "203.0.113.7";
  auto guest = auth.sign_in_anonymous(anonymous_request);
  if (!guest) return 1;
  aa::request_context as_guest = anonymous_request;
  as_guest.session_token = guest->token;

  auth.table<shop::cart_item>().insert(shop::cart_item{"c1", guest->user.id, "sku-1", 2});
  auth.table<shop::wishlist_entry>().insert(shop::wishlist_entry{"w1", guest->user.id, "sku-2"});
  const auto cart = auth.table<shop::cart_item>().find_by<&shop::cart_item::user_id>(guest->user.id);
  const std::vector<std::string> skus = auth.table<shop::cart_item>().where<&shop::cart_item::user_id>(guest->user.id) |
                                        ranges::views::transform(&shop::cart_item::sku) | ranges::to<std::vector>();
  const bool changed = auth.table<shop::cart_item>().update(shop::cart_item{"c1", guest->user.id, "sku-1", 3});
  const std::size_t wishes = auth.table<shop::wishlist_entry>().count();
  const auto found_item = auth.table<shop::cart_item>().find("c1");
  const bool erased = auth.table<shop::wishlist_entry>().erase("w1");
  const std::size_t users = auth.table<shop::user>().count();

  aa::email_sign_up ada_signs_up;
  ada_signs_up.email = "ada@example.com";
  ada_signs_up.password = "correct horse battery";
  ada_signs_up.name = "Ada";
  auto signed_up = auth.sign_up_email(ada_signs_up, as_guest);
  aa::email_sign_up bob_signs_up = ada_signs_up;
  bob_signs_up.email = "bob@example.com";
  auto signed_up_init = auth.sign_up_email(bob_signs_up, anonymous_request, [](shop::user&) {});
  aa::email_sign_in ada_signs_in;
  ada_signs_in.email = ada_signs_up.email;
  ada_signs_in.password = ada_signs_up.password;
  auto signed_in = auth.sign_in_email(ada_signs_in, anonymous_request);
  auto social = auth.sign_in_social(aa::social_profile{"github", "42", "cy@example.com", "Cy", std::nullopt, true},
                                    anonymous_request);
  if (!signed_in) return 2;
  aa::request_context as_user = anonymous_request;
  as_user.session_token = signed_in->token;

  auto view = auth.get_session(signed_in->token);
  auto looked_up = auth.lookup_session(signed_in->token, aa::session_refresh::never);
  auto sessions = auth.list_sessions(as_user);
  auto revoked = auth.revoke_session(as_user, signed_in->session.id);
  auto others = auth.revoke_other_sessions(as_user);
  auto all = auth.revoke_sessions(as_user);
  const std::size_t of_user = auth.revoke_sessions(signed_in->user.id);
  auto renamed = auth.update_user(as_user, [](shop::user& u) { u.name = "Ada L."; });
  auto upgraded = auth.update_user_by_id(signed_in->user.id, [](shop::user& u) { u.plan = "pro"; });
  const std::optional<shop::user> ada = auth.find_user(signed_in->user.id);
  auto deleted = auth.delete_anonymous_user(as_guest);
  auto out = auth.sign_out(as_user);
  const std::size_t purged = auth.purge_anonymous_users(aa::timestamp{} + std::chrono::hours(1));
  auto& backend = auth.storage();
  (void)backend;

  return (cart.empty() || skus.empty() || guest->user.plan != "" || !changed || !found_item || !erased || !signed_up || !signed_up_init || !social || !view ||
          !looked_up || !sessions || !revoked || !others || !all || !renamed || !upgraded || !ada || !deleted || !out)
             ? 3
             : static_cast<int>((wishes + users + of_user + purged) % 2);
}

/// The shop's main: its auth constructed with its config and policies, then every call. A
/// template, so that a test whose auth takes other policies can leave it out.
template <class Auth = auth_type>
int run() {
  Auth auth{aa::sqlite_config{}, aa::runtime_domain_email{"guest.shop.example"}, aa::credential_limits{}};
  return exercise(auth);
}

// tests/compile_fail/program/shop.hpp: a small but complete program (a shop on the SQLite storage)
// that the one_error_* tests build with one mistake each. It constructs its auth with policies
// and calls every operation and table<Row>(), so that an error a failed check would cause
// further on (a constructor argument, a table call, a user field) shows up as a second error.
#pragma once

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace aa = anonauth;

namespace shop {

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at),
      (std::string, plan));
};

struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};

struct wishlist_entry {
  BOOST_HANA_DEFINE_STRUCT(wishlist_entry, (std::string, id), (std::string, owner_id), (std::string, sku));
};

using schema = aa::schema<aa::user_table<user>, aa::server_set<&user::plan>,
                          aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>,
                          aa::table<"wishlist", wishlist_entry, aa::user_ref<&wishlist_entry::owner_id>>>;

/// Every operation and table call, on whatever auth type the test made.
template <class Auth>
int exercise(Auth& auth) {
  aa::request_context anonymous_request;
  anonymous_request.ip_address = "203.0.113.7";
  auto guest = auth.sign_in_anonymous(anonymous_request);
  if (!guest) return 1;
  aa::request_context as_guest = anonymous_request;
  as_guest.session_token = guest->token;

  auth.template table<cart_item>().insert(cart_item{"c1", guest->user.id, "sku-1", 2});
  auth.template table<wishlist_entry>().insert(wishlist_entry{"w1", guest->user.id, "sku-2"});
  const auto cart = auth.template table<cart_item>().template find_by<&cart_item::user_id>(guest->user.id);
  const bool changed = auth.template table<cart_item>().update(cart_item{"c1", guest->user.id, "sku-1", 3});
  const std::size_t wishes = auth.template table<wishlist_entry>().count();
  const auto found_item = auth.template table<cart_item>().find("c1");
  const bool erased = auth.template table<wishlist_entry>().erase("w1");
  const std::size_t users = auth.template table<user>().count();

  aa::email_sign_up ada_signs_up;
  ada_signs_up.email = "ada@example.com";
  ada_signs_up.password = "correct horse battery";
  ada_signs_up.name = "Ada";
  auto signed_up = auth.sign_up_email(ada_signs_up, as_guest);
  aa::email_sign_up bob_signs_up = ada_signs_up;
  bob_signs_up.email = "bob@example.com";
  auto signed_up_init = auth.sign_up_email(bob_signs_up, anonymous_request, [](user&) {});
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
  auto renamed = auth.update_user(as_user, [](user& u) { u.name = "Ada L."; });
  auto upgraded = auth.update_user_by_id(signed_in->user.id, [](user& u) { u.plan = "pro"; });
  const std::optional<user> ada = auth.find_user(signed_in->user.id);
  auto deleted = auth.delete_anonymous_user(as_guest);
  auto out = auth.sign_out(as_user);
  const std::size_t purged = auth.purge_anonymous_users(aa::timestamp{} + std::chrono::hours(1));
  auto& backend = auth.storage();
  (void)backend;

  return (cart.empty() || !changed || !found_item || !erased || !signed_up || !signed_up_init || !social || !view ||
          !looked_up || !sessions || !revoked || !others || !all || !renamed || !upgraded || !ada || !deleted || !out)
             ? 3
             : static_cast<int>((wishes + users + of_user + purged) % 2);
}

}  // namespace shop

// tests/compile_fail/program/auth_of.hpp: the shop's auth type, on SQLite with the policies a
// real program sets, over the link migrations and email policy each test chooses.
#pragma once

#include "shop.hpp"

namespace shop {

/// Every user reference of the schema, moved on linking.
using full_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&wishlist_entry::owner_id>>;

template <class Link = full_link, class Email = aa::runtime_domain_email, class Storage = aa::sqlite_storage>
using auth_of = aa::anonymous_auth<schema, aa::storage<Storage>, aa::email<Email>, aa::naming<aa::random_name<>>,
                                   aa::link<Link>, aa::rate_limit<aa::credential_limits>>;

/// The shop's main: its auth constructed with its config and policies, then every call.
template <class Auth>
int run() {
  Auth auth{aa::sqlite_config{}, aa::runtime_domain_email{"guest.shop.example"}, aa::credential_limits{}};
  return exercise(auth);
}

}  // namespace shop

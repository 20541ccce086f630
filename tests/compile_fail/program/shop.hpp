// tests/compile_fail/program/shop.hpp: a small but complete program (a shop on the SQLite storage)
// that the one_error_* tests build with one mistake each: its rows, its schema and its auth type
// here, its calls in exercise.hpp.
#pragma once

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <chrono>
#include <optional>
#include <string>

#ifndef SHOP_EMAIL_VERIFIED
#define SHOP_EMAIL_VERIFIED bool  // one_error_core_field_type_sqlite.cpp makes it another type
#endif
#ifndef SHOP_CART_ENTRIES
#define SHOP_CART_ENTRIES aa::user_ref<&cart_item::user_id>  // one_error_column_not_in_row_sqlite.cpp adds a column
#endif

namespace aa = anonauth;

namespace shop {

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
      (std::string, id), (std::string, name), (std::string, email),
      (SHOP_EMAIL_VERIFIED, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
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
                          aa::table<"cart_items", cart_item, SHOP_CART_ENTRIES>,
                          aa::table<"wishlist", wishlist_entry, aa::user_ref<&wishlist_entry::owner_id>>>;

/// Every user reference of the schema, moved on linking.
using full_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&wishlist_entry::owner_id>>;

/// The shop's auth type, on SQLite with the policies a real program sets, over the link
/// migrations and email policy each test chooses.
template <class Link = full_link, class Email = aa::runtime_domain_email, class Storage = aa::sqlite_storage>
using auth_of = aa::anonymous_auth<schema, aa::storage<Storage>, aa::email<Email>, aa::naming<aa::random_name<>>,
                                   aa::link<Link>, aa::rate_limit<aa::credential_limits>>;

}  // namespace shop

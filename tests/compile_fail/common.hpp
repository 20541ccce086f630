// tests/compile_fail/common.hpp: the rows and the correct schema every compile-fail test starts from.
//
// Each test is a correct program as is (its positive twin); defining ANONAUTH_EXPECT_FAIL swaps in
// one wrong line, and the build must then fail with the diagnostic's tag (see list.cmake).
#pragma once

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (std::optional<std::string>, bio), (std::optional<std::string>, location));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item,
    (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};
struct draft {
  BOOST_HANA_DEFINE_STRUCT(draft,
    (std::string, id), (std::string, author_id), (std::string, body));
};

using cart_items_table = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>;
using drafts_table = aa::table<"drafts", draft, aa::user_ref<&draft::author_id>>;

using app_schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table>;

/// A link migration that handles every user reference of app_schema.
using app_migrations = aa::link_migrations<
    aa::reassign<&cart_item::user_id>,
    aa::reassign<&draft::author_id>,
    aa::copy_if_empty<&user::bio>,
    aa::copy_fields<&user::location>>;

// The seed application every test starts from: a user with a bio and a location, a cart and
// drafts, and the link migration that carries them over.
#pragma once

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>

namespace seed {

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at),
      (std::optional<std::string>, bio), (std::optional<std::string>, location));
};

struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};

struct draft {
  BOOST_HANA_DEFINE_STRUCT(draft, (std::string, id), (std::string, author_id), (std::string, body));
};

using cart_items_table = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>;
template <aa::on_delete Rule = aa::on_delete::cascade>
using drafts_table_with = aa::table<"drafts", draft, aa::user_ref<&draft::author_id, Rule>>;
using drafts_table = drafts_table_with<>;

/// The seed's schema; the drafts' on_delete rule is a parameter.
template <aa::on_delete DraftRule = aa::on_delete::cascade>
using schema_with = aa::schema<aa::user_table<user>, cart_items_table, drafts_table_with<DraftRule>>;
using app_schema = schema_with<>;

/// The seed's link: the cart and the drafts move, the bio is copied trimmed if the new user has
/// none, the location is copied if the guest has one.
using seed_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                      aa::copy_if_empty<&user::bio>, aa::copy_fields<&user::location>>;

}  // namespace seed

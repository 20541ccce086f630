// The schema every library benchmark runs on: a user with a bio, a cart, and the link that moves
// the cart and copies the bio; and the no-op hasher that takes hashing out of a measurement.
#pragma once

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace bench {

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user, (std::string, id), (std::string, name), (std::string, email), (bool, email_verified),
                           (std::optional<std::string>, image), (bool, is_anonymous), (aa::timestamp, created_at),
                           (aa::timestamp, updated_at), (std::optional<std::string>, bio));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};
using schema = aa::schema<aa::user_table<user>, aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>>;
using migrations = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::copy_if_empty<&user::bio>>;

/// Excludes hashing from a measurement: stores the password as is. Never use outside benchmarks.
struct no_hash {
  std::string hash(std::string_view p) const { return std::string(p); }
  bool verify(std::string_view encoded, std::string_view p) const { return encoded == p; }
};

}  // namespace bench

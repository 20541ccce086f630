// accounts.cpp: the one translation unit that instantiates aa::anonymous_auth. The schema, the
// policies and every operation the shop uses compile here, once; changing them rebuilds this file
// and relinks, and nothing that includes accounts.hpp.
// snippet: instantiate
#include "accounts.hpp"

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>
#include <utility>

namespace aa = anonauth;

namespace shop {
namespace {

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku));
};

using app_schema = aa::schema<aa::user_table<user>,
                              aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>>;
using auth_type = aa::anonymous_auth<app_schema,
    aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>>>,
    aa::naming<aa::random_name<"Guest-", 8>>>;

visitor to_visitor(aa::signed_in<user>&& in) {
  return {std::move(in.token), std::move(in.user.id), std::move(in.user.email), in.user.is_anonymous};
}

}  // namespace

struct accounts::impl {
  auth_type auth;  // in memory here; aa::storage<aa::sqlite_storage> and a path in production
};

accounts::accounts() : impl_(std::make_unique<impl>()) {}
accounts::~accounts() = default;

aa::result<visitor> accounts::start_as_guest(const aa::request_context& request) {
  auto in = impl_->auth.sign_in_anonymous(request);
  if (!in) return in.error();
  return to_visitor(std::move(*in));
}
// end snippet

aa::result<visitor> accounts::sign_up(const std::string& email, const std::string& password,
                                      const aa::request_context& request) {
  auto in = impl_->auth.sign_up_email({email, password, email.substr(0, email.find('@')), std::nullopt}, request);
  if (!in) return in.error();
  return to_visitor(std::move(*in));
}

void accounts::add_to_cart(const std::string& user_id, const std::string& sku) {
  impl_->auth.table<cart_item>().insert({user_id + "/" + sku, user_id, sku});
}

std::size_t accounts::cart_size(const std::string& user_id) const {
  return impl_->auth.table<cart_item>().find_by<&cart_item::user_id>(user_id).size();
}

}  // namespace shop

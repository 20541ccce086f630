#include <anonauth/anonauth.hpp>
namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (std::optional<std::string>, bio));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item,
    (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};

using app_schema = aa::schema<
    aa::user_table<user>,
    aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>>;

using auth_type = aa::anonymous_auth<app_schema,
    aa::email<aa::domain_email<"guest.yourapp.com">>,  // emailDomainName
    aa::naming<aa::random_name<"Guest-", 8>>,          // generateName
    aa::link<aa::link_migrations<                      // onLinkAccount, checked at compile time
        aa::reassign<&cart_item::user_id>,             //   the cart follows the guest
        aa::copy_if_empty<&user::bio>>>>;              //   the bio, if the account has none

int main() {
  auth_type auth;                                      // in-memory storage
  auto guest = auth.sign_in_anonymous({});             // Guest-k3v9q0xa, temp-…@guest.yourapp.com
  auth.table<cart_item>().insert({"c1", guest->user.id, "mug", 2});

  // Later the guest signs up; its request carries its session token:
  auto account = auth.sign_up_email({"ada@example.com", "correct horse battery", "Ada", std::nullopt},
                                    {guest->token, "203.0.113.7", "Firefox/128.0"});
  // One transaction: account created, cart reassigned, bio copied, guest deleted.
  return account ? 0 : 1;
}

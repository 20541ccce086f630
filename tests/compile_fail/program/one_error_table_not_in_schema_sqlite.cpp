// One mistake, one error: the program uses a table it never added to its schema
// ([anonauth.E001]); its inserts, finds and counts on that table add no error of their own.
#include "shop.hpp"

struct review {
  BOOST_HANA_DEFINE_STRUCT(review, (std::string, id), (std::string, sku), (std::string, text));
};

#ifdef ANONAUTH_EXPECT_FAIL
using schema = shop::schema;  // the reviews table forgotten
#else
using schema = aa::schema<aa::user_table<shop::user>, aa::server_set<&shop::user::plan>,
                          aa::table<"cart_items", shop::cart_item, aa::user_ref<&shop::cart_item::user_id>>,
                          aa::table<"wishlist", shop::wishlist_entry, aa::user_ref<&shop::wishlist_entry::owner_id>>,
                          aa::table<"reviews", review>>;
#endif
using auth_type = aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>, aa::email<aa::runtime_domain_email>,
                                     aa::naming<aa::random_name<>>, aa::link<shop::full_link>,
                                     aa::rate_limit<aa::credential_limits>>;
#include "exercise.hpp"

int main() {
  auth_type auth{aa::sqlite_config{}, aa::runtime_domain_email{"guest.shop.example"}, aa::credential_limits{}};
  auto reviews = auth.table<review>();
  reviews.insert(review{"r1", "sku-1", "a fine mug"});
  const auto of_mug = reviews.find_by<&review::sku>(std::string("sku-1"));
  return static_cast<int>(of_mug.size() + reviews.count()) + exercise(auth);
}

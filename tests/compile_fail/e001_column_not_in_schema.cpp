// [anonauth.E001] A migrator names a member of a row that is no table of the schema.
#include "common.hpp"

struct wishlist_item {
  BOOST_HANA_DEFINE_STRUCT(wishlist_item, (std::string, id), (std::string, owner_id));
};

#ifdef ANONAUTH_EXPECT_FAIL
using schema = app_schema;  // wishlist_items forgotten
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table,
                          aa::table<"wishlist_items", wishlist_item, aa::user_ref<&wishlist_item::owner_id>>>;
#endif

using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                    aa::reassign<&wishlist_item::owner_id>>;
using auth_type = aa::anonymous_auth<schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

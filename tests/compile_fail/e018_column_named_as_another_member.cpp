// [anonauth.E018] a mapped name that another member of the row has as its own: the table would
// have two columns "sku".
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using carts = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>, aa::column<&cart_item::id, "sku">>;
#else
using carts = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>, aa::column<&cart_item::id, "key">>;
#endif
using schema = aa::schema<aa::user_table<user>, carts, drafts_table>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

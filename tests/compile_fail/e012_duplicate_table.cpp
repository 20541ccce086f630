// [anonauth.E012] Two tables of aa::schema have the same row type.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table,
                          aa::table<"saved_carts", cart_item, aa::user_ref<&cart_item::user_id>>>;
#else
using schema = app_schema;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E017] aa::column names a member of another row than its table's.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using carts = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>,
                        aa::column<&draft::author_id, "owner">>;  // copy-pasted from the drafts
#else
using carts = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>,
                        aa::column<&cart_item::user_id, "owner">>;
#endif
using schema = aa::schema<aa::user_table<user>, carts, drafts_table>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

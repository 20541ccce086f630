// [anonauth.E016] aa::server_set names a member of another table's row than the user's.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, aa::server_set<&cart_item::quantity>>;
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, aa::server_set<&user::bio>>;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E012] two aa::account_table entries in one schema.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, aa::account_table<"accounts">,
                          aa::account_table<"logins">>;
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, aa::account_table<"accounts">>;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

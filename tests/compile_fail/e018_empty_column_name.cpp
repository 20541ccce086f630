// [anonauth.E018] an empty column name.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using accounts = aa::account_table<"accounts", aa::column<&aa::account::provider_id, "">>;
#else
using accounts = aa::account_table<"accounts", aa::column<&aa::account::provider_id, "provider">>;
#endif
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, accounts>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

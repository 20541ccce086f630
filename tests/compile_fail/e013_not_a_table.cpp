// [anonauth.E013] An argument of aa::schema is a row type instead of a table.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, draft>;
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table>;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

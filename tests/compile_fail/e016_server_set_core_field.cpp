// [anonauth.E016] aa::server_set names a core field of the user table (anonauth's own rules apply).
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table,
                          aa::server_set<&user::location, &user::email>>;
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, aa::server_set<&user::location>>;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

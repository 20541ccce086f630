// [anonauth.E018] two members of one table mapped to one column name.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using users = aa::user_table<user, "users", aa::column<&user::email_verified, "verified">,
                             aa::column<&user::is_anonymous, "verified">>;
#else
using users = aa::user_table<user, "users", aa::column<&user::email_verified, "verified">,
                             aa::column<&user::is_anonymous, "anonymous">>;
#endif
using schema = aa::schema<users, cart_items_table, drafts_table>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

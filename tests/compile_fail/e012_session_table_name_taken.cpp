// [anonauth.E012] aa::session_table names the session table as an application table is named.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using sessions = aa::session_table<"cart_items">;
#else
using sessions = aa::session_table<"sessions">;
#endif
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, sessions>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

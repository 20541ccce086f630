// [anonauth.E017] aa::column of the session table names a member of the account, not of
// aa::session (or &aa::session_record::hash, its token's hash).
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using sessions = aa::session_table<"sessions", aa::column<&aa::account::user_id, "owner">>;
#else
using sessions = aa::session_table<"sessions", aa::column<&aa::session::user_id, "owner">>;
#endif
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, sessions>;

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

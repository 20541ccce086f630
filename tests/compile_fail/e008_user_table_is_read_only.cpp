// [anonauth.E008] The user table is read-only through table<User>().
#include "common.hpp"

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  auto guest = auth.sign_in_anonymous({});
#ifdef ANONAUTH_EXPECT_FAIL
  auth.table<user>().erase(guest->user.id);
#else
  (void)auth.delete_anonymous_user({guest->token, "", ""});
#endif
  return auth.table<user>().count() == 0 ? 0 : 1;
}

// [anonauth.E122] aa::on_sign_up<> takes aa::create_and_migrate or aa::promote_in_place only.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using mode = aa::keep_anonymous_user;
#else
using mode = aa::promote_in_place;
#endif

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::on_sign_up<mode>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E101] A policy is passed to aa::anonymous_auth without its option tag.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::random_name<"Guest-", 8>>;
#else
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::naming<aa::random_name<"Guest-", 8>>>;
#endif

int main() {
  auth_type auth;
  (void)auth;
}

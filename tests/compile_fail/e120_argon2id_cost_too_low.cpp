// [anonauth.E120] aa::argon2id is given a cost below OWASP's minimum (19 MiB, 2 passes) without
// the test-only floor: libsodium's minimum, which tests use, is refused in production.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using hasher = aa::argon2id<1, 8192>;
#else
using hasher = aa::argon2id<1, 8192, aa::insecure_test_cost>;
#endif

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::password_hasher<hasher>>;

int main() {
  auth_type auth;
  (void)auth;
}

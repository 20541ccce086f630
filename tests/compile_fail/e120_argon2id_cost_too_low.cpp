// [anonauth.E120] aa::argon2id is given a cost below libsodium's minimum.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using hasher = aa::argon2id<0, 8192>;
#else
using hasher = aa::argon2id<1, 8192>;
#endif

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::password_hasher<hasher>>;

int main() {
  auth_type auth;
  (void)auth;
}

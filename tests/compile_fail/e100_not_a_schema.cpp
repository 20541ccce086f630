// [anonauth.E100] The first argument of aa::anonymous_auth is not an aa::schema.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using auth_type = aa::anonymous_auth<aa::user_table<user>>;
#else
using auth_type = aa::anonymous_auth<aa::schema<aa::user_table<user>>>;
#endif

int main() {
  auth_type auth;
  (void)auth;
}

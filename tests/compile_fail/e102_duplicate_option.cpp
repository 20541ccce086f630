// [anonauth.E102] The same option is given twice.
#include "common.hpp"

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>,
#ifdef ANONAUTH_EXPECT_FAIL
                                     aa::naming<aa::fixed_name<"Guest">>,
#endif
                                     aa::naming<aa::random_name<"Guest-", 8>>>;

int main() {
  auth_type auth;
  (void)auth;
}

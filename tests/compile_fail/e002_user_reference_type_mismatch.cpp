// [anonauth.E002] reassign names a column whose type is not the user id type.
#include "common.hpp"

using on_link = aa::link_migrations<
#ifdef ANONAUTH_EXPECT_FAIL
    aa::reassign<&cart_item::quantity>,  // int, not a user id
#else
    aa::reassign<&cart_item::user_id>,
#endif
    aa::reassign<&draft::author_id>>;
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

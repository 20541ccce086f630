// [anonauth.E005] Two migrators handle the same column.
#include "common.hpp"

using on_link = aa::link_migrations<
    aa::reassign<&cart_item::user_id>,
#ifdef ANONAUTH_EXPECT_FAIL
    aa::drop<&cart_item::user_id>,
#endif
    aa::reassign<&draft::author_id>>;
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E003] A user-reference column of the schema is handled by no migrator.
#include "common.hpp"

using on_link = aa::link_migrations<
#ifndef ANONAUTH_EXPECT_FAIL
    aa::drop<&draft::author_id>,  // without it, draft::author_id is left unhandled
#endif
    aa::reassign<&cart_item::user_id>>;
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

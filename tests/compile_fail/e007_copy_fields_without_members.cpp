// [anonauth.E007] aa::copy_fields names no member.
#include "common.hpp"

using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
#ifdef ANONAUTH_EXPECT_FAIL
                                    aa::copy_fields<>>;
#else
                                    aa::copy_fields<&user::location>>;
#endif
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E113] aa::link<> is given migrators directly instead of an aa::link_migrations<...>.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table>;
using auth_type = aa::anonymous_auth<schema, aa::link<aa::reassign<&cart_item::user_id>>>;
#else
using schema = aa::schema<aa::user_table<user>, cart_items_table>;
using auth_type = aa::anonymous_auth<schema, aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>>>>;
#endif

int main() {
  auth_type auth;
  (void)auth;
}

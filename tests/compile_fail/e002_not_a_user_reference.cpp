// [anonauth.E002] reassign names a column that the schema does not declare as a user reference.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using schema = aa::schema<aa::user_table<user>, cart_items_table, aa::table<"drafts", draft>>;  // no user_ref
#else
using schema = app_schema;
#endif

using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>>;
using auth_type = aa::anonymous_auth<schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

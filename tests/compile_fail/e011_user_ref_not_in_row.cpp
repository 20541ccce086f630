// [anonauth.E011] aa::user_ref names a member of another row than its table's.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using broken_drafts = aa::table<"drafts", draft, aa::user_ref<&cart_item::user_id>>;  // copy-pasted
using schema = aa::schema<aa::user_table<user>, cart_items_table, broken_drafts>;
#else
using schema = app_schema;
#endif

using auth_type = aa::anonymous_auth<schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

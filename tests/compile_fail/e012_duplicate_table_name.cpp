// [anonauth.E012] Two tables of aa::schema have the same SQL name.
#include "common.hpp"

struct wish {
  BOOST_HANA_DEFINE_STRUCT(wish, (std::string, id), (std::string, owner));
};

#ifdef ANONAUTH_EXPECT_FAIL
using wishes_table = aa::table<"drafts", wish, aa::user_ref<&wish::owner>>;  // the drafts table's name
#else
using wishes_table = aa::table<"wishes", wish, aa::user_ref<&wish::owner>>;
#endif
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, wishes_table>;
using migrations = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                       aa::reassign<&wish::owner>>;
using auth_type = aa::anonymous_auth<schema, aa::link<migrations>>;

int main() {
  auth_type auth;
  (void)auth;
}

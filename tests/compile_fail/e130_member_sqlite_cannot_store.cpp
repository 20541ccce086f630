// [anonauth.E130] A table's row has a member type the SQLite storage cannot store.
#include "common.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

#include <vector>

#ifdef ANONAUTH_EXPECT_FAIL
using tags_type = std::vector<std::string>;
#else
using tags_type = std::string;  // the fix: a type SQLite stores (a joined string, or a table of its own)
#endif

struct wish {
  BOOST_HANA_DEFINE_STRUCT(wish, (std::string, id), (std::string, owner), (tags_type, tags));
};

using schema = aa::schema<aa::user_table<user>, aa::table<"wishes", wish, aa::user_ref<&wish::owner>>>;
using auth_type = aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>,
                                     aa::link<aa::link_migrations<aa::reassign<&wish::owner>>>>;

int main() {
  auth_type auth{aa::sqlite_config{}};
  (void)auth;
}

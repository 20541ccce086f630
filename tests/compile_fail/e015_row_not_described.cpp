// [anonauth.E015] A table's row is not described to Boost.Hana.
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
struct note {
  std::string id;
  std::string owner;
};
#else
struct note {
  BOOST_HANA_DEFINE_STRUCT(note, (std::string, id), (std::string, owner));
};
#endif

using schema = aa::schema<aa::user_table<user>, aa::table<"notes", note, aa::user_ref<&note::owner>>>;
using auth_type = aa::anonymous_auth<schema, aa::link<aa::link_migrations<aa::reassign<&note::owner>>>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E014] A table's row has no std::string member `id` (here its key is a number).
#include "common.hpp"

struct order {
#ifdef ANONAUTH_EXPECT_FAIL
  BOOST_HANA_DEFINE_STRUCT(order, (long, id), (std::string, buyer));
#else
  BOOST_HANA_DEFINE_STRUCT(order, (std::string, id), (std::string, buyer));
#endif
};

using schema = aa::schema<aa::user_table<user>, aa::table<"orders", order, aa::user_ref<&order::buyer>>>;
using auth_type = aa::anonymous_auth<schema, aa::link<aa::link_migrations<aa::reassign<&order::buyer>>>>;

int main() {
  auth_type auth;
  (void)auth;
}

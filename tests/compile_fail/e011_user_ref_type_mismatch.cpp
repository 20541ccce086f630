// [anonauth.E011] aa::user_ref names a member whose type is not the user id type.
#include "common.hpp"

struct order {
  BOOST_HANA_DEFINE_STRUCT(order, (std::string, id), (std::string, buyer), (long, buyer_number));
};

#ifdef ANONAUTH_EXPECT_FAIL
using orders_table = aa::table<"orders", order, aa::user_ref<&order::buyer_number>>;
using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                    aa::leave<&order::buyer_number>>;
#else
using orders_table = aa::table<"orders", order, aa::user_ref<&order::buyer>>;
using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                    aa::leave<&order::buyer>>;
#endif
using schema = aa::schema<aa::user_table<user>, cart_items_table, drafts_table, orders_table>;
using auth_type = aa::anonymous_auth<schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

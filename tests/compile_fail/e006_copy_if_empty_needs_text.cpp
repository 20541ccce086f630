// [anonauth.E006] copy_if_empty names a user field that is not text.
#include "common.hpp"

struct member {
  BOOST_HANA_DEFINE_STRUCT(member,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (std::optional<std::string>, bio), (int, karma));
};

using schema = aa::schema<aa::user_table<member>>;
using on_link = aa::link_migrations<aa::copy_if_empty<&member::bio>,
#ifdef ANONAUTH_EXPECT_FAIL
                                    aa::copy_if_empty<&member::karma>>;
#else
                                    aa::copy_fields<&member::karma>>;
#endif
using auth_type = aa::anonymous_auth<schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}

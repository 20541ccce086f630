// [anonauth.E010] The user row has a core field with another type (image must be optional).
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using image_type = std::string;
#else
using image_type = std::optional<std::string>;
#endif

struct legacy_user {
  BOOST_HANA_DEFINE_STRUCT(legacy_user,
    (std::string, id), (std::string, name), (std::string, email), (bool, email_verified),
    (image_type, image), (bool, is_anonymous), (aa::timestamp, created_at), (aa::timestamp, updated_at));
};

using auth_type = aa::anonymous_auth<aa::schema<aa::user_table<legacy_user>>>;

int main() {
  auth_type auth;
  (void)auth;
}

// [anonauth.E140] The user row has a member the HTTP layer cannot send or read as JSON.
#include "common.hpp"

#include <anonauth/http/handler.hpp>

#include <vector>

#ifdef ANONAUTH_EXPECT_FAIL
using tags_type = std::vector<std::string>;
#else
using tags_type = std::string;  // the fix: a type with a JSON form (a joined string, or a table of its own)
#endif

struct tagged_user {
  BOOST_HANA_DEFINE_STRUCT(tagged_user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (tags_type, tags));
};

using auth_type = aa::anonymous_auth<aa::schema<aa::user_table<tagged_user>>>;

int main() {
  auth_type auth;
  aa::http::options options;
  options.secret = std::string(32, 'x');
  aa::http::handler handler{auth, options};
  (void)handler;
}

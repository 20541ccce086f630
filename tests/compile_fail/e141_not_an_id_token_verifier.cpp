// [anonauth.E141] The verifier given to aa::http::handler has no verify(id_token) -> result<social_profile>.
#include "common.hpp"

#include <anonauth/http/handler.hpp>

struct my_verifier {
#ifdef ANONAUTH_EXPECT_FAIL
  bool verify(const std::string& token) const { return !token.empty(); }
#else
  aa::result<aa::social_profile> verify(const aa::http::id_token&) const { return aa::errors::provider_not_found; }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  aa::http::options options;
  options.secret = std::string(32, 'x');
  aa::http::handler handler{auth, options, my_verifier{}};
  (void)handler;
}

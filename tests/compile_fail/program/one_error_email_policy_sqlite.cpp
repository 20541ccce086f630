// One mistake, one error: the email policy's generate() takes the wrong argument, so it is no
// email policy ([anonauth.E111]); the program still passes it to the constructor.
#include "shop.hpp"

struct shop_email {
#ifdef ANONAUTH_EXPECT_FAIL
  std::string generate(const std::string& domain) const { return "guest@" + domain; }
#else
  std::string generate(aa::generation_context& ctx) const { return "g-" + ctx.random_alphanumeric(24) + "@shop.example"; }
#endif
};
using auth_type = shop::auth_of<shop::full_link, shop_email>;
#include "exercise.hpp"

int main() {
  auth_type auth{aa::sqlite_config{}, shop_email{}, aa::credential_limits{}};
  return exercise(auth);
}

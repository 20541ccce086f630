// [anonauth.E115] The type given to aa::clock<> returns another time type than aa::timestamp.
#include "common.hpp"

#include <chrono>

struct wall_clock {
#ifdef ANONAUTH_EXPECT_FAIL
  std::chrono::system_clock::time_point now() const { return std::chrono::system_clock::now(); }
#else
  aa::timestamp now() const { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::clock<wall_clock>>;

int main() {
  auth_type auth;
  (void)auth;
}

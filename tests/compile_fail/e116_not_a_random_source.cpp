// [anonauth.E116] The type given to aa::random<> has no fill(std::span<std::uint8_t>).
#include "common.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

struct counter_random {  // test double: predictable bytes
  std::uint8_t next = 0;
#ifdef ANONAUTH_EXPECT_FAIL
  void fill(std::uint8_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = next++;
  }
#else
  void fill(std::span<std::uint8_t> out) {
    for (auto& b : out) b = next++;
  }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::random<counter_random>>;

int main() {
  auth_type auth;
  (void)auth;
}

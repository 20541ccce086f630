// [anonauth.E110] The type given to aa::storage<> does not model storage_policy.
#include "common.hpp"

struct redis_storage {  // a config, but no backend<Schema>
  struct config {
    std::string url;
  };
};

#ifdef ANONAUTH_EXPECT_FAIL
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::storage<redis_storage>>;
#else
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::storage<aa::memory_storage>>;
#endif

int main() {
  auth_type auth;
  (void)auth;
}

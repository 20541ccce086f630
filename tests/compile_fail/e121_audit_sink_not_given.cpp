// [anonauth.E121] aa::json_lines_file has no default (it needs a path): an auth built without
// one would lose every event, so it does not compile.
#include "common.hpp"

#include <anonauth/audit/json_lines_file.hpp>

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::audit<aa::json_lines_file>>;

int main() {
#ifdef ANONAUTH_EXPECT_FAIL
  auth_type auth;
#else
  auth_type auth{aa::memory_storage::config{}, aa::json_lines_file{"audit.jsonl"}};
#endif
  (void)auth;
}

// [anonauth.E121] The type given to aa::audit<> cannot take every event: guests_purged is missing.
#include "common.hpp"

struct partial_sink {
  void operator()(const aa::events::guest_created&) {}
  void operator()(const aa::events::guest_linked&) {}
  void operator()(const aa::events::guest_promoted&) {}
  void operator()(const aa::events::link_failed&) {}
  void operator()(const aa::events::guest_deleted&) {}
#ifndef ANONAUTH_EXPECT_FAIL
  void operator()(const aa::events::guests_purged&) {}
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::audit<partial_sink>>;

int main() {
  auth_type auth;
  (void)auth;
}

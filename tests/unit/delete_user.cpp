// delete_anonymous_user: Better Auth's checks in their order (401, 400, 403), then the deletion
// of the guest with its sessions and, by the schema, its rows. Upstream #18 and the listed gaps.
#include "catch.hpp"
#include "fixtures.hpp"

#include <chrono>
#include <string>

using namespace fixtures;

namespace {
using keeping_auth = test_auth<aa::keep_anonymous_user>;
}  // namespace

TEST_CASE("delete_anonymous_user.without_a_session_is_unauthorized", "[delete]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  REQUIRE_REFUSED(auth.delete_anonymous_user(no_session()), "UNAUTHORIZED", "Unauthorized", 401);
  REQUIRE_REFUSED(auth.delete_anonymous_user(with_token("")), "UNAUTHORIZED", "Unauthorized", 401);
  REQUIRE_REFUSED(auth.delete_anonymous_user(with_token("unknownTokenUnknownTokenUnknown00")), "UNAUTHORIZED",
                  "Unauthorized", 401);

  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  clock.advance(std::chrono::days{8});
  REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(guest->token)), "UNAUTHORIZED", "Unauthorized", 401);
  CHECK(auth.find_user(guest->user.id).has_value());
}

TEST_CASE("delete_anonymous_user.real_user_is_forbidden", "[delete]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto real = auth.sign_up_email(sign_up_body("real@example.com"), no_session());
  REQUIRE(real.has_value());
  REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(real->token)), "USER_IS_NOT_ANONYMOUS",
                  "User is not anonymous", 403);
  CHECK(auth.find_user(real->user.id).has_value());
  CHECK(auth.get_session(real->token).has_value());
  CHECK(accounts_of(auth, real->user.id).size() == 1);
}

TEST_CASE("delete_anonymous_user.disabled_by_keep_anonymous_user", "[delete][keep]") {
  keeping_auth auth{aa::memory_storage::config{}, manual_clock{}};
  static_assert(keeping_auth::keeps_anonymous_user);

  SECTION("a guest gets 400") {
    auto guest = auth.sign_in_anonymous(no_session());
    REQUIRE(guest.has_value());
    REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(guest->token)), "DELETE_ANONYMOUS_USER_DISABLED",
                    "Deleting anonymous users is disabled", 400);
    CHECK(auth.find_user(guest->user.id).has_value());
    CHECK(auth.get_session(guest->token).has_value());
  }
  SECTION("a real user gets 400, not 403: the disabled check comes first") {
    auto real = auth.sign_up_email(sign_up_body("real@example.com"), no_session());
    REQUIRE(real.has_value());
    REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(real->token)), "DELETE_ANONYMOUS_USER_DISABLED",
                    "Deleting anonymous users is disabled", 400);
    CHECK(auth.find_user(real->user.id).has_value());
  }
  SECTION("no session still gets 401 first") {
    REQUIRE_REFUSED(auth.delete_anonymous_user(no_session()), "UNAUTHORIZED", "Unauthorized", 401);
  }
}

TEST_CASE("delete_anonymous_user.deletes_the_guest_and_its_sessions", "[delete]") {  // upstream #18
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE(auth.get_session(guest->token).has_value());
  REQUIRE(stored_session(auth, guest->token).has_value());

  auto deleted = auth.delete_anonymous_user(with_token(guest->token));
  REQUIRE(deleted.has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK_FALSE(stored_session(auth, guest->token).has_value());
  CHECK_FALSE(auth.find_user(guest->user.id).has_value());
  CHECK(user_count(auth) == 0);

  // the token is dead: a second call is unauthorized
  REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(guest->token)), "UNAUTHORIZED", "Unauthorized", 401);
}

TEST_CASE("delete_anonymous_user.removes_every_session_of_the_guest", "[delete]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());

  // a second session of the same guest, written straight to storage
  const std::string second_token = "SecondGuestSessionToken000000000";
  aa::session_record extra;
  extra.hash = aa::crypto::hash_token(second_token);
  extra.session = aa::session{"second-session-id", guest->user.id, clock.now() + std::chrono::days{7},
                              clock.now(), clock.now(), "198.51.100.1", "other-agent"};
  auth.storage().write([&](auto& tx) { tx.insert_session(extra); });
  REQUIRE(auth.get_session(second_token).has_value());

  REQUIRE(auth.delete_anonymous_user(with_token(guest->token)).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK_FALSE(auth.get_session(second_token).has_value());
  CHECK_FALSE(stored_session(auth, second_token).has_value());
}

TEST_CASE("delete_anonymous_user.cascades_to_the_guests_rows_only", "[delete]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  auto other = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE(other.has_value());
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "SKU-1", 2});
  auth.table<cart_item>().insert(cart_item{"c2", guest->user.id, "SKU-2", 1});
  auth.table<cart_item>().insert(cart_item{"c3", other->user.id, "SKU-3", 5});
  auth.table<draft>().insert(draft{"d1", guest->user.id, "guest draft"});
  auth.table<draft>().insert(draft{"d2", other->user.id, "other draft"});

  REQUIRE(auth.delete_anonymous_user(with_token(guest->token)).has_value());
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(guest->user.id).empty());
  CHECK(auth.table<draft>().find_by<&draft::author_id>(guest->user.id).empty());
  CHECK(auth.table<cart_item>().count() == 1);
  CHECK(auth.table<draft>().count() == 1);
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(other->user.id).size() == 1);

  // the other guest is untouched
  CHECK(auth.find_user(other->user.id).has_value());
  CHECK(auth.get_session(other->token).has_value());
}

// aa::on_sign_up<aa::promote_in_place>: signing up (by email, or a first social sign-in) turns the
// guest's own row into the user; signing in to an existing account still migrates. On the memory
// storage and on SQLite.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"
#ifdef ANONAUTH_HAS_SQLITE
#include "sqlite_fixtures.hpp"
#endif

#include <chrono>
#include <string>

using namespace fixtures;

namespace {

template <class Storage>
using promoting_auth = test_auth<aa::storage<Storage>, aa::on_sign_up<aa::promote_in_place>>;

/// A guest with two cart items and a draft.
template <class Auth>
aa::signed_in<user> guest_with_cart(Auth& auth) {
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<cart_item>().insert({"cart-1", guest->user.id, "sku-1", 1});
  auth.template table<cart_item>().insert({"cart-2", guest->user.id, "sku-2", 2});
  auth.template table<draft>().insert({"draft-1", guest->user.id, "a draft"});
  return *guest;
}

}  // namespace

static_assert(promoting_auth<aa::memory_storage>::promotes_in_place);
static_assert(!default_auth::promotes_in_place, "Better Auth's create-and-migrate stays the default");

TEMPLATE_TEST_CASE("promote.sign_up_turns_the_guest_into_the_user", "[promote]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  promoting_auth<TestType> auth{storages::fresh_config<TestType>("promote"), clock};
  const auto guest = guest_with_cart(auth);
  clock.advance(std::chrono::minutes{5});

  auto body = sign_up_body("Player@Example.com", "Player One");
  body.image = "https://example.com/p.png";
  auto signed_up = auth.sign_up_email(body, with_token(guest.token));
  REQUIRE(signed_up);

  // Same id, now a real user with what the sign-up gave; nothing moved, nothing was added.
  CHECK(signed_up->user.id == guest.user.id);
  CHECK_FALSE(signed_up->user.is_anonymous);
  CHECK(signed_up->user.email == "player@example.com");
  CHECK(signed_up->user.name == "Player One");
  CHECK(signed_up->user.image == std::optional<std::string>("https://example.com/p.png"));
  CHECK_FALSE(signed_up->user.email_verified);
  CHECK(signed_up->user.created_at == guest.user.created_at);
  CHECK(signed_up->user.updated_at == clock.now());
  CHECK(user_count(auth) == 1);
  CHECK(carts_of(auth, guest.user.id) == 2);
  CHECK(auth.template table<draft>().count() == 1);
  const auto stored = auth.find_user(guest.user.id);
  REQUIRE(stored);
  CHECK(boost::hana::equal(*stored, signed_up->user));

  // One credential account for the same id; the password works afterwards.
  const auto accounts = accounts_of(auth, guest.user.id);
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].provider_id == "credential");
  auto again = auth.sign_in_email({"player@example.com", std::string(test_password)}, no_session());
  REQUIRE(again);
  CHECK(again->user.id == guest.user.id);

  // The guest's token no longer opens anything; the new one opens the user.
  CHECK_FALSE(auth.get_session(guest.token));
  const auto view = auth.get_session(signed_up->token);
  REQUIRE(view);
  CHECK(view->user.id == guest.user.id);
}

TEMPLATE_TEST_CASE("promote.first_social_sign_in_turns_the_guest_into_the_user", "[promote]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  promoting_auth<TestType> auth{storages::fresh_config<TestType>("promote"), clock};
  const auto guest = guest_with_cart(auth);

  auto signed_in = auth.sign_in_social(google_profile("g-123", "social@example.com", true, ""), with_token(guest.token));
  REQUIRE(signed_in);
  CHECK(signed_in->user.id == guest.user.id);
  CHECK_FALSE(signed_in->user.is_anonymous);
  CHECK(signed_in->user.email_verified);
  CHECK(signed_in->user.name == "social");  // no name from the provider: the email's local part
  CHECK(user_count(auth) == 1);
  CHECK(carts_of(auth, guest.user.id) == 2);
  const auto accounts = accounts_of(auth, guest.user.id);
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].provider_id == "google");
  CHECK(accounts[0].account_id == "g-123");

  // The next social sign-in finds the account: the same user, no second promotion.
  auto next = auth.sign_in_social(google_profile("g-123", "social@example.com"), no_session());
  REQUIRE(next);
  CHECK(next->user.id == guest.user.id);
  CHECK(user_count(auth) == 1);
}

TEMPLATE_TEST_CASE("promote.signing_in_to_an_existing_account_still_migrates", "[promote]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  promoting_auth<TestType> auth{storages::fresh_config<TestType>("promote"), clock};
  auto owner = auth.sign_up_email(sign_up_body("owner@example.com"), no_session());
  REQUIRE(owner);
  CHECK_FALSE(owner->user.is_anonymous);
  const auto guest = guest_with_cart(auth);

  auto signed_in = auth.sign_in_email({"owner@example.com", std::string(test_password)}, with_token(guest.token));
  REQUIRE(signed_in);
  CHECK(signed_in->user.id == owner->user.id);
  CHECK(carts_of(auth, owner->user.id) == 2);  // seed_link reassigns the cart
  CHECK_FALSE(auth.find_user(guest.user.id));  // and the guest is gone
  CHECK(user_count(auth) == 1);
}

TEMPLATE_TEST_CASE("promote.a_taken_email_leaves_the_guest_as_it_was", "[promote]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  promoting_auth<TestType> auth{storages::fresh_config<TestType>("promote"), clock};
  REQUIRE(auth.sign_up_email(sign_up_body("taken@example.com"), no_session()));
  const auto guest = guest_with_cart(auth);

  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("taken@example.com"), with_token(guest.token)),
                  "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422);
  const auto still = auth.find_user(guest.user.id);
  REQUIRE(still);
  CHECK(boost::hana::equal(*still, guest.user));
  CHECK(auth.get_session(guest.token));
  CHECK(accounts_of(auth, guest.user.id).empty());
}

TEMPLATE_TEST_CASE("promote.without_the_option_sign_up_creates_a_new_user", "[promote]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  test_auth<aa::storage<TestType>> auth{storages::fresh_config<TestType>("promote"), clock};
  const auto guest = guest_with_cart(auth);
  auto signed_up = auth.sign_up_email(sign_up_body("new@example.com"), with_token(guest.token));
  REQUIRE(signed_up);
  CHECK(signed_up->user.id != guest.user.id);
  CHECK(carts_of(auth, signed_up->user.id) == 2);
  CHECK_FALSE(auth.find_user(guest.user.id));
}

#ifdef ANONAUTH_HAS_SQLITE
// Every statement of a promotion, made to fail in turn: the database is left as it was.
TEST_CASE("promote.a_failure_at_any_statement_changes_nothing", "[promote][sqlite]") {
  using auth_type = aa::anonymous_auth<app_schema, aa::link<seed_link>, aa::storage<aa::sqlite_storage>,
                                       fast_hashing, aa::on_sign_up<aa::promote_in_place>>;
  auto attempt = [](std::size_t fail_at, const std::string& name) {
    sqlite_fixtures::fault_injector faults;
    aa::sqlite_config config = sqlite_fixtures::file_config(name);
    config.before_statement = faults.hook();
    auth_type auth{config};
    const auto guest = guest_with_cart(auth);
    const std::string before = sqlite_fixtures::dump(config.path);
    faults.arm(fail_at);
    auto result = auth.sign_up_email(sign_up_body("p@example.com"), with_token(guest.token));
    faults.disarm();
    return std::tuple{result.has_value(), faults.seen, before, sqlite_fixtures::dump(config.path)};
  };
  const auto [ok, statements, before, after] = attempt(0, "promote-count.db");
  REQUIRE(ok);
  REQUIRE(after != before);
  REQUIRE(statements >= 6);  // reads, BEGIN, session erase, update, account, session, COMMIT
  for (std::size_t k = 1; k <= statements; ++k) {
    INFO("statement " << k << " of " << statements << " fails");
    const auto [done, seen, was, now] = attempt(k, "promote-fault-" + std::to_string(k) + ".db");
    CHECK_FALSE(done);
    CHECK(seen == k);
    CHECK(now == was);
  }
}
#endif

// Linking a guest on sign-in (Better Auth anon.test.ts #3, #4, #6, #15, #16 and the listed gaps),
// and the aa::result<T> API every operation answers with.
#include "catch.hpp"
#include "fixtures.hpp"

#include <sstream>
#include <string>

using namespace fixtures;

namespace {

/// Upstream's onLinkAccount spy: counts calls and remembers what it was shown.
struct counting_migrator {
  static inline int calls = 0;
  static inline std::string anonymous_id;
  static inline bool anonymous_was_anonymous = false;
  static inline std::string anonymous_session_user;
  static inline std::string new_user_id;
  static inline bool new_user_was_anonymous = true;
  static inline std::string request_user_agent;
  static inline std::size_t carts_of_new_user = 0;

  static void reset() {
    calls = 0;
    anonymous_id.clear();
    anonymous_was_anonymous = false;
    anonymous_session_user.clear();
    new_user_id.clear();
    new_user_was_anonymous = true;
    request_user_agent.clear();
    carts_of_new_user = 0;
  }

  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ++calls;
    anonymous_id = ctx.anonymous_user().id;
    anonymous_was_anonymous = ctx.anonymous_user().is_anonymous;
    anonymous_session_user = ctx.anonymous_session().user_id;
    new_user_id = ctx.new_user().id;
    new_user_was_anonymous = ctx.new_user().is_anonymous;
    request_user_agent = ctx.request().user_agent;
    // runs after the reassign migrators: the cart already belongs to the new user
    carts_of_new_user = ctx.template table<cart_item>().template find_by<&cart_item::user_id>(ctx.new_user().id).size();
    ctx.update_user([](auto& u) { u.location = "set by the migrator"; });
  }
};

using counting_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                          aa::on_link<counting_migrator>>;
using counting_auth = auth_with_link<counting_link>;

/// Gives `user_id` a social identity directly in storage (Better Auth: an anonymous user who
/// attached a provider, or a passkey, and later signs in with it).
template <class Auth>
void attach_identity(Auth& auth, const std::string& user_id, const std::string& provider, const std::string& account_id) {
  const aa::timestamp now = manual_clock::start();
  auth.storage().write([&](auto& tx) {
    tx.insert_account(aa::account{"acct-" + account_id, user_id, provider, account_id, std::nullopt, now, now});
  });
}

}  // namespace

// --- linking -------------------------------------------------------------------------------------

TEST_CASE("linking.sign_in_email_links_the_guest", "[link]") {  // upstream #3, #16
  counting_migrator::reset();
  counting_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto real = auth.sign_up_email(sign_up_body("test@test.com", "test user", "test123456"), no_session());
  REQUIRE(real.has_value());
  CHECK(counting_migrator::calls == 0);

  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  CHECK(counting_migrator::calls == 0);
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "SKU-1", 1});

  auto in = auth.sign_in_email(aa::email_sign_in{"test@test.com", "test123456"}, with_token(guest->token));
  REQUIRE(in.has_value());
  CHECK(counting_migrator::calls == 1);
  CHECK(in->user.id == real->user.id);

  // what the migrator saw
  CHECK(counting_migrator::anonymous_id == guest->user.id);
  CHECK(counting_migrator::anonymous_was_anonymous);
  CHECK(counting_migrator::anonymous_session_user == guest->user.id);
  CHECK(counting_migrator::new_user_id == real->user.id);
  CHECK_FALSE(counting_migrator::new_user_was_anonymous);
  CHECK(counting_migrator::request_user_agent == test_user_agent);
  CHECK(counting_migrator::carts_of_new_user == 1);

  // its edit is saved and returned
  CHECK(in->user.location == std::optional<std::string>("set by the migrator"));
  CHECK(auth.find_user(real->user.id).value().location == std::optional<std::string>("set by the migrator"));

  // the guest is gone, with its session (#16)
  CHECK_FALSE(auth.find_user(guest->user.id).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK_FALSE(stored_session(auth, guest->token).has_value());
  CHECK(auth.get_session(in->token).value().user.id == real->user.id);
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(real->user.id).size() == 1);
  CHECK(user_count(auth) == 1);
}

TEST_CASE("linking.sign_up_email_migrates_the_seed_data", "[link]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE(auth.update_user(with_token(guest->token), [](user& u) {
                u.bio = "  likes tea  ";
                u.location = "Porto";
              }).has_value());
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "SKU-1", 2});
  auth.table<cart_item>().insert(cart_item{"c2", guest->user.id, "SKU-2", 1});
  auth.table<draft>().insert(draft{"d1", guest->user.id, "half a poem"});

  auto up = auth.sign_up_email(sign_up_body("linked@example.com", "Linked"), with_token(guest->token));
  REQUIRE(up.has_value());
  CHECK_FALSE(up->user.is_anonymous);
  CHECK(up->user.bio == std::optional<std::string>("likes tea"));  // copy_if_empty trims
  CHECK(up->user.location == std::optional<std::string>("Porto"));

  auto stored = auth.find_user(up->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->bio == std::optional<std::string>("likes tea"));
  CHECK(stored->location == std::optional<std::string>("Porto"));
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(up->user.id).size() == 2);
  CHECK(auth.table<draft>().find_by<&draft::author_id>(up->user.id).size() == 1);
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(guest->user.id).empty());

  CHECK_FALSE(auth.find_user(guest->user.id).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK(user_count(auth) == 1);
}

TEST_CASE("linking.social_sign_in_links_the_guest", "[link][social]") {  // upstream #4
  counting_migrator::reset();
  counting_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE(auth.get_session(guest->token).value().user.is_anonymous);

  auto social = auth.sign_in_social(google_profile("1234567890", "user@email.com", true), with_token(guest->token));
  REQUIRE(social.has_value());
  CHECK(counting_migrator::calls == 1);
  CHECK(counting_migrator::anonymous_id == guest->user.id);
  CHECK(counting_migrator::new_user_id == social->user.id);
  CHECK(social->user.email == "user@email.com");
  CHECK(social->user.email_verified);
  CHECK_FALSE(auth.find_user(guest->user.id).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
}

TEST_CASE("linking.needs_an_anonymous_session_on_the_request", "[link]") {  // upstream #6
  counting_migrator::reset();
  manual_clock clock;
  counting_auth auth{aa::memory_storage::config{}, clock};
  auto victim = auth.sign_in_anonymous(no_session());
  REQUIRE(victim.has_value());

  SECTION("no session") {
    auto social = auth.sign_in_social(google_profile("1234567890", "user@email.com"), no_session());
    REQUIRE(social.has_value());
    REQUIRE(auth.sign_up_email(sign_up_body("plain@example.com"), no_session()).has_value());
    REQUIRE(auth.sign_in_email(aa::email_sign_in{"plain@example.com", std::string(test_password)}, no_session())
                .has_value());
  }
  SECTION("a real user's session") {
    auto real = auth.sign_up_email(sign_up_body("real@example.com"), no_session());
    REQUIRE(real.has_value());
    auto social = auth.sign_in_social(google_profile("42", "other@email.com"), with_token(real->token));
    REQUIRE(social.has_value());
    CHECK(auth.find_user(real->user.id).has_value());
    CHECK(auth.get_session(real->token).has_value());
  }
  SECTION("an expired guest session") {
    clock.advance(std::chrono::days{7} + std::chrono::milliseconds{1});
    auto up = auth.sign_up_email(sign_up_body("late@example.com"), with_token(victim->token));
    REQUIRE(up.has_value());
  }
  CHECK(counting_migrator::calls == 0);
  auto still_there = auth.find_user(victim->user.id);
  REQUIRE(still_there.has_value());
  CHECK(still_there->is_anonymous);
}

TEST_CASE("linking.does_not_delete_when_the_user_is_the_guest_itself", "[link]") {  // upstream #15
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  attach_identity(auth, guest->user.id, "google", "guest-identity");
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "SKU-1", 1});

  auto again = auth.sign_in_social(google_profile("guest-identity", "ignored@email.com"), with_token(guest->token));
  REQUIRE(again.has_value());
  CHECK(again->user.id == guest->user.id);
  CHECK(again->user.is_anonymous);

  auto stored = auth.find_user(guest->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->is_anonymous);
  CHECK(auth.get_session(guest->token).has_value());
  CHECK(auth.get_session(again->token).value().user.id == guest->user.id);
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(guest->user.id).size() == 1);
}

TEST_CASE("linking.does_not_delete_when_the_new_user_is_anonymous", "[link]") {  // upstream #15
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  auto second = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  attach_identity(auth, second->user.id, "google", "second-guest");

  auto in = auth.sign_in_social(google_profile("second-guest", "ignored@email.com"), with_token(first->token));
  REQUIRE(in.has_value());
  CHECK(in->user.id == second->user.id);
  CHECK(in->user.is_anonymous);
  CHECK(auth.find_user(first->user.id).has_value());
  CHECK(auth.get_session(first->token).has_value());
  CHECK(user_count(auth) == 2);
}

TEST_CASE("linking.keep_anonymous_user_keeps_the_guest", "[link][keep]") {
  test_auth<aa::keep_anonymous_user> auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "SKU-1", 3});

  auto up = auth.sign_up_email(sign_up_body("keeper@example.com"), with_token(guest->token));
  REQUIRE(up.has_value());
  CHECK(up->user.id != guest->user.id);

  auto kept = auth.find_user(guest->user.id);
  REQUIRE(kept.has_value());
  CHECK(kept->is_anonymous);
  CHECK(auth.get_session(guest->token).has_value());
  CHECK(user_count(auth) == 2);
  // the migrations still ran
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(up->user.id).size() == 1);
}

TEST_CASE("linking.plain_sign_ins_do_not_run_migrators", "[link]") {
  counting_migrator::reset();
  counting_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE(auth.sign_in_anonymous(no_session()).has_value());
  REQUIRE(auth.sign_up_email(sign_up_body("a@example.com"), no_session()).has_value());
  REQUIRE(auth.sign_in_email(aa::email_sign_in{"a@example.com", std::string(test_password)}, no_session()).has_value());
  REQUIRE(auth.sign_in_social(google_profile("1", "b@email.com"), no_session()).has_value());
  CHECK(counting_migrator::calls == 0);
  CHECK(user_count(auth) == 3);
}

TEST_CASE("linking.refused_sign_in_leaves_the_guest", "[link]") {
  counting_migrator::reset();
  counting_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE(auth.sign_up_email(sign_up_body("taken@example.com"), no_session()).has_value());
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());

  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"taken@example.com", "wrong-password"}, with_token(guest->token)),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("taken@example.com"), with_token(guest->token)),
                  "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422);
  CHECK(counting_migrator::calls == 0);
  CHECK(auth.find_user(guest->user.id).has_value());
  CHECK(auth.get_session(guest->token).value().user.is_anonymous);
}

// --- aa::result ----------------------------------------------------------------------------------

TEST_CASE("result.value_access", "[result]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(static_cast<bool>(r));
  CHECK_NOTHROW(r.value());
  CHECK(r.value().user.id == r->user.id);
  CHECK((*r).token == r->token);
  const auto& cr = r;
  CHECK(cr.value().session.user_id == cr->user.id);
  const std::string id = r->user.id;
  auto moved = std::move(r).value();
  CHECK(moved.user.id == id);
}

TEST_CASE("result.error_access", "[result]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  auto r = auth.sign_in_anonymous(with_token(first->token));

  CHECK_FALSE(r.has_value());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error().code() == "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
  CHECK(r.error().message() == "Anonymous users cannot sign in again anonymously");
  CHECK(r.error().status() == 400);
  CHECK(r.error() == aa::errors::anonymous_users_cannot_sign_in_again_anonymously);
  CHECK(r.error().is(aa::errors::anonymous_users_cannot_sign_in_again_anonymously));
  CHECK_FALSE(r.error().is(aa::errors::unauthorized));

  CHECK_THROWS_AS(r.value(), aa::error_exception);
  try {
    (void)r.value();
    FAIL("value() on an error must throw");
  } catch (const aa::error_exception& e) {
    CHECK(e.error().code() == "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
    CHECK(e.error().status() == 400);
    CHECK(std::string(e.what()).find("ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY") != std::string::npos);
  }

  std::ostringstream os;
  os << r.error();
  CHECK(os.str() == "400 ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY: Anonymous users cannot sign in again anonymously");
}

TEST_CASE("result.void_results", "[result]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  aa::result<void> ok = auth.sign_out(no_session());
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));
  CHECK_NOTHROW(ok.value());

  aa::result<void> refused = auth.delete_anonymous_user(no_session());
  CHECK_FALSE(refused.has_value());
  CHECK_FALSE(static_cast<bool>(refused));
  CHECK(refused.error().code() == "UNAUTHORIZED");
  CHECK(refused.error().message() == "Unauthorized");
  CHECK(refused.error().status() == 401);
  CHECK_THROWS_AS(refused.value(), aa::error_exception);

  aa::result<void> made_ok;
  CHECK(made_ok.has_value());
  aa::result<int> from_code = aa::errors::password_too_short;
  CHECK_FALSE(from_code.has_value());
  CHECK(from_code.error().code() == "PASSWORD_TOO_SHORT");
  aa::result<int> from_value = 7;
  CHECK(from_value.value() == 7);
}

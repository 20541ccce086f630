// Sessions as a user manages them: remember-me, lookups that may or may not extend, listing,
// revoking one, the others or all, and sign-up with application fields. On memory and SQLite.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using namespace fixtures;
using namespace std::chrono_literals;

namespace {

template <class Storage>
using storage_auth = test_auth<aa::storage<Storage>>;

template <class Auth>
aa::signed_in<user> signed_up(Auth& auth, const std::string& email, bool remember = true) {
  auto body = sign_up_body(email);
  body.remember_me = remember;
  auto r = auth.sign_up_email(body, no_session());
  REQUIRE(r);
  return *r;
}

template <class Auth>
aa::signed_in<user> signed_in(Auth& auth, const std::string& email, bool remember = true) {
  auto r = auth.sign_in_email(aa::email_sign_in{email, std::string(test_password), remember}, no_session());
  REQUIRE(r);
  return *r;
}

}  // namespace

TEMPLATE_TEST_CASE("sessions.remember_me_false_opens_a_one_day_session", "[session][remember]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("remember"), clock};
  const auto up = signed_up(auth, "short@example.com", false);
  CHECK(up.session.expires_at == clock.now() + std::chrono::days{1});
  const auto in = signed_in(auth, "short@example.com", false);
  CHECK(in.session.expires_at == clock.now() + std::chrono::days{1});
  const auto remembered = signed_in(auth, "short@example.com");
  CHECK(remembered.session.expires_at == clock.now() + std::chrono::days{7});

  // Looking it up, even once it would be due by Better Auth's rule, never extends it.
  clock.advance(std::chrono::hours{12});
  auto looked = auth.lookup_session(in.token);
  REQUIRE(looked);
  CHECK_FALSE(looked->refreshed);
  CHECK(auth.get_session(in.token)->session.expires_at == in.session.expires_at);

  // A day later the short session is gone; the remembered one lives on.
  clock.advance(std::chrono::hours{12} + 1ms);
  CHECK_FALSE(auth.get_session(in.token).has_value());
  CHECK(auth.get_session(remembered.token).has_value());
}

TEMPLATE_TEST_CASE("sessions.lookup_tells_whether_it_extended", "[session][refresh]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("lookup"), clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);

  auto fresh = auth.lookup_session(guest->token);
  REQUIRE(fresh);
  CHECK_FALSE(fresh->refreshed);
  CHECK(fresh->view.user.id == guest->user.id);

  clock.advance(std::chrono::days{2});
  // Refresh switched off: due, but left as it was.
  auto kept = auth.lookup_session(guest->token, aa::session_refresh::never);
  REQUIRE(kept);
  CHECK_FALSE(kept->refreshed);
  CHECK(kept->view.session.expires_at == guest->session.expires_at);
  CHECK(stored_session(auth, guest->token)->session.expires_at == guest->session.expires_at);

  auto extended = auth.lookup_session(guest->token);
  REQUIRE(extended);
  CHECK(extended->refreshed);
  CHECK(extended->view.session.expires_at == clock.now() + std::chrono::days{7});
  CHECK(stored_session(auth, guest->token)->session.expires_at == clock.now() + std::chrono::days{7});

  // Just extended: not due again.
  auto again = auth.lookup_session(guest->token);
  REQUIRE(again);
  CHECK_FALSE(again->refreshed);
}

TEMPLATE_TEST_CASE("sessions.list_gives_the_users_live_sessions_oldest_first", "[session][list]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("list"), clock};
  const auto laptop = signed_up(auth, "many@example.com");
  clock.advance(1s);
  const auto phone = signed_in(auth, "many@example.com", false);  // one day
  clock.advance(1s);
  const auto tablet = signed_in(auth, "many@example.com");
  const auto stranger = signed_up(auth, "stranger@example.com");

  auto listed = auth.list_sessions(with_token(phone.token));
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].session.id == laptop.session.id);
  CHECK((*listed)[1].session.id == phone.session.id);
  CHECK((*listed)[2].session.id == tablet.session.id);
  CHECK_FALSE((*listed)[0].current);
  CHECK((*listed)[1].current);
  CHECK_FALSE((*listed)[2].current);
  for (const auto& s : *listed) CHECK(s.session.user_id == laptop.user.id);

  // The short session ends first, and is no longer listed.
  clock.advance(std::chrono::days{1} - 1s + 1ms);  // past the phone's day, the tablet still fresh
  auto later = auth.list_sessions(with_token(tablet.token));
  REQUIRE(later);
  REQUIRE(later->size() == 2);
  CHECK((*later)[0].session.id == laptop.session.id);
  CHECK((*later)[1].current);
  (void)stranger;
}

TEMPLATE_TEST_CASE("sessions.list_needs_a_fresh_valid_session", "[session][list]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("fresh"), clock};
  const auto up = signed_up(auth, "fresh@example.com");
  REQUIRE_REFUSED(auth.list_sessions(no_session()), "UNAUTHORIZED", "Unauthorized", 401);
  REQUIRE_REFUSED(auth.list_sessions(with_token("notARealTokenNotARealTokenNotARe")), "UNAUTHORIZED", "Unauthorized", 401);
  clock.advance(std::chrono::hours{23});
  CHECK(auth.list_sessions(with_token(up.token)));
  clock.advance(std::chrono::hours{1});  // created a day ago: Better Auth's freshAge
  REQUIRE_REFUSED(auth.list_sessions(with_token(up.token)), "SESSION_NOT_FRESH", "Session is not fresh", 403);
  // A new sign-in is fresh again.
  CHECK(auth.list_sessions(with_token(signed_in(auth, "fresh@example.com").token)));
}

TEMPLATE_TEST_CASE("sessions.revoke_one_by_token_or_by_id", "[session][revoke]", ANONAUTH_TEST_STORAGES) {
  storage_auth<TestType> auth{storages::fresh_config<TestType>("revoke"), manual_clock{}};
  const auto laptop = signed_up(auth, "revoke@example.com");
  const auto phone = signed_in(auth, "revoke@example.com");
  const auto tablet = signed_in(auth, "revoke@example.com");
  const auto stranger = signed_up(auth, "other@example.com");

  // By the phone's token, from the laptop: not the laptop's own session.
  auto by_token = auth.revoke_session(with_token(laptop.token), phone.token);
  REQUIRE(by_token);
  CHECK_FALSE(*by_token);
  CHECK_FALSE(auth.get_session(phone.token));

  // By id, as list_sessions names the others.
  auto by_id = auth.revoke_session(with_token(laptop.token), tablet.session.id);
  REQUIRE(by_id);
  CHECK_FALSE(*by_id);
  CHECK_FALSE(auth.get_session(tablet.token));

  // Another user's session, by token or id, is left alone, with the same answer.
  CHECK(auth.revoke_session(with_token(laptop.token), stranger.token));
  CHECK(auth.revoke_session(with_token(laptop.token), stranger.session.id));
  CHECK(auth.get_session(stranger.token));
  CHECK(auth.revoke_session(with_token(laptop.token), "no-such-session"));

  // Its own: the answer says so.
  auto own = auth.revoke_session(with_token(laptop.token), laptop.token);
  REQUIRE(own);
  CHECK(*own);
  CHECK_FALSE(auth.get_session(laptop.token));
  REQUIRE_REFUSED(auth.revoke_session(with_token(laptop.token), stranger.token), "UNAUTHORIZED", "Unauthorized", 401);
}

TEMPLATE_TEST_CASE("sessions.revoke_others_keeps_the_own_revoke_all_ends_it", "[session][revoke]", ANONAUTH_TEST_STORAGES) {
  storage_auth<TestType> auth{storages::fresh_config<TestType>("revoke-all"), manual_clock{}};
  const auto a = signed_up(auth, "all@example.com");
  const auto b = signed_in(auth, "all@example.com");
  const auto c = signed_in(auth, "all@example.com");
  const auto stranger = signed_up(auth, "bystander@example.com");

  auto others = auth.revoke_other_sessions(with_token(b.token));
  REQUIRE(others);
  CHECK(*others == 2);
  CHECK_FALSE(auth.get_session(a.token));
  CHECK(auth.get_session(b.token));
  CHECK_FALSE(auth.get_session(c.token));

  const auto d = signed_in(auth, "all@example.com");
  auto all = auth.revoke_sessions(with_token(d.token));
  REQUIRE(all);
  CHECK(*all == 2);
  CHECK_FALSE(auth.get_session(b.token));
  CHECK_FALSE(auth.get_session(d.token));
  CHECK(auth.get_session(stranger.token));
  REQUIRE_REFUSED(auth.revoke_sessions(with_token(d.token)), "UNAUTHORIZED", "Unauthorized", 401);
  REQUIRE_REFUSED(auth.revoke_other_sessions(no_session()), "UNAUTHORIZED", "Unauthorized", 401);
}

TEMPLATE_TEST_CASE("sign_up.init_sets_application_fields", "[sign_up][fields]", ANONAUTH_TEST_STORAGES) {
  storage_auth<TestType> auth{storages::fresh_config<TestType>("init"), manual_clock{}};
  auto up = auth.sign_up_email(sign_up_body("fields@example.com"), no_session(), [](user& u) {
    u.bio = "writes C++";
    u.location = "Lyon";
  });
  REQUIRE(up);
  CHECK(up->user.bio == "writes C++");
  const auto stored = auth.find_user(up->user.id);
  REQUIRE(stored);
  CHECK(stored->bio == "writes C++");
  CHECK(stored->location == "Lyon");

  // Text follows the rules of every stored string.
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("nul@example.com"), no_session(),
                                     [](user& u) { u.bio = std::string("a\0b", 3); }),
                  "INVALID_INPUT", "bio contains a NUL byte", 400);
  CHECK_FALSE(auth.template table<user>().template find_by<&user::email>(std::string("nul@example.com")).size());

  // A core field is not the init's to set.
  CHECK_THROWS_AS(auth.sign_up_email(sign_up_body("core@example.com"), no_session(), [](user& u) { u.email_verified = true; }),
                  std::invalid_argument);
}

TEMPLATE_TEST_CASE("sign_up.init_bio_wins_over_the_guests_when_linking", "[sign_up][fields][link]", ANONAUTH_TEST_STORAGES) {
  storage_auth<TestType> auth{storages::fresh_config<TestType>("init-link"), manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  REQUIRE(auth.update_user(with_token(guest->token), [](user& u) { u.bio = "guest bio"; }));
  auth.template table<cart_item>().insert({"c1", guest->user.id, "mug", 2});

  auto up = auth.sign_up_email(sign_up_body("linked@example.com"), with_token(guest->token),
                               [](user& u) { u.bio = "account bio"; });
  REQUIRE(up);
  CHECK(up->user.bio == "account bio");  // copy_if_empty: the account has one
  CHECK(auth.template table<cart_item>().template find_by<&cart_item::user_id>(up->user.id).size() == 1);
  CHECK_FALSE(auth.find_user(guest->user.id));
}

// list-sessions, revoke-session(s), revoke-other-sessions, and social sign-in with an id token
// through a verifier the test plugs in.
#include "http_fixtures.hpp"

#include <chrono>

using namespace http_fixtures;
using fixtures::cart_item;

namespace {

/// Trusts tokens of the form "valid:<account id>:<email>[:unverified]" from provider "test",
/// and requires the nonce "n-123" when one is given: what a real verifier checks with keys.
struct test_verifier {
  aa::result<aa::social_profile> verify(const http::id_token& t) const {
    if (t.provider == "apple") return aa::errors::id_token_not_supported;
    if (t.provider != "test") return aa::errors::provider_not_found;
    if (t.token.rfind("valid:", 0) != 0) return aa::errors::invalid_token;
    if (t.nonce && *t.nonce != "n-123") return aa::errors::invalid_token;
    const std::string rest = t.token.substr(6);
    const auto colon = rest.find(':');
    std::string email = rest.substr(colon + 1);
    bool verified = true;
    if (const auto flag = email.find(":unverified"); flag != std::string::npos) {
      email.resize(flag);
      verified = false;
    }
    return aa::social_profile{"test", rest.substr(0, colon), email, "Social Person", std::nullopt, verified};
  }
};

static_assert(http::id_token_verifier<test_verifier>);
static_assert(http::id_token_verifier<http::no_id_token_verifier>);

}  // namespace

TEST_CASE("http.list_sessions_shows_the_own_token_and_ids_for_the_others", "[http][sessions]") {
  server<> s;
  browser laptop{s.handler}, phone{s.handler};
  REQUIRE(laptop.post("/sign-up/email", R"({"name":"Ada","email":"ada@example.com","password":"correct horse battery"})").status ==
          200);
  s.clock.advance(std::chrono::seconds{1});
  auto in = phone.post("/sign-in/email", R"({"email":"ada@example.com","password":"correct horse battery"})");
  REQUIRE(in.status == 200);
  const std::string phone_token = str(json_of(in).at("token"));

  auto r = phone.get("/list-sessions");
  REQUIRE(r.status == 200);
  const auto list = json_of(r).as_array();
  REQUIRE(list.size() == 2);
  const auto laptop_session = list[0].as_object();
  const auto phone_session = list[1].as_object();
  CHECK(str(phone_session.at("token")) == phone_token);
  // Only hashes are stored: the other session is named by its id.
  CHECK(laptop_session.at("token") == laptop_session.at("id"));

  // ...which revoke-session accepts.
  auto revoked = phone.post("/revoke-session", R"({"token":")" + str(laptop_session.at("id")) + R"("})");
  REQUIRE(revoked.status == 200);
  CHECK(revoked.body == R"({"status":true})");
  CHECK(revoked.header_values("Set-Cookie").empty());
  CHECK(laptop.get("/get-session").body == "null");
  CHECK(phone.get("/get-session").body != "null");

  // Revoking the own session clears the cookies.
  auto own = phone.post("/revoke-session", R"({"token":")" + phone_token + R"("})");
  CHECK(own.status == 200);
  CHECK(set_cookies(own).size() == 3);
  CHECK(phone.get("/get-session").body == "null");
}

TEST_CASE("http.list_sessions_wants_a_fresh_session", "[http][sessions]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  s.clock.advance(std::chrono::days{1});
  auto stale = b.get("/list-sessions");
  CHECK(stale.status == 403);
  CHECK(error_of(stale) == std::pair<std::string, std::string>{"SESSION_NOT_FRESH", "Session is not fresh"});
  CHECK(s.handler(raw("GET", "/api/auth/list-sessions")).status == 401);
}

TEST_CASE("http.revoke_sessions_and_revoke_other_sessions", "[http][sessions]") {
  server<> s;
  browser a{s.handler}, b{s.handler}, c{s.handler};
  REQUIRE(a.post("/sign-up/email", R"({"name":"Ada","email":"ada@example.com","password":"correct horse battery"})").status == 200);
  const std::string login = R"({"email":"ada@example.com","password":"correct horse battery"})";
  REQUIRE(b.post("/sign-in/email", login).status == 200);
  REQUIRE(c.post("/sign-in/email", login).status == 200);

  auto others = b.post("/revoke-other-sessions");
  CHECK(others.body == R"({"status":true})");
  CHECK(others.header_values("Set-Cookie").empty());
  CHECK(a.get("/get-session").body == "null");
  CHECK(b.get("/get-session").body != "null");
  CHECK(c.get("/get-session").body == "null");

  REQUIRE(c.post("/sign-in/email", login).status == 200);
  auto all = c.post("/revoke-sessions");
  CHECK(all.body == R"({"status":true})");
  CHECK(set_cookies(all).size() == 3);
  CHECK(b.get("/get-session").body == "null");
  CHECK(c.post("/revoke-sessions").status == 401);
}

TEST_CASE("http.social_id_token_signs_in_and_links_the_guest", "[http][social]") {
  server<aa::memory_storage, test_verifier> s;
  browser b{s.handler};
  const std::string guest = str(json_of(b.post("/sign-in/anonymous")).at("user").at("id"));
  s.auth.table<cart_item>().insert({"c1", guest, "mug", 1});

  auto r = b.post("/sign-in/social", R"({"provider":"test","idToken":{"token":"valid:g-1:soc@example.com","nonce":"n-123"}})");
  REQUIRE(r.status == 200);
  const auto body = json_of(r).as_object();
  CHECK_FALSE(body.at("redirect").as_bool());
  CHECK_FALSE(body.contains("url"));
  const std::string account = str(body.at("user").at("id"));
  CHECK(str(body.at("user").at("email")) == "soc@example.com");
  CHECK(body.at("user").at("emailVerified").as_bool());
  CHECK(r.header("set-auth-token").has_value());
  CHECK(s.auth.table<cart_item>().find_by<&cart_item::user_id>(account).size() == 1);
  CHECK_FALSE(s.auth.find_user(guest));

  // The same identity again: the same account.
  browser other{s.handler};
  auto again = other.post("/sign-in/social", R"({"provider":"test","idToken":{"token":"valid:g-1:soc@example.com"}})");
  CHECK(str(json_of(again).at("user").at("id")) == account);
}

TEST_CASE("http.social_errors_are_the_verifiers_and_better_auths", "[http][social]") {
  server<aa::memory_storage, test_verifier> s;
  auto social = [&](std::string body) {
    return s.handler(raw("POST", "/api/auth/sign-in/social", {{"Content-Type", "application/json"}}, std::move(body)));
  };
  auto code = [](const http::response& r) { return std::pair<int, std::string>{r.status, error_of(r).first}; };
  CHECK(code(social(R"({"provider":"nope","idToken":{"token":"valid:1:a@b.co"}})")) ==
        std::pair<int, std::string>{404, "PROVIDER_NOT_FOUND"});
  CHECK(code(social(R"({"provider":"apple","idToken":{"token":"x"}})")) == std::pair<int, std::string>{404, "ID_TOKEN_NOT_SUPPORTED"});
  CHECK(code(social(R"({"provider":"test","idToken":{"token":"forged"}})")) == std::pair<int, std::string>{401, "INVALID_TOKEN"});
  CHECK(code(social(R"({"provider":"test","idToken":{"token":"valid:1:a@b.co","nonce":"other"}})")) ==
        std::pair<int, std::string>{401, "INVALID_TOKEN"});
  CHECK(code(social(R"({"provider":"test"})")) == std::pair<int, std::string>{400, "ID_TOKEN_REQUIRED"});
  CHECK(code(social(R"({"provider":"nope"})")) == std::pair<int, std::string>{404, "PROVIDER_NOT_FOUND"});
  auto missing = social(R"({"provider":"test","idToken":{}})");
  CHECK(error_of(missing) ==
        std::pair<std::string, std::string>{"VALIDATION_ERROR", "[body.idToken.token] Invalid input: expected string, received undefined"});
  CHECK(error_of(social("{}")).second == "[body.provider] Invalid input");  // zod's message for its enum

  // An unverified email that belongs to an account does not take it over.
  REQUIRE(s.handler(raw("POST", "/api/auth/sign-up/email", {{"Content-Type", "application/json"}},
                        R"({"name":"Owner","email":"owner@example.com","password":"correct horse battery"})"))
              .status == 200);
  auto takeover = social(R"({"provider":"test","idToken":{"token":"valid:x-9:owner@example.com:unverified"}})");
  CHECK(code(takeover) == std::pair<int, std::string>{401, "OAUTH_LINK_ERROR"});
  CHECK(s.auth.table<user>().count() == 1);

  // Without a verifier: no provider exists.
  server<> plain;
  CHECK(code(plain.handler(raw("POST", "/api/auth/sign-in/social", {{"Content-Type", "application/json"}},
                               R"({"provider":"google","idToken":{"token":"t"}})"))) ==
        std::pair<int, std::string>{404, "PROVIDER_NOT_FOUND"});
}

// The seed's flows through the HTTP handler, as Better Auth answers them: anonymous sign-in,
// get-session, linking by sign-up and sign-in (atomic, on memory and SQLite), sign-out,
// delete-anonymous-user, update-user.
#include "http_fixtures.hpp"

#include <chrono>
#include <regex>
#include <set>

using namespace http_fixtures;
using fixtures::cart_item;

namespace {

std::set<std::string> keys_of(const boost::json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.emplace(kv.key());
  return out;
}

}  // namespace

TEST_CASE("http.sign_in_anonymous_answers_token_user_and_one_cookie", "[http][anonymous]") {
  server<> s;
  browser b{s.handler};
  auto r = b.post("/sign-in/anonymous");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == std::optional<std::string_view>("application/json"));
  const auto body = json_of(r).as_object();
  CHECK(keys_of(body) == std::set<std::string>{"token", "user"});
  const auto user = body.at("user").as_object();
  CHECK(keys_of(user) == std::set<std::string>{"id", "name", "email", "emailVerified", "image", "isAnonymous",
                                               "createdAt", "updatedAt", "bio", "location"});
  CHECK(user.at("isAnonymous").as_bool());
  CHECK_FALSE(user.at("emailVerified").as_bool());
  CHECK(user.at("image").is_null());
  CHECK(std::regex_match(str(user.at("name")), std::regex("Guest-[0-9a-z]{8}")));
  CHECK(std::regex_match(str(user.at("email")), std::regex("temp-[a-z0-9]{32}@guest\\.example\\.com")));
  CHECK(std::regex_match(str(user.at("createdAt")), std::regex("2026-01-01T00:00:00\\.000Z")));

  // Exactly one cookie, in Better Auth's format, holding the body's token.
  const auto lines = r.header_values("Set-Cookie");
  REQUIRE(lines.size() == 1);
  const std::string token = str(body.at("token"));
  CHECK(std::regex_match(std::string(lines[0]),
                         std::regex("better-auth\\.session_token=" + token +
                                    "\\.[A-Za-z0-9%]{44,60}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax")));
  const auto signed_value = *http::percent_decode(cookie_value(lines[0]));
  CHECK(signed_value.substr(0, token.size() + 1) == token + ".");
  // The bearer plugin's header: the same signed token, decoded, exposed to CORS.
  CHECK(r.header("set-auth-token") == std::optional<std::string_view>(signed_value));
  CHECK(r.header("Access-Control-Expose-Headers") == std::optional<std::string_view>("set-auth-token"));
  // The session really is the guest's.
  auto session = s.auth.get_session(token);
  REQUIRE(session);
  CHECK(session->user.id == str(user.at("id")));
  CHECK(session->session.ip_address == "203.0.113.7");  // the socket's address
  CHECK(session->session.user_agent == "Mozilla/5.0 (anonauth tests)");
}

TEST_CASE("http.second_anonymous_sign_in_is_refused_and_sets_nothing", "[http][anonymous]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  auto again = b.post("/sign-in/anonymous");
  CHECK(again.status == 400);
  CHECK(error_of(again) == std::pair<std::string, std::string>{"ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY",
                                                               "Anonymous users cannot sign in again anonymously"});
  CHECK(again.header_values("Set-Cookie").empty());
  // No body and no content type is a valid anonymous sign-in too.
  auto bare = s.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK(bare.status == 200);
}

TEST_CASE("http.get_session_without_a_session_is_null_and_not_cached", "[http][session]") {
  server<> s;
  auto r = s.handler(raw("GET", "/api/auth/get-session"));
  CHECK(r.status == 200);
  CHECK(r.body == "null");
  CHECK(r.header("Content-Type") == std::optional<std::string_view>("application/json"));
  CHECK(r.header("Cache-Control") == std::optional<std::string_view>("no-store"));
  CHECK(r.header("Pragma") == std::optional<std::string_view>("no-cache"));
  CHECK(r.header_values("Set-Cookie").empty());
}

TEST_CASE("http.get_session_gives_exactly_session_and_user", "[http][session]") {
  server<> s;
  browser b{s.handler};
  const auto signed_in = json_of(b.post("/sign-in/anonymous")).as_object();
  auto r = b.get("/get-session");
  REQUIRE(r.status == 200);
  CHECK(r.header("Cache-Control") == std::optional<std::string_view>("no-store"));
  CHECK(r.header_values("Set-Cookie").empty());  // fresh: nothing to refresh
  const auto body = json_of(r).as_object();
  CHECK(keys_of(body) == std::set<std::string>{"session", "user"});
  const auto session = body.at("session").as_object();
  CHECK(keys_of(session) == std::set<std::string>{"createdAt", "expiresAt", "id", "ipAddress", "token", "updatedAt",
                                                  "userAgent", "userId"});
  CHECK(session.at("token") == signed_in.at("token"));
  CHECK(session.at("userId") == signed_in.at("user").as_object().at("id"));
  CHECK(str(session.at("expiresAt")) == "2026-01-08T00:00:00.000Z");  // createdAt + 7 days
  CHECK(str(session.at("ipAddress")) == "203.0.113.7");
  CHECK(body.at("user") == signed_in.at("user"));
}

TEST_CASE("http.get_session_refreshes_after_the_update_age_and_resends_the_cookie", "[http][session][refresh]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  s.clock.advance(std::chrono::days{2});

  // disableRefresh: due, but left alone (any non-empty value counts, as z.coerce.boolean).
  auto kept = b.get("/get-session?disableRefresh=true");
  CHECK(kept.header_values("Set-Cookie").empty());
  CHECK(str(json_of(kept).at("session").at("expiresAt")) == "2026-01-08T00:00:00.000Z");

  auto refreshed = b.get("/get-session");
  REQUIRE(refreshed.status == 200);
  CHECK(str(json_of(refreshed).at("session").at("expiresAt")) == "2026-01-10T00:00:00.000Z");
  const auto cookies = set_cookies(refreshed);
  REQUIRE(cookies.count("better-auth.session_token") == 1);
  CHECK(cookies.at("better-auth.session_token").find("Max-Age=604800") != std::string::npos);
  CHECK(refreshed.header("set-auth-token").has_value());
}

TEST_CASE("http.remember_me_false_gives_a_browser_session_cookie_never_refreshed", "[http][session][remember]") {
  server<> s;
  browser b{s.handler};
  auto up = b.post("/sign-up/email", R"({"name":"Ada","email":"ada@example.com","password":"correct horse battery","rememberMe":false})");
  REQUIRE(up.status == 200);
  const auto cookies = set_cookies(up);
  REQUIRE(cookies.size() == 2);
  CHECK(std::regex_match(cookies.at("better-auth.session_token"),
                         std::regex("better-auth\\.session_token=[^;]+; Path=/; HttpOnly; SameSite=Lax")));
  CHECK(std::regex_match(cookies.at("better-auth.dont_remember"),
                         std::regex("better-auth\\.dont_remember=true\\.[A-Za-z0-9%]+; Path=/; HttpOnly; SameSite=Lax")));
  const auto session = s.auth.get_session(str(json_of(up).at("token")));
  REQUIRE(session);
  CHECK(session->session.expires_at == s.clock.now() + std::chrono::days{1});

  // Half a day later the session is due for a refresh by Better Auth's rule, but it is not
  // remembered: no refresh, no cookie.
  s.clock.advance(std::chrono::hours{12});
  auto later = b.get("/get-session");
  REQUIRE(later.status == 200);
  CHECK(later.header_values("Set-Cookie").empty());
  CHECK(str(json_of(later).at("session").at("expiresAt")) == "2026-01-02T00:00:00.000Z");

  // Signing in with rememberMe (the default) replaces the session and expires dont_remember.
  auto in = b.post("/sign-in/email", R"({"email":"ada@example.com","password":"correct horse battery"})");
  REQUIRE(in.status == 200);
  const auto after = set_cookies(in);
  CHECK(after.at("better-auth.session_token").find("Max-Age=604800") != std::string::npos);
  CHECK(after.at("better-auth.dont_remember").find("better-auth.dont_remember=; Max-Age=0") == 0);
}

TEMPLATE_TEST_CASE("http.sign_up_with_a_guest_cookie_links_the_guest", "[http][link]", ANONAUTH_TEST_STORAGES) {
  server<TestType> s;
  browser b{s.handler};
  const auto guest = json_of(b.post("/sign-in/anonymous")).as_object();
  const std::string guest_id = str(guest.at("user").at("id"));
  const std::string guest_token = str(guest.at("token"));
  s.auth.template table<cart_item>().insert({"c1", guest_id, "mug", 2});
  s.auth.template table<cart_item>().insert({"c2", guest_id, "sticker", 5});
  REQUIRE(b.post("/update-user", R"({"bio":"  likes coffee  "})").status == 200);

  auto up = b.post("/sign-up/email", R"({"name":"Ada","email":"Ada@Example.com","password":"correct horse battery"})");
  REQUIRE(up.status == 200);
  const auto body = json_of(up).as_object();
  const auto user = body.at("user").as_object();
  CHECK(str(user.at("email")) == "ada@example.com");
  CHECK_FALSE(user.at("isAnonymous").as_bool());
  // Unlike Better Auth (whose onLinkAccount runs after the answer is built), the answer is the
  // linked account: the bio is already there.
  CHECK(str(user.at("bio")) == "likes coffee");
  const std::string account_id = str(user.at("id"));
  CHECK(s.auth.template table<cart_item>().template find_by<&cart_item::user_id>(account_id).size() == 2);
  CHECK_FALSE(s.auth.find_user(guest_id));
  CHECK_FALSE(s.auth.get_session(guest_token));
  // The browser now holds the account's session.
  auto now = json_of(b.get("/get-session"));
  CHECK(str(now.at("user").at("id")) == account_id);
}

TEMPLATE_TEST_CASE("http.failed_sign_up_or_sign_in_leaves_the_guest_and_sets_no_cookie", "[http][link]",
                   ANONAUTH_TEST_STORAGES) {
  server<TestType> s;
  browser owner{s.handler};
  REQUIRE(owner.post("/sign-up/email", R"({"name":"Taken","email":"taken@example.com","password":"correct horse battery"})")
              .status == 200);

  browser b{s.handler};
  const auto guest = json_of(b.post("/sign-in/anonymous")).as_object();
  const std::string guest_id = str(guest.at("user").at("id"));
  s.auth.template table<cart_item>().insert({"c1", guest_id, "mug", 2});

  auto up = b.post("/sign-up/email", R"({"name":"Again","email":"taken@example.com","password":"correct horse battery"})");
  CHECK(up.status == 422);
  CHECK(error_of(up).first == "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
  CHECK(up.header_values("Set-Cookie").empty());

  auto in = b.post("/sign-in/email", R"({"email":"taken@example.com","password":"wrong password!"})");
  CHECK(in.status == 401);
  CHECK(error_of(in) == std::pair<std::string, std::string>{"INVALID_EMAIL_OR_PASSWORD", "Invalid email or password"});
  CHECK(in.header_values("Set-Cookie").empty());

  // The guest, its session and its cart are as they were.
  auto still = json_of(b.get("/get-session"));
  CHECK(str(still.at("user").at("id")) == guest_id);
  CHECK(s.auth.template table<cart_item>().template find_by<&cart_item::user_id>(guest_id).size() == 1);
}

TEMPLATE_TEST_CASE("http.sign_in_with_a_guest_cookie_merges_into_the_account", "[http][link]", ANONAUTH_TEST_STORAGES) {
  server<TestType> s;
  browser laptop{s.handler};
  REQUIRE(laptop.post("/sign-in/anonymous").status == 200);
  const std::string first_guest = str(json_of(laptop.get("/get-session")).at("user").at("id"));
  s.auth.template table<cart_item>().insert({"c1", first_guest, "mug", 1});
  auto up = laptop.post("/sign-up/email", R"({"name":"Ada","email":"ada@example.com","password":"correct horse battery"})");
  REQUIRE(up.status == 200);
  const std::string account = str(json_of(up).at("user").at("id"));

  browser phone{s.handler};
  const std::string second_guest = str(json_of(phone.post("/sign-in/anonymous")).at("user").at("id"));
  s.auth.template table<cart_item>().insert({"c2", second_guest, "tote-bag", 1});
  auto in = phone.post("/sign-in/email", R"({"email":"ADA@example.com","password":"correct horse battery","callbackURL":"/cart"})");
  REQUIRE(in.status == 200);
  const auto body = json_of(in).as_object();
  CHECK(body.at("redirect").as_bool());
  CHECK(str(body.at("url")) == "/cart");
  CHECK(in.header("Location") == std::optional<std::string_view>("/cart"));
  CHECK(str(body.at("user").at("id")) == account);
  CHECK(s.auth.template table<cart_item>().template find_by<&cart_item::user_id>(account).size() == 2);
  CHECK_FALSE(s.auth.find_user(second_guest));

  // Without a callbackURL: {redirect: false, token, user}, no url key.
  browser other{s.handler};
  auto plain = other.post("/sign-in/email", R"({"email":"ada@example.com","password":"correct horse battery"})");
  REQUIRE(plain.status == 200);
  const auto plain_body = json_of(plain).as_object();
  CHECK(keys_of(plain_body) == std::set<std::string>{"redirect", "token", "user"});
  CHECK_FALSE(plain_body.at("redirect").as_bool());
  CHECK_FALSE(plain.header("Location"));
}

TEST_CASE("http.sign_out_expires_every_session_cookie_and_always_succeeds", "[http][sign_out]") {
  server<> s;
  browser b{s.handler};
  const std::string token = str(json_of(b.post("/sign-in/anonymous")).at("token"));
  auto out = b.post("/sign-out");
  REQUIRE(out.status == 200);
  CHECK(out.body == R"({"success":true})");
  const auto lines = out.header_values("Set-Cookie");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  CHECK(lines[1] == "better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  CHECK(lines[2] == "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  CHECK_FALSE(s.auth.get_session(token));
  // No session, no cookie: the same answer.
  auto again = s.handler(raw("POST", "/api/auth/sign-out"));
  CHECK(again.status == 200);
  CHECK(again.body == R"({"success":true})");
}

TEST_CASE("http.signed_cookie_of_a_gone_session_is_null_and_cleared", "[http][session]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  const auto cookie = *b.cookie_header();
  REQUIRE(b.post("/sign-out").status == 200);
  auto r = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", cookie}}));
  CHECK(r.body == "null");
  CHECK(set_cookies(r).size() == 3);  // Better Auth clears the cookies of a dead session
}

TEST_CASE("http.delete_anonymous_user_checks_in_better_auths_order", "[http][delete]") {
  server<> s;
  auto none = s.handler(raw("POST", "/api/auth/delete-anonymous-user"));
  CHECK(none.status == 401);
  CHECK(error_of(none) == std::pair<std::string, std::string>{"UNAUTHORIZED", "Unauthorized"});

  browser real{s.handler};
  REQUIRE(real.post("/sign-up/email", R"({"name":"Real","email":"real@example.com","password":"correct horse battery"})")
              .status == 200);
  auto refused = real.post("/delete-anonymous-user");
  CHECK(refused.status == 403);
  CHECK(error_of(refused).first == "USER_IS_NOT_ANONYMOUS");

  browser guest{s.handler};
  const std::string id = str(json_of(guest.post("/sign-in/anonymous")).at("user").at("id"));
  auto gone = guest.post("/delete-anonymous-user");
  REQUIRE(gone.status == 200);
  CHECK(gone.body == R"({"success":true})");
  CHECK(set_cookies(gone).size() == 3);
  CHECK_FALSE(s.auth.find_user(id));
}

TEST_CASE("http.update_user_sets_name_image_and_app_fields", "[http][update]") {
  server<> s;
  browser b{s.handler};
  const std::string id = str(json_of(b.post("/sign-in/anonymous")).at("user").at("id"));
  auto r = b.post("/update-user", R"({"name":"Grace","image":"https://img.example.com/g.png","bio":"admiral","unknownKey":3})");
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"status":true})");
  // Better Auth re-sends the session cookie with a fresh Max-Age.
  CHECK(set_cookies(r).at("better-auth.session_token").find("Max-Age=604800") != std::string::npos);
  auto u = s.auth.find_user(id);
  REQUIRE(u);
  CHECK(u->name == "Grace");
  CHECK(u->image == "https://img.example.com/g.png");
  CHECK(u->bio == "admiral");

  // image: null clears it; the same values again are still a success.
  REQUIRE(b.post("/update-user", R"({"image":null})").status == 200);
  CHECK_FALSE(s.auth.find_user(id)->image);
  CHECK(b.post("/update-user", R"({"name":"Grace"})").status == 200);

  auto anon = b.post("/update-user", R"({"isAnonymous":true})");
  CHECK(anon.status == 400);
  CHECK(error_of(anon) == std::pair<std::string, std::string>{"FIELD_NOT_ALLOWED", "isAnonymous is not allowed to be set"});
  CHECK(b.post("/update-user", R"({"isAnonymous":false})").status == 400);  // nothing to update
  auto email = b.post("/update-user", R"({"email":"x@example.com"})");
  CHECK(error_of(email) == std::pair<std::string, std::string>{"EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated"});
  auto nothing = b.post("/update-user", "{}");
  CHECK(nothing.status == 400);
  CHECK(nothing.body == R"({"message":"No fields to update"})");
  auto typed = b.post("/update-user", R"({"bio":5})");
  CHECK(typed.status == 400);
  CHECK(error_of(typed) == std::pair<std::string, std::string>{"VALIDATION_ERROR",
                                                               "[body.bio] Invalid input: expected string, received number"});
  auto text = b.post("/update-user", R"({"bio":"a\u0000b"})");
  CHECK(text.status == 400);
  CHECK(error_of(text).first == "INVALID_INPUT");
  CHECK(s.auth.find_user(id)->bio == "admiral");

  // emailVerified is a core field Better Auth drops from the body: nothing else, nothing to do.
  CHECK(b.post("/update-user", R"({"emailVerified":true})").body == R"({"message":"No fields to update"})");
  CHECK_FALSE(s.auth.find_user(id)->email_verified);

  auto anonymous = s.handler(raw("POST", "/api/auth/update-user", {{"Content-Type", "application/json"}}, R"({"name":"x"})"));
  CHECK(anonymous.status == 401);
  // The body is checked first: a record is required (z.record), with or without a session.
  for (auto* body : {"", "[]"}) {
    auto r = s.handler(raw("POST", "/api/auth/update-user", {{"Content-Type", "application/json"}}, body));
    CHECK(r.status == 400);
    CHECK(error_of(r).first == "VALIDATION_ERROR");
  }
  CHECK(error_of(b.post("/update-user", "")).second == "[body] Invalid input: expected record, received undefined");
  CHECK(error_of(b.post("/update-user", "[1]")).second == "[body] Invalid input: expected record, received array");
}

TEST_CASE("http.sign_up_takes_app_fields_and_drops_managed_ones", "[http][sign_up]") {
  server<> s;
  browser b{s.handler};
  auto r = b.post("/sign-up/email", R"({"name":"Lin","email":"lin@example.com","password":"correct horse battery",)"
                                    R"("bio":"hello","isAnonymous":true,"emailVerified":true,"id":"mine"})");
  REQUIRE(r.status == 200);
  const auto user = json_of(r).at("user").as_object();
  CHECK(str(user.at("bio")) == "hello");
  CHECK_FALSE(user.at("isAnonymous").as_bool());
  CHECK_FALSE(user.at("emailVerified").as_bool());
  CHECK(str(user.at("id")) != "mine");
}

TEST_CASE("http.ok_is_ok", "[http]") {
  server<> s;
  auto r = s.handler(raw("GET", "/api/auth/ok"));
  CHECK(r.status == 200);
  CHECK(r.body == R"({"ok":true})");
}

// The abuse defences as a client sees them: 429 and 503 with a retry-after, a forged cross-site
// sign-in that links nothing, strict linking through `linkGuest`, and `__Host-` cookies that a
// subdomain cannot plant.
#include "http_fixtures.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using namespace http_fixtures;

namespace {

const std::string victim_body = R"({"email":"victim@example.com","password":"victim-password-1"})";

/// The victim's browser, with a guest whose cart holds one item, "item-<guest id>".
template <class Server>
auto victim_guest(Server& s) {
  browser b{s.handler};
  auto r = b.post("/sign-in/anonymous");
  REQUIRE(r.status == 200);
  const std::string id = str(json_of(r).at("user").at("id"));
  s.auth.template table<fixtures::cart_item>().insert(fixtures::cart_item{"item-" + id, id, "sku-1", 1});
  return std::pair{b, id};
}

/// Whose the guest's cart item is now.
template <class Server>
std::string owner_of_item(Server& s, const std::string& guest_id) {
  return s.auth.template table<fixtures::cart_item>().find("item-" + guest_id)->user_id;
}

template <class Server>
void attacker_account(Server& s) {
  browser b{s.handler};
  REQUIRE(b.post("/sign-up/email", R"({"email":"victim@example.com","password":"victim-password-1","name":"Mallory"})")
              .status == 200);
}

struct staff_user {
  BOOST_HANA_DEFINE_STRUCT(staff_user,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at),
      (std::optional<std::string>, role), (std::optional<std::string>, bio));
};
using staff_schema = aa::schema<aa::user_table<staff_user>, aa::server_set<&staff_user::role>>;
using staff_auth = aa::anonymous_auth<staff_schema, fixtures::fast_hashing>;

}  // namespace

TEST_CASE("http.abuse.cross_site_sign_in_with_a_guest_cookie_is_refused_and_links_nothing", "[http][abuse][link]") {
  // Login CSRF: a page on another site posts the attacker's credentials from the victim's
  // browser, which sends the victim's guest cookie along. Linked, it would move the victim's
  // cart into the attacker's account.
  server<> s;
  attacker_account(s);
  auto [victim, guest_id] = victim_guest(s);
  for (std::string origin : {"https://evil.example", "null", ""}) {
    victim.origin() = origin;
    auto r = victim.post("/sign-in/email", victim_body);
    CHECK(r.status == 403);
    CHECK(r.header_values("Set-Cookie").empty());
  }
  // A form post (no JSON, no preflight) is refused too.
  victim.origin() = "https://evil.example";
  auto form = victim.post("/sign-in/email", "email=victim%40example.com&password=victim-password-1",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(form.status >= 400);
  CHECK(s.auth.find_user(guest_id).has_value());
  CHECK(owner_of_item(s, guest_id) == guest_id);
}

TEST_CASE("http.abuse.strict_linking_needs_link_guest_in_the_body", "[http][abuse][link]") {
  server<aa::memory_storage, http::no_id_token_verifier, aa::strict_linking> s;
  attacker_account(s);
  // A planted guest cookie: same site, so the origin check passes; without linkGuest, nothing
  // of the guest reaches the account.
  {
    auto [b, guest_id] = victim_guest(s);
    auto r = b.post("/sign-in/email", victim_body);
    REQUIRE(r.status == 200);
    CHECK(owner_of_item(s, guest_id) == guest_id);
    CHECK(s.auth.find_user(guest_id).has_value());
    // linkGuest must be a boolean.
    b.jar().clear();
    CHECK(b.post("/sign-in/email", R"({"email":"victim@example.com","password":"victim-password-1","linkGuest":"yes"})")
              .status == 400);
  }
  {
    auto [b, guest_id] = victim_guest(s);
    auto r = b.post("/sign-in/email", R"({"email":"victim@example.com","password":"victim-password-1","linkGuest":true})");
    REQUIRE(r.status == 200);
    const std::string user_id = str(json_of(r).at("user").at("id"));
    CHECK(owner_of_item(s, guest_id) == user_id);
    CHECK_FALSE(s.auth.find_user(guest_id).has_value());
  }
  {
    auto [b, guest_id] = victim_guest(s);
    auto r = b.post("/sign-up/email", R"({"email":"new@example.com","password":"new-password-1","name":"N","linkGuest":true})");
    REQUIRE(r.status == 200);
    CHECK(owner_of_item(s, guest_id) == str(json_of(r).at("user").at("id")));
  }
}

TEST_CASE("http.abuse.host_prefix_cookies_ignore_a_planted_plain_cookie", "[http][abuse][cookies]") {
  auto o = default_options();
  o.cookies.host_prefix = true;
  server<> s{o};
  CHECK(s.handler.session_cookie_name() == "__Host-better-auth.session_token");
  browser b{s.handler};
  auto r = b.post("/sign-in/anonymous");
  REQUIRE(r.status == 200);
  const auto cookies = set_cookies(r);
  REQUIRE(cookies.count("__Host-better-auth.session_token") == 1);
  const std::string line = cookies.at("__Host-better-auth.session_token");
  CHECK(line.find("; Secure") != std::string::npos);
  CHECK(line.find("; Path=/") != std::string::npos);
  CHECK(line.find("Domain=") == std::string::npos);

  // A sibling subdomain can set `better-auth.session_token` for the parent domain, never a
  // `__Host-` cookie: the plain name is not read.
  const std::string signed_value = cookie_value(line);
  auto planted = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", "better-auth.session_token=" + signed_value}}));
  CHECK(planted.body == "null");
  auto real = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", "__Host-better-auth.session_token=" + signed_value}}));
  CHECK(real.body != "null");

  auto insecure = default_options();
  insecure.cookies.host_prefix = true;
  insecure.cookies.secure = false;
  CHECK_THROWS_AS((server<>{insecure}), std::invalid_argument);
  auto shared = default_options();
  shared.cookies.host_prefix = true;
  shared.cookies.domain = "example.com";
  CHECK_THROWS_AS((server<>{shared}), std::invalid_argument);
  // Over plain http anywhere but localhost, a browser would drop every __Host- cookie.
  auto plain = default_options();
  plain.cookies.host_prefix = true;
  plain.base_url = "http://shop.example.com";
  CHECK_THROWS_AS((server<>{plain}), std::invalid_argument);
  plain.base_url = "https://shop.example.com";
  CHECK_NOTHROW((server<>{plain}));
}

namespace {
struct three_day_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{2}};
  static constexpr std::chrono::seconds update_age{std::chrono::days{1}};
  static constexpr std::chrono::seconds absolute_lifetime{std::chrono::days{3}};
};
}  // namespace

TEST_CASE("http.abuse.the_cookie_ends_with_the_sessions_absolute_lifetime", "[http][abuse][sessions]") {
  server<aa::memory_storage, http::no_id_token_verifier, aa::sessions<three_day_sessions>> s;
  browser b{s.handler};
  auto r = b.post("/sign-in/anonymous");
  REQUIRE(r.status == 200);
  CHECK(set_cookies(r).at("better-auth.session_token").find("Max-Age=172800;") != std::string::npos);  // a lifetime
  // A day and a half later, the refresh may extend it only to its absolute end: 1.5 days away.
  s.clock.advance(std::chrono::hours{36});
  auto refreshed = b.get("/get-session");
  REQUIRE(refreshed.status == 200);
  REQUIRE(set_cookies(refreshed).count("better-auth.session_token") == 1);
  CHECK(set_cookies(refreshed).at("better-auth.session_token").find("Max-Age=129600;") != std::string::npos);
  // update-user re-sends the cookie: no longer than the session either.
  auto updated = b.post("/update-user", R"({"name":"M"})");
  REQUIRE(updated.status == 200);
  CHECK(set_cookies(updated).at("better-auth.session_token").find("Max-Age=129600;") != std::string::npos);
}

TEST_CASE("http.abuse.credential_endpoints_answer_429_with_retry_after", "[http][abuse][rate_limit]") {
  server<aa::memory_storage, http::no_id_token_verifier, aa::rate_limit<aa::credential_limits>> s;
  browser b{s.handler};
  for (int i = 0; i < 3; ++i)
    REQUIRE(b.post("/sign-in/email", R"({"email":"a@example.com","password":"wrong-password"})").status == 401);
  auto r = b.post("/sign-in/email", R"({"email":"a@example.com","password":"wrong-password"})");
  REQUIRE(r.status == 429);
  CHECK(json_of(r).as_object().at("message") == "Too many requests. Please try again later.");
  REQUIRE(r.header_values("Retry-After").size() == 1);
  CHECK(std::stoi(std::string(r.header_values("Retry-After")[0])) >= 1);
  CHECK(r.header_values("X-Retry-After").size() == 1);
  for (int i = 0; i < 3; ++i)
    REQUIRE(b.post("/sign-up/email", R"({"email":"n)" + std::to_string(i) + R"(@example.com","password":"new-password-1","name":"N"})")
                .status == 200);
  CHECK(b.post("/sign-up/email", R"({"email":"n9@example.com","password":"new-password-1","name":"N"})").status == 429);
}

TEST_CASE("http.abuse.server_set_fields_are_refused_in_bodies", "[http][abuse][server_set]") {
  // Mass assignment: the handler maps body fields onto the row by name, so without the marker
  // `"role":"admin"` would be stored.
  staff_auth auth;
  http::handler<staff_auth> h{auth, default_options()};
  browser b{h};
  auto up = b.post("/sign-up/email", R"({"email":"s@example.com","password":"staff-password","name":"S","role":"admin"})");
  CHECK(up.status == 400);
  CHECK(error_of(up) == std::pair<std::string, std::string>{"FIELD_NOT_ALLOWED", "role is not allowed to be set"});
  CHECK(auth.table<staff_user>().count() == 0);

  auto ok = b.post("/sign-up/email", R"({"email":"s@example.com","password":"staff-password","name":"S","bio":"hi"})");
  REQUIRE(ok.status == 200);
  auto update = b.post("/update-user", R"({"role":"admin"})");
  CHECK(update.status == 400);
  CHECK(error_of(update).first == "FIELD_NOT_ALLOWED");
  CHECK(b.post("/update-user", R"({"bio":"still mine"})").status == 200);
  const std::string id = str(json_of(ok).at("user").at("id"));
  CHECK(auth.find_user(id)->role == std::nullopt);
  CHECK(auth.find_user(id)->bio == std::optional<std::string>("still mine"));
}

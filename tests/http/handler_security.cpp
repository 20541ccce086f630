// Better Auth's origin, CSRF and callback checks, CORS for trusted origins, signed cookies and
// bearer tokens, the cookie options, and what the handler refuses to start with.
#include "http_fixtures.hpp"

#include <chrono>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace http_fixtures;

namespace {

const std::vector<http::header> json_type{{"Content-Type", "application/json"}};

template <class Server>
std::string guest_cookie(Server& s) {
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  return *b.cookie_header();
}

template <class Server>
http::response post_with(Server& s, std::string path, std::vector<http::header> headers, std::string body = R"({"name":"x"})") {
  headers.push_back({"Content-Type", "application/json"});
  return s.handler(raw("POST", "/api/auth" + path, std::move(headers), std::move(body)));
}

}  // namespace

TEST_CASE("http.origin_check_on_cookie_bearing_posts", "[http][csrf]") {
  server<> s;
  const std::string cookie = guest_cookie(s);
  auto code = [](const http::response& r) { return std::pair<int, std::string>{r.status, error_of(r).first}; };
  CHECK(code(post_with(s, "/update-user", {{"Cookie", cookie}})) == std::pair<int, std::string>{403, "MISSING_OR_NULL_ORIGIN"});
  CHECK(code(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "null"}})) ==
        std::pair<int, std::string>{403, "MISSING_OR_NULL_ORIGIN"});
  CHECK(code(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "http://evil.example"}})) ==
        std::pair<int, std::string>{403, "INVALID_ORIGIN"});
  CHECK(code(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "http://localhost:3000.evil.example"}})) ==
        std::pair<int, std::string>{403, "INVALID_ORIGIN"});
  CHECK(error_of(post_with(s, "/update-user", {{"Cookie", cookie}})).second == "Missing or null Origin");
  CHECK(error_of(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "http://evil.example"}})).second == "Invalid origin");
  // Any cookie at all triggers the check, even one of another site.
  CHECK(post_with(s, "/sign-in/anonymous", {{"Cookie", "theme=dark"}}, "{}").status == 403);

  // Trusted: the base URL's origin, the exact and the wildcard trusted origins, a Referer.
  CHECK(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "http://localhost:3000"}}).status == 200);
  CHECK(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "https://app.example.com"}}).status == 200);
  CHECK(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "https://pr-12.preview.example.com"}}).status == 200);
  CHECK(post_with(s, "/update-user", {{"Cookie", cookie}, {"Referer", "http://localhost:3000/account?tab=1"}}).status == 200);
  // A same-origin request whose browser sends Origin: null.
  CHECK(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "null"}, {"Sec-Fetch-Site", "same-origin"}}).status ==
        200);

  // GETs and cookie-less POSTs need no origin.
  CHECK(s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", cookie}, {"Origin", "http://evil.example"}})).status == 200);
  CHECK(post_with(s, "/sign-in/anonymous", {}, "{}").status == 200);
}

TEST_CASE("http.refusals_are_told_to_the_log_without_secrets", "[http][csrf][log]") {
  std::vector<std::string> lines;
  std::mutex m;
  auto o = default_options();
  o.log = [&](std::string_view line) {
    const std::lock_guard lock(m);
    lines.emplace_back(line);
  };
  server<> s{o};
  const std::string cookie = guest_cookie(s);
  REQUIRE(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "https://evil.example\r\nX: y"}}).status == 403);
  REQUIRE(post_with(s, "/update-user", {{"Cookie", cookie}}).status == 403);
  REQUIRE(post_with(s, "/sign-in/email", {}, R"({"email":"a@b.co","password":"pw-secret-1","callbackURL":"https://evil.example/x"})")
              .status == 403);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("INVALID_ORIGIN") != std::string::npos);
  CHECK(lines[0].find("https://evil.example\\x0d\\x0aX: y") != std::string::npos);  // escaped, one line
  CHECK(lines[0].find('\n') == std::string::npos);
  CHECK(lines[1].find("MISSING_OR_NULL_ORIGIN") != std::string::npos);
  CHECK(lines[2].find("INVALID_CALLBACK_URL") != std::string::npos);
  CHECK(lines[2].find("https://evil.example/x") != std::string::npos);
  const std::string token = cookie.substr(cookie.find('=') + 1, 32);
  for (const auto& line : lines) {
    CHECK(line.find(token) == std::string::npos);
    CHECK(line.find("pw-secret-1") == std::string::npos);
  }
  // A request that passes tells nothing.
  REQUIRE(post_with(s, "/update-user", {{"Cookie", cookie}, {"Origin", "http://localhost:3000"}}).status == 200);
  CHECK(lines.size() == 3);
}

TEST_CASE("http.refused_csrf_changes_nothing", "[http][csrf]") {
  server<> s;
  const std::string cookie = guest_cookie(s);
  const std::size_t before = s.auth.table<user>().count();
  auto r = post_with(s, "/sign-up/email", {{"Cookie", cookie}, {"Origin", "http://evil.example"}},
                     R"({"name":"x","email":"csrf@example.com","password":"correct horse battery"})");
  CHECK(r.status == 403);
  CHECK(r.header_values("Set-Cookie").empty());
  CHECK(s.auth.table<user>().count() == before);
  auto del = post_with(s, "/delete-anonymous-user", {{"Cookie", cookie}, {"Referer", "http://evil.example/x"}}, "{}");
  CHECK(del.status == 403);
  CHECK(s.auth.table<user>().count() == before);
}

TEST_CASE("http.cross_site_navigation_login_is_blocked", "[http][csrf]") {
  server<> s;
  REQUIRE(post_with(s, "/sign-up/email", {}, R"({"name":"x","email":"nav@example.com","password":"correct horse battery"})")
              .status == 200);
  const std::string body = R"({"email":"nav@example.com","password":"correct horse battery"})";
  auto nav = post_with(s, "/sign-in/email", {{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Mode", "navigate"}}, body);
  CHECK(nav.status == 403);
  CHECK(error_of(nav) == std::pair<std::string, std::string>{
                             "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
                             "Cross-site navigation login blocked. This request appears to be a CSRF attack."});
  // Fetch metadata without an origin: the origin check applies.
  CHECK(error_of(post_with(s, "/sign-in/email", {{"Sec-Fetch-Site", "same-origin"}}, body)).first == "MISSING_OR_NULL_ORIGIN");
  CHECK(error_of(post_with(s, "/sign-in/email", {{"Origin", "http://evil.example"}}, body)).first == "INVALID_ORIGIN");
  CHECK(post_with(s, "/sign-in/email", {{"Sec-Fetch-Site", "same-origin"}, {"Origin", "http://localhost:3000"}}, body).status ==
        200);
  // No fetch metadata, no cookie (curl, a native app): passes.
  CHECK(post_with(s, "/sign-in/email", {}, body).status == 200);
  // The guest flow is not a login: no such check.
  CHECK(post_with(s, "/sign-in/anonymous", {{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Mode", "navigate"}}, "{}").status ==
        200);
}

TEST_CASE("http.callback_urls_must_be_trusted_or_relative", "[http][csrf]") {
  server<> s;
  REQUIRE(post_with(s, "/sign-up/email", {}, R"({"name":"x","email":"cb@example.com","password":"correct horse battery"})")
              .status == 200);
  auto in = [&](std::string callback) {
    return post_with(s, "/sign-in/email", {}, R"({"email":"cb@example.com","password":"correct horse battery","callbackURL":)" +
                                                  callback + "}");
  };
  CHECK(in(R"("/dashboard")").status == 200);
  CHECK(in(R"("https://app.example.com/welcome")").status == 200);
  for (const char* bad : {R"("https://evil.example/")", R"("//evil.example")", R"("/\\evil.example")", R"("/%2fevil.example")",
                          R"x("javascript:alert(1)")x"}) {
    CAPTURE(bad);
    auto r = in(bad);
    CHECK(r.status == 403);
    CHECK(error_of(r) == std::pair<std::string, std::string>{"INVALID_CALLBACK_URL", "Invalid callbackURL"});
  }
  auto typed = in("5");
  CHECK(typed.status == 400);
  CHECK(typed.body == R"({"message":"Invalid callbackURL: expected a string"})");  // no code, as Better Auth
  auto social = post_with(s, "/sign-in/social", {}, R"({"provider":"google","errorCallbackURL":"https://evil.example"})");
  CHECK(error_of(social).first == "INVALID_ERROR_CALLBACK_URL");
}

TEST_CASE("http.cors_for_trusted_origins_only", "[http][cors]") {
  server<> s;
  auto preflight = s.handler(raw("OPTIONS", "/api/auth/sign-in/anonymous",
                                 {{"Origin", "https://app.example.com"},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "content-type"}}));
  CHECK(preflight.status == 204);
  CHECK(preflight.header("Access-Control-Allow-Origin") == std::optional<std::string_view>("https://app.example.com"));
  CHECK(preflight.header("Access-Control-Allow-Credentials") == std::optional<std::string_view>("true"));
  CHECK(preflight.header("Access-Control-Allow-Methods").has_value());
  CHECK(std::string(*preflight.header("Access-Control-Allow-Headers")).find("Authorization") != std::string::npos);
  CHECK(std::string(*preflight.header("Vary")).find("Origin") != std::string::npos);

  auto untrusted = s.handler(raw("OPTIONS", "/api/auth/sign-in/anonymous",
                                 {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}}));
  CHECK(untrusted.status == 404);
  CHECK_FALSE(untrusted.header("Access-Control-Allow-Origin"));

  auto answer = s.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"Origin", "https://app.example.com"}}));
  REQUIRE(answer.status == 200);
  CHECK(answer.header("Access-Control-Allow-Origin") == std::optional<std::string_view>("https://app.example.com"));
  CHECK(answer.header("Access-Control-Allow-Credentials") == std::optional<std::string_view>("true"));
  CHECK(answer.header("Vary") == std::optional<std::string_view>("Origin"));
  CHECK(answer.header("Access-Control-Expose-Headers") == std::optional<std::string_view>("set-auth-token"));
  auto foreign = s.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"Origin", "https://evil.example"}}));
  CHECK_FALSE(foreign.header("Access-Control-Allow-Origin"));
  // Errors carry CORS headers too, so the client can read them.
  auto err = s.handler(raw("GET", "/api/auth/list-sessions", {{"Origin", "https://app.example.com"}}));
  CHECK(err.status == 401);
  CHECK(err.header("Access-Control-Allow-Origin").has_value());

  auto off = default_options();
  off.cors = false;
  server<> t{off};
  CHECK_FALSE(t.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"Origin", "https://app.example.com"}}))
                  .header("Access-Control-Allow-Origin"));
}

TEST_CASE("http.forged_truncated_or_bare_cookies_are_no_session", "[http][cookies][hostile]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  const std::string value = b.jar().at("better-auth.session_token");
  const std::string token = value.substr(0, value.find('.'));
  auto session_with = [&](std::string cookie_value) {
    auto r = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", "better-auth.session_token=" + cookie_value}}));
    CHECK(r.status == 200);
    CHECK(r.header_values("Set-Cookie").empty());  // a bad signature clears nothing
    return r.body;
  };
  CHECK(session_with(value) != "null");
  std::string forged = value;
  forged[token.size() + 5] = forged[token.size() + 5] == 'A' ? 'B' : 'A';
  CHECK(session_with(forged) == "null");
  CHECK(session_with(token) == "null");                                  // a bare token
  CHECK(session_with(value.substr(0, value.size() - 3)) == "null");     // truncated
  CHECK(session_with(value + "%") == "null");                            // bad escape
  CHECK(session_with("x" + value) == "null");                            // another token, same signature
  CHECK(session_with(std::string(4096, 'a') + "." + std::string(44, 'b')) == "null");
  // Someone else's cookie name does not count.
  auto other = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", "session_token=" + value}}));
  CHECK(other.body == "null");
  // Split over two Cookie headers (HTTP/2 proxies): still found.
  auto split = s.handler(raw("GET", "/api/auth/get-session", {{"Cookie", "theme=dark"}, {"Cookie", "better-auth.session_token=" + value}}));
  CHECK(split.body != "null");
}

TEST_CASE("http.bearer_tokens_for_clients_without_cookies", "[http][bearer]") {
  server<> s;
  auto first = s.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  REQUIRE(first.status == 200);
  const std::string signed_token(*first.header("set-auth-token"));
  const std::string token = str(json_of(first).at("token"));

  auto with = [&](std::string value) {
    return s.handler(raw("GET", "/api/auth/get-session", {{"Authorization", std::move(value)}})).body;
  };
  CHECK(with("Bearer " + signed_token) != "null");
  CHECK(with("bearer " + signed_token) != "null");
  CHECK(with("Bearer " + http::percent_encode_component(signed_token)) != "null");
  CHECK(with("Bearer " + token) != "null");  // a bare token, as Better Auth's bearer plugin
  CHECK(with("Bearer " + token + ".AAAA") == "null");
  CHECK(with("Basic " + token) == "null");
  CHECK(with("Bearer ") == "null");

  // A bearer-only POST carries no cookie: no origin needed, and it links like a cookie.
  auto up = s.handler(raw("POST", "/api/auth/sign-up/email", {{"Authorization", "Bearer " + signed_token}, {"Content-Type", "application/json"}},
                          R"({"name":"App","email":"app@example.com","password":"correct horse battery"})"));
  REQUIRE(up.status == 200);
  CHECK(up.header("set-auth-token").has_value());
  CHECK_FALSE(s.auth.get_session(token));  // the guest was linked and deleted

  auto strict = default_options();
  strict.bearer.require_signature = true;
  server<> t{strict};
  auto r = t.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  const std::string t_token = str(json_of(r).at("token"));
  CHECK(t.handler(raw("GET", "/api/auth/get-session", {{"Authorization", "Bearer " + t_token}})).body == "null");
  CHECK(t.handler(raw("GET", "/api/auth/get-session", {{"Authorization", "Bearer " + std::string(*r.header("set-auth-token"))}})).body !=
        "null");

  auto off = default_options();
  off.bearer.enabled = false;
  server<> u{off};
  auto plain = u.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK_FALSE(plain.header("set-auth-token"));
  CHECK(u.handler(raw("GET", "/api/auth/get-session", {{"Authorization", "Bearer " + str(json_of(plain).at("token"))}})).body ==
        "null");
}

TEST_CASE("http.secure_cookies_and_cookie_options", "[http][cookies]") {
  auto o = default_options();
  o.base_url = "https://auth.example.com";
  o.cookies.domain = "example.com";
  o.cookies.same_site = http::same_site_policy::none;
  o.cookies.partitioned = true;
  server<> s{o};
  auto r = s.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  REQUIRE(r.status == 200);
  const auto lines = r.header_values("Set-Cookie");
  REQUIRE(lines.size() == 1);
  CHECK(std::regex_match(std::string(lines[0]),
                         std::regex("__Secure-better-auth\\.session_token=[^;]+; Max-Age=604800; Domain=example\\.com; Path=/; "
                                    "HttpOnly; Secure; SameSite=None; Partitioned")));
  CHECK(s.handler.session_cookie_name() == "__Secure-better-auth.session_token");

  auto prefixed = default_options();
  prefixed.cookies.prefix = "shop";
  prefixed.cookies.same_site = http::same_site_policy::strict;
  server<> t{prefixed};
  auto p = t.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK(std::string(p.header_values("Set-Cookie")[0]).find("shop.session_token=") == 0);
  CHECK(std::string(p.header_values("Set-Cookie")[0]).find("SameSite=Strict") != std::string::npos);
}

TEST_CASE("http.handler_refuses_to_start_without_a_good_secret_or_base_url", "[http][options]") {
  fixtures::manual_clock clock;
  auth_on<> auth{aa::memory_storage::config{}, clock};
  auto with = [&](auto edit) {
    auto o = default_options();
    edit(o);
    return http::handler<auth_on<>>(auth, o);
  };
  CHECK_THROWS_AS(with([](http::options& o) { o.secret.clear(); }), std::invalid_argument);
  CHECK_THROWS_WITH(with([](http::options& o) { o.secret = std::string(31, 'x'); }),
                    Catch::Contains("31 bytes; it must be at least 32"));
  CHECK_NOTHROW(with([](http::options& o) { o.secret = std::string(32, 'x'); }));
  CHECK_THROWS_AS(with([](http::options& o) { o.base_url = "localhost:3000"; }), std::invalid_argument);
  CHECK_THROWS_AS(with([](http::options& o) { o.base_url = "ftp://example.com"; }), std::invalid_argument);
  CHECK_THROWS_AS(with([](http::options& o) { o.trusted_origins = {"not a url"}; }), std::invalid_argument);
}

TEST_CASE("http.client_address_is_the_socket_unless_a_proxy_header_is_trusted", "[http][ip]") {
  server<> s;
  auto r = s.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"X-Forwarded-For", "1.2.3.4"}}));
  CHECK(s.auth.get_session(str(json_of(r).at("token")))->session.ip_address == "198.51.100.4");

  auto o = default_options();
  o.client_ip_header = "X-Forwarded-For";
  server<> t{o};
  auto p = t.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}}));
  CHECK(t.auth.get_session(str(json_of(p).at("token")))->session.ip_address == "203.0.113.9");
  auto q = t.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK(t.auth.get_session(str(json_of(q).at("token")))->session.ip_address == "198.51.100.4");
}

TEST_CASE("http.rate_limited_sign_in_is_429_with_retry_after", "[http][rate_limit]") {
  using limited = server<aa::memory_storage, http::no_id_token_verifier, aa::rate_limit<aa::per_ip<2, std::chrono::minutes>>>;
  limited s;
  CHECK(s.handler(raw("POST", "/api/auth/sign-in/anonymous")).status == 200);
  CHECK(s.handler(raw("POST", "/api/auth/sign-in/anonymous")).status == 200);
  auto refused = s.handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK(refused.status == 429);
  // Better Auth's limiter answers with a message and no code.
  CHECK(refused.body == R"({"message":"Too many requests. Please try again later."})");
  CHECK(refused.header("X-Retry-After") == std::optional<std::string_view>("30"));
  CHECK(refused.header("Retry-After") == std::optional<std::string_view>("30"));
}

TEST_CASE("http.app_routes_authenticate_like_the_auth_routes", "[http][app]") {
  server<> s;
  browser b{s.handler};
  REQUIRE(b.post("/sign-in/anonymous").status == 200);
  const std::string cookie = *b.cookie_header();
  auto app = [&](std::string method, std::vector<http::header> headers) {
    return s.handler.authenticate(raw(std::move(method), "/api/cart", std::move(headers)));
  };
  CHECK(app("GET", {{"Cookie", cookie}}).has_value());
  CHECK(app("POST", {{"Cookie", cookie}, {"Origin", "http://localhost:3000"}}).has_value());
  auto no_origin = app("POST", {{"Cookie", cookie}});
  REQUIRE_FALSE(no_origin);
  CHECK(no_origin.error().code() == "MISSING_OR_NULL_ORIGIN");
  auto evil = app("POST", {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
  REQUIRE_FALSE(evil);
  CHECK(evil.error().status() == 403);
  auto none = app("GET", {});
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == "UNAUTHORIZED");
  const auto response = s.handler.error_response(none.error());
  CHECK(response.status == 401);
  CHECK(response.body == R"({"message":"Unauthorized","code":"UNAUTHORIZED"})");
  CHECK(s.handler.session(raw("GET", "/api/cart", {{"Cookie", cookie}}))->user.is_anonymous);

  // An app route extends nothing (its answer would not re-send the cookie); get-session does.
  s.clock.advance(std::chrono::days{2});
  const auto before = s.handler.session(raw("GET", "/api/cart", {{"Cookie", cookie}}))->session.expires_at;
  CHECK(s.handler.session(raw("GET", "/api/cart", {{"Cookie", cookie}}))->session.expires_at == before);
  CHECK(b.get("/get-session").header_values("Set-Cookie").size() == 1);
  CHECK(s.handler.session(raw("GET", "/api/cart", {{"Cookie", cookie}}))->session.expires_at > before);
}

// anonauth/http/cookies.hpp: better-call's cookie parser and serializer, and Better Auth's
// cookie signature, checked against values a Better Auth 1.7.25 server produced.
#include "catch.hpp"

#include <anonauth/http/cookies.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http = anonauth::http;
using namespace std::chrono_literals;
using namespace std::string_view_literals;

namespace {

using cookie_list = std::vector<std::pair<std::string_view, std::string_view>>;

// The secret of the Better Auth 1.7.25 reference server (node:http + toNodeHandler, memory
// adapter, anonymous and bearer plugins) the values below were captured from.
constexpr std::string_view reference_secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Two POST /api/auth/sign-in/anonymous responses of that server: the body's `token`, and the
// signature its `Set-Cookie: better-auth.session_token=<token>.<signature, URL-encoded>` carried.
constexpr std::string_view token_a = "2Z0KHnWyd0NZ7BrgaZuhBDw1Fue66J6D";
constexpr std::string_view signature_a = "2R/xY5f15vXwHei81YvvZUGbO6zcegWCAkl3GGiebn4=";
constexpr std::string_view set_cookie_a =
    "better-auth.session_token=2Z0KHnWyd0NZ7BrgaZuhBDw1Fue66J6D.2R%2FxY5f15vXwHei81YvvZUGbO6zcegWCAkl3GGiebn4%3D; "
    "Max-Age=604800; Path=/; HttpOnly; SameSite=Lax";
constexpr std::string_view token_b = "MpRELG1nQRU6V4W4qMFDgFd73ugtrskE";
constexpr std::string_view signature_b = "D8MPYt1DflJ1zPMU+l8z+wLaqoz0kO5D215eUKJWD3I=";

// Built field by field: designated initializers that leave members out warn under GCC 12's
// -Wextra (missing-field-initializers).
http::request with_headers(std::vector<http::header> headers) {
  http::request req;
  req.method = "GET";
  req.target = "/api/auth/get-session";
  req.headers = std::move(headers);
  return req;
}

template <class Edit>
http::cookie_attributes attributes(Edit edit) {
  http::cookie_attributes a;
  edit(a);
  return a;
}

http::cookie_attributes max_age(std::chrono::seconds seconds) {
  return attributes([&](auto& a) { a.max_age = seconds; });
}

std::string joined(std::string_view value, std::string_view signature) {
  return std::string(value) + "." + std::string(signature);
}

}  // namespace

TEST_CASE("cookies.parse_cookie_header", "[http]") {
  CHECK(http::parse_cookie_header("a=1; b=2") == cookie_list{{"a", "1"}, {"b", "2"}});
  CHECK(http::parse_cookie_header("  a  =  1  ;b=2;") == cookie_list{{"a", "1"}, {"b", "2"}});
  CHECK(http::parse_cookie_header("a=b=c") == cookie_list{{"a", "b=c"}});
  CHECK(http::parse_cookie_header("a=%3D") == cookie_list{{"a", "%3D"}});  // raw, not decoded
  // A repeated name keeps its first value, as better-call's Map does.
  CHECK(http::parse_cookie_header("a=1; a=2; b=3") == cookie_list{{"a", "1"}, {"b", "3"}});
  // Names are case-sensitive.
  CHECK(http::parse_cookie_header("a=1; A=2") == cookie_list{{"a", "1"}, {"A", "2"}});
  // A quoted value loses its first and last character (JavaScript slice(1, -1)).
  CHECK(http::parse_cookie_header("a=\"x y\"") == cookie_list{{"a", "x y"}});
  CHECK(http::parse_cookie_header("a=\"xyz") == cookie_list{{"a", "xy"}});
  CHECK(http::parse_cookie_header("a=\"") == cookie_list{{"a", ""}});
  CHECK(http::parse_cookie_header("a=x\"") == cookie_list{{"a", "x\""}});
  // Pieces without '=' are skipped; an empty name is a name.
  CHECK(http::parse_cookie_header("junk; a=1; more junk; b=2") == cookie_list{{"a", "1"}, {"b", "2"}});
  CHECK(http::parse_cookie_header("=x; a=") == cookie_list{{"", "x"}, {"a", ""}});
  CHECK(http::parse_cookie_header(";;a=1;;") == cookie_list{{"a", "1"}});
  CHECK(http::parse_cookie_header("").empty());
  CHECK(http::parse_cookie_header("no equals sign at all").empty());
}

TEST_CASE("cookies.parse_cookie_header.large", "[http]") {
  // 10 KB of cookies: the one wanted comes last.
  std::string header;
  for (int i = 0; header.size() < 10'000; ++i) header += "c" + std::to_string(i) + "=" + std::string(8, 'v') + "; ";
  header += "better-auth.session_token=tok.sig";
  const auto cookies = http::parse_cookie_header(header);
  REQUIRE(cookies.size() > 500);
  CHECK(cookies.back() == std::pair{"better-auth.session_token"sv, "tok.sig"sv});

  const auto req = with_headers({{"Cookie", header}});
  CHECK(http::find_cookie(req, "better-auth.session_token") == "tok.sig");

  // 10 KB of separators, of one unterminated quote, of one name without '='.
  CHECK(http::parse_cookie_header(std::string(10'000, ';')).empty());
  CHECK(http::parse_cookie_header("a=\"" + std::string(10'000, 'x')).front().second.size() == 9'999);
  CHECK(http::parse_cookie_header(std::string(10'000, 'x')).empty());
  CHECK(http::parse_cookie_header(std::string(5'000, ';') + "a=1" + std::string(5'000, ';')) == cookie_list{{"a", "1"}});
}

TEST_CASE("cookies.find_cookie", "[http]") {
  const auto req = with_headers({{"Set-Cookie", "x=wrong"},
                                 {"Cookie2", "x=wrong"},
                                 {"cookie", "theme=dark; x=first"},
                                 {"Host", "example.com"},
                                 {"COOKIE", "x=second; y=2"}});
  // Every Cookie line (any letter case) in order: HTTP/2 proxies send one per cookie.
  CHECK(http::find_cookie(req, "x") == "first");
  CHECK(http::find_cookie(req, "y") == "2");
  CHECK(http::find_cookie(req, "theme") == "dark");
  CHECK_FALSE(http::find_cookie(req, "X"));
  CHECK_FALSE(http::find_cookie(req, "missing"));
  CHECK_FALSE(http::find_cookie(http::request{}, "x"));

  // The view points into the request.
  const auto found = http::find_cookie(req, "y");
  REQUIRE(found);
  CHECK(found->data() >= req.headers[4].value.data());
  CHECK(found->data() < req.headers[4].value.data() + req.headers[4].value.size());
}

TEST_CASE("cookies.decode_cookie_value", "[http]") {
  CHECK(http::decode_cookie_value("tok.2R%2Fx%3D") == "tok.2R/x=");
  CHECK(http::decode_cookie_value("plain+value") == "plain+value");
  // better-call's tryDecode keeps a value that does not decode.
  CHECK(http::decode_cookie_value("bad%zz%3D") == "bad%zz%3D");
  CHECK(http::decode_cookie_value("%") == "%");
  CHECK(http::decode_cookie_value("%FF") == "%FF");
}

TEST_CASE("cookies.set_cookie_value", "[http]") {
  // Byte for byte what the reference server sent (see set_cookie_a).
  CHECK(http::set_cookie_value("better-auth.session_token",
                               http::percent_encode_component(joined(token_a, signature_a)),
                               max_age(std::chrono::days(7))) == set_cookie_a);
  // Its sign-out: the expiring cookie.
  CHECK(http::set_cookie_value("better-auth.session_token", "", max_age(0s)) ==
        "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  // rememberMe: false gives a session cookie: no Max-Age.
  CHECK(http::set_cookie_value("n", "v", {}) == "n=v; Path=/; HttpOnly; SameSite=Lax");
  // Every attribute, in better-call's order.
  CHECK(http::set_cookie_value("n", "v",
                               attributes([](auto& a) {
                                 a.max_age = 60s;
                                 a.domain = "example.com";
                                 a.path = "/api";
                                 a.secure = true;
                                 a.same_site = "None";
                                 a.partitioned = true;
                               })) ==
        "n=v; Max-Age=60; Domain=example.com; Path=/api; HttpOnly; Secure; SameSite=None; Partitioned");
  CHECK(http::set_cookie_value("n", "v", attributes([](auto& a) {
          a.path.clear();
          a.http_only = false;
          a.same_site.clear();
        })) == "n=v");
  CHECK(http::set_cookie_value("n", "v", attributes([](auto& a) { a.same_site = "strict"; })) == "n=v; Path=/; HttpOnly; SameSite=Strict");
  // Name prefixes and SameSite=None / Partitioned force what browsers require.
  CHECK(http::set_cookie_value("__Secure-better-auth.session_token", "v", {}) ==
        "__Secure-better-auth.session_token=v; Path=/; HttpOnly; Secure; SameSite=Lax");
  CHECK(http::set_cookie_value("__host-x", "v", attributes([](auto& a) {
          a.domain = "example.com";
          a.path = "/api";
        })) ==
        "__host-x=v; Path=/; HttpOnly; Secure; SameSite=Lax");
  CHECK(http::set_cookie_value("n", "v", attributes([](auto& a) { a.same_site = "none"; })) == "n=v; Path=/; HttpOnly; Secure; SameSite=None");
  CHECK(http::set_cookie_value("n", "v", attributes([](auto& a) {
          a.same_site.clear();
          a.partitioned = true;
        })) ==
        "n=v; Path=/; HttpOnly; Secure; Partitioned");

  // 400 days is the limit.
  CHECK(http::set_cookie_value("n", "v", max_age(34'560'000s)) ==
        "n=v; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax");
  CHECK_THROWS_AS(http::set_cookie_value("n", "v", max_age(34'560'001s)), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("n", "v", max_age(-1s)), std::invalid_argument);
  // Nothing can break out of the header line or the attribute.
  CHECK_THROWS_AS(http::set_cookie_value("n", "v\r\nSet-Cookie: evil=1", {}), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("n", "v; Domain=evil.com", {}), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("n=x", "v", {}), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("", "v", {}), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("n", "v", attributes([](auto& a) { a.domain = "a.com; Secure"; })), std::invalid_argument);
  CHECK_THROWS_AS(http::set_cookie_value("n", "v", attributes([](auto& a) { a.path = "/\n"; })), std::invalid_argument);
}

TEST_CASE("cookies.signer.matches_better_auth", "[http]") {
  const http::cookie_signer signer{reference_secret};
  CHECK(signer.sign(token_a) == joined(token_a, signature_a));
  CHECK(signer.sign(token_b) == joined(token_b, signature_b));
  CHECK(signer.sign(token_a).size() == token_a.size() + 1 + 44);

  // The cookie the server set, read back the way better-call reads it.
  const std::string header(set_cookie_a.substr(0, set_cookie_a.find(';')));
  const auto req = with_headers({{"Cookie", header}});
  const auto raw = http::find_cookie(req, "better-auth.session_token");
  REQUIRE(raw);
  CHECK(signer.verify(http::decode_cookie_value(*raw)) == token_a);
  CHECK(signer.verify(joined(token_b, signature_b)) == token_b);

  // The server also accepts a signature whose last character differs only in the two unused
  // padding bits ('4' -> '5' or '7' still gave the session; '8' did not): atob ignores them.
  std::string loose(signature_a);
  loose[42] = '5';
  CHECK(signer.verify(joined(token_a, loose)) == token_a);
  loose[42] = '7';
  CHECK(signer.verify(joined(token_a, loose)) == token_a);
  loose[42] = '8';
  CHECK_FALSE(signer.verify(joined(token_a, loose)));

  // Other key lengths and non-ASCII bytes (values from Node's crypto.createHmac).
  CHECK(http::cookie_signer(std::string(100, 'k')).sign("token-123") ==
        "token-123.nyaIEHfMF0sAHysUQMKybB413O0HMIDMgdIQuXo83Bk=");
  CHECK(http::cookie_signer("s\xC3\xA9" "cret").sign("t\xC3\xB6k.en") ==
        "t\xC3\xB6k.en.KA9zTX0aHDLZpYc1eyeRKnXtlQ8b6BSJu/sMvyeurjA=");
}

TEST_CASE("cookies.signer.rejects", "[http]") {
  const http::cookie_signer signer{reference_secret};
  const std::string good = joined(token_a, signature_a);
  REQUIRE(signer.verify(good) == token_a);

  CHECK_FALSE(signer.verify(joined(token_a, signature_b)));          // the signature of another token
  CHECK_FALSE(signer.verify(joined(token_b, signature_a)));
  CHECK_FALSE(signer.verify(good.substr(0, good.size() - 1)));       // truncated: no '=' at the end
  CHECK_FALSE(signer.verify(good.substr(0, good.size() - 2) + "="));  // truncated to 43 characters
  CHECK_FALSE(signer.verify(good + "="));                              // 45 characters
  CHECK_FALSE(signer.verify(good + "x"));
  CHECK_FALSE(signer.verify(token_a));                                 // a bare token, no dot
  CHECK_FALSE(signer.verify(signature_a));
  CHECK_FALSE(signer.verify("." + std::string(signature_a)));          // nothing before the dot
  CHECK_FALSE(signer.verify(""));
  CHECK_FALSE(signer.verify("."));
  CHECK_FALSE(signer.verify(std::string(token_a) + "."));
  CHECK_FALSE(signer.verify("x" + good));                              // another value
  CHECK_FALSE(signer.verify(http::percent_encode_component(good)));    // still URL-encoded
  CHECK_FALSE(http::cookie_signer("another secret").verify(good));

  // Well-sized but not base64, or decoding to fewer than 32 bytes.
  auto altered = [&](std::size_t at, char c) {
    std::string s(signature_a);
    s[at] = c;
    return joined(token_a, s);
  };
  CHECK_FALSE(signer.verify(altered(0, '-')));   // base64url alphabet
  CHECK_FALSE(signer.verify(altered(0, '_')));
  CHECK_FALSE(signer.verify(altered(10, ' ')));  // whitespace
  CHECK_FALSE(signer.verify(altered(10, '=')));  // padding in the middle
  CHECK_FALSE(signer.verify(altered(42, '=')));  // "==": 31 bytes
  CHECK_FALSE(signer.verify(altered(0, '\0')));
  CHECK_FALSE(signer.verify(altered(0, '3')));   // one bit of the MAC

  // The value may hold dots: the signature starts after the last one.
  const auto dotted = signer.sign("a.b.c");
  CHECK(signer.verify(dotted) == "a.b.c");
  // An empty value signs, but is refused on the way back, as better-call does.
  CHECK_FALSE(signer.verify(signer.sign("")));

  CHECK_THROWS_AS(http::cookie_signer(""), std::invalid_argument);
}

// anonauth/http/url.hpp: percent-encoding as JavaScript does it, and the WHATWG URL parsing that
// Better Auth's origin checks rest on. Expected values are what Node 20's encodeURIComponent,
// decodeURIComponent, URLSearchParams and `new URL` give for the same input.
#include "catch.hpp"

#include <anonauth/http/url.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace http = anonauth::http;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {
std::optional<std::string> origin_of(std::string_view s) {
  const auto u = http::parse_url(s);
  if (!u) return std::nullopt;
  return u->origin();
}
}  // namespace

TEST_CASE("url.percent_encode_component", "[http]") {
  CHECK(http::percent_encode_component("a b&c=d/\xC3\xA9!~*'()+\0"s) == "a%20b%26c%3Dd%2F%C3%A9!~*'()%2B%00");
  CHECK(http::percent_encode_component("AZaz09-_.") == "AZaz09-_.");
  CHECK(http::percent_encode_component("") == "");
  CHECK(http::percent_encode_component("\xFF\x80") == "%FF%80");  // bytes as given, upper-case hex
  CHECK(http::percent_encode_component("%") == "%25");
  // A signed session cookie value, as Better Auth writes it into Set-Cookie.
  CHECK(http::percent_encode_component("2Z0KHnWyd0NZ7BrgaZuhBDw1Fue66J6D.2R/xY5f15vXwHei81YvvZUGbO6zcegWCAkl3GGiebn4=") ==
        "2Z0KHnWyd0NZ7BrgaZuhBDw1Fue66J6D.2R%2FxY5f15vXwHei81YvvZUGbO6zcegWCAkl3GGiebn4%3D");
  // Every byte that is not unreserved is escaped.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            std::string_view("-_.!~*'()").find(c) != std::string_view::npos;
    CHECK(http::percent_encode_component(std::string(1, c)).size() == (unreserved ? 1u : 3u));
  }
}

TEST_CASE("url.percent_decode", "[http]") {
  CHECK(http::percent_decode("%41%62c") == "Abc");
  CHECK(http::percent_decode("a+b") == "a+b");  // '+' is not a space here
  CHECK(http::percent_decode("a%2Fb%3d") == "a/b=");
  CHECK(http::percent_decode("%C3%A9") == "\xC3\xA9");
  CHECK(http::percent_decode("%E2%82%AC") == "\xE2\x82\xAC");
  CHECK(http::percent_decode("%F0%9F%98%80") == "\xF0\x9F\x98\x80");
  CHECK(http::percent_decode("%00") == "\0"s);
  CHECK(http::percent_decode("\xC3\xA9") == "\xC3\xA9");  // unescaped bytes pass through
  CHECK(http::percent_decode("") == "");

  // Malformed escapes: JavaScript throws URIError.
  CHECK_FALSE(http::percent_decode("%"));
  CHECK_FALSE(http::percent_decode("abc%"));
  CHECK_FALSE(http::percent_decode("abc%4"));
  CHECK_FALSE(http::percent_decode("%zz"));
  CHECK_FALSE(http::percent_decode("%4g"));
  CHECK_FALSE(http::percent_decode("ok%%41"));
  // Escapes that do not spell UTF-8: also URIError in JavaScript.
  CHECK_FALSE(http::percent_decode("%FF"));
  CHECK_FALSE(http::percent_decode("%80"));          // lone continuation byte
  CHECK_FALSE(http::percent_decode("%C3"));          // truncated
  CHECK_FALSE(http::percent_decode("%C3A9"));        // continuation not escaped
  CHECK_FALSE(http::percent_decode("%C0%80"));       // overlong NUL
  CHECK_FALSE(http::percent_decode("%ED%A0%80"));    // surrogate
  CHECK_FALSE(http::percent_decode("%F4%90%80%80"));  // above U+10FFFF
}

TEST_CASE("url.form_decode", "[http]") {
  CHECK(http::form_decode("a+b") == "a b");
  CHECK(http::form_decode("%2B") == "+");
  CHECK(http::form_decode("%C3%A9+x") == "\xC3\xA9 x");
  // URLSearchParams never fails: a bad escape is kept, bad UTF-8 becomes U+FFFD.
  CHECK(http::form_decode("%zz") == "%zz");
  CHECK(http::form_decode("%") == "%");
  CHECK(http::form_decode("a%2") == "a%2");
  CHECK(http::form_decode("%ff") == "\xEF\xBF\xBD");
  CHECK(http::form_decode("%E2%82") == "\xEF\xBF\xBD");       // truncated: one U+FFFD
  CHECK(http::form_decode("%E2%82x") == "\xEF\xBF\xBDx");
  CHECK(http::form_decode("%C0%80") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("url.parse_url.origins", "[http]") {
  // Letter case and default ports, as `new URL(x).origin`.
  CHECK(origin_of("HTTPS://EXAMPLE.COM:443/x") == "https://example.com");
  CHECK(origin_of("http://Example.com:80") == "http://example.com");
  CHECK(origin_of("http://example.com:443") == "http://example.com:443");
  CHECK(origin_of("https://example.com:80") == "https://example.com:80");
  CHECK(origin_of("http://a:0080") == "http://a");
  CHECK(origin_of("https://app.example.com:8443/p?q#f") == "https://app.example.com:8443");
  CHECK(origin_of("ws://A.com:80") == "ws://a.com");
  CHECK(origin_of("wss://a.com:443") == "wss://a.com");
  // IP addresses in their canonical form.
  CHECK(origin_of("http://0x7f.1") == "http://127.0.0.1");
  CHECK(origin_of("http://2130706433:3000") == "http://127.0.0.1:3000");
  CHECK(origin_of("http://0300.0250.0.1") == "http://192.168.0.1");
  CHECK(origin_of("http://[0:0::1]") == "http://[::1]");
  CHECK(origin_of("http://[::ffff:1.2.3.4]:80") == "http://[::ffff:102:304]");
  CHECK(origin_of("http://[1:0:0:2:0:0:0:3]") == "http://[1:0:0:2::3]");
  // Userinfo is dropped; the host is what follows the last '@'.
  CHECK(origin_of("https://example.com@evil.com") == "https://evil.com");
  CHECK(origin_of("https://a@b:c@evil.com/x") == "https://evil.com");
  CHECK(origin_of("http://@h") == "http://h");
  // Special-scheme leniency: backslashes, missing or extra slashes, surrounding spaces, tabs.
  CHECK(origin_of("http:/\\/\\evil.com") == "http://evil.com");
  CHECK(origin_of("https:example.com") == "https://example.com");
  CHECK(origin_of("http:///x") == "http://x");
  CHECK(origin_of("  https://example.com  ") == "https://example.com");
  CHECK(origin_of("ht\ttps://exa\nmple.com") == "https://example.com");
  CHECK(origin_of("http://ex%61mple.com") == "http://example.com");
  CHECK(origin_of("http://a*b.com") == "http://a*b.com");
  CHECK(origin_of("http://xn--bcher-kva.de") == "http://xn--bcher-kva.de");

  const auto u = http::parse_url("https://User:Pw@App.Example.com:8443/a/b?c=d#e");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "app.example.com");
  CHECK(u->port == 8443);
  CHECK(u->path == "/a/b");
  CHECK(u->query == "c=d");
  CHECK(u->host_port() == "app.example.com:8443");
  CHECK(http::parse_url("https://a:443")->port == std::nullopt);
}

TEST_CASE("url.parse_url.rejects", "[http]") {
  for (const auto* bad : {"", "null", "example.com/x", "/path", "//evil.com", "1http://a", "://a", "http", "http:",
                          "http://", "https:///", "http://user@", "http://a b", "http://a%25b", "http://a%00b",
                          "http://a^b", "http://a|b", "http://1.2.3.256", "http://1.2.3.4.5", "http://foo.1",
                          "http://foo.0x", "http://4294967296", "http://[::1", "http://[::1]x", "http://[::1%25eth0]",
                          "http://[12345::]", "http://[1:2:3:4:5:6:7:8:9]", "http://[::1.2.3]", "http://a:x",
                          "http://a:65536", "http://a:1:2", "http://:80", "myapp://a:b", "myapp://:80", "myapp://@",
                          "myapp://h\\x", "myapp://a b"}) {
    INFO(bad);
    CHECK_FALSE(http::parse_url(bad));
  }
  // Non-ASCII hosts would need IDNA: refused (Node would give "http://xn--bcher-kva.de").
  CHECK_FALSE(http::parse_url("http://b\xC3\xBC" "cher.de"));
  CHECK_FALSE(http::parse_url("http://%C3%A9.com"));
}

TEST_CASE("url.parse_url.custom_schemes", "[http]") {
  const auto app = http::parse_url("MyApp://Callback.Host:12/a/../b?x=1");
  REQUIRE(app);
  CHECK(app->scheme == "myapp");
  CHECK(app->host == "Callback.Host");  // an opaque host keeps its letter case
  CHECK(app->port == 12);
  CHECK(app->path == "/b");
  CHECK(app->query == "x=1");
  CHECK(app->origin() == "null");  // as JavaScript: non-special schemes have an opaque origin
  CHECK_FALSE(app->special());

  const auto bare = http::parse_url("myapp://");
  REQUIRE(bare);
  CHECK(bare->host.empty());
  CHECK(bare->path.empty());

  const auto opaque = http::parse_url("myapp:cb");
  REQUIRE(opaque);
  CHECK(opaque->host.empty());
  CHECK(opaque->path == "cb");

  const auto expo = http::parse_url("exp://192.168.1.5:8081/--/cb");
  REQUIRE(expo);
  CHECK(expo->host_port() == "192.168.1.5:8081");
  CHECK(expo->path == "/--/cb");

  const auto file = http::parse_url("file:///etc/passwd");
  REQUIRE(file);
  CHECK(file->origin() == "null");
  CHECK(file->path == "/etc/passwd");
  CHECK(http::parse_url("javascript:alert(1)")->path == "alert(1)");
}

TEST_CASE("url.parse_url.paths_and_queries", "[http]") {
  CHECK(http::parse_url("http://a")->path == "/");
  CHECK(http::parse_url("http://a?x=1")->path == "/");
  CHECK(http::parse_url("http://a?x=1")->query == "x=1");
  CHECK(http::parse_url("http://a/%2e%2E/b/./c/.%2e/d")->path == "/b/d");
  CHECK(http::parse_url("http://a/b/..")->path == "/");
  CHECK(http::parse_url("http://a/b\\c")->path == "/b/c");
  CHECK(http::parse_url("myapp://h/b\\c")->path == "/b\\c");
  const auto spaced = http::parse_url("http://a/b c?d e'#f");
  CHECK(spaced->path == "/b%20c");
  CHECK(spaced->query == "d%20e%27");
  CHECK(http::parse_url("http://a/^`{}")->path == "/^%60%7B%7D");
}

TEST_CASE("url.split_target", "[http]") {
  auto [path, query] = http::split_target("/api/auth/get-session?disableRefresh=true");
  CHECK(path == "/api/auth/get-session");
  CHECK(query == "disableRefresh=true");
  CHECK(http::split_target("/a").path == "/a");
  CHECK(http::split_target("/a").query.empty());
  CHECK(http::split_target("/a?").query.empty());
  CHECK(http::split_target("/a?b?c").query == "b?c");
  CHECK(http::split_target("/a%3Fb?c=%20").path == "/a%3Fb");  // nothing is decoded
  CHECK(http::split_target("/a?c=%20").query == "c=%20");
  CHECK(http::split_target("/a?b#frag").query == "b");
  CHECK(http::split_target("/a#x?b").path == "/a");
  CHECK(http::split_target("/a#x?b").query.empty());
}

TEST_CASE("url.query_value", "[http]") {
  const std::string_view q = "disableRefresh=true&callbackURL=%2Fhome%3Fa%3D1&x=a+b&x=second&empty=&bare";
  CHECK(http::query_value(q, "disableRefresh") == "true");
  CHECK(http::query_value(q, "callbackURL") == "/home?a=1");
  CHECK(http::query_value(q, "x") == "a b");  // the first occurrence
  CHECK(http::query_value(q, "empty") == "");
  CHECK(http::query_value(q, "bare") == "");
  CHECK_FALSE(http::query_value(q, "missing"));
  CHECK_FALSE(http::query_value(q, "disablerefresh"));  // names are case-sensitive
  CHECK_FALSE(http::query_value("", "a"));
  CHECK(http::query_value("&&a=1&&", "a") == "1");
  CHECK(http::query_value("call%62ack=1", "callback") == "1");  // names are decoded too
  CHECK(http::query_value("a+b=1", "a b") == "1");
  CHECK(http::query_value("a=%zz%", "a") == "%zz%");
  CHECK(http::query_value("a=1=2", "a") == "1=2");
}

// anonauth/http/origins.hpp: Better Auth 1.7's trusted-origin and callback rules. The expected
// values are those of Better Auth's own matchesOriginPattern for the same pattern and input.
#include "catch.hpp"

#include <anonauth/http/origins.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace http = anonauth::http;

namespace {
// Trusts only `pattern` (and a base origin that no input below uses).
http::trusted_origins only(std::string pattern) {
  return http::trusted_origins("http://base.invalid", {std::move(pattern)});
}
}  // namespace

TEST_CASE("origins.exact", "[http]") {
  const http::trusted_origins trusted("https://api.example.com/api/auth", {"https://app.example.com", "http://localhost:3000"});
  CHECK(trusted.patterns() == std::vector<std::string>{"https://api.example.com", "https://app.example.com",
                                                       "http://localhost:3000"});
  CHECK(trusted.trusts("https://api.example.com"));  // the base URL's origin
  CHECK(trusted.trusts("https://app.example.com"));
  CHECK(trusted.trusts("https://app.example.com/some/page?x=1"));  // a Referer reduces to its origin
  CHECK(trusted.trusts("HTTPS://APP.EXAMPLE.COM:443"));
  CHECK(trusted.trusts("http://localhost:3000"));
  CHECK(trusted.trusts("http://LOCALHOST:3000/x"));

  CHECK_FALSE(trusted.trusts("http://app.example.com"));
  CHECK_FALSE(trusted.trusts("https://app.example.com:8443"));
  CHECK_FALSE(trusted.trusts("http://localhost:3001"));
  CHECK_FALSE(trusted.trusts("http://localhost"));
  CHECK_FALSE(trusted.trusts("https://example.com"));
  CHECK_FALSE(trusted.trusts("https://app.example.com.evil.com"));
  CHECK_FALSE(trusted.trusts("https://evilapp.example.com"));
  CHECK_FALSE(trusted.trusts("https://evil.com/?x=https://app.example.com"));
  CHECK_FALSE(trusted.trusts("https://evil.com#https://app.example.com"));
  CHECK_FALSE(trusted.trusts("https://app.example.com@evil.com"));
  // The host is what follows the '@': this one is app.example.com, for Better Auth too.
  CHECK(trusted.trusts("https://evil.com@app.example.com"));
}

TEST_CASE("origins.null_and_garbage", "[http]") {
  const http::trusted_origins trusted("https://app.example.com", {"*.example.com", "myapp://"});
  for (const auto* bad : {"null", "", " ", "null ", "garbage", "app.example.com", "/relative", "//app.example.com",
                          "https://", "https://app.example.com:99999", "https://app%25.example.com", "*.example.com"}) {
    INFO(bad);
    CHECK_FALSE(trusted.trusts(bad));
  }
  // A 10 KB Origin is just another untrusted value.
  CHECK_FALSE(trusted.trusts("https://" + std::string(10'000, 'a') + ".evil.com"));
  CHECK(trusted.trusts("https://" + std::string(10'000, 'a') + ".example.com"));
}

TEST_CASE("origins.wildcard_with_scheme", "[http]") {
  const auto trusted = only("https://*.example.com");
  CHECK(trusted.trusts("https://a.example.com"));
  CHECK(trusted.trusts("https://a.b.example.com"));  // '*' crosses dots
  CHECK(trusted.trusts("HTTPS://A.EXAMPLE.COM:443/path"));
  CHECK_FALSE(trusted.trusts("https://example.com"));
  CHECK_FALSE(trusted.trusts("http://a.example.com"));
  CHECK_FALSE(trusted.trusts("https://evilexample.com"));
  CHECK_FALSE(trusted.trusts("https://a.example.com:8443"));
  CHECK_FALSE(trusted.trusts("https://a.example.com.evil.com"));
  CHECK_FALSE(trusted.trusts("https://evil.com/.example.com"));
  CHECK_FALSE(trusted.trusts("myapp://a.example.com"));

  const auto two = only("https://??.example.com");
  CHECK(two.trusts("https://ab.example.com"));
  CHECK_FALSE(two.trusts("https://abc.example.com"));
  CHECK_FALSE(two.trusts("https://a.example.com"));

  const auto any_scheme = only("*://example.com");
  CHECK(any_scheme.trusts("https://example.com"));
  CHECK(any_scheme.trusts("http://example.com"));
  CHECK_FALSE(any_scheme.trusts("https://example.com:1"));

  const auto escaped = only("https://\\*.example.com");  // a literal '*'
  CHECK(escaped.trusts("https://*.example.com"));
  CHECK_FALSE(escaped.trusts("https://a.example.com"));
}

TEST_CASE("origins.host_wildcard", "[http]") {
  // Without a scheme, the pattern meets host[:port] of any URL.
  const auto trusted = only("*.example.com");
  CHECK(trusted.trusts("https://a.example.com"));
  CHECK(trusted.trusts("http://a.example.com"));
  CHECK(trusted.trusts("myapp://a.example.com/cb"));
  CHECK(trusted.trusts("https://user@a.example.com"));
  CHECK_FALSE(trusted.trusts("https://example.com"));
  CHECK_FALSE(trusted.trusts("https://a.example.com:8443"));
  CHECK_FALSE(trusted.trusts("https://a.example.com.evil.com"));
  CHECK_FALSE(trusted.trusts("https://evil.com?.example.com"));

  const auto with_port = only("*:3000");
  CHECK(with_port.trusts("http://localhost:3000"));
  CHECK_FALSE(with_port.trusts("http://localhost:3001"));
}

TEST_CASE("origins.ipv4_ranges", "[http]") {
  // A host made of digits, dots and wildcards admits IPv4 addresses only.
  const auto lan = only("http://192.168.*.*:3000");
  CHECK(lan.trusts("http://192.168.1.5:3000"));
  CHECK(lan.trusts("http://192.168.0x1.5:3000"));  // the URL parser normalises it first
  CHECK_FALSE(lan.trusts("http://192.168.evil.com:3000"));
  CHECK_FALSE(lan.trusts("http://192.168.1.5:3001"));

  const auto ten = only("10.*");
  CHECK(ten.trusts("http://10.0.0.1"));
  CHECK(ten.trusts("https://10.1.2.3"));
  CHECK_FALSE(ten.trusts("http://10.evil.com"));
  CHECK(ten.trusts("http://10.0.0.1:8080"));  // '*' runs over the port too, as in Better Auth

  const auto expo = only("exp://192.168.*.*:8081");
  CHECK(expo.trusts("exp://192.168.1.5:8081"));
  CHECK_FALSE(expo.trusts("exp://192.168.attacker.com:8081"));
  CHECK_FALSE(expo.trusts("exp://192.168.1.5.evil:8081"));
}

TEST_CASE("origins.custom_schemes", "[http]") {
  const auto any = only("myapp://");
  CHECK(any.trusts("myapp://"));
  CHECK(any.trusts("myapp://callback/x"));
  CHECK(any.trusts("myapp:callback"));
  CHECK(any.trusts("MYAPP://Callback"));
  CHECK_FALSE(any.trusts("myapp2://callback"));
  CHECK_FALSE(any.trusts("https://myapp"));
  CHECK_FALSE(any.trusts("myapp://a:b"));  // not a URL for JavaScript's parser either

  const auto pinned = only("myapp://host/cb");
  CHECK(pinned.trusts("myapp://host/cb"));
  CHECK(pinned.trusts("myapp://host/cb/x?y=1"));
  CHECK(pinned.trusts("MYAPP://HOST/cb"));
  CHECK(pinned.trusts("myapp://host/x/../cb"));
  CHECK(pinned.trusts("myapp://host/c%62"));
  CHECK_FALSE(pinned.trusts("myapp://host/cbx"));
  CHECK_FALSE(pinned.trusts("myapp://host/CB"));
  CHECK_FALSE(pinned.trusts("myapp://host/cb/../evil"));
  CHECK_FALSE(pinned.trusts("myapp://host/cb/%2e%2e/evil"));
  CHECK_FALSE(pinned.trusts("myapp://host/cb%2F..%2Fevil"));
  CHECK_FALSE(pinned.trusts("myapp://other/cb"));
  CHECK_FALSE(pinned.trusts("myapp://user@host/cb"));
  CHECK_FALSE(pinned.trusts("myapp://host/\xC2\x85" "cb"));  // a C1 control character

  const auto wild = only("myapp://*.example.com/cb/*");
  CHECK(wild.trusts("myapp://a.example.com/cb/x"));
  CHECK_FALSE(wild.trusts("myapp://a.example.com/cb"));
  CHECK_FALSE(wild.trusts("myapp://x@a.example.com/cb/x"));  // no userinfo with wildcards
  CHECK_FALSE(wild.trusts("myapp://a.example.com.evil/cb/x"));

  const auto extension = only("chrome-extension://abcdef");
  CHECK(extension.trusts("chrome-extension://abcdef"));
  CHECK(extension.trusts("chrome-extension://abcdef/popup.html"));
  CHECK_FALSE(extension.trusts("chrome-extension://abcdefg"));

  // ws: and wss: are special for the URL parser but matched like custom schemes.
  const auto ws = only("wss://*.example.com");
  CHECK(ws.trusts("wss://a.example.com"));
  CHECK_FALSE(ws.trusts("https://a.example.com"));
}

TEST_CASE("origins.callbacks", "[http]") {
  const http::trusted_origins trusted("https://app.example.com", {"myapp://"});
  for (const auto* good : {"/", "/dashboard", "/a/b?next=%2f%2fevil.com", "/a#%2F", "/%41", "/a b",
                           "/a/../b", "https://app.example.com/cb?x=1", "myapp://cb"}) {
    INFO(good);
    CHECK(trusted.trusts_callback(good));
  }
  for (const auto* bad : {"//evil.com", "/\\evil.com", "/%2fevil.com", "/%2Fevil.com", "/%5cevil.com",
                          "/%5Cevil.com", "/a/%2F/b", "/a%5c", "///evil.com", "/\t/evil.com", "/\n", "/\x7f",
                          "/a?x=\\", "/ok\xC2\x85x", "/ok\xFFx", "\\/evil.com", " /dashboard", "dashboard", "",
                          "https://evil.com/?x=https://app.example.com", "https://app.example.com.evil.com/x",
                          "javascript:alert(1)", "null"}) {
    INFO(bad);
    CHECK_FALSE(trusted.trusts_callback(bad));
  }
  // trusts() (the Origin check) takes no relative paths at all.
  CHECK_FALSE(trusted.trusts("/dashboard"));
  // A 10 KB relative path is scanned once.
  CHECK(trusted.trusts_callback("/" + std::string(10'000, 'a')));
  CHECK_FALSE(trusted.trusts_callback("/" + std::string(10'000, 'a') + "%2f"));
}

TEST_CASE("origins.construction", "[http]") {
  const auto message_of = [](std::string pattern) -> std::string {
    try {
      only(pattern);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  for (const auto* bad : {"not a url", "https://app.example.com/", "https://App.example.com",
                          "https://app.example.com:443", "https://app.example.com/path", "localhost:3000",
                          "HTTPS://*.EXAMPLE.COM", "https://*.Example.com", "*.example.com/", "ht tp://x",
                          "://x", "*bad scheme://x", "app.example.com", "https://a\r\n.example.com"}) {
    INFO(bad);
    CHECK_THAT(message_of(bad), Catch::Contains(std::string("\"") + bad + "\""));
  }
  CHECK_THAT(message_of("https://app.example.com/"), Catch::Contains("write \"https://app.example.com\""));

  CHECK_THROWS_AS(http::trusted_origins("myapp://x"), std::invalid_argument);
  CHECK_THROWS_AS(http::trusted_origins("/api/auth"), std::invalid_argument);
  CHECK_THROWS_AS(http::trusted_origins(""), std::invalid_argument);

  // Empty entries are skipped, as Better Auth does.
  const http::trusted_origins trusted("http://127.0.0.1:3999/api/auth", {"", "myapp:", "exp://192.168.*.*:8081/--/*"});
  CHECK(trusted.patterns() == std::vector<std::string>{"http://127.0.0.1:3999", "myapp:", "exp://192.168.*.*:8081/--/*"});
  CHECK(trusted.trusts("http://127.0.0.1:3999"));
  CHECK(trusted.trusts("exp://192.168.1.5:8081/--/cb"));
  CHECK_FALSE(trusted.trusts("exp://192.168.1.5:8081/cb"));
}

TEST_CASE("origins.referer", "[http]") {
  CHECK(http::origin_of_referer("https://app.example.com/page?x=1#f") == "https://app.example.com");
  CHECK(http::origin_of_referer("HTTPS://APP.EXAMPLE.COM:443/") == "https://app.example.com");
  CHECK(http::origin_of_referer("http://localhost:3000/") == "http://localhost:3000");
  CHECK_FALSE(http::origin_of_referer("null"));
  CHECK_FALSE(http::origin_of_referer(""));
  CHECK_FALSE(http::origin_of_referer("/relative"));
  CHECK_FALSE(http::origin_of_referer("myapp://callback"));  // an opaque origin
  CHECK_FALSE(http::origin_of_referer("file:///index.html"));
}

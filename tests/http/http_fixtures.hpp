// What the HTTP tests share: the seed's auth as the example server configures it, a handler
// over it, and a client with a cookie jar that talks to the handler as a browser would (no
// sockets: requests are values).
//
//   http_fixtures::server<> s;                       // memory storage, manual clock
//   http_fixtures::browser b{s.handler};
//   auto r = b.post("/sign-in/anonymous");
//   REQUIRE(r.status == 200);
//   auto body = http_fixtures::json_of(r);          // boost::json::value
#pragma once

#include <anonauth/anonauth.hpp>
#include <anonauth/http/http.hpp>

#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http_fixtures {

namespace aa = anonauth;
namespace http = anonauth::http;
using fixtures::manual_clock;
using fixtures::user;

inline constexpr std::string_view base_url = "http://localhost:3000";
inline constexpr std::string_view base_origin = "http://localhost:3000";
inline constexpr std::string_view secret = "test-secret-that-is-long-enough-for-hmac-sha256";

/// The seed's auth with the example server's naming, on a storage of the test's choice.
template <class Storage = aa::memory_storage, class... Options>
using auth_on = fixtures::test_auth<aa::storage<Storage>, aa::email<aa::domain_email<"guest.example.com">>,
                                    aa::naming<aa::random_name<"Guest-", 8>>, Options...>;

inline http::options default_options() {
  http::options o;
  o.base_url = std::string(base_url);
  o.secret = std::string(secret);
  o.trusted_origins = {"https://app.example.com", "https://*.preview.example.com"};
  return o;
}

/// An auth and a handler over it.
template <class Storage = aa::memory_storage, class Verifier = http::no_id_token_verifier, class... Options>
struct server {
  using auth_type = auth_on<Storage, Options...>;
  manual_clock clock;
  auth_type auth;
  http::handler<auth_type, Verifier> handler;

  explicit server(http::options options = default_options(), Verifier verifier = {})
      : auth(storages::fresh_config<Storage>("http"), clock), handler(auth, std::move(options), std::move(verifier)) {}
};

inline boost::json::value json_of(const http::response& r) { return boost::json::parse(r.body); }

inline std::string str(const boost::json::value& v) { return std::string(v.as_string().data(), v.as_string().size()); }

/// The Set-Cookie lines of a response, by cookie name.
inline std::map<std::string, std::string> set_cookies(const http::response& r) {
  std::map<std::string, std::string> out;
  for (auto line : r.header_values("Set-Cookie")) {
    const auto eq = line.find('=');
    out[std::string(line.substr(0, eq))] = std::string(line);
  }
  return out;
}

/// The value of a Set-Cookie line (between '=' and the first ';').
inline std::string cookie_value(std::string_view line) {
  const auto eq = line.find('=');
  const auto semi = line.find(';');
  return std::string(line.substr(eq + 1, semi == std::string_view::npos ? std::string_view::npos : semi - eq - 1));
}

/// A browser: keeps the cookies the handler sets and sends them back, sends an Origin on POSTs
/// (as browsers do for fetch), and a JSON body.
template <class Handler>
class browser {
 public:
  explicit browser(const Handler& h, std::string origin = std::string(base_origin), std::string peer = "203.0.113.7")
      : handler_(&h), origin_(std::move(origin)), peer_(std::move(peer)) {}

  http::response post(std::string_view path, std::string body = "{}", std::vector<http::header> extra = {}) {
    return send("POST", path, std::move(body), std::move(extra));
  }
  http::response get(std::string_view path, std::vector<http::header> extra = {}) {
    return send("GET", path, "", std::move(extra));
  }

  http::response send(std::string method, std::string_view path, std::string body, std::vector<http::header> extra) {
    http::request req;
    req.method = std::move(method);
    req.target = "/api/auth" + std::string(path);
    req.peer_address = peer_;
    req.headers.push_back({"User-Agent", "Mozilla/5.0 (anonauth tests)"});
    if (req.method == "POST" && !origin_.empty()) req.headers.push_back({"Origin", origin_});
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    if (auto cookie = cookie_header()) req.headers.push_back({"Cookie", *cookie});
    for (auto& h : extra) req.headers.push_back(std::move(h));
    req.body = std::move(body);
    auto res = (*handler_)(req);
    remember(res);
    return res;
  }

  /// Stores the response's cookies; an expiring one (Max-Age=0) is removed.
  void remember(const http::response& res) {
    for (auto line : res.header_values("Set-Cookie")) {
      const std::string name(line.substr(0, line.find('=')));
      if (line.find("Max-Age=0") != std::string_view::npos) jar_.erase(name);
      else jar_[name] = cookie_value(line);
    }
  }

  std::optional<std::string> cookie_header() const {
    if (jar_.empty()) return std::nullopt;
    std::string out;
    for (const auto& [name, value] : jar_) out += (out.empty() ? "" : "; ") + name + "=" + value;
    return out;
  }

  std::map<std::string, std::string>& jar() { return jar_; }
  std::string& origin() { return origin_; }

 private:
  const Handler* handler_;
  std::string origin_;
  std::string peer_;
  std::map<std::string, std::string> jar_;
};

template <class Handler>
browser(const Handler&) -> browser<Handler>;

/// A raw request to the handler, nothing added.
inline http::request raw(std::string method, std::string target, std::vector<http::header> headers = {},
                         std::string body = "") {
  http::request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.headers = std::move(headers);
  req.body = std::move(body);
  req.peer_address = "198.51.100.4";
  return req;
}

/// The code and message of an error response.
inline std::pair<std::string, std::string> error_of(const http::response& r) {
  auto v = json_of(r).as_object();
  return {v.contains("code") ? str(v.at("code")) : std::string(), str(v.at("message"))};
}

}  // namespace http_fixtures

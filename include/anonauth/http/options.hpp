// anonauth/http/options.hpp: how the HTTP handler is configured. The defaults are Better
// Auth's; only the secret has none.
//
//   aa::http::options opts{
//       .base_url = "https://app.example.com",            // the API under /api/auth
//       .secret = std::getenv("ANONAUTH_SECRET"),          // at least 32 bytes
//       .trusted_origins = {"https://*.example.com", "myapp://"},
//   };
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::http {

/// The SameSite attribute of the cookies the handler sets.
enum class same_site_policy { lax, strict, none };

/// Better Auth's `advanced.cookiePrefix`, `useSecureCookies`, `crossSubDomainCookies` and
/// `defaultCookieAttributes`.
struct cookie_options {
  /// Cookies are called `<prefix>.session_token`, `<prefix>.dont_remember`, ...
  std::string prefix = "better-auth";
  /// Secure cookies, named with the `__Secure-` prefix. Unset: secure when the base URL is https.
  std::optional<bool> secure{};
  /// A Domain attribute (e.g. "example.com" to share the session with subdomains); empty: none.
  std::string domain{};
  same_site_policy same_site = same_site_policy::lax;
  /// The Partitioned attribute (CHIPS), for an auth server embedded in another site.
  bool partitioned = false;
  /// Name the cookies with the `__Host-` prefix (`__Host-better-auth.session_token`): browsers
  /// then keep them only if Secure, with Path=/ and no Domain, so a subdomain (or a network
  /// attacker on http) cannot plant a session cookie, e.g. a guest whose rows a victim's next
  /// sign-in would take in. Needs secure cookies and no `domain`; Better Auth has no such option,
  /// its client is unaffected (it never reads the cookie). See docs/security.md.
  bool host_prefix = false;
};

/// Better Auth's bearer plugin: `Authorization: Bearer <token>` instead of the cookie, for
/// clients without a cookie jar, and a `set-auth-token` header on every response that opens a
/// session.
struct bearer_options {
  bool enabled = true;
  /// Accept only a signed token (`token.signature`, as in the cookie and set-auth-token), not a
  /// bare session token.
  bool require_signature = false;
};

/// What a request may be. Better Auth sets none of these; a request over a limit is refused
/// before anything else is done.
struct request_limits {
  /// Bytes of body (413).
  std::size_t max_body = 64 * 1024;
  /// Header lines (431).
  std::size_t max_headers = 100;
  /// Bytes of all header names and values together (431).
  std::size_t max_header_bytes = 16 * 1024;
  /// Levels of nesting in a JSON body (400); no endpoint needs more than 3.
  std::size_t max_json_depth = 16;
};

struct options {
  /// The server's public URL: scheme, host, port, and optionally the path of the API.
  /// Decides the cookies' Secure default and is a trusted origin.
  std::string base_url = "http://localhost:3000";
  /// The path the endpoints live under, when base_url has none (Better Auth's basePath).
  std::string base_path = "/api/auth";
  /// Signs cookies (HMAC-SHA256). Required: at least 32 bytes, random, kept out of the code.
  std::string secret{};
  /// Origins besides the base URL's that may send cookie-bearing requests and get CORS
  /// answers: exact (`https://app.example.com`), wildcard (`https://*.example.com`,
  /// `*.example.com`), or an app's custom scheme (`myapp://`); Better Auth's trustedOrigins.
  std::vector<std::string> trusted_origins{};
  cookie_options cookies{};
  bearer_options bearer{};
  /// A header a trusted reverse proxy sets to the client's address (e.g. "X-Forwarded-For",
  /// whose last entry the proxy appended, or "X-Real-IP"). Empty (the default): the socket's
  /// peer address is the client's. Never set it without such a proxy: clients could choose
  /// their address.
  std::string client_ip_header{};
  /// Answer CORS preflights and add Access-Control-Allow-Origin with credentials for trusted
  /// origins (Better Auth leaves CORS to the framework).
  bool cors = true;
  /// How long a browser may cache a preflight answer.
  std::chrono::seconds cors_max_age{600};
  request_limits limits{};
  /// Told, one line each, what an operator needs to see and a client is not told in full: a
  /// request refused by the origin or callback checks (with the origin or URL and what would
  /// have to be trusted) and a storage failure. Never a cookie, token, password or body. Empty
  /// (the default): nothing is told. Called on request threads.
  std::function<void(std::string_view)> log{};
};

}  // namespace anonauth::http

// anonauth/http/httplib.hpp: anonauth::http handlers inside a cpp-httplib server.
//
// The HTTP layer's handlers are functions from `request` to `response`, so any server can host
// them; this is the adapter for cpp-httplib (https://github.com/yhirose/cpp-httplib, 0.11 and
// later). CMake target anonauth::httplib.
//
//   httplib::Server server;
//   server.set_payload_max_length(64 * 1024);   // httplib's default is no limit
//   aa::http::mount(server, "/api/auth", std::ref(auth));   // every method, every path below
//   server.Get("/", serve_page);
//   server.listen("127.0.0.1", 3000);
//
// or, for an application that routes itself, one request at a time:
//
//   server.Post("/login", [&](const httplib::Request& req, httplib::Response& res) {
//     aa::http::serve(auth, req, res);
//   });
//
// What httplib's parsing keeps, and so what the handler sees: the target as sent (minus a
// fragment); the headers sorted by name (httplib stores them in a case-insensitive multimap),
// the lines of one name in arrival order; the body; the peer's address. httplib routes GET,
// HEAD, POST, PUT, PATCH, DELETE and OPTIONS, and answers other methods 400 itself.
#pragma once

#include "anonauth/http/message.hpp"

#include <httplib.h>

#include <concepts>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anonauth::http {

namespace detail::httplib_adapter {

/// What serve() and mount() accept: a callable from `request` to `response`.
template <class H>
concept serves = std::invocable<H&, const request&> &&
                 std::convertible_to<std::invoke_result_t<H&, const request&>, response>;

/// The headers httplib adds to every request it parses (the socket's addresses): not the
/// client's, so never passed on as if they were.
inline bool is_httplib_pseudo_header(std::string_view name) noexcept {
  return iequals(name, "REMOTE_ADDR") || iequals(name, "REMOTE_PORT") || iequals(name, "LOCAL_ADDR") ||
         iequals(name, "LOCAL_PORT");
}

/// Headers httplib writes itself (framing, connection management): a second copy from the
/// handler would contradict them.
inline bool is_framing_header(std::string_view name) noexcept {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection") ||
         iequals(name, "Keep-Alive");
}

/// A header line a response may carry: a token name, a value without control characters but
/// HTAB (a line break from user input must not split the response).
constexpr bool valid_header(std::string_view name, std::string_view value) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) return false;
  }
  return true;
}

/// The httplib route pattern (an ECMAScript regex matched against the whole decoded path) for
/// `base_path` and every path below it: "/api/auth" gives "/api/auth(?:/.*)?", which matches
/// "/api/auth" and "/api/auth/x" but not "/api/authx".
inline std::string path_pattern(std::string_view base_path) {
  if (base_path.empty() || base_path.front() != '/')
    throw std::invalid_argument("anonauth::http::mount: the base path must start with '/'");
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  std::string pattern;
  pattern.reserve(base_path.size() + 12);
  for (const char c : base_path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern.push_back('\\');
    pattern.push_back(c);
  }
  // std::regex (libstdc++) recurses once per character matched by ".*"; httplib refuses
  // targets over 8 KiB (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH), which the default 8 MiB thread stack
  // matches easily.
  pattern += base_path.empty() ? "/.*" : "(?:/.*)?";
  return pattern;
}

}  // namespace detail::httplib_adapter

/// httplib's parsed request as an `anonauth::http::request`.
inline request from_httplib(const httplib::Request& req) {
  request out;
  out.method = req.method;
  out.target = req.target;   // path and query as sent, not decoded (req.path is)
  out.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers)
    if (!detail::httplib_adapter::is_httplib_pseudo_header(name)) out.headers.push_back({name, value});
  out.body = req.body;
  out.peer_address = req.remote_addr;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  out.tls = req.ssl != nullptr;   // served by an httplib::SSLServer
#endif
  return out;
}

/// Writes `res` into httplib's response: status, headers (each Set-Cookie its own line; a
/// header the server has by default, set_default_headers, is replaced by the handler's of that
/// name), body. httplib adds Content-Length, Connection and Keep-Alive itself, so the handler's
/// are dropped. A status outside 200-599 or a header that is not valid gives an empty 500.
inline void to_httplib(response res, httplib::Response& out) {
  namespace adapter = detail::httplib_adapter;
  bool valid = res.status >= 200 && res.status <= 599;
  for (const auto& h : res.headers) valid = valid && adapter::valid_header(h.name, h.value);
  if (!valid) {
    out.status = 500;
    out.body.clear();
    return;
  }
  out.status = res.status;
  for (const auto& h : res.headers) out.headers.erase(h.name);   // case-insensitive map
  for (auto& h : res.headers)
    if (!adapter::is_framing_header(h.name)) out.headers.emplace(std::move(h.name), std::move(h.value));
  // 204 and 304 have no body (RFC 9110 §15.3.5, §15.4.5); httplib would write one.
  if (res.status == 204 || res.status == 304) res.body.clear();
  out.body = std::move(res.body);
}

/// Serves one httplib request with `handler` (called as `handler(request)`, from httplib's
/// threads at once if it is shared): converts the request, calls the handler, writes its
/// response. An exception from the handler gives a 500 with an empty body (httplib's own
/// answer would copy the exception's message into a response header).
template <class Handler>
  requires detail::httplib_adapter::serves<Handler>
void serve(Handler& handler, const httplib::Request& req, httplib::Response& res) {
  response out;
  try {
    out = std::invoke(handler, from_httplib(req));
  } catch (...) {
    out = response{};
    out.status = 500;
  }
  to_httplib(std::move(out), res);
}

/// Registers `handler` on `server` for every method httplib routes (GET and HEAD, POST, PUT,
/// PATCH, DELETE, OPTIONS), for `base_path` and every path below it; other paths are left to
/// the server's other routes. Routes registered before this one take precedence (httplib tries
/// them in order). The handler is called from httplib's threads at once: it must be
/// thread-safe. Pass `std::ref(h)` to keep a handler that cannot be copied where it is.
template <class Handler>
  requires detail::httplib_adapter::serves<Handler> && std::move_constructible<Handler>
httplib::Server& mount(httplib::Server& server, std::string_view base_path, Handler handler) {
  const std::string pattern = detail::httplib_adapter::path_pattern(base_path);
  // std::function needs a copyable callable: the routes share one handler.
  auto shared = std::make_shared<Handler>(std::move(handler));
  const httplib::Server::Handler route = [shared](const httplib::Request& req, httplib::Response& res) {
    // httplib would cut the response to a Range the client asked for (keeping status 200); an
    // API's responses are not ranges. The Request is httplib's own, not const, object.
    const_cast<httplib::Request&>(req).ranges.clear();
    serve(*shared, req, res);
  };
  server.Get(pattern, route);
  server.Post(pattern, route);
  server.Put(pattern, route);
  server.Patch(pattern, route);
  server.Delete(pattern, route);
  server.Options(pattern, route);
  return server;
}

}  // namespace anonauth::http

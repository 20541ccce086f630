// anonauth/http/message.hpp: the request and response values of the HTTP layer.
//
// The handler (anonauth/http/handler.hpp) is a function from `request` to `response`; it knows
// no socket and no framework. An adapter (anonauth/http/beast.hpp, anonauth/http/httplib.hpp, or
// a dozen lines over any other server) copies what its framework parsed into a `request` and
// writes the `response` back:
//
//   aa::http::request req{.method = "POST", .target = "/api/auth/sign-in/anonymous",
//                         .headers = {{"Origin", "https://app.example.com"}},
//                         .peer_address = "203.0.113.7"};
//   aa::http::response res = handler(req);
//   for (const auto& [name, value] : res.headers) ...   // Set-Cookie may repeat
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::http {

/// One header line, as received or to be sent. Names keep the spelling they came with; every
/// lookup compares them case-insensitively (RFC 9110 §5.1).
struct header {
  std::string name;
  std::string value;
  friend bool operator==(const header&, const header&) = default;
};

/// Whether two header names (ASCII tokens) are equal ignoring case.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace detail {
inline std::optional<std::string_view> find_header(const std::vector<header>& headers, std::string_view name) {
  const auto it = std::find_if(headers.begin(), headers.end(), [&](const header& h) { return iequals(h.name, name); });
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->value);
}
}  // namespace detail

/// An HTTP request as a server received it.
struct request {
  /// "GET", "POST", ...: compared exactly, as methods are case-sensitive (RFC 9110 §9.1).
  std::string method;
  /// The request target in origin form: path and query, e.g. "/api/auth/get-session?disableRefresh=true".
  std::string target;
  /// In arrival order; a repeated name is kept as repeated lines.
  std::vector<http::header> headers;
  std::string body;
  /// The address of the socket's peer ("203.0.113.7", "2001:db8::1"): the client's address
  /// unless the handler is told to trust a proxy header.
  std::string peer_address;
  /// Whether the request came over TLS (decides the scheme when the handler builds URLs).
  bool tls = false;

  /// The value of the first header called `name`, if any.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return detail::find_header(headers, name);
  }
};

/// An HTTP response to be sent as is: the status, the headers in order (Set-Cookie repeated,
/// one cookie per line), the body. The handler always sets Content-Type when there is a body;
/// adapters add Content-Length, Date and connection headers.
struct response {
  int status = 200;
  std::vector<http::header> headers;
  std::string body;

  /// The value of the first header called `name`, if any.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return detail::find_header(headers, name);
  }
  /// Every value of the headers called `name`, in order (e.g. each Set-Cookie).
  [[nodiscard]] std::vector<std::string_view> header_values(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& h : headers)
      if (iequals(h.name, name)) out.emplace_back(h.value);
    return out;
  }
  /// Appends a header line, keeping any earlier one of the same name.
  void add_header(std::string name, std::string value) { headers.push_back({std::move(name), std::move(value)}); }
  /// Replaces every header called `name` by one line with `value`.
  void set_header(std::string name, std::string value) {
    std::erase_if(headers, [&](const http::header& h) { return iequals(h.name, name); });
    headers.push_back({std::move(name), std::move(value)});
  }
};

namespace detail {
/// `s` as the inside of a JSON string: quotes, backslashes and control characters escaped.
inline void append_json_escaped(std::string& out, std::string_view s) {
  constexpr char hex[] = "0123456789abcdef";
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b < 0x20) {
      out += "\\u00";
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 0xF]);
    } else {
      out.push_back(c);
    }
  }
}
}  // namespace detail

/// A response in Better Auth's error shape, `{"message": ..., "code": ...}` with that status:
/// what the handler answers for every refusal, and what an adapter answers for a request it
/// refuses before the handler sees it (413 for a body over its limit, 431 for headers).
inline response error_response(int status, std::string_view code, std::string_view message) {
  response r;
  r.status = status;
  r.body = "{\"message\":\"";
  detail::append_json_escaped(r.body, message);
  if (!code.empty()) {  // Better Auth sends a few errors ("No fields to update") with no code
    r.body += "\",\"code\":\"";
    detail::append_json_escaped(r.body, code);
  }
  r.body += "\"}";
  r.headers.push_back({"Content-Type", "application/json"});
  return r;
}

/// The reason phrase of a status code (RFC 9110), for adapters that must write one.
constexpr std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

}  // namespace anonauth::http

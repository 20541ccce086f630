// anonauth/http/handler/core.hpp: what aa::http::handler knows apart from the auth it serves:
// its options, checked once at construction, and what they give (the cookie signer, the base
// URL and path, the trusted origins, the cookie names). This folder holds the handler's parts:
// this core, request reading (reading.hpp), the origin and URL checks (checks.hpp), response
// and cookie writing (writing.hpp) and the endpoints by family (sign_in.hpp, social.hpp,
// sessions.hpp, user.hpp); http/handler.hpp puts them together.
#pragma once

#include <anonauth/http/cookies.hpp>
#include <anonauth/http/options.hpp>
#include <anonauth/http/origins.hpp>
#include <anonauth/http/url.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth::http::detail {

/// The handler's validated configuration. Immutable once made, so every request thread reads it.
struct handler_core {
  /// Refuses, with std::invalid_argument, a missing secret or one under 32 bytes, a base URL
  /// that is not an absolute http(s) URL, and a trusted origin that is no origin nor pattern.
  explicit handler_core(options o)
      : opts(std::move(o)),
        signer(checked_secret(opts.secret)),
        base(checked_base_url(opts.base_url)),
        base_path(base_path_of(base, opts.base_path)),
        secure(checked_cookie_security(opts.cookies, base)),
        origins(base.origin(), opts.trusted_origins),
        session_cookie(cookie_name("session_token")),
        session_data_cookie(cookie_name("session_data")),
        dont_remember_cookie(cookie_name("dont_remember")) {}

  options opts;
  cookie_signer signer;
  url base;
  std::string base_path;
  bool secure;
  trusted_origins origins;
  std::string session_cookie;
  std::string session_data_cookie;
  std::string dont_remember_cookie;

  /// The path after the base path ("/get-session"), if `path` is under it.
  [[nodiscard]] std::optional<std::string_view> route_of(std::string_view path) const {
    if (path.size() <= base_path.size() || path.substr(0, base_path.size()) != base_path ||
        path[base_path.size()] != '/')
      return std::nullopt;
    return path.substr(base_path.size());
  }

  void tell(const std::string& line) const {
    if (opts.log) opts.log(line);
  }

 private:
  static const std::string& checked_secret(const std::string& secret) {
    if (secret.empty())
      throw std::invalid_argument(
          "anonauth::http::handler: options.secret is required (32 bytes or more of randomness, e.g. from "
          "`openssl rand -base64 32`; keep it out of the code)");
    if (secret.size() < 32)
      throw std::invalid_argument("anonauth::http::handler: options.secret is " + std::to_string(secret.size()) +
                                  " bytes; it must be at least 32");
    return secret;
  }
  static url checked_base_url(const std::string& base_url) {
    auto parsed = parse_url(base_url);
    if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https") || parsed->host.empty())
      throw std::invalid_argument("anonauth::http::handler: options.base_url '" + base_url +
                                  "' is not an absolute http or https URL");
    return *parsed;
  }
  static std::string base_path_of(const url& base, const std::string& fallback) {
    std::string path = base.path.empty() || base.path == "/" ? fallback : base.path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path.front() != '/')
      throw std::invalid_argument("anonauth::http::handler: the base path '" + path + "' must start with '/'");
    return path;
  }
  static bool checked_cookie_security(const cookie_options& cookies, const url& base) {
    if (!cookies.host_prefix) return cookies.secure.value_or(base.scheme == "https");
    if (cookies.secure == false)
      throw std::invalid_argument(
          "anonauth::http::handler: options.cookies.host_prefix needs secure cookies: leave options.cookies.secure "
          "unset or true");
    // Browsers keep a Secure cookie sent over http only from localhost: anywhere else, every
    // session would silently be lost.
    const bool local = base.host == "localhost" || base.host.ends_with(".localhost") || base.host == "127.0.0.1" ||
                       base.host == "[::1]";
    if (base.scheme != "https" && !local)
      throw std::invalid_argument("anonauth::http::handler: options.cookies.host_prefix needs an https base URL (or "
                                  "localhost); browsers drop a __Host- cookie sent over http");
    if (!cookies.domain.empty())
      throw std::invalid_argument("anonauth::http::handler: options.cookies.host_prefix forbids options.cookies.domain");
    return true;
  }

  [[nodiscard]] std::string cookie_name(std::string_view name) const {
    const char* prefix = opts.cookies.host_prefix ? "__Host-" : secure ? "__Secure-" : "";
    return prefix + opts.cookies.prefix + "." + std::string(name);
  }
};

/// Spaces and tabs trimmed from both ends.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Text from a request, quoted and cut to 200 bytes with its control bytes escaped, for a log.
inline std::string printable(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F || s[i] == '"' || s[i] == '\\') {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 0xF];
    } else {
      out += s[i];
    }
  }
  if (s.size() > 200) out += "...";
  return out + "\"";
}

}  // namespace anonauth::http::detail

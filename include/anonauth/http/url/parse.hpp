// anonauth/http/url/parse.hpp: absolute URLs as `new URL(x)` reads them, and request targets
// split into path and query.
#pragma once

#include <anonauth/http/url/chars.hpp>
#include <anonauth/http/url/percent.hpp>
#include <anonauth/http/url/whatwg.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::http {

/// An absolute URL as the WHATWG parser leaves it. Userinfo ("user:pass@") is accepted and
/// dropped, as it is no part of an origin; the fragment is dropped too.
struct url {
  /// Lower-case, without ':' ("https", "myapp").
  std::string scheme;
  /// For http, https, ws, wss, ftp, file: lower-case, percent-decoded, IPv4 in dotted decimal,
  /// IPv6 compressed in brackets ("[::1]"). For other schemes: as written (letter case kept),
  /// with control and non-ASCII bytes percent-encoded; empty when the URL has no "//".
  std::string host;
  /// Absent when not written or when it is the scheme's default (80, 443, ...).
  std::optional<std::uint16_t> port;
  /// Serialised path: "/" at least for http(s); "." and ".." resolved; may be empty for other
  /// schemes ("myapp://cb" has the empty path, "mailto:x@y" the opaque path "x@y").
  std::string path;
  /// Without the '?'; empty when there is none.
  std::string query;

  /// Whether the scheme is one the URL Standard treats specially (see detail::is_special_scheme).
  [[nodiscard]] bool special() const noexcept { return detail::is_special_scheme(scheme); }

  /// `host[:port]`, what JavaScript's `url.host` gives.
  [[nodiscard]] std::string host_port() const {
    return port ? host + ":" + std::to_string(*port) : host;
  }

  /// `scheme://host[:port]`, what JavaScript's `url.origin` gives: for http, https, ws, wss and
  /// ftp. Other schemes (file, custom ones) have an opaque origin, serialised "null", as in
  /// JavaScript: compare their scheme and host instead.
  [[nodiscard]] std::string origin() const {
    if (!special() || scheme == "file") return "null";
    return scheme + "://" + host_port();
  }

  friend bool operator==(const url&, const url&) = default;
};

/// Parses an absolute URL with the WHATWG URL Standard's rules (no base URL): leading and
/// trailing spaces and controls are ignored, tabs and newlines removed anywhere; for special
/// schemes '\' counts as '/' and any run of slashes may follow the ':' ("http:/\evil.com" is
/// host evil.com). nullopt where JavaScript's `new URL(s)` throws: no scheme (relative URL),
/// empty or invalid host ("http://", "http://a b", "http://1.2.3.256", "http://[::1"), bad
/// port ("http://a:x", "http://a:65536", also "myapp://a:x"), userinfo without a host
/// ("http://user@"), and, unlike JavaScript, non-ASCII hosts (see the header comment).
inline std::optional<url> parse_url(std::string_view input) {
  using namespace detail;
  while (!input.empty() && static_cast<unsigned char>(input.front()) <= 0x20) input.remove_prefix(1);
  while (!input.empty() && static_cast<unsigned char>(input.back()) <= 0x20) input.remove_suffix(1);
  std::string s;
  s.reserve(input.size());
  for (char c : input)
    if (c != '\t' && c != '\n' && c != '\r') s.push_back(c);

  if (s.empty() || !is_ascii_alpha(s[0])) return std::nullopt;
  std::size_t i = 1;
  while (i < s.size() && (is_ascii_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  if (i == s.size() || s[i] != ':') return std::nullopt;

  url u;
  u.scheme = ascii_lower(std::string_view(s).substr(0, i));
  const bool special = is_special_scheme(u.scheme);
  ++i;  // past ':'
  const auto is_slash = [&](char c) { return c == '/' || (special && c == '\\'); };

  bool has_authority = false;
  bool path_after_slash = false;  // the path starts just after a slash already consumed
  if (u.scheme == "file") {
    // file: "//host/path" or a path; a Windows drive letter in the host place is a path.
    if (i + 1 < s.size() && is_slash(s[i]) && is_slash(s[i + 1])) {
      const std::size_t start = i + 2;
      std::size_t end = start;
      while (end < s.size() && !is_slash(s[end]) && s[end] != '?' && s[end] != '#') ++end;
      const std::string_view buffer = std::string_view(s).substr(start, end - start);
      const bool drive_letter =
          buffer.size() == 2 && is_ascii_alpha(buffer[0]) && (buffer[1] == ':' || buffer[1] == '|');
      if (drive_letter) {
        i = start;
      } else {
        if (!buffer.empty()) {
          auto host = parse_host(buffer, true);
          if (!host) return std::nullopt;
          u.host = *host == "localhost" ? std::string() : *host;
        }
        i = end;
        if (i < s.size() && is_slash(s[i])) ++i;
      }
    } else if (i < s.size() && is_slash(s[i])) {
      ++i;
    }
    path_after_slash = true;
  } else if (special) {
    while (i < s.size() && is_slash(s[i])) ++i;
    has_authority = true;
  } else if (i + 1 < s.size() && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    has_authority = true;
  } else if (i < s.size() && s[i] == '/') {
    ++i;
    path_after_slash = true;
  }

  if (has_authority) {
    std::size_t end = i;
    while (end < s.size() && !is_slash(s[end]) && s[end] != '?' && s[end] != '#') ++end;
    std::string_view authority = std::string_view(s).substr(i, end - i);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
      if (authority.empty()) return std::nullopt;  // "http://user@"
    }
    // The port starts at the first ':' outside brackets.
    std::size_t colon = std::string_view::npos;
    bool inside_brackets = false;
    for (std::size_t k = 0; k < authority.size(); ++k) {
      if (authority[k] == '[') inside_brackets = true;
      else if (authority[k] == ']') inside_brackets = false;
      else if (authority[k] == ':' && !inside_brackets) {
        colon = k;
        break;
      }
    }
    const std::string_view host_text = authority.substr(0, colon);
    if (colon != std::string_view::npos && host_text.empty()) return std::nullopt;
    if (special && host_text.empty()) return std::nullopt;
    if (!host_text.empty()) {
      auto host = parse_host(host_text, special);
      if (!host) return std::nullopt;
      u.host = std::move(*host);
    }
    if (colon != std::string_view::npos) {
      const std::string_view port_text = authority.substr(colon + 1);
      std::uint32_t port = 0;
      for (char c : port_text) {
        if (!is_ascii_digit(c)) return std::nullopt;
        port = port * 10 + static_cast<std::uint32_t>(c - '0');
        if (port > 65535) return std::nullopt;
      }
      if (!port_text.empty() && default_port(u.scheme) != port) u.port = static_cast<std::uint16_t>(port);
    }
    i = end;
    if (special) {
      if (i < s.size() && is_slash(s[i])) ++i;
      path_after_slash = true;
    } else if (i < s.size() && s[i] == '/') {
      ++i;
      path_after_slash = true;
    }
  }

  if (path_after_slash) {
    u.path = parse_path(s, i, special);
  } else {
    // Opaque path ("mailto:x@y", "myapp:cb"): controls and non-ASCII percent-encoded.
    const std::size_t start = i;
    while (i < s.size() && s[i] != '?' && s[i] != '#') ++i;
    append_encoded(u.path, std::string_view(s).substr(start, i - start), encode_set::c0_control);
  }
  if (i < s.size() && s[i] == '?') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] != '#') ++i;
    append_encoded(u.query, std::string_view(s).substr(start, i - start),
                   special ? encode_set::special_query : encode_set::query);
  }
  return u;
}

// ---- Request targets ----------------------------------------------------------------------

/// A request target split at its first '?' (a '#' and what follows are dropped, as a server
/// building `new URL(target, base)` would). Nothing is decoded; both views point into the
/// target.
struct target_parts {
  std::string_view path;
  std::string_view query;  // without the '?'
};

inline target_parts split_target(std::string_view target) noexcept {
  target = target.substr(0, target.find('#'));
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

/// The value of the first `name=value` pair of a query string (or form body) whose decoded
/// name is `name`, decoded with form_decode: what `new URLSearchParams(query).get(name)` gives.
/// A pair without '=' has the empty value.
inline std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      const std::string_view raw_name = pair.substr(0, eq);
      if (form_decode(raw_name) == name)
        return eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace anonauth::http

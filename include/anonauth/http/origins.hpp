// anonauth/http/origins.hpp: which origins and redirect targets Better Auth trusts.
//
// Better Auth refuses a cookie-bearing POST whose Origin (or, without one, Referer) is not
// trusted, and refuses a callbackURL, newUserCallbackURL or errorCallbackURL that is neither a
// trusted URL nor a safe relative path. The trusted set is the base URL's origin plus the
// `trustedOrigins` option. `trusted_origins` implements its matching rules (Better Auth 1.7,
// isTrustedOrigin / matchesOriginPattern):
//
//   aa::http::trusted_origins trusted("https://api.example.com/api/auth",
//                                     {"https://app.example.com", "https://*.preview.example.com",
//                                      "myapp://"});
//   trusted.trusts("https://app.example.com")              // true
//   trusted.trusts("https://app.example.com.evil.com")     // false
//   trusted.trusts_callback("/dashboard?tab=1")            // true
//   trusted.trusts_callback("//evil.com")                  // false
//
// Pattern kinds, decided by the pattern and by the URL being checked:
// - no '*' or '?': for an http(s) URL, the URL's origin must equal the pattern exactly; for a
//   URL of another scheme (myapp:, exp:, ws:, ...), the schemes must be equal, the pattern's
//   authority (if any) must equal the URL's, and the pattern's path (if any) must be the URL's
//   path or a parent of it (paths percent-decoded, "." and ".." resolved first);
// - '*' or '?' without "://" ("*.example.com"): matched against the URL's host[:port], whatever
//   its scheme;
// - '*' or '?' with "://": for an http(s) URL, matched against its origin; for another scheme,
//   the schemes must be equal, the URL must have no '@' in its authority, and the pattern's
//   authority and path are matched as wildcards against the URL's.
// A wildcard '*' matches any run of characters (dots included: "*.example.com" matches
// "a.b.example.com"), '?' one character, '\' escapes the next one. A host part made of digits,
// dots and wildcards only ("192.168.*.*") admits IPv4 addresses only.
#pragma once

#include <anonauth/core/utf8.hpp>
#include <anonauth/http/url.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::http {

namespace detail {

/// Whether `s` holds a character that Better Auth's CONTROL_CHARACTER_PATTERN
/// (`[\u0000-\u001f\u007f-\u009f]`) finds: C0 controls, DEL, and the C1 controls U+0080 to
/// U+009F. Bytes that are not well-formed UTF-8 count as controls too, which fails closed
/// (JavaScript would have seen U+FFFD or Latin-1 characters there).
inline bool has_control_character(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b <= 0x1F || b == 0x7F) return true;
    const auto seq = scan_utf8(s, i);
    if (!seq.valid) return true;
    if (b == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    i += seq.length;
  }
  return false;
}

/// Better Auth's isSafeRelativeURL: a root-relative path that every URL parser resolves
/// against the current origin. It starts with '/' but not "//", has no '\' and no control
/// character anywhere, and no %2F or %5C (encoded '/' or '\', any case) before its '?' or '#'.
/// (Better Auth then checks that `new URL(value, origin)` keeps the origin, which these
/// conditions already guarantee.) A linear scan, no regular expression.
inline bool is_safe_relative_url(std::string_view value) noexcept {
  if (value.empty() || value[0] != '/' || (value.size() > 1 && value[1] == '/')) return false;
  if (value.find('\\') != std::string_view::npos || has_control_character(value)) return false;
  const std::string_view path = value.substr(0, value.find_first_of("?#"));
  for (std::size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] != '%') continue;
    const char a = path[i + 1], b = ascii_lower(path[i + 2]);
    if ((a == '2' && b == 'f') || (a == '5' && b == 'c')) return false;
  }
  return true;
}

/// Better Auth's wildcardMatch(pattern) without a separator: the whole sample must match;
/// '*' is any run of characters, '?' one character, '\' makes the next character literal (a
/// trailing '\' is ignored), case matters. As in the JavaScript regular expression it builds,
/// neither wildcard matches a line terminator (LF, CR, U+2028, U+2029). A character is a UTF-8
/// sequence (a byte where the UTF-8 is ill-formed); JavaScript counts UTF-16 units, so '?'
/// differs only for characters beyond U+FFFF.
class wildcard {
 public:
  explicit wildcard(std::string_view pattern) {
    for (std::size_t i = 0; i < pattern.size();) {
      const char c = pattern[i];
      if (c == '*' || c == '?') {
        tokens_.push_back({c == '*' ? kind::any_run : kind::any_one, {}});
        ++i;
        continue;
      }
      if (c == '\\') {
        if (++i == pattern.size()) break;
      }
      const std::size_t length = scan_utf8(pattern, i).length;
      tokens_.push_back({kind::literal, std::string(pattern.substr(i, length))});
      i += length;
    }
  }

  /// Dynamic programming over (sample position, pattern position): O(sample x pattern) time,
  /// O(pattern) space, however the wildcards are placed.
  [[nodiscard]] bool matches(std::string_view sample) const {
    const std::size_t m = tokens_.size();
    std::vector<char> row(m + 1, 0), next(m + 1, 0);
    row[0] = 1;
    for (std::size_t j = 1; j <= m; ++j) row[j] = row[j - 1] && tokens_[j - 1].what == kind::any_run;
    for (std::size_t i = 0; i < sample.size();) {
      const std::size_t length = scan_utf8(sample, i).length;
      const std::string_view ch = sample.substr(i, length);
      const bool terminator = ch == "\n" || ch == "\r" || ch == "\xE2\x80\xA8" || ch == "\xE2\x80\xA9";
      next[0] = 0;
      for (std::size_t j = 1; j <= m; ++j) {
        const auto& t = tokens_[j - 1];
        switch (t.what) {
          case kind::any_run: next[j] = next[j - 1] || (row[j] && !terminator); break;
          case kind::any_one: next[j] = row[j - 1] && !terminator; break;
          case kind::literal: next[j] = row[j - 1] && t.text == ch; break;
        }
      }
      row.swap(next);
      i += length;
    }
    return row[m] != 0;
  }

 private:
  enum class kind { literal, any_one, any_run };
  struct token {
    kind what;
    std::string text;
  };
  std::vector<token> tokens_;
};

inline bool has_wildcard(std::string_view s) noexcept { return s.find_first_of("*?") != std::string_view::npos; }

/// zod's ipv4 format: four decimal octets 0-255 without leading zeros.
inline bool is_dotted_ipv4(std::string_view s) noexcept {
  int octets = 0;
  std::size_t i = 0;
  while (octets < 4) {
    const std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && is_ascii_digit(s[i]) && i - start < 3) value = value * 10 + unsigned(s[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
    if (++octets < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

/// Better Auth's isAllowedIPv4Host: a pattern host of digits, dots and wildcards only (with a
/// digit: "192.168.*.*", "10.*") names an address range, so it admits only an IPv4 address;
/// otherwise a '*' could cross a dot and let "192.168.attacker.com" in. Both arguments are
/// authorities; the host is what precedes the first ':'.
inline bool allowed_ipv4_host(std::string_view pattern_authority, std::string_view authority) noexcept {
  const std::string_view pattern_host = pattern_authority.substr(0, pattern_authority.find(':'));
  bool digit = false, range = !pattern_host.empty();
  for (char c : pattern_host) {
    digit = digit || is_ascii_digit(c);
    range = range && (is_ascii_digit(c) || c == '*' || c == '?' || c == '.');
  }
  if (!(range && digit)) return true;
  return is_dotted_ipv4(authority.substr(0, authority.find(':')));
}

/// Better Auth's normalizePath: percent-decoded (kept as is when that fails), "." and empty
/// segments dropped, ".." resolved; "" for an empty or root path.
inline std::string normalize_custom_path(std::string_view path) {
  const auto decoded = percent_decode(path);
  const std::string_view text = decoded ? std::string_view(*decoded) : path;
  std::vector<std::string_view> segments;
  for (auto segment : split_on(text, '/')) {
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (segment != "." && !segment.empty()) {
      segments.push_back(segment);
    }
  }
  std::string out;
  for (auto segment : segments) out.append("/").append(segment);
  return out;
}

/// Better Auth's parseCustomSchemeOrigin: a URL of a non-http scheme split with plain string
/// operations (not the URL parser, whose handling of such schemes varies across JavaScript
/// runtimes). Scheme and authority lower-cased (ASCII letters; JavaScript would also fold
/// other letters); in a wildcard pattern '?' is a wildcard, not the start of a query.
struct custom_scheme_parts {
  std::string scheme;
  std::string authority;
  std::string path;
};
inline std::optional<custom_scheme_parts> parse_custom_scheme(std::string_view value, bool wildcard_pattern) {
  if (has_control_character(value)) return std::nullopt;
  const auto scheme_end = value.find(':');
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  custom_scheme_parts parts;
  parts.scheme = ascii_lower(value.substr(0, scheme_end));
  std::string_view rest = value.substr(scheme_end + 1);
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    const auto authority_end = rest.find_first_of(wildcard_pattern ? "/#" : "/?#");
    parts.authority = ascii_lower(rest.substr(0, authority_end));
    rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  }
  parts.path = normalize_custom_path(rest.substr(0, rest.find_first_of(wildcard_pattern ? "#" : "?#")));
  return parts;
}

}  // namespace detail

/// The origin of a Referer header value, which Better Auth checks when a request has no Origin
/// header: `scheme://host[:port]` for http(s) (and ws, wss, ftp) URLs, nullopt for anything
/// else (not a URL, or a scheme whose origin is opaque). Better Auth actually hands the whole
/// Referer to its matcher, which reduces an http(s) URL to its origin; passing the raw Referer
/// to trusted_origins::trusts() is the same check, and also covers custom-scheme referrers.
inline std::optional<std::string> origin_of_referer(std::string_view referer) {
  const auto u = parse_url(referer);
  if (!u) return std::nullopt;
  std::string origin = u->origin();
  if (origin == "null") return std::nullopt;
  return origin;
}

/// The set of trusted origins: the base URL's origin first, then each pattern (see the header
/// comment for how they match). Immutable once built, so it can be shared between threads.
class trusted_origins {
 public:
  /// `base_url` must be an absolute http or https URL (its path is ignored). Empty patterns are
  /// skipped, as Better Auth does. Better Auth keeps patterns that no browser's Origin can
  /// match, silently; here construction throws std::invalid_argument, naming the pattern, for
  /// one that is
  /// neither a URL nor a wildcard pattern, holds spaces or control characters, is an http(s)
  /// URL other than a bare origin ("https://app.example.com/" or "https://App.example.com":
  /// write "https://app.example.com"), is an http(s) wildcard pattern with upper-case letters
  /// (origins are lower-case), is a host wildcard holding '/', or looks like "localhost:3000"
  /// (a scheme "localhost" and the path "3000"; write "http://localhost:3000").
  explicit trusted_origins(std::string_view base_url, std::vector<std::string> patterns = {}) {
    const auto base = parse_url(base_url);
    if (!base || (base->scheme != "http" && base->scheme != "https"))
      throw std::invalid_argument("anonauth: the base URL \"" + std::string(base_url) +
                                  "\" is not an absolute http:// or https:// URL");
    add(base->origin());
    for (auto& pattern : patterns)
      if (!pattern.empty()) add(std::move(pattern));
  }

  /// Whether an Origin header (or a Referer, or any absolute URL) is trusted: Better Auth's
  /// isTrustedOrigin without relative paths. "null", "", relative paths and unparsable values
  /// are not.
  [[nodiscard]] bool trusts(std::string_view url_or_origin) const {
    if (url_or_origin.starts_with("/")) return false;
    const auto parsed = parse_url(url_or_origin);
    for (const auto& e : entries_)
      if (matches(e, url_or_origin, parsed)) return true;
    return false;
  }

  /// Whether a callbackURL, newUserCallbackURL, errorCallbackURL or redirectTo value is
  /// acceptable: a trusted URL (as trusts()) or a safe relative path (see
  /// detail::is_safe_relative_url). Better Auth checks these only when they are non-empty: the
  /// empty string is refused here, so treat it as "no callback" before asking.
  [[nodiscard]] bool trusts_callback(std::string_view url) const {
    if (url.starts_with("/")) return detail::is_safe_relative_url(url);
    return trusts(url);
  }

  /// The patterns, the base URL's origin first.
  [[nodiscard]] std::vector<std::string> patterns() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.pattern);
    return out;
  }

 private:
  struct entry {
    std::string pattern;
    bool wildcard = false;
    bool has_scheme_separator = false;
    std::optional<detail::wildcard> whole;                  // wildcard patterns
    std::string authority_part;                             // after "://", for the IPv4 rule
    std::optional<detail::custom_scheme_parts> custom;      // the pattern split as a custom URL
    std::optional<detail::wildcard> custom_authority, custom_path;
  };

  static std::invalid_argument refused(std::string_view pattern, std::string_view why) {
    return std::invalid_argument("anonauth: trusted origin \"" + std::string(pattern) + "\" " + std::string(why));
  }

  void add(std::string pattern) {
    entry e;
    e.wildcard = detail::has_wildcard(pattern);
    const auto separator = pattern.find("://");
    e.has_scheme_separator = separator != std::string::npos;
    if (pattern.find(' ') != std::string::npos || detail::has_control_character(pattern))
      throw refused(pattern, "holds a space or a control character");

    if (e.wildcard && !e.has_scheme_separator) {
      if (pattern.find('/') != std::string::npos)
        throw refused(pattern, "has no scheme, so it matches host[:port] only, which holds no '/'");
    } else if (e.wildcard) {
      const std::string_view scheme = std::string_view(pattern).substr(0, separator);
      bool valid = !scheme.empty();
      for (char c : scheme)
        valid = valid && (detail::is_ascii_alnum(c) || c == '+' || c == '-' || c == '.' || c == '*' || c == '?');
      if (!valid) throw refused(pattern, "is neither a URL nor a wildcard pattern (bad scheme)");
      const std::string lower_scheme = detail::ascii_lower(scheme);
      if (lower_scheme == "http" || lower_scheme == "https")
        for (char c : pattern)
          if (c >= 'A' && c <= 'Z') throw refused(pattern, "has upper-case letters, which no origin has");
    } else {
      const auto u = parse_url(pattern);
      if (!u) throw refused(pattern, "is neither a URL nor a wildcard pattern");
      if (u->scheme == "http" || u->scheme == "https") {
        if (u->origin() != pattern) throw refused(pattern, "is not an origin: write \"" + u->origin() + "\"");
      } else if (!e.has_scheme_separator && !u->path.empty() &&
                 u->path.find_first_not_of("0123456789") == std::string::npos) {
        throw refused(pattern, "reads as scheme \"" + u->scheme + "\"; write \"http://" + pattern + "\"");
      }
    }

    if (e.wildcard) e.whole.emplace(pattern);
    if (e.has_scheme_separator) e.authority_part = pattern.substr(separator + 3);
    e.custom = detail::parse_custom_scheme(pattern, e.wildcard);
    if (e.custom && e.wildcard) {
      if (!e.custom->authority.empty()) e.custom_authority.emplace(e.custom->authority);
      if (!e.custom->path.empty()) e.custom_path.emplace(e.custom->path);
    }
    e.pattern = std::move(pattern);
    entries_.push_back(std::move(e));
  }

  /// matchesOriginPattern(value, pattern) for a `value` that is no relative path (the callers
  /// handle those); `parsed` is parse_url(value).
  static bool matches(const entry& e, std::string_view value, const std::optional<http::url>& parsed) {
    if (e.wildcard && !e.has_scheme_separator) {
      if (!parsed) return false;
      const std::string host = parsed->host_port();
      return !host.empty() && e.whole->matches(host) && detail::allowed_ipv4_host(e.pattern, host);
    }
    if (!parsed || parsed->scheme == "http" || parsed->scheme == "https") {
      if (!parsed) return false;  // Better Auth: getOrigin(url) is null, equal to no pattern
      const std::string origin = parsed->origin();
      if (!e.wildcard) return e.pattern == origin;
      if (!e.whole->matches(origin)) return false;
      return detail::allowed_ipv4_host(e.authority_part, std::string_view(origin).substr(origin.find("://") + 3));
    }
    const auto custom = detail::parse_custom_scheme(value, false);
    if (!custom || !e.custom || custom->scheme != e.custom->scheme) return false;
    if (e.wildcard) {
      if (custom->authority.find('@') != std::string::npos) return false;
      if (e.custom_authority && !(e.custom_authority->matches(custom->authority) &&
                                  detail::allowed_ipv4_host(e.custom->authority, custom->authority)))
        return false;
      return !e.custom_path || e.custom_path->matches(custom->path.empty() ? "/" : custom->path);
    }
    if (!e.custom->authority.empty() && custom->authority != e.custom->authority) return false;
    if (e.custom->path.empty()) return true;
    return custom->path == e.custom->path || custom->path.starts_with(e.custom->path + "/");
  }

  std::vector<entry> entries_;
};

}  // namespace anonauth::http

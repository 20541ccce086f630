// anonauth/http/url.hpp: the URL pieces of Better Auth's wire protocol, with JavaScript's rules.
//
// Better Auth decides what it trusts with `new URL(x).origin`, `encodeURIComponent` and
// `decodeURIComponent`, so a C++ server that is to accept and refuse exactly what it accepts and
// refuses needs the same functions, byte for byte:
//
//   percent_encode_component("a.b/c=")          -> "a.b%2Fc%3D"      (encodeURIComponent)
//   percent_decode("a%2Fb")                     -> "a/b"; percent_decode("%zz") -> nullopt
//   form_decode("a+b%21")                       -> "a b!"           (URLSearchParams)
//   parse_url("HTTPS://App.Example.com:443/x")->origin()  -> "https://app.example.com"
//   auto [path, query] = split_target("/api/auth/get-session?disableRefresh=true");
//   query_value(query, "disableRefresh")        -> "true"
//
// parse_url follows the WHATWG URL Standard (what Node's and browsers' `URL` implement) for
// absolute URLs, with one limit: a host with non-ASCII characters (after percent-decoding) is
// refused instead of being converted to punycode, since that needs the IDNA tables. Browsers
// send such hosts already in punycode ("xn--..."), which is accepted as written.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::http {

namespace detail {

constexpr bool is_ascii_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alnum(char c) noexcept { return is_ascii_alpha(c) || is_ascii_digit(c); }
constexpr bool is_ascii_hex(char c) noexcept {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr int hex_value(char c) noexcept {
  if (is_ascii_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

inline void append_percent_escape(std::string& out, unsigned char byte) {
  constexpr std::string_view digits = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(digits[byte >> 4]);
  out.push_back(digits[byte & 0x0F]);
}

/// The UTF-8 sequence starting at `s[i]`: its length and whether it is well formed (Unicode
/// Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF). For an ill-formed one
/// the length is that of its maximal subpart (at least 1), which is what the WHATWG decoder
/// replaces by one U+FFFD.
struct utf8_sequence {
  std::size_t length;
  bool valid;
};
inline utf8_sequence scan_utf8(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {1, true};
  std::size_t needed = 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) needed = 1;
  else if (b0 == 0xE0) needed = 2, low = 0xA0;
  else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) needed = 2;
  else if (b0 == 0xED) needed = 2, high = 0x9F;
  else if (b0 == 0xF0) needed = 3, low = 0x90;
  else if (b0 >= 0xF1 && b0 <= 0xF3) needed = 3;
  else if (b0 == 0xF4) needed = 3, high = 0x8F;
  else return {1, false};
  std::size_t k = 1;
  for (; k <= needed; ++k) {
    if (i + k >= s.size()) return {k, false};
    const unsigned char b = byte(i + k);
    const unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return {k, false};
  }
  return {needed + 1, true};
}

/// WHATWG "UTF-8 decode without BOM": ill-formed sequences become U+FFFD, a BOM is kept.
inline std::string utf8_replace_invalid(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto seq = scan_utf8(s, i);
    if (seq.valid) out.append(s.substr(i, seq.length));
    else out.append("\xEF\xBF\xBD");
    i += seq.length;
  }
  return out;
}

/// WHATWG percent-decode: a '%' not followed by two hex digits is kept as is.
inline std::string percent_decode_lenient(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_ascii_hex(s[i + 1]) && is_ascii_hex(s[i + 2])) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---- WHATWG URL parser pieces ---------------------------------------------------------------

/// Schemes the URL Standard treats specially: '\' is a slash, the host is a domain or an IP
/// address (lower-cased, percent-decoded), and all but "file" have a tuple origin.
inline bool is_special_scheme(std::string_view scheme) noexcept {
  return scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp" ||
         scheme == "file";
}

inline std::optional<std::uint16_t> default_port(std::string_view scheme) noexcept {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return std::nullopt;
}

constexpr bool is_forbidden_host_code_point(char c) noexcept {
  switch (c) {
    case '\0': case '\t': case '\n': case '\r': case ' ': case '#': case '/': case ':': case '<':
    case '>': case '?': case '@': case '[': case '\\': case ']': case '^': case '|':
      return true;
    default:
      return false;
  }
}
constexpr bool is_forbidden_domain_code_point(char c) noexcept {
  const auto b = static_cast<unsigned char>(c);
  return is_forbidden_host_code_point(c) || b <= 0x1F || c == '%' || b == 0x7F;
}

/// Percent-encode sets of the URL Standard that the parser uses.
enum class encode_set { c0_control, path, query, special_query };
inline bool in_encode_set(char c, encode_set set) noexcept {
  const auto b = static_cast<unsigned char>(c);
  if (b <= 0x1F || b > 0x7E) return true;
  if (set == encode_set::c0_control) return false;
  if (c == ' ' || c == '"' || c == '#' || c == '<' || c == '>') return true;
  if (set == encode_set::special_query) return c == '\'';
  // Node 20 (ada) leaves '^' unencoded in paths, and so do we.
  if (set == encode_set::path) return c == '?' || c == '`' || c == '{' || c == '}';
  return false;
}
inline void append_encoded(std::string& out, std::string_view s, encode_set set) {
  for (char c : s) {
    if (in_encode_set(c, set)) append_percent_escape(out, static_cast<unsigned char>(c));
    else out.push_back(c);
  }
}

inline std::vector<std::string_view> split_on(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find(separator, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

/// WHATWG "IPv4 number parser": decimal, 0x-hex or 0-octal; values are saturated well above
/// 2^32 so that any overflow still fails the range checks.
inline std::optional<std::uint64_t> parse_ipv4_number(std::string_view part) noexcept {
  if (part.empty()) return std::nullopt;
  unsigned radix = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    radix = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    radix = 8;
    part.remove_prefix(1);
  }
  std::uint64_t value = 0;
  for (char c : part) {
    int digit = -1;
    if (radix == 16) digit = hex_value(c);
    else if (is_ascii_digit(c) && static_cast<unsigned>(c - '0') < radix) digit = c - '0';
    if (digit < 0) return std::nullopt;
    value = value * radix + static_cast<unsigned>(digit);
    if (value > (std::uint64_t{1} << 40)) value = std::uint64_t{1} << 40;
  }
  return value;
}

/// WHATWG "ends in a number checker": such a host must be an IPv4 address or nothing.
inline bool ends_in_a_number(std::string_view domain) {
  auto parts = split_on(domain, '.');
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  const std::string_view last = parts.back();
  if (!last.empty()) {
    bool digits = true;
    for (char c : last) digits = digits && is_ascii_digit(c);
    if (digits) return true;
  }
  return parse_ipv4_number(last).has_value();
}

/// WHATWG "IPv4 parser", serialised in dotted decimal ("0x7f.1" -> "127.0.0.1").
inline std::optional<std::string> parse_ipv4(std::string_view domain) {
  auto parts = split_on(domain, '.');
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<std::uint64_t> numbers;
  for (auto part : parts) {
    const auto n = parse_ipv4_number(part);
    if (!n) return std::nullopt;
    numbers.push_back(*n);
  }
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i)
    if (numbers[i] > 255) return std::nullopt;
  if (numbers.back() >= (std::uint64_t{1} << (8 * (5 - numbers.size())))) return std::nullopt;
  std::uint64_t address = numbers.back();
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i) address += numbers[i] << (8 * (3 - i));
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((address >> shift) & 0xFF);
    if (shift != 0) out.push_back('.');
  }
  return out;
}

/// WHATWG "IPv6 parser" and "IPv6 serializer" (compressed, lower-case hex), for the text
/// between the brackets.
inline std::optional<std::string> parse_ipv6(std::string_view s) {
  std::array<std::uint16_t, 8> address{};
  std::size_t piece = 0, p = 0;
  std::optional<std::size_t> compress;
  const auto at = [&](std::size_t k) -> char { return k < s.size() ? s[k] : '\0'; };
  const auto end = [&](std::size_t k) { return k >= s.size(); };
  if (at(p) == ':') {
    if (at(p + 1) != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (!end(p)) {
    if (piece == 8) return std::nullopt;
    if (at(p) == ':') {
      if (compress) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    unsigned value = 0, length = 0;
    while (length < 4 && !end(p) && is_ascii_hex(at(p))) {
      value = value * 16 + static_cast<unsigned>(hex_value(at(p)));
      ++p, ++length;
    }
    if (at(p) == '.' && !end(p)) {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      int numbers_seen = 0;
      while (!end(p)) {
        std::optional<unsigned> ipv4_piece;
        if (numbers_seen > 0) {
          if (at(p) == '.' && numbers_seen < 4) ++p;
          else return std::nullopt;
        }
        if (end(p) || !is_ascii_digit(at(p))) return std::nullopt;
        while (!end(p) && is_ascii_digit(at(p))) {
          const unsigned number = static_cast<unsigned>(at(p) - '0');
          if (!ipv4_piece) ipv4_piece = number;
          else if (*ipv4_piece == 0) return std::nullopt;
          else ipv4_piece = *ipv4_piece * 10 + number;
          if (*ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        address[piece] = static_cast<std::uint16_t>(address[piece] * 0x100 + *ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    } else if (!end(p) && at(p) == ':') {
      ++p;
      if (end(p)) return std::nullopt;
    } else if (!end(p)) {
      return std::nullopt;
    }
    address[piece] = static_cast<std::uint16_t>(value);
    ++piece;
  }
  if (compress) {
    std::size_t swaps = piece - *compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(address[piece], address[*compress + swaps - 1]);
      --piece, --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  // Serialise: the first longest run of two or more zero pieces becomes "::".
  std::size_t best_start = 8, best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (address[i] != 0) { ++i; continue; }
    std::size_t j = i;
    while (j < 8 && address[j] == 0) ++j;
    if (j - i > best_length) best_start = i, best_length = j - i;
    i = j;
  }
  std::string out = "[";
  bool ignore0 = false;
  for (std::size_t i = 0; i < 8; ++i) {
    if (ignore0 && address[i] == 0) continue;
    ignore0 = false;
    if (i == best_start) {
      out += i == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    constexpr std::string_view digits = "0123456789abcdef";
    bool leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (address[i] >> shift) & 0xF;
      if (leading && nibble == 0 && shift != 0) continue;
      leading = false;
      out.push_back(digits[nibble]);
    }
    if (i != 7) out.push_back(':');
  }
  out.push_back(']');
  return out;
}

/// WHATWG "host parser". `special` selects domain parsing (percent-decoded, lower-cased,
/// IPv4-normalised) over opaque-host parsing (kept as written, controls percent-encoded).
inline std::optional<std::string> parse_host(std::string_view input, bool special) {
  if (!input.empty() && input.front() == '[') {
    if (input.size() < 2 || input.back() != ']') return std::nullopt;
    return parse_ipv6(input.substr(1, input.size() - 2));
  }
  if (!special) {
    for (char c : input)
      if (is_forbidden_host_code_point(c)) return std::nullopt;
    std::string out;
    append_encoded(out, input, encode_set::c0_control);
    return out;
  }
  std::string domain = percent_decode_lenient(input);
  // Domain-to-ASCII: for ASCII input it only lower-cases. Anything else would need IDNA
  // (UTS #46) mapping and punycode: refused, which fails closed.
  for (char& c : domain) {
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    c = ascii_lower(c);
  }
  if (domain.empty()) return std::nullopt;
  for (char c : domain)
    if (is_forbidden_domain_code_point(c)) return std::nullopt;
  if (ends_in_a_number(domain)) return parse_ipv4(domain);
  return domain;
}

constexpr bool is_single_dot_segment(std::string_view s) noexcept { return s == "." || iequals_ascii(s, "%2e"); }
constexpr bool is_double_dot_segment(std::string_view s) noexcept {
  return s == ".." || iequals_ascii(s, ".%2e") || iequals_ascii(s, "%2e.") || iequals_ascii(s, "%2e%2e");
}

/// WHATWG "path state" from `s[i]` (just after the path's leading slash) to '?', '#' or the
/// end: segments percent-encoded, "." and ".." resolved. Returns the serialised path.
inline std::string parse_path(std::string_view s, std::size_t& i, bool special) {
  std::vector<std::string> segments;
  std::string buffer;
  for (;; ++i) {
    const bool at_end = i >= s.size() || s[i] == '?' || s[i] == '#';
    const bool slash = !at_end && (s[i] == '/' || (special && s[i] == '\\'));
    if (at_end || slash) {
      if (is_double_dot_segment(buffer)) {
        if (!segments.empty()) segments.pop_back();
        if (!slash) segments.emplace_back();
      } else if (is_single_dot_segment(buffer)) {
        if (!slash) segments.emplace_back();
      } else {
        segments.push_back(buffer);
      }
      buffer.clear();
      if (at_end) break;
    } else {
      append_encoded(buffer, s.substr(i, 1), encode_set::path);
    }
  }
  std::string out;
  for (const auto& segment : segments) out += "/" + segment;
  return out;
}

}  // namespace detail

// ---- Percent-encoding ---------------------------------------------------------------------

/// JavaScript's `encodeURIComponent` over bytes: `A-Z a-z 0-9 - _ . ! ~ * ' ( )` stay, every
/// other byte becomes %XX (upper-case hex). UTF-8 input gives what JavaScript gives for the
/// same text; other bytes are escaped one by one.
inline std::string percent_encode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const bool unreserved = detail::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == '!' ||
                            c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
    if (unreserved) out.push_back(c);
    else detail::append_percent_escape(out, static_cast<unsigned char>(c));
  }
  return out;
}

/// JavaScript's `decodeURIComponent`: every '%' must start a %XX escape, and escapes of bytes
/// >= 0x80 must together spell well-formed UTF-8 (no overlong form, no surrogate); otherwise
/// nullopt, where JavaScript throws URIError. '+' stays '+' (see form_decode). Bytes that are
/// not escaped are copied as they are.
inline std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto escape_at = [&](std::size_t i) -> int {
    if (i + 2 >= s.size()) return -1;  // needs s[i+1] and s[i+2]
    if (s[i] != '%' || !detail::is_ascii_hex(s[i + 1]) || !detail::is_ascii_hex(s[i + 2])) return -1;
    return detail::hex_value(s[i + 1]) * 16 + detail::hex_value(s[i + 2]);
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out.push_back(s[i++]);
      continue;
    }
    const int lead = escape_at(i);
    if (lead < 0) return std::nullopt;
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      i += 3;
      continue;
    }
    // A multi-byte character: its lead byte says how many escaped continuation bytes follow.
    std::size_t length = 0;
    if ((lead & 0xE0) == 0xC0) length = 2;
    else if ((lead & 0xF0) == 0xE0) length = 3;
    else if ((lead & 0xF8) == 0xF0) length = 4;
    else return std::nullopt;
    std::string bytes(1, static_cast<char>(lead));
    for (std::size_t k = 1; k < length; ++k) {
      const int next = escape_at(i + 3 * k);
      if (next < 0 || (next & 0xC0) != 0x80) return std::nullopt;
      bytes.push_back(static_cast<char>(next));
    }
    const auto seq = detail::scan_utf8(bytes, 0);
    if (!seq.valid || seq.length != length) return std::nullopt;
    out += bytes;
    i += 3 * length;
  }
  return out;
}

/// The application/x-www-form-urlencoded decoding of one name or value, as URLSearchParams
/// does it: '+' is a space, %XX escapes are decoded, a '%' that starts no escape is kept, and
/// bytes that do not form UTF-8 become U+FFFD. Never fails.
inline std::string form_decode(std::string_view s) {
  std::string plus_as_space(s);
  for (char& c : plus_as_space)
    if (c == '+') c = ' ';
  return detail::utf8_replace_invalid(detail::percent_decode_lenient(plus_as_space));
}

// ---- Absolute URLs ------------------------------------------------------------------------

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

// anonauth/http/url/whatwg.hpp: the steps of the WHATWG URL parser that parse_url
// (url/parse.hpp) is made of: schemes and ports, percent-encode sets, IPv4 and IPv6 hosts, the
// host parser and the path state.
#pragma once

#include <anonauth/http/url/chars.hpp>
#include <anonauth/http/url/percent.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::http::detail {

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

}  // namespace anonauth::http::detail

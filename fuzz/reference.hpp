// Slow, obviously correct reference versions of anonauth's input rules, written from their
// specifications rather than from the library's code: the harnesses check the library against
// them. Nothing here is fast or clever on purpose.
#pragma once

#include <anonauth/core/validate.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace reference {

// --- UTF-8 -------------------------------------------------------------------------------------

/// The code points of `s`, or nothing if it is not well-formed UTF-8 (Unicode 15, section 3.9):
/// each sequence is decoded by its lead byte's length, then refused if a byte is not a
/// continuation byte, if the value is overlong, a surrogate or above U+10FFFF.
inline std::optional<std::u32string> decode_utf8(std::string_view s) {
  std::u32string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned lead = static_cast<unsigned char>(s[i]);
    std::size_t length = 0;
    char32_t value = 0;
    char32_t smallest = 0;
    if (lead <= 0x7F) {
      length = 1;
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      value = lead & 0x1F;
      smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      value = lead & 0x0F;
      smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      value = lead & 0x07;
      smallest = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte, or F8-FF
    }
    if (s.size() - i < length) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned byte = static_cast<unsigned char>(s[i + k]);
      if ((byte & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (byte & 0x3F);
    }
    if (value < smallest) return std::nullopt;                   // overlong
    if (value >= 0xD800 && value <= 0xDFFF) return std::nullopt;  // surrogate
    if (value > 0x10FFFF) return std::nullopt;
    out.push_back(value);
    i += length;
  }
  return out;
}

inline bool is_valid_utf8(std::string_view s) { return decode_utf8(s).has_value(); }

/// UTF-16 code units of well-formed UTF-8: one per code point, two above U+FFFF.
inline std::size_t utf16_units(const std::u32string& code_points) {
  std::size_t units = 0;
  for (char32_t c : code_points) units += c > 0xFFFF ? 2 : 1;
  return units;
}

// --- text rules --------------------------------------------------------------------------------

/// core/validate.hpp's rules, from their statement: at most `max_bytes` bytes, no NUL, well-formed
/// UTF-8, and (unless `allow_control`) no C0 control, DEL or C1 control. The first rule broken,
/// in that order, is the fault.
inline anonauth::text_fault check_text(std::string_view s, std::size_t max_bytes, bool allow_control = false) {
  using anonauth::text_fault;
  if (s.size() > max_bytes) return text_fault::too_long;
  for (char c : s)
    if (c == '\0') return text_fault::nul;
  const auto code_points = decode_utf8(s);
  if (!code_points) return text_fault::invalid_utf8;
  if (allow_control) return text_fault::none;
  for (char32_t c : *code_points)
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) return text_fault::control;
  return text_fault::none;
}

inline bool text_ok(std::string_view s, std::size_t max_bytes, bool allow_control = false) {
  return check_text(s, max_bytes, allow_control) == anonauth::text_fault::none;
}

// --- emails ------------------------------------------------------------------------------------

/// Better Auth's email rule, the regular expression itself (std::regex, ECMAScript grammar).
/// std::regex recurses per character: callers keep the input short (emails are at most 254
/// bytes before this is asked).
inline bool is_valid_email(std::string_view s) {
  static const std::regex rule(
      R"(^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$)",
      std::regex::ECMAScript);
  if (s.size() > 512) return false;  // longer than any accepted email: not asked of the regex
  return std::regex_match(s.begin(), s.end(), rule);
}

/// An email as accepted by the operations: the rule and at most 254 bytes.
inline bool email_accepted(std::string_view s) { return s.size() <= anonauth::limits::max_email && is_valid_email(s); }

inline std::string lower_ascii(std::string_view s) {
  static constexpr std::string_view upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static constexpr std::string_view lower = "abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (char c : s) {
    const std::size_t at = upper.find(c);
    out.push_back(at == std::string_view::npos ? c : lower[at]);
  }
  return out;
}

/// ASCII white space removed from both ends (what aa::copy_if_empty copies).
inline std::string trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// --- addresses ---------------------------------------------------------------------------------

inline std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

/// Dotted-decimal IPv4 as inet_pton(AF_INET) reads it: exactly four decimal numbers 0-255,
/// no sign, no leading zero ("0" itself is fine), nothing else.
inline std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view s) {
  const auto parts = split(s, '.');
  if (parts.size() != 4) return std::nullopt;
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string_view p = parts[i];
    if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0')) return std::nullopt;
    unsigned value = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(value);
  }
  return out;
}

inline std::optional<unsigned> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
  return std::nullopt;
}

/// The 16-bit groups of a colon-separated list (RFC 4291, 2.2): each 1 to 4 hex digits; the
/// last one may be dotted-decimal IPv4 when `ipv4_tail`, counting as two groups.
inline std::optional<std::vector<std::uint16_t>> parse_groups(std::string_view s, bool ipv4_tail) {
  std::vector<std::uint16_t> groups;
  if (s.empty()) return groups;
  const auto parts = split(s, ':');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view p = parts[i];
    if (ipv4_tail && i + 1 == parts.size() && p.find('.') != std::string_view::npos) {
      const auto v4 = parse_ipv4(p);
      if (!v4) return std::nullopt;
      groups.push_back(static_cast<std::uint16_t>((*v4)[0] << 8 | (*v4)[1]));
      groups.push_back(static_cast<std::uint16_t>((*v4)[2] << 8 | (*v4)[3]));
      continue;
    }
    if (p.empty() || p.size() > 4) return std::nullopt;
    unsigned value = 0;
    for (char c : p) {
      const auto d = hex_digit(c);
      if (!d) return std::nullopt;
      value = value * 16 + *d;
    }
    groups.push_back(static_cast<std::uint16_t>(value));
  }
  return groups;
}

/// Textual IPv6 as inet_pton(AF_INET6) reads it: eight groups, or fewer around one "::" that
/// stands for at least one zero group; an IPv4 tail allowed; no zone, no brackets.
inline std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view s) {
  std::vector<std::uint16_t> groups;
  const std::size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    const auto all = parse_groups(s, true);
    if (!all || all->size() != 8 || s.empty()) return std::nullopt;
    groups = *all;
  } else {
    const std::string_view head = s.substr(0, gap), tail = s.substr(gap + 2);
    if (tail.find("::") != std::string_view::npos) return std::nullopt;
    const auto before = parse_groups(head, false);
    const auto after = parse_groups(tail, true);
    if (!before || !after || before->size() + after->size() > 7) return std::nullopt;
    groups = *before;
    groups.resize(8 - after->size(), 0);
    groups.insert(groups.end(), after->begin(), after->end());
  }
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  return out;
}

using rate_limit_key = std::array<std::uint8_t, 16>;

/// The key every unparseable address shares: all 0xff.
inline rate_limit_key unknown_key() {
  rate_limit_key key;
  key.fill(0xFF);
  return key;
}

/// The key of one IPv4 client, a 32-bit number: its IPv4-mapped form ::ffff:a.b.c.d.
inline rate_limit_key ipv4_key(std::uint32_t v4) {
  rate_limit_key key{};
  key[10] = key[11] = 0xFF;
  for (std::size_t i = 0; i < 4; ++i) key[12 + i] = static_cast<std::uint8_t>(v4 >> (24 - 8 * i));
  return key;
}

/// The keys of a parsed IPv6 address, from the statement in policy/rate_limit.hpp, reading the
/// address as eight 16-bit groups, as the RFCs write the prefixes:
/// - ::ffff:0:0/96 (IPv4-mapped) and 64:ff9b::/96 (NAT64, RFC 6052): the client is the last 32 bits;
/// - 2002::/16 (6to4, RFC 3056): the client is the 32 bits after the prefix;
/// - 2001:0::/32 (Teredo, RFC 4380): the client is the last 32 bits, inverted;
/// - anything else: the /64, /56 and /48 prefixes (bits past the length cleared, the length in
///   the last byte), finest first.
inline std::vector<rate_limit_key> keys_of_address(const std::array<std::uint8_t, 16>& bytes) {
  std::array<std::uint32_t, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<std::uint32_t>(bytes[2 * i]) << 8 | bytes[2 * i + 1];
  const std::uint32_t last32 = g[6] << 16 | g[7];
  const bool mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF;
  const bool nat64 = g[0] == 0x0064 && g[1] == 0xFF9B && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0;
  if (mapped || nat64) return {ipv4_key(last32)};
  if (g[0] == 0x2002) return {ipv4_key(g[1] << 16 | g[2])};
  if (g[0] == 0x2001 && g[1] == 0) return {ipv4_key(~last32)};
  std::vector<rate_limit_key> keys;
  for (const std::size_t length : {64, 56, 48}) {
    rate_limit_key key{};
    for (std::size_t bit = 0; bit < length; ++bit) {
      const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
      if (bytes[bit / 8] & mask) key[bit / 8] = static_cast<std::uint8_t>(key[bit / 8] | mask);
    }
    key[15] = static_cast<std::uint8_t>(length);
    keys.push_back(key);
  }
  return keys;
}

/// The rate limiter's bucket keys of a textual address, from the statement in
/// policy/rate_limit.hpp: IPv4 one key; IPv6 as keys_of_address says; one non-empty zone on IPv6
/// ignored; the empty string, 64 bytes or more, a NUL or anything else: the unknown key alone.
inline std::vector<rate_limit_key> keys_of(std::string_view ip) {
  if (ip.empty() || ip.size() >= 64 || ip.find('\0') != std::string_view::npos) return {unknown_key()};
  if (const auto v4 = parse_ipv4(ip))
    return {ipv4_key(std::uint32_t{(*v4)[0]} << 24 | std::uint32_t{(*v4)[1]} << 16 | std::uint32_t{(*v4)[2]} << 8 |
                     (*v4)[3])};
  std::string_view address = ip;
  if (const std::size_t percent = ip.find('%'); percent != std::string_view::npos) {
    const std::string_view zone = ip.substr(percent + 1);
    if (zone.empty() || zone.find('%') != std::string_view::npos) return {unknown_key()};
    address = ip.substr(0, percent);
  }
  const auto v6 = parse_ipv6(address);
  if (!v6) return {unknown_key()};
  return keys_of_address(*v6);
}

}  // namespace reference

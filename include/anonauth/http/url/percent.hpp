// anonauth/http/url/percent.hpp: percent-encoding and -decoding with JavaScript's rules
// (encodeURIComponent, decodeURIComponent, URLSearchParams).
#pragma once

#include <anonauth/core/utf8.hpp>
#include <anonauth/http/url/chars.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace anonauth::http {

namespace detail {

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

}  // namespace detail

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
    const auto seq = scan_utf8(bytes, 0);
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
  return replace_invalid_utf8(detail::percent_decode_lenient(plus_as_space));
}

}  // namespace anonauth::http

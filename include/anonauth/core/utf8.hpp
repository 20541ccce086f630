// anonauth/core/utf8.hpp: the one UTF-8 decoder of anonauth.
//
// Every check and repair of outside text goes through scan_utf8: the core's text rules
// (core/validate.hpp), the URL and form decoders, origin patterns, JSON in and out, and the
// audit log. Well formed is Unicode's Table 3-7: no overlong form, no surrogate, nothing above
// U+10FFFF. A repair replaces each maximal subpart of an ill-formed sequence by one U+FFFD, as
// the WHATWG decoder (and so a browser, and Better Auth's JavaScript) does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace anonauth {

/// One sequence of UTF-8 text: its length in bytes (at least 1) and whether it is well formed.
/// For an ill-formed one, the length is that of its maximal subpart: the bytes one U+FFFD
/// replaces, after which decoding resumes.
struct utf8_sequence {
  std::size_t length;
  bool valid;
};

/// The sequence that starts at `s[i]` (`i < s.size()`).
constexpr utf8_sequence scan_utf8(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {1, true};
  // How many continuation bytes the lead announces, and the range of the first of them:
  // narrower after E0 and F0 (overlong forms), ED (surrogates) and F4 (above U+10FFFF).
  std::size_t needed = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) needed = 1;
  else if (lead == 0xE0) needed = 2, low = 0xA0;
  else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) needed = 2;
  else if (lead == 0xED) needed = 2, high = 0x9F;
  else if (lead == 0xF0) needed = 3, low = 0x90;
  else if (lead >= 0xF1 && lead <= 0xF3) needed = 3;
  else if (lead == 0xF4) needed = 3, high = 0x8F;
  else return {1, false};  // a continuation byte, C0 and C1 (always overlong), F5 to FF
  for (std::size_t k = 1; k <= needed; ++k) {
    if (i + k >= s.size()) return {k, false};  // cut short
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? low : 0x80) || b > (k == 1 ? high : 0xBF)) return {k, false};
  }
  return {needed + 1, true};
}

/// The length of the well-formed sequence at `s[i]` (1 to 4), or 0 if an ill-formed one starts
/// there.
constexpr std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const utf8_sequence seq = scan_utf8(s, i);
  return seq.valid ? seq.length : 0;
}

/// Whether `s` is well-formed UTF-8.
constexpr bool is_valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const utf8_sequence seq = scan_utf8(s, i);
    if (!seq.valid) return false;
    i += seq.length;
  }
  return true;
}

/// `s` with each maximal subpart of an ill-formed sequence replaced by U+FFFD (WHATWG "UTF-8
/// decode without BOM": a BOM is kept). Well-formed text comes back unchanged.
inline std::string replace_invalid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const utf8_sequence seq = scan_utf8(s, i);
    if (seq.valid) out.append(s.substr(i, seq.length));
    else out.append("\xEF\xBF\xBD");
    i += seq.length;
  }
  return out;
}

}  // namespace anonauth

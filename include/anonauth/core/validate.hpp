// anonauth/core/validate.hpp: input rules shared by every operation.
#pragma once

#include <anonauth/core/utf8.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace anonauth {

/// Better Auth's email rule (zod v4 `z.email()`):
///   ^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$
/// written out by hand: no backtracking, linear in the input, no std::regex.
constexpr bool is_valid_email(std::string_view s) noexcept {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (s.empty() || s.front() == '.' || s.find("..") != std::string_view::npos) return false;
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  for (char c : local)
    if (!(alnum(c) || c == '_' || c == '\'' || c == '+' || c == '-' || c == '.')) return false;
  const char last = local.back();
  if (!(alnum(last) || last == '_' || last == '+' || last == '-')) return false;
  // domain: one or more "label." then a TLD of two or more letters
  const std::size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld)
    if (!alpha(c)) return false;
  std::string_view labels = domain.substr(0, dot + 1);  // each label ends with '.'
  while (!labels.empty()) {
    const std::size_t end = labels.find('.');
    const std::string_view label = labels.substr(0, end);
    if (label.empty() || !alnum(label.front())) return false;
    for (char c : label)
      if (!(alnum(c) || c == '-')) return false;
    labels.remove_prefix(end + 1);
  }
  return true;
}

/// ASCII lower-casing: what Better Auth does to every stored email.
inline std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// Limits of the library's own input rules, in bytes unless said otherwise.
struct limits {
  static constexpr std::size_t min_password = 8;    // Better Auth's minPasswordLength (UTF-16 units)
  static constexpr std::size_t max_password = 128;  // Better Auth's maxPasswordLength (UTF-16 units)
  static constexpr std::size_t max_name = 256;
  static constexpr std::size_t max_email = 254;     // RFC 5321 path limit
  static constexpr std::size_t max_image = 2048;    // a URL
  static constexpr std::size_t max_identifier = 255;  // social provider and account ids
  static constexpr std::size_t max_ip_address = 64;   // IPv6 with a zone id fits
  static constexpr std::size_t max_user_agent = 1024;
  static constexpr std::size_t max_text_field = 65536;  // an application's text field of the user row
  static constexpr std::size_t max_token = 512;         // a presented session token
};

/// The length JavaScript's `string.length` gives a UTF-8 string: UTF-16 code units. Better
/// Auth's password limits (8 to 128) count these. Bytes that are not valid UTF-8 count one each.
constexpr std::size_t utf16_length(std::string_view s) noexcept {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(s, i));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

/// What is wrong with a piece of outside text, if anything.
enum class text_fault { none, too_long, nul, invalid_utf8, control };

/// Checks text from outside against the rules every stored string follows: at most `max_bytes`,
/// no NUL byte, well-formed UTF-8 and no control character (C0, DEL, C1). With `allow_control` set, only NUL is refused among them (free text such as a
/// bio may hold tabs and line breaks).
constexpr text_fault check_text(std::string_view s, std::size_t max_bytes, bool allow_control = false) noexcept {
  if (s.size() > max_bytes) return text_fault::too_long;
  if (s.find('\0') != std::string_view::npos) return text_fault::nul;
  if (!is_valid_utf8(s)) return text_fault::invalid_utf8;
  if (allow_control) return text_fault::none;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F) return text_fault::control;
    // C1 controls, U+0080-U+009F, are C2 80 - C2 9F in UTF-8.
    if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return text_fault::control;
  }
  return text_fault::none;
}

/// "<field> is longer than N bytes", "<field> contains a NUL byte"...: the message of a refusal.
inline std::string describe(text_fault fault, std::string_view field, std::size_t max_bytes) {
  std::string m(field);
  switch (fault) {
    case text_fault::none: return m + " is valid";
    case text_fault::too_long: return m + " is longer than " + std::to_string(max_bytes) + " bytes";
    case text_fault::nul: return m + " contains a NUL byte";
    case text_fault::invalid_utf8: return m + " is not valid UTF-8";
    case text_fault::control: return m + " contains a control character";
  }
  return m;
}

}  // namespace anonauth

// anonauth/core/validate.hpp: input rules shared by every operation.
#pragma once

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

/// The length JavaScript's `string.length` gives a UTF-8 string: UTF-16 code units. Better
/// Auth's password limits (8 to 128) count these. Bytes that are not valid UTF-8 count one each.
constexpr std::size_t utf16_length(std::string_view s) noexcept {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size()) len = 1;
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

/// Limits of the library's own input rules.
struct limits {
  static constexpr std::size_t min_password = 8;    // Better Auth's minPasswordLength
  static constexpr std::size_t max_password = 128;  // Better Auth's maxPasswordLength
  static constexpr std::size_t max_name = 256;      // bytes
  static constexpr std::size_t max_email = 254;     // RFC 5321 path limit
};

}  // namespace anonauth

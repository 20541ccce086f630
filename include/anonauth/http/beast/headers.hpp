// anonauth/http/beast/headers.hpp: the Date header, the header names and values a response may carry,
// and the Connection header's close option.
#pragma once

#include <anonauth/http/beast/io.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace anonauth::http::detail::beast_adapter {

/// The Date header value (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT": formatted
/// once a second per thread, without locale or time-zone functions.
inline std::string_view http_date() {
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::array<char, 29> text{};
  using namespace std::chrono;
  const auto now = floor<seconds>(std::chrono::system_clock::now());  // not anonauth::system_clock
  if (now.time_since_epoch().count() != cached_second) {
    cached_second = now.time_since_epoch().count();
    const auto day = floor<days>(now);
    const year_month_day ymd{day};
    const hh_mm_ss hms{now - day};
    static constexpr std::string_view week_days = "SunMonTueWedThuFriSat";
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto two = [](char* out, unsigned v) {
      out[0] = static_cast<char>('0' + v / 10 % 10);
      out[1] = static_cast<char>('0' + v % 10);
    };
    char* p = text.data();
    week_days.copy(p, 3, weekday{day}.c_encoding() * 3);
    p[3] = ',';
    p[4] = ' ';
    two(p + 5, static_cast<unsigned>(ymd.day()));
    p[7] = ' ';
    months.copy(p + 8, 3, (static_cast<unsigned>(ymd.month()) - 1) * 3);
    p[11] = ' ';
    const auto y = static_cast<unsigned>(static_cast<int>(ymd.year()));
    two(p + 12, y / 100);
    two(p + 14, y % 100);
    p[16] = ' ';
    two(p + 17, static_cast<unsigned>(hms.hours().count()));
    p[19] = ':';
    two(p + 20, static_cast<unsigned>(hms.minutes().count()));
    p[22] = ':';
    two(p + 23, static_cast<unsigned>(hms.seconds().count()));
    std::string_view(" GMT").copy(p + 25, 4);
  }
  return {text.data(), text.size()};
}

/// A header name a response may carry: a non-empty token (RFC 9110 §5.6.2).
constexpr bool valid_header_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

/// A header value a response may carry: no CR, LF, NUL or other control character but HTAB.
/// A value built from user input with a line break in it must not split the response.
constexpr bool valid_header_value(std::string_view value) noexcept {
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) return false;
  }
  return true;
}

/// Whether a Connection header value lists the "close" option.
constexpr bool lists_close(std::string_view value) noexcept {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (iequals(token, "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace anonauth::http::detail::beast_adapter

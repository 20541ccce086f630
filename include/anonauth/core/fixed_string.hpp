// anonauth/core/fixed_string.hpp: a string usable as a template argument.
//
// Table names and name prefixes are template arguments (`aa::table<"cart_items", ...>`,
// `aa::domain_email<"guest.example.com">`), so they need a structural string type.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace anonauth {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};  // includes the terminating NUL

  constexpr fixed_string(const char (&text)[N]) noexcept { std::copy_n(text, N, chars); }

  [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return N - 1; }
  constexpr operator std::string_view() const noexcept { return view(); }
};

}  // namespace anonauth

// anonauth/diag/report.hpp: the machinery every compile-time diagnostic of anonauth uses.
//
// A check is a consteval function that returns `diag::ok` or a `diag::` type whose template
// arguments are the culprits. `diag::report<D>()` instantiates the one static_assert of D, so the
// compiler's first error line carries the tag and the culprits (member pointers and row types
// print readably under GCC and Clang), and nothing else in the program is diagnosed after it.
// The diagnostics themselves live beside this file, one header per area (see diag/errors.hpp);
// docs/errors.md explains each code and its fix.
#pragma once

#include <anonauth/detail/meta.hpp>

#include <type_traits>

namespace anonauth {
namespace diag {

using detail::dependent_false_t;
using detail::dependent_false_v;

/// Wraps a member pointer so it can stand beside types among a diagnostic's culprits.
template <auto Member>
struct member {};

/// Wraps any other value (a count, a cost) for the same purpose.
template <auto Value>
struct value {};

struct ok {
  static constexpr bool is_ok = true;
  static constexpr void fire() {}
};

struct failure {
  static constexpr bool is_ok = false;
};

/// `ok` when `Holds`, else the diagnostic D: a check of one condition.
template <bool Holds, class D>
using unless_t = std::conditional_t<Holds, ok, D>;

/// The first failing check of a list, or ok.
template <class... Checks>
struct first_failure {
  using type = ok;
};
template <class Check, class... Rest>
struct first_failure<Check, Rest...> {
  using type = std::conditional_t<Check::is_ok, typename first_failure<Rest...>::type, Check>;
};
template <class... Checks>
using first_failure_t = typename first_failure<Checks...>::type;

/// Fires the diagnostic of D, if D is a failure. Returns whether D is ok, so it can sit inside a
/// static_assert or initialise a constant.
template <class D>
constexpr bool report() {
  D::fire();
  return D::is_ok;
}

/// Fires the diagnostic of D, if D is a failure, and returns true: for a static_assert that must
/// add no error of its own to D's.
template <class D>
constexpr bool checked() {
  D::fire();
  return true;
}

}  // namespace diag

namespace detail {
using diag::first_failure_t;
}  // namespace detail
}  // namespace anonauth

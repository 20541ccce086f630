// anonauth/storage/accessors.hpp: accessors of a row's fields, by which a storage names the
// columns of rows it describes itself (a session record, an account).
#pragma once

namespace anonauth::detail {

/// Member M of a row: `r.*M`.
template <auto M>
struct field {
  template <class R>
  constexpr auto& operator()(R& r) const noexcept {
    return r.*M;
  }
};

/// Member Inner of member Outer: `(r.*Outer).*Inner` (a session record's session's members).
template <auto Outer, auto Inner>
struct nested_field {
  template <class R>
  constexpr auto& operator()(R& r) const noexcept {
    return (r.*Outer).*Inner;
  }
};

}  // namespace anonauth::detail

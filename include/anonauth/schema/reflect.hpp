// anonauth/schema/reflect.hpp: what Boost.Hana tells us about a row type.
//
// Rows are described with BOOST_HANA_DEFINE_STRUCT (intrusive) or BOOST_HANA_ADAPT_STRUCT (for a
// struct you cannot touch). Columns are named by member pointer; their SQL names come from here.
#pragma once

#include <anonauth/detail/meta.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/detail/struct_macros.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/concept/struct.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace anonauth {

/// A row type Boost.Hana can reflect.
template <class Row>
concept described_row = boost::hana::Struct<Row>::value;

namespace detail {

inline constexpr std::size_t no_column = static_cast<std::size_t>(-1);

// Hana's DEFINE_STRUCT and ADAPT_STRUCT both store each member as member_ptr<decltype(&T::m), &T::m>.
template <class Accessor, auto M>
inline constexpr bool accessor_is_v =
    std::is_same_v<std::decay_t<Accessor>, boost::hana::struct_detail::member_ptr<decltype(M), M>>;

/// The position of member M among its row's described members, or no_column.
template <auto M>
consteval std::size_t column_index() {
  using row = class_of_t<M>;
  if constexpr (!described_row<row>) {
    return no_column;
  } else {
    std::size_t found = no_column;
    std::size_t i = 0;
    boost::hana::for_each(boost::hana::accessors<row>(), [&](auto pair) {
      if constexpr (accessor_is_v<decltype(boost::hana::second(pair)), M>) found = i;
      ++i;
    });
    return found;
  }
}

/// Whether Row has a described member called `name` whose type is exactly Expected.
template <class Row, class Expected>
consteval bool has_field(std::string_view name) {
  bool ok = false;
  boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
    using value = std::decay_t<decltype(boost::hana::second(pair)(std::declval<Row&>()))>;
    if (std::string_view(boost::hana::to<const char*>(boost::hana::first(pair))) == name)
      ok = std::is_same_v<value, Expected>;
  });
  return ok;
}

template <class Row>
consteval bool has_member_named(std::string_view name) {
  bool found = false;
  boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
    if (std::string_view(boost::hana::to<const char*>(boost::hana::first(pair))) == name) found = true;
  });
  return found;
}

}  // namespace detail

/// Whether member M is one of the members its row describes to Hana.
template <auto M>
inline constexpr bool is_described_column_v =
    detail::is_data_member_pointer_v<M> && detail::column_index<M>() != detail::no_column;

/// The column (SQL) name of member M: the member's name as Hana knows it.
template <auto M>
  requires(is_described_column_v<M>)
constexpr std::string_view column_name() {
  constexpr auto accessors = boost::hana::accessors<detail::class_of_t<M>>();
  constexpr auto name = boost::hana::first(boost::hana::at_c<detail::column_index<M>()>(accessors));
  return std::string_view(boost::hana::to<const char*>(name));
}

}  // namespace anonauth

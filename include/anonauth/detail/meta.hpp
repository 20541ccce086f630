// anonauth/detail/meta.hpp: the few type-level tools the library needs.
#pragma once

#include <cstddef>
#include <type_traits>

namespace anonauth::detail {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

/// A list of values, member pointers mostly (`value_list<&user::role, &user::plan>`).
template <auto... Vs>
struct value_list {};

/// Value lists joined into one.
template <class... Lists>
struct join_values {
  using type = value_list<>;
};
template <auto... As>
struct join_values<value_list<As...>> {
  using type = value_list<As...>;
};
template <auto... As, auto... Bs, class... Rest>
struct join_values<value_list<As...>, value_list<Bs...>, Rest...> {
  using type = typename join_values<value_list<As..., Bs...>, Rest...>::type;
};
template <class... Lists>
using join_values_t = typename join_values<Lists...>::type;

/// Always false, but only once instantiated: the argument of every tagged static_assert, so the
/// culprits it names appear on the compiler's first error line.
template <auto...>
inline constexpr bool dependent_false_v = false;
template <class...>
inline constexpr bool dependent_false_t = false;

/// Whether T is a specialisation of the class template Tmpl (type parameters only).
template <class T, template <class...> class Tmpl>
inline constexpr bool is_specialization_v = false;
template <template <class...> class Tmpl, class... As>
inline constexpr bool is_specialization_v<Tmpl<As...>, Tmpl> = true;

/// Member pointer anatomy: `class_of_t<&cart_item::user_id>` is `cart_item`.
template <class M>
struct member_pointer_traits;
template <class C, class V>
struct member_pointer_traits<V C::*> {
  using class_type = C;
  using value_type = V;
};
template <auto M>
using class_of_t = typename member_pointer_traits<std::remove_cv_t<decltype(M)>>::class_type;
template <auto M>
using member_type_t = typename member_pointer_traits<std::remove_cv_t<decltype(M)>>::value_type;

template <auto M>
inline constexpr bool is_data_member_pointer_v = std::is_member_object_pointer_v<decltype(M)>;

/// Same value and same type (member pointers of different classes never compare).
template <auto A, auto B>
inline constexpr bool same_member_v = false;
template <auto A, auto B>
  requires std::is_same_v<decltype(A), decltype(B)>
inline constexpr bool same_member_v<A, B> = (A == B);

/// A value list without repeats (same_member_v), in order of first appearance.
template <class Unique, auto... Rest>
struct unique_values {
  using type = Unique;
};
template <auto... Unique, auto First, auto... Rest>
struct unique_values<value_list<Unique...>, First, Rest...> {
  using type = typename unique_values<
      std::conditional_t<(same_member_v<First, Unique> || ...), value_list<Unique...>, value_list<Unique..., First>>,
      Rest...>::type;
};
template <class List>
struct unique_values_of;
template <auto... Vs>
struct unique_values_of<value_list<Vs...>> {
  using type = typename unique_values<value_list<>, Vs...>::type;
};

/// How many types a type_list holds.
template <class List>
struct list_size;
template <class... Ts>
struct list_size<type_list<Ts...>> : std::integral_constant<std::size_t, sizeof...(Ts)> {};

}  // namespace anonauth::detail

// anonauth/migrate/check.hpp: the compile-time checks of a link migration against a schema.
//
// `migration_check_t<Schema, link_migrations<...>>` is diag::ok or the first failure, in this
// order: per migrator (E007, E001, E002, E004, E006), then duplicates (E005), then coverage (E003).
#pragma once

#include <anonauth/diag/errors.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/schema/schema.hpp>

#include <string_view>
#include <type_traits>

namespace anonauth::detail {

// reassign / drop / leave
template <class Schema, auto M>
consteval auto check_ref_member() {
  if constexpr (!is_data_member_pointer_v<M>) return diag::column_not_in_schema<M>{};
  else if constexpr (!Schema::template has_row_v<class_of_t<M>> || !is_described_column_v<M>)
    return diag::column_not_in_schema<M>{};
  else if constexpr (!std::is_same_v<member_type_t<M>, user_id>)
    return diag::user_reference_type_mismatch<M, user_id, member_type_t<M>>{};
  else if constexpr (!is_declared_user_ref<Schema, M>()) return diag::not_a_user_reference<M>{};
  else return diag::ok{};
}

// copy_if_empty / copy_fields
template <class Schema, auto M, bool NeedsText>
consteval auto check_copy_member() {
  if constexpr (!is_data_member_pointer_v<M>) return diag::not_a_user_app_field<M>{};
  else if constexpr (!std::is_same_v<class_of_t<M>, user_row_t<Schema>> || !is_described_column_v<M>)
    return diag::not_a_user_app_field<M>{};
  else if constexpr (is_core_field<M>()) return diag::not_a_user_app_field<M>{};
  else if constexpr (NeedsText && !is_text_field_v<member_type_t<M>>) return diag::copy_if_empty_needs_text<M>{};
  else return diag::ok{};
}

template <class Schema, class Mig, auto... Ms>
consteval auto check_migrator_members(value_list<Ms...>) {
  if constexpr (Mig::kind == migrator_kind::copy_if_empty)
    return first_failure_t<decltype(check_copy_member<Schema, Ms, true>())...>{};
  else if constexpr (Mig::kind == migrator_kind::copy_fields)
    return first_failure_t<decltype(check_copy_member<Schema, Ms, false>())...>{};
  else
    return first_failure_t<decltype(check_ref_member<Schema, Ms>())...>{};
}

template <class Schema, class Mig>
consteval auto check_migrator() {
  if constexpr (!migrator<Mig>) return diag::not_a_migrator<Mig>{};
  else return check_migrator_members<Schema, Mig>(typename Mig::members{});
}

/// Every member named by the migrators, flattened.
template <class... Migs>
using all_members_t = typename join_values<typename Migs::members...>::type;

template <auto M, auto... All>
inline constexpr std::size_t occurrences_v = (std::size_t{0} + ... + (same_member_v<M, All> ? 1u : 0u));

template <auto... All>
consteval auto check_duplicates(value_list<All...>) {
  return first_failure_t<std::conditional_t<(occurrences_v<All, All...> > 1), diag::duplicate_migrator<All>, diag::ok>...>{};
}

// Reference members handled by reassign / drop / leave.
template <class Mig>
struct ref_members {
  using type = value_list<>;
};
template <class Mig>
  requires(Mig::kind == migrator_kind::reassign || Mig::kind == migrator_kind::drop ||
           Mig::kind == migrator_kind::leave)
struct ref_members<Mig> {
  using type = typename Mig::members;
};

template <class Entry, auto... Handled>
consteval auto check_handled(value_list<Handled...>) {
  if constexpr ((same_member_v<Entry::member, Handled> || ...)) return diag::ok{};
  else return diag::unhandled_user_reference<Entry::member>{};
}

template <class Schema, class... Migs>
consteval auto check_coverage() {
  using handled = typename join_values<typename ref_members<Migs>::type...>::type;
  return []<class... Entries>(type_list<Entries...>) {
    return first_failure_t<decltype(check_handled<Entries>(handled{}))...>{};
  }(typename Schema::user_refs{});
}

template <class Schema, class Link>
struct migration_check {
  using type = diag::not_link_migrations<Link>;
};
template <class Schema, class... Migs>
struct migration_check<Schema, link_migrations<Migs...>> {
  static consteval auto compute() {
    using each = first_failure_t<decltype(check_migrator<Schema, Migs>())...>;
    if constexpr (!each::is_ok) return each{};
    else {
      using dup = decltype(check_duplicates(all_members_t<Migs...>{}));
      if constexpr (!dup::is_ok) return dup{};
      else return decltype(check_coverage<Schema, Migs...>()){};
    }
  }
  using type = decltype(compute());
};

}  // namespace anonauth::detail

namespace anonauth {
/// diag::ok, or the first thing wrong with Link (an aa::link_migrations) against Schema.
template <class Schema, class Link>
using migration_check_t = typename detail::migration_check<Schema, Link>::type;
}  // namespace anonauth

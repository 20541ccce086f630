// anonauth/migrate/migrators.hpp: what happens to a guest's data when it links to a real account.
//
//   aa::link_migrations<
//       aa::reassign<&cart_item::user_id>,   // the guest's rows now belong to the new user
//       aa::drop<&event::user_id>,           // the guest's rows are deleted
//       aa::leave<&audit::user_id>,          // the guest's rows are left as they are
//       aa::copy_if_empty<&user::bio>,       // trimmed, copied only into an empty destination
//       aa::copy_fields<&user::location>,    // copied where the guest has a value
//       aa::on_link<my_migrator>>            // my_migrator{}(ctx), inside the link transaction
//
// Every user-reference column of the schema must be handled by exactly one of reassign, drop and
// leave; aa::anonymous_auth checks this and the rest at compile time (E001-E007).
// Migrators run in the order listed, in the same storage transaction as the account creation
// and the guest's deletion; an exception from any of them rolls the whole link back.
#pragma once

#include <anonauth/detail/meta.hpp>
#include <anonauth/diag/migrations.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace anonauth {

namespace detail {
enum class migrator_kind { reassign, drop, leave, copy_if_empty, copy_fields, custom };

inline std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

template <class T>
bool has_value(const T& v) {
  if constexpr (requires { v.has_value(); }) return v.has_value();
  else if constexpr (requires { v.empty(); }) return !v.empty();
  else return v != T{};
}
}  // namespace detail

/// Moves the guest's rows to the new user: `UPDATE t SET member = new WHERE member = guest`.
template <auto Member>
struct reassign {
  static constexpr detail::migrator_kind kind = detail::migrator_kind::reassign;
  using members = detail::value_list<Member>;

  template <class Tx, class User>
  static std::size_t run(Tx& tx, const User& guest, User& target) {
    return tx.template reassign<Member>(guest.id, target.id);
  }
};

/// Deletes the guest's rows.
template <auto Member>
struct drop {
  static constexpr detail::migrator_kind kind = detail::migrator_kind::drop;
  using members = detail::value_list<Member>;

  template <class Tx, class User>
  static std::size_t run(Tx& tx, const User& guest, User&) {
    return tx.template erase_where<Member>(guest.id);
  }
};

/// Leaves the guest's rows alone. If the guest is then deleted, the schema's on_delete rule for
/// the column decides: cascade deletes them, keep leaves them holding the guest's old id.
template <auto Member>
struct leave {
  static constexpr detail::migrator_kind kind = detail::migrator_kind::leave;
  using members = detail::value_list<Member>;

  template <class Tx, class User>
  static std::size_t run(Tx&, const User&, User&) {
    return 0;
  }
};

/// Copies a text field of the user row, trimmed, when the guest has one and the new user's is
/// empty (or only white space): the bio pattern of Better Auth's documentation.
template <auto Member>
struct copy_if_empty {
  static constexpr detail::migrator_kind kind = detail::migrator_kind::copy_if_empty;
  using members = detail::value_list<Member>;

  template <class Tx, class User>
  static std::size_t run(Tx&, const User& guest, User& target) {
    const std::string_view source = detail::trim(detail::text_of(guest.*Member));
    if (source.empty() || !detail::trim(detail::text_of(target.*Member)).empty()) return 0;
    target.*Member = std::string(source);
    return 1;
  }
};

/// Copies fields of the user row where the guest has a value (an engaged optional, a non-empty
/// string, a non-default value), overwriting the new user's.
template <auto... Members>
struct copy_fields {
  static_assert(diag::checked<diag::unless_t<(sizeof...(Members) > 0), diag::copy_fields_without_members<copy_fields>>>());
  static constexpr detail::migrator_kind kind = detail::migrator_kind::copy_fields;
  using members = detail::value_list<Members...>;

  template <class Tx, class User>
  static std::size_t run(Tx&, const User& guest, User& target) {
    std::size_t copied = 0;
    (
        [&] {
          if (detail::has_value(guest.*Members)) {
            target.*Members = guest.*Members;
            ++copied;
          }
        }(),
        ...);
    return copied;
  }
};

/// A custom migrator: `F{}(ctx)` with an aa::link_context, inside the link transaction.
/// Throwing aborts the link (LINK_MIGRATION_FAILED, or the aa::error of an aa::error_exception).
template <class F>
struct on_link {
  static constexpr detail::migrator_kind kind = detail::migrator_kind::custom;
  using members = detail::value_list<>;
  using function_type = F;
};

/// The list of migrators run, in order, when a guest links to an account.
template <class... Migrators>
struct link_migrations {
  using migrators = detail::type_list<Migrators...>;
};

namespace detail {
template <class T>
concept migrator = requires {
  { T::kind } -> std::convertible_to<migrator_kind>;
  typename T::members;
};
}  // namespace detail

}  // namespace anonauth

// anonauth/diag/errors.hpp: every compile-time diagnostic of anonauth, in one place.
//
// A check is a consteval function that returns `diag::ok` or a `diag::` type whose template
// arguments are the culprits. `diag::report<D>()` instantiates the one static_assert of D, so the
// compiler's first error line carries the tag and the culprits (member pointers and row types
// print readably under GCC and Clang), and nothing else in the program is diagnosed after it.
// docs/errors.md explains each code and its fix.
#pragma once

#include <anonauth/detail/meta.hpp>

#include <cstddef>
#include <type_traits>

namespace anonauth {

/// Names of the user table's core fields, as types, so that diagnostics can show which one.
namespace core_field {
struct id {};
struct name {};
struct email {};
struct email_verified {};
struct image {};
struct is_anonymous {};
struct created_at {};
struct updated_at {};
}  // namespace core_field

namespace diag {

using detail::dependent_false_t;
using detail::dependent_false_v;

/// Wraps a member pointer so it can stand beside types among a diagnostic's culprits.
template <auto Member>
struct member {};

struct ok {
  static constexpr bool is_ok = true;
  static constexpr void fire() {}
};

struct failure {
  static constexpr bool is_ok = false;
};

// --- link migrations: E001-E007 ----------------------------------------------------------------
template <auto Member>
struct column_not_in_schema : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E001] this migrator names a member of a type that is no table of the schema: "
                  "add the table to aa::schema or name a column of one of its tables");
  }
};
template <auto Member>
struct not_a_user_reference : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E002] reassign/drop/leave names a column that is not a declared user reference: "
                  "declare it with aa::user_ref<&Row::member> in its aa::table, or migrate another column");
  }
};
template <auto Member, class Expected, class Actual>
struct user_reference_type_mismatch : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Expected, Actual>,
                  "[anonauth.E002] reassign/drop/leave names a column whose type is not the user id type");
  }
};
template <auto Member>
struct unhandled_user_reference : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E003] a user-reference column of the schema is handled by no migrator, so a guest's rows "
                  "would be orphaned on linking: add aa::reassign, aa::drop or aa::leave for it to aa::link_migrations");
  }
};
template <auto Member>
struct not_a_user_app_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E004] copy_if_empty/copy_fields names a member that is not an app field of the user "
                  "table (core fields such as email or is_anonymous are never copied)");
  }
};
template <auto Member>
struct duplicate_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E005] two migrators handle the same column: keep one of them");
  }
};
template <auto Member>
struct copy_if_empty_needs_text : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E006] copy_if_empty needs a std::string or std::optional<std::string> field: "
                  "use copy_fields for other types");
  }
};
template <class T>
struct not_a_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E007] an element of aa::link_migrations is not a migrator: use aa::reassign, aa::drop, "
                  "aa::leave, aa::copy_if_empty, aa::copy_fields or aa::on_link<F>");
  }
};

// --- schema: E010-E016 -------------------------------------------------------------------------
template <class User, class Field, class Expected>
struct missing_core_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<User, Field, Expected>,
                  "[anonauth.E010] the user table lacks a core field, or has it with another type: the user row "
                  "needs id, name, email (std::string), email_verified, is_anonymous (bool), image "
                  "(std::optional<std::string>), created_at, updated_at (aa::timestamp)");
  }
};
template <auto Member, class Row>
struct user_ref_not_in_row : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Row>,
                  "[anonauth.E011] aa::user_ref names a member that is not a described member of its table's row");
  }
};
template <auto Member, class Expected, class Actual>
struct user_ref_type_mismatch : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Expected, Actual>,
                  "[anonauth.E011] aa::user_ref names a member whose type is not the user id type (std::string)");
  }
};
template <class... Tables>
struct needs_one_user_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Tables...>,
                  "[anonauth.E012] aa::schema needs exactly one aa::user_table<Row>");
  }
};
template <class Row>
struct duplicate_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E012] two tables of aa::schema have the same row type or the same name");
  }
};
template <class T>
struct not_a_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E013] an argument of aa::schema is not a table: use aa::user_table<Row> or "
                  "aa::table<\"name\", Row, aa::user_ref<...>...>");
  }
};
template <class Row>
struct table_without_id : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E014] a table's row has no described member `id` of type std::string (its key)");
  }
};
template <class Row>
struct row_not_described : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E015] a table's row is not described to Boost.Hana: use BOOST_HANA_DEFINE_STRUCT "
                  "in the struct or BOOST_HANA_ADAPT_STRUCT beside it");
  }
};
template <auto Member>
struct server_set_not_an_app_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E016] aa::server_set names a member that is not an app field of the user table: "
                  "name the user row's own members, not its core fields (email, is_anonymous, ...), which follow "
                  "anonauth's own rules");
  }
};

// --- options and policies: E1xx ----------------------------------------------------------------
template <class T>
struct not_a_schema : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E100] the first argument of aa::anonymous_auth must be an aa::schema<...>");
  }
};
template <class T>
struct not_an_option : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E101] an argument of aa::anonymous_auth after the schema is not an option: wrap policies "
                  "in their option tag (aa::storage<S>, aa::email<E>, aa::naming<N>, aa::link<M>, "
                  "aa::password_hasher<H>, aa::clock<C>, aa::random<R>, aa::sessions<P>, aa::rate_limit<L>, "
                  "aa::audit<S>, aa::on_sign_up<M>, aa::keep_anonymous_user, aa::strict_linking); aa::server_set<...> "
                  "goes in aa::schema<...>, and aa::hashing_limits{...} is a constructor argument");
  }
};
template <class T>
struct duplicate_option : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E102] the same option is given twice to aa::anonymous_auth: keep one");
  }
};
template <class T>
struct not_a_storage_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E110] the type given to aa::storage<> does not model anonauth::storage_policy: "
                  "static_assert(anonauth::storage_policy<S>) makes the compiler name the missing function "
                  "(docs/writing-a-storage.md)");
  }
};
template <class T>
struct not_an_email_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E111] the type given to aa::email<> does not model anonauth::email_policy: it needs "
                  "std::string generate(ctx)");
  }
};
template <class T>
struct not_a_naming_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E112] the type given to aa::naming<> does not model anonauth::naming_policy: it needs "
                  "std::string generate(ctx)");
  }
};
template <class T>
struct not_link_migrations : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E113] the type given to aa::link<> is not an aa::link_migrations<...>");
  }
};
template <class T>
struct not_a_password_hasher : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E114] the type given to aa::password_hasher<> does not model "
                  "anonauth::password_hasher_policy: it needs hash(password) -> std::string and "
                  "verify(encoded, password) -> bool");
  }
};
template <unsigned long long OpsLimit, std::size_t MemLimit>
struct argon2id_cost_too_low : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<OpsLimit, MemLimit>,
                  "[anonauth.E120] aa::argon2id<OpsLimit, MemLimit> is below OWASP's minimum cost for Argon2id "
                  "(2 passes, 19 MiB = 19922944 bytes): use aa::argon2id<> (64 MiB, 2 passes), or in tests only "
                  "aa::argon2id<1, 8192, aa::insecure_test_cost>");
  }
};
template <class T>
struct not_a_clock : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E115] the type given to aa::clock<> does not model anonauth::clock_policy: it needs "
                  "now() -> aa::timestamp");
  }
};
template <class T>
struct not_a_random_source : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E116] the type given to aa::random<> does not model anonauth::random_policy: it needs "
                  "fill(std::span<std::uint8_t>)");
  }
};
template <class T>
struct not_a_session_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E118] the type given to aa::sessions<> does not model anonauth::session_policy: it needs "
                  "static constexpr lifetime > 0 and 0 <= update_age <= lifetime, convertible to std::chrono::seconds");
  }
};
template <class T>
struct not_a_rate_limit_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E119] the type given to aa::rate_limit<> does not model anonauth::rate_limit_policy: it "
                  "needs a default constructor and acquire(const aa::rate_limit_request&, aa::monotonic_time) -> "
                  "std::optional<std::chrono::milliseconds>");
  }
};
template <class T>
struct not_an_audit_sink : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E121] the type given to aa::audit<> does not model anonauth::audit_sink: it needs to be "
                  "move-constructible and callable with every event of anonauth/audit/events.hpp");
  }
};
template <class T>
struct not_a_sign_up_mode : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E122] aa::on_sign_up<> takes aa::create_and_migrate (the default) or "
                  "aa::promote_in_place");
  }
};
template <class T>
struct not_a_custom_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E117] the type given to aa::on_link<> is not default-constructible or not callable as "
                  "m(ctx) with an aa::link_context");
  }
};

// --- the HTTP layer (anonauth/http/) ------------------------------------------------------------

/// E140: a member of the user row whose type has no JSON form. Culprits: the member (Hana's
/// accessor type, which holds `&Row::member`), its type.
template <class Member, class Type>
struct not_json_mappable : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Member, Type>,
                  "[anonauth.E140] the HTTP layer cannot send or read this member of the user row as JSON: use "
                  "std::string, bool, an integer, a floating-point type, aa::timestamp or std::optional of one");
  }
};
template <class V>
struct not_an_id_token_verifier : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<V>,
                  "[anonauth.E141] the id-token verifier given to aa::http::handler does not model "
                  "aa::http::id_token_verifier: it needs `aa::result<aa::social_profile> verify(const "
                  "aa::http::id_token&) const`");
  }
};

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

}  // namespace diag

namespace detail {
using diag::first_failure_t;
}  // namespace detail
}  // namespace anonauth

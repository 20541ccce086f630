// anonauth/auth/check.hpp: the one validity gate of aa::anonymous_auth, and each policy's verdict.
//
// check_auth<Schema, Options...>() runs every compile-time check in a fixed order and returns
// diag::ok or the first failure; anonymous_auth reports that one failure and nothing else. The
// per-option verdicts (`*_accepted_v`) are shared with auth/resolved.hpp, which puts a default in
// place of just the option that failed, so the rest of a program (its constructor call, its
// tables) still compiles against what it wrote and adds no error of its own.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/migrate/check.hpp>
#include <anonauth/migrate/context.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/options.hpp>
#include <anonauth/policy/crypto.hpp>
#include <anonauth/policy/generation.hpp>
#include <anonauth/policy/rate_limit.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/memory.hpp>

#include <concepts>
#include <cstddef>
#include <type_traits>

namespace anonauth::detail {

/// The policy each option defaults to.
namespace defaults {
using storage = memory_storage;
using email = better_auth_email;
using naming = fixed_name<>;
using link = link_migrations<>;
using password_hasher = argon2id<>;
using clock = system_clock;
using random = sodium_random;
using sessions = better_auth_sessions;
using rate_limit = no_rate_limit;
using audit = no_audit;
using on_sign_up = create_and_migrate;
}  // namespace defaults

namespace fallback {
// The schema an auth whose own schema failed its check is built over.
using schema = anonauth::schema<user_table<probe::user>>;
}  // namespace fallback

template <class Storage, class Schema>
struct writer_of {
  using type = typename Storage::template backend<Schema>::writer;
};

// --- each option's verdict ----------------------------------------------------------------------
template <class S>
inline constexpr bool storage_accepted_v = storage_policy<S>;
template <class E>
inline constexpr bool email_accepted_v = email_policy<E> && std::default_initializable<E>;
template <class N>
inline constexpr bool naming_accepted_v = naming_policy<N> && std::default_initializable<N>;
template <class H>
inline constexpr bool hasher_accepted_v = password_hasher_policy<H> && std::default_initializable<H>;
template <class C>
inline constexpr bool clock_accepted_v = clock_policy<C> && std::default_initializable<C>;
template <class R>
inline constexpr bool random_accepted_v = random_policy<R> && std::default_initializable<R>;
template <class P>
inline constexpr bool sessions_accepted_v = session_policy<P>;
template <class RL>
inline constexpr bool rate_limit_accepted_v = rate_limit_policy<RL> && std::default_initializable<RL>;
template <class A>
inline constexpr bool audit_accepted_v = audit_sink<A> && std::move_constructible<A>;
template <class U>
inline constexpr bool sign_up_accepted_v = std::is_same_v<U, create_and_migrate> || std::is_same_v<U, promote_in_place>;

// argon2id's own static_assert guards direct use; inside anonymous_auth, E120 is checked first so
// that it is the only error.
template <class H>
inline constexpr bool argon2id_cost_too_low_v = false;
template <unsigned long long Ops, std::size_t Mem, class Floor>
inline constexpr bool argon2id_cost_too_low_v<argon2id<Ops, Mem, Floor>> =
    Ops < Floor::ops || Mem < Floor::mem || Ops < crypto_pwhash_OPSLIMIT_MIN || Mem < crypto_pwhash_MEMLIMIT_MIN;
template <class H>
struct argon2id_cost_diag {
  using type = diag::ok;
};
template <unsigned long long Ops, std::size_t Mem, class Floor>
struct argon2id_cost_diag<argon2id<Ops, Mem, Floor>> {
  using type = diag::argon2id_cost_too_low<Ops, Mem>;
};
template <class H>
using argon2id_cost_diag_t = typename argon2id_cost_diag<H>::type;

template <class Mig, class User, class Writer>
consteval auto check_custom_migrator() {
  if constexpr (Mig::kind != migrator_kind::custom) return diag::ok{};
  else {
    using f = typename Mig::function_type;
    if constexpr (std::default_initializable<f> && std::invocable<f&, link_context<User, Writer>&>) return diag::ok{};
    else return diag::not_a_custom_migrator<f>{};
  }
}

template <class User, class Writer, class... Migs>
consteval auto check_custom_migrators(link_migrations<Migs...>) {
  return first_failure_t<decltype(check_custom_migrator<Migs, User, Writer>())...>{};
}

/// The link migrations' checks (E001-E007, E113, E117), once the schema and the storage are good.
template <class Schema, class Storage, class L>
consteval auto check_link() {
  if constexpr (!is_specialization_v<L, link_migrations>) {
    return diag::not_link_migrations<L>{};
  } else {
    using link_result = migration_check_t<Schema, L>;
    if constexpr (!link_result::is_ok) return link_result{};
    else return decltype(check_custom_migrators<user_row_t<Schema>, typename writer_of<Storage, Schema>::type>(L{})){};
  }
}

/// Every compile-time check of an anonymous_auth, first failure wins: schema (E010-E018), options
/// (E100-E102), policies (E110-E122), link migrations (E001-E007, E113), custom migrators (E117).
template <class Schema, class... Options>
consteval auto check_auth() {
  using schema_result = schema_check_t<Schema>;
  if constexpr (!schema_result::is_ok) {
    return schema_result{};
  } else {
    using options_result = decltype(check_options<Options...>());
    using S = option_t<option_kind::storage, defaults::storage, Options...>;
    using E = option_t<option_kind::email, defaults::email, Options...>;
    using N = option_t<option_kind::naming, defaults::naming, Options...>;
    using L = option_t<option_kind::link, defaults::link, Options...>;
    using H = option_t<option_kind::password_hasher, defaults::password_hasher, Options...>;
    using C = option_t<option_kind::clock, defaults::clock, Options...>;
    using R = option_t<option_kind::random, defaults::random, Options...>;
    using P = option_t<option_kind::sessions, defaults::sessions, Options...>;
    using RL = option_t<option_kind::rate_limit, defaults::rate_limit, Options...>;
    using A = option_t<option_kind::audit, defaults::audit, Options...>;
    using U = option_t<option_kind::on_sign_up, defaults::on_sign_up, Options...>;
    if constexpr (!options_result::is_ok) return options_result{};
    else if constexpr (!storage_accepted_v<S>) return diag::not_a_storage_policy<S>{};
    else if constexpr (!email_accepted_v<E>) return diag::not_an_email_policy<E>{};
    else if constexpr (!naming_accepted_v<N>) return diag::not_a_naming_policy<N>{};
    else if constexpr (!is_specialization_v<L, link_migrations>) return diag::not_link_migrations<L>{};
    else if constexpr (argon2id_cost_too_low_v<H>) return argon2id_cost_diag_t<H>{};
    else if constexpr (!hasher_accepted_v<H>) return diag::not_a_password_hasher<H>{};
    else if constexpr (!clock_accepted_v<C>) return diag::not_a_clock<C>{};
    else if constexpr (!random_accepted_v<R>) return diag::not_a_random_source<R>{};
    else if constexpr (!sessions_accepted_v<P>) return diag::not_a_session_policy<P>{};
    else if constexpr (!rate_limit_accepted_v<RL>) return diag::not_a_rate_limit_policy<RL>{};
    else if constexpr (!audit_accepted_v<A>) return diag::not_an_audit_sink<A>{};
    else if constexpr (!sign_up_accepted_v<U>) return diag::not_a_sign_up_mode<U>{};
    else return check_link<Schema, S, L>();
  }
}

}  // namespace anonauth::detail

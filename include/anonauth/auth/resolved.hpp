// anonauth/auth/resolved.hpp: the options of an aa::anonymous_auth, resolved to its types and
// constants once, for the host and for every operation.
//
// `valid` is the one validity gate: it reports the first failed check (auth/check.hpp). A failed
// check stops there: only the option that failed is replaced by its default (a schema that failed
// by a stand-in), so the program's constructor call, its tables and its other policies still
// compile as written and the tagged error is the only one.
#pragma once

#include <anonauth/auth/check.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/policy/hashing.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace anonauth::detail {

/// Given if it passed its check, else Default.
template <bool Accepted, class Given, class Default>
using accepted_or_t = std::conditional_t<Accepted, Given, Default>;

/// The link migrations as given if they pass their checks over a good schema and storage.
template <bool SchemaOk, class Schema, class Storage, class L>
struct accepted_link {
  using type = defaults::link;
};
template <class Schema, class Storage, class L>
struct accepted_link<true, Schema, Storage, L> {
  using type = accepted_or_t<decltype(check_link<Schema, Storage, L>())::is_ok, L, defaults::link>;
};

/// The user row a program's schema names (its first user table's), whether or not the schema
/// passed its checks; Fallback when it names none.
template <class Schema, class Fallback>
struct program_user_row {
  using type = Fallback;
};
template <class Schema, class Fallback>
  requires is_schema_v<Schema> && (!std::is_void_v<typename Schema::user_table_desc>)
struct program_user_row<Schema, Fallback> {
  using type = typename Schema::user_table_desc::row_type;
};

template <class Schema, class... Options>
struct resolved_auth {
  /// Whether every check passed; false after the one tagged error has been reported.
  static constexpr bool valid = diag::report<decltype(check_auth<Schema, Options...>())>();
  /// Whether the schema passed its own checks (a stand-in is used otherwise).
  static constexpr bool schema_valid = schema_check_t<Schema>::is_ok;

  template <option_kind Kind, class Default>
  using given_t = option_t<Kind, Default, Options...>;

  using schema_type = accepted_or_t<schema_valid, Schema, fallback::schema>;
  using user_type = user_row_t<schema_type>;
  /// The user row the host's signatures name: the program's own even when its schema failed
  /// (a wrong core field's type, say), so that the program's calls, written against it, add
  /// no error to the tagged one. Operations then run over the stand-in and are never called.
  using program_user_type = typename program_user_row<Schema, user_type>::type;

  using storage_type = accepted_or_t<storage_accepted_v<given_t<option_kind::storage, defaults::storage>>,
                                     given_t<option_kind::storage, defaults::storage>, defaults::storage>;
  using backend_type = typename storage_type::template backend<schema_type>;
  using writer_type = typename backend_type::writer;
  using storage_config = typename storage_type::config;
  using email_type = accepted_or_t<email_accepted_v<given_t<option_kind::email, defaults::email>>,
                                   given_t<option_kind::email, defaults::email>, defaults::email>;
  using naming_type = accepted_or_t<naming_accepted_v<given_t<option_kind::naming, defaults::naming>>,
                                    given_t<option_kind::naming, defaults::naming>, defaults::naming>;
  using link_type =
      typename accepted_link<schema_valid, Schema, storage_type, given_t<option_kind::link, defaults::link>>::type;
  using hasher_type =
      accepted_or_t<hasher_accepted_v<given_t<option_kind::password_hasher, defaults::password_hasher>> &&
                        !argon2id_cost_too_low_v<given_t<option_kind::password_hasher, defaults::password_hasher>>,
                    given_t<option_kind::password_hasher, defaults::password_hasher>, defaults::password_hasher>;
  using clock_type = accepted_or_t<clock_accepted_v<given_t<option_kind::clock, defaults::clock>>,
                                   given_t<option_kind::clock, defaults::clock>, defaults::clock>;
  using random_type = accepted_or_t<random_accepted_v<given_t<option_kind::random, defaults::random>>,
                                    given_t<option_kind::random, defaults::random>, defaults::random>;
  using sessions_type = accepted_or_t<sessions_accepted_v<given_t<option_kind::sessions, defaults::sessions>>,
                                      given_t<option_kind::sessions, defaults::sessions>, defaults::sessions>;
  using rate_limit_type =
      accepted_or_t<rate_limit_accepted_v<given_t<option_kind::rate_limit, defaults::rate_limit>>,
                    given_t<option_kind::rate_limit, defaults::rate_limit>, defaults::rate_limit>;
  using audit_type = accepted_or_t<audit_accepted_v<given_t<option_kind::audit, defaults::audit>>,
                                   given_t<option_kind::audit, defaults::audit>, defaults::audit>;
  using sign_up_type = accepted_or_t<sign_up_accepted_v<given_t<option_kind::on_sign_up, defaults::on_sign_up>>,
                                     given_t<option_kind::on_sign_up, defaults::on_sign_up>, defaults::on_sign_up>;

  static constexpr bool promotes_in_place = std::is_same_v<sign_up_type, promote_in_place>;
  static constexpr bool audited = !std::is_same_v<audit_type, no_audit>;
  static constexpr bool rate_limited = !std::is_same_v<rate_limit_type, no_rate_limit>;
  static constexpr bool links_only_when_asked = has_option_v<option_kind::strict_linking, Options...>;
  static constexpr bool keeps_anonymous_user = has_option_v<option_kind::keep_anonymous_user, Options...>;
  static constexpr bool can_rehash =
      requires(const hasher_type& h, std::string_view s) {
        { h.needs_rehash(s) } -> std::convertible_to<bool>;
      } && requires(writer_type& w, const std::string& s, timestamp t) {
        { w.update_password_hash(s, s, t) } -> std::convertible_to<bool>;
      };

  static constexpr std::chrono::seconds session_lifetime{sessions_type::lifetime};
  static constexpr std::chrono::seconds session_update_age{sessions_type::update_age};
  static constexpr std::chrono::seconds session_short_lifetime = short_lifetime_of<sessions_type>();
  static constexpr std::chrono::seconds session_fresh_age = fresh_age_of<sessions_type>();
  static constexpr std::chrono::seconds session_absolute_lifetime = absolute_lifetime_of<sessions_type>();

  static constexpr std::size_t migrator_count = list_size<typename link_type::migrators>::value;
};

}  // namespace anonauth::detail

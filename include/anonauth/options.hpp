// anonauth/options.hpp: the option tags of aa::anonymous_auth, accepted in any order.
//
//   aa::anonymous_auth<app_schema,
//       aa::storage<aa::memory_storage>,               // default
//       aa::email<aa::domain_email<"guest.app.com">>,  // default aa::better_auth_email
//       aa::naming<aa::random_name<"Guest-", 8>>,      // default aa::fixed_name<"Anonymous">
//       aa::link<on_link>,                             // default aa::link_migrations<>
//       aa::password_hasher<aa::argon2id<>>,           // default
//       aa::clock<aa::system_clock>,                   // default
//       aa::random<aa::sodium_random>,                 // default
//       aa::sessions<aa::better_auth_sessions>,        // default: 7 days, extended daily on use
//       aa::rate_limit<aa::credential_limits>,         // default aa::no_rate_limit
//       aa::audit<aa::json_lines_file>,                // default aa::no_audit
//       aa::on_sign_up<aa::promote_in_place>,          // default aa::create_and_migrate
//       aa::keep_anonymous_user,                       // Better Auth's disableDeleteAnonymousUser
//       aa::strict_linking>                            // link only when the sign-in asks
//
// An argument that is not an option is E101, an option given twice E102, a policy that does not
// model its concept E110-E122.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/policy/crypto.hpp>
#include <anonauth/policy/generation.hpp>
#include <anonauth/policy/rate_limit.hpp>
#include <anonauth/policy/storage.hpp>

#include <type_traits>

namespace anonauth {

class memory_storage;

namespace detail {
enum class option_kind {
  storage, email, naming, link, password_hasher, clock, random, sessions, rate_limit, audit, on_sign_up,
  keep_anonymous_user, strict_linking
};

template <option_kind Kind, class Policy>
struct option_base {
  static constexpr option_kind kind = Kind;
  using type = Policy;
};
}  // namespace detail

template <class S>
struct storage : detail::option_base<detail::option_kind::storage, S> {};
template <class E>
struct email : detail::option_base<detail::option_kind::email, E> {};
template <class N>
struct naming : detail::option_base<detail::option_kind::naming, N> {};
template <class M>
struct link : detail::option_base<detail::option_kind::link, M> {};
template <class H>
struct password_hasher : detail::option_base<detail::option_kind::password_hasher, H> {};
template <class C>
struct clock : detail::option_base<detail::option_kind::clock, C> {};
template <class R>
struct random : detail::option_base<detail::option_kind::random, R> {};
template <class P>
struct sessions : detail::option_base<detail::option_kind::sessions, P> {};
/// Limits the credential operations (anonymous, email and social sign-in, email sign-up), e.g.
/// aa::credential_limits (Better Auth's production limits) or aa::per_ip<10, std::chrono::minutes>;
/// refusals are TOO_MANY_REQUESTS (429) with error::retry_after(), before any hash is computed.
template <class P>
struct rate_limit : detail::option_base<detail::option_kind::rate_limit, P> {};
/// Reports guest lifecycle events (anonauth/audit/events.hpp) to a sink, e.g. aa::json_lines_file.
template <class S>
struct audit : detail::option_base<detail::option_kind::audit, S> {};
/// What signing up (by email, or a first social sign-in) does to the guest making it.
template <class M>
struct on_sign_up : detail::option_base<detail::option_kind::on_sign_up, M> {};
/// Better Auth's behaviour: a new user is created, the link migrations move the guest's data to
/// it, and the guest is deleted.
struct create_and_migrate {};
/// The guest's own row becomes the real user (same id, is_anonymous false, the email, name and
/// credential given): nothing needs moving. Signing in to an existing account still migrates.
struct promote_in_place {};
/// Keep the guest after linking, and refuse delete-anonymous-user (DELETE_ANONYMOUS_USER_DISABLED).
struct keep_anonymous_user : detail::option_base<detail::option_kind::keep_anonymous_user, void> {};

/// A sign-in links the guest whose session it carries only when the request asks for it
/// (request_context::link_guest; over HTTP, `"linkGuest": true` in the body). Without it, a
/// session alone links (Better Auth's rule): a guest cookie planted on someone's browser would
/// move its rows and fields into their account at their next sign-in. See docs/security.md.
struct strict_linking : detail::option_base<detail::option_kind::strict_linking, void> {};

namespace detail {

template <class T>
concept option = requires {
  { T::kind } -> std::convertible_to<option_kind>;
  typename T::type;
} && std::is_base_of_v<option_base<T::kind, typename T::type>, T>;

template <class T>
struct kind_of {
  static constexpr int value = -1;
};
template <option T>
struct kind_of<T> {
  static constexpr int value = static_cast<int>(T::kind);
};

/// The policy given for Kind, or Default.
template <option_kind Kind, class Default, class... Options>
struct select_option {
  using type = Default;
};
template <option_kind Kind, class Default, class First, class... Rest>
struct select_option<Kind, Default, First, Rest...> {
  using type = std::conditional_t<kind_of<First>::value == static_cast<int>(Kind), First,
                                  typename select_option<Kind, Default, Rest...>::type>;
};

template <option_kind Kind, class Default, class... Options>
using option_t = typename select_option<Kind, option_base<Kind, Default>, Options...>::type::type;

template <option_kind Kind, class... Options>
inline constexpr bool has_option_v = ((kind_of<Options>::value == static_cast<int>(Kind)) || ...);

template <class Opt, class... Options>
inline constexpr int same_kind_count_v = (0 + ... + (kind_of<Options>::value == kind_of<Opt>::value ? 1 : 0));

template <class... Options>
consteval auto check_options() {
  using not_option = first_failure_t<std::conditional_t<option<Options>, diag::ok, diag::not_an_option<Options>>...>;
  if constexpr (!not_option::is_ok) {
    return not_option{};
  } else {
    return first_failure_t<std::conditional_t<(same_kind_count_v<Options, Options...> > 1),
                                              diag::duplicate_option<Options>, diag::ok>...>{};
  }
}

}  // namespace detail
}  // namespace anonauth

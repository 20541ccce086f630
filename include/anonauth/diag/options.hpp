// anonauth/diag/options.hpp: diagnostics of aa::anonymous_auth's arguments, E100-E103.
//
// E100-E102 are checked in its class body, E103 by its constructor; docs/errors.md explains
// each code.
#pragma once

#include <anonauth/diag/report.hpp>

namespace anonauth::diag {

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
struct constructor_argument_not_a_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E103] a constructor argument is none of this auth's policy types: pass a configured "
                  "policy object of the type its option names (a limiter's config goes in it: "
                  "aa::credential_limits{config}), or aa::hashing_limits{...}");
  }
};

}  // namespace anonauth::diag

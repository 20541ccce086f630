// anonauth/diag/http.hpp: diagnostics of the HTTP layer (anonauth/http/), E140-E149.
//
// Checked once by aa::http::handler's class body (E141, then E140); docs/errors.md explains each
// code.
#pragma once

#include <anonauth/diag/report.hpp>

namespace anonauth::diag {

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

}  // namespace anonauth::diag

// anonauth/policy/email.hpp: the concept of an email policy, the synthetic address of a guest.
//
// A policy is a type with `std::string generate(Ctx& ctx)` (a template member is fine):
//
//   struct short_code_email {
//     std::string generate(aa::generation_context& ctx) const {
//       return "guest-" + ctx.random_string(20, "abcdefghijklmnopqrstuvwxyz0123456789") + "@example.com";
//     }
//   };
//
// Emails are compared lower-cased and stored so: draw an address's random part from lower-case
// characters, or the upper-case ones fold onto them and the randomness is less than it looks.
// A custom email policy's result is validated like Better Auth's `z.email()` and refused with
// INVALID_EMAIL_FORMAT (400); an empty result falls back to the default `temp@<id>.com`.
// Policies that declare `static constexpr bool trusted_format = true` (the built-in ones) skip
// the check. An empty name falls back to "Anonymous".
//
// The built-in models are in generation/email.hpp.
#pragma once

#include <anonauth/policy/generation_context.hpp>

#include <concepts>
#include <string>

namespace anonauth {

template <class E>
concept email_policy = requires(E& e, generation_context& ctx) {
  { e.generate(ctx) } -> std::convertible_to<std::string>;
};

namespace detail {
template <class E>
inline constexpr bool trusted_format_v = requires { requires E::trusted_format; };
}  // namespace detail

}  // namespace anonauth

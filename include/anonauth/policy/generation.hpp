// anonauth/policy/generation.hpp: email and naming policies, and the context they receive.
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
#pragma once

#include <anonauth/core/fixed_string.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/crypto/sodium.hpp>

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace anonauth {

/// What email and naming policies get: randomness and the request being served.
class generation_context {
 public:
  template <class Random>
  generation_context(Random& random, const request_context& request)
      : source_(&random),
        fill_([](void* src, std::span<std::uint8_t> out) { static_cast<Random*>(src)->fill(out); }),
        request_(&request) {}

  /// `n` characters of [a-zA-Z0-9] from the auth's random source, without modulo bias.
  [[nodiscard]] std::string random_alphanumeric(std::size_t n) { return random_string(n, crypto::alphanumeric_alphabet); }
  /// `n` characters drawn from `alphabet` (at most 256 symbols).
  [[nodiscard]] std::string random_string(std::size_t n, std::string_view alphabet) {
    return crypto::random_string(*this, n, alphabet);
  }
  void fill(std::span<std::uint8_t> out) { fill_(source_, out); }

  [[nodiscard]] const request_context& request() const noexcept { return *request_; }

 private:
  void* source_;
  void (*fill_)(void*, std::span<std::uint8_t>);
  const request_context* request_;
};

template <class E>
concept email_policy = requires(E& e, generation_context& ctx) {
  { e.generate(ctx) } -> std::convertible_to<std::string>;
};

template <class N>
concept naming_policy = requires(N& n, generation_context& ctx) {
  { n.generate(ctx) } -> std::convertible_to<std::string>;
};

// --- email models ------------------------------------------------------------------------------

/// Better Auth's default: `temp@<32 random alphanumerics>.com` (stored lower-cased).
struct better_auth_email {
  static constexpr bool trusted_format = true;
  std::string generate(generation_context& ctx) const { return "temp@" + ctx.random_alphanumeric(32) + ".com"; }
};

/// Better Auth's `emailDomainName`: `temp-<32 random alphanumerics>@<Domain>`.
template <fixed_string Domain>
struct domain_email {
  static constexpr bool trusted_format = true;
  std::string generate(generation_context& ctx) const {
    return "temp-" + ctx.random_alphanumeric(32) + "@" + std::string(Domain.view());
  }
};

/// The same with a domain chosen at run time (from configuration); its result is validated.
struct runtime_domain_email {
  std::string domain;
  std::string generate(generation_context& ctx) const { return "temp-" + ctx.random_alphanumeric(32) + "@" + domain; }
};

// --- naming models -----------------------------------------------------------------------------

/// The name of a guest whose naming policy gave none (Better Auth's default).
inline constexpr fixed_string default_guest_name = "Anonymous";

/// Every guest gets the same name (Better Auth's default, "Anonymous").
template <fixed_string Name = default_guest_name>
struct fixed_name {
  std::string generate(generation_context&) const { return std::string(Name.view()); }
};

/// `Prefix` followed by `Length` random characters of [0-9a-z], e.g. "Guest-k3v9q0xa".
template <fixed_string Prefix = "Guest-", std::size_t Length = 8>
struct random_name {
  std::string generate(generation_context& ctx) const {
    return std::string(Prefix.view()) + ctx.random_string(Length, crypto::lower_alphanumeric_alphabet);
  }
};

namespace detail {
template <class E>
inline constexpr bool trusted_format_v = requires { requires E::trusted_format; };
}  // namespace detail

}  // namespace anonauth

// anonauth/generation/naming.hpp: the built-in naming policies (models of
// anonauth::naming_policy, policy/naming.hpp).
#pragma once

#include <anonauth/core/fixed_string.hpp>
#include <anonauth/crypto/primitives.hpp>
#include <anonauth/policy/generation_context.hpp>

#include <cstddef>
#include <string>

namespace anonauth {

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

}  // namespace anonauth

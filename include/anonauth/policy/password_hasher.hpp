// anonauth/policy/password_hasher.hpp: the concept of a password hasher policy.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
// The built-in model, aa::argon2id, is in crypto/argon2id.hpp.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace anonauth {

/// Hashes passwords for storage and checks them. The default is aa::argon2id<> (libsodium).
/// `verify` must take time independent of where the password differs.
template <class H>
concept password_hasher_policy = requires(const H& h, std::string_view s) {
  { h.hash(s) } -> std::convertible_to<std::string>;
  { h.verify(s, s) } -> std::convertible_to<bool>;
};

}  // namespace anonauth

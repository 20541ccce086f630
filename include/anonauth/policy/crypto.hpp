// anonauth/policy/crypto.hpp: concepts of the password hasher, clock and random source policies.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
#pragma once

#include <anonauth/core/time.hpp>

#include <concepts>
#include <cstdint>
#include <span>
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

/// Tells the time. The default is aa::system_clock; tests inject a manual clock.
template <class C>
concept clock_policy = requires(const C& c) {
  { c.now() } -> std::same_as<timestamp>;
};

/// Fills bytes with randomness for ids, tokens and generated names. The default is libsodium's
/// CSPRNG (aa::sodium_random); session tokens are only as good as this source. `fill` is called
/// from many request threads at once: a stateful source must synchronise itself.
template <class R>
concept random_policy = requires(R& r, std::span<std::uint8_t> bytes) {
  { r.fill(bytes) };
};

}  // namespace anonauth

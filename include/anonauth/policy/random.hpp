// anonauth/policy/random.hpp: the concept of a random source policy.
//
// Every policy of aa::anonymous_auth is default-constructible (a configured instance may replace
// the default one through the constructor) and is called concurrently by request threads.
// The built-in model, aa::sodium_random, is in crypto/sodium_random.hpp.
#pragma once

#include <cstdint>
#include <span>

namespace anonauth {

/// Fills bytes with randomness for ids, tokens and generated names. The default is libsodium's
/// CSPRNG (aa::sodium_random); session tokens are only as good as this source. `fill` is called
/// from many request threads at once: a stateful source must synchronise itself.
template <class R>
concept random_policy = requires(R& r, std::span<std::uint8_t> bytes) {
  { r.fill(bytes) };
};

}  // namespace anonauth

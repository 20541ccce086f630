// anonauth/policy/generation_context.hpp: what email and naming policies receive
// (policy/email.hpp, policy/naming.hpp).
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/crypto/primitives.hpp>

#include <cstddef>
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

}  // namespace anonauth

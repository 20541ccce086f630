// anonauth/policy/naming.hpp: the concept of a naming policy, the display name of a guest.
//
// A policy is a type with `std::string generate(Ctx& ctx)` (a template member is fine), `ctx` an
// aa::generation_context (policy/generation_context.hpp). An empty name falls back to
// "Anonymous". The built-in models are in generation/naming.hpp.
#pragma once

#include <anonauth/policy/generation_context.hpp>

#include <concepts>
#include <string>

namespace anonauth {

template <class N>
concept naming_policy = requires(N& n, generation_context& ctx) {
  { n.generate(ctx) } -> std::convertible_to<std::string>;
};

}  // namespace anonauth

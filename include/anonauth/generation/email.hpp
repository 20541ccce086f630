// anonauth/generation/email.hpp: the built-in email policies (models of anonauth::email_policy,
// policy/email.hpp). This folder holds the models of the generation policies, email and
// naming; their concepts stay in policy/.
#pragma once

#include <anonauth/core/fixed_string.hpp>
#include <anonauth/policy/generation_context.hpp>

#include <string>

namespace anonauth {

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

}  // namespace anonauth

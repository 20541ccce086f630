// anonauth/rate_limit/request.hpp: one request, as a rate limiter sees it. This folder holds the built-in rate limiters (models of
// anonauth::rate_limit_policy, policy/rate_limit.hpp) and the token buckets they share; the
// concept stays in policy/.
#pragma once

#include <anonauth/core/types.hpp>

#include <string_view>

namespace anonauth {

// credential_operation and its to_string are in core/types.hpp: audit events name them too.

/// One request, as a rate limiter sees it.
struct rate_limit_request {
  credential_operation operation = credential_operation::anonymous_sign_in;
  std::string_view ip_address;  // request_context::ip_address as given (the socket's, or the trusted proxy header's)
  std::string_view email;       // lower-cased; email sign-in and sign-up only, empty otherwise
};

}  // namespace anonauth

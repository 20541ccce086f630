// anonauth/operations/input.hpp: the rules every operation applies to what a request brings
// before it touches storage: the email, the password, the request's own text, the token.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace anonauth::operations {

/// INVALID_EMAIL for an address no user can have: too long, or not an email.
inline std::optional<error> email_refusal(std::string_view email) {
  if (email.size() > limits::max_email || !is_valid_email(email)) return error(errors::invalid_email);
  return std::nullopt;
}

/// What a session stores of the request is stored as given, so it follows the text rules.
inline std::optional<error> request_refusal(const request_context& request) {
  if (auto refusal = detail::text_refusal(request.ip_address, "ip_address", limits::max_ip_address)) return refusal;
  return detail::text_refusal(request.user_agent, "user_agent", limits::max_user_agent);
}

/// A password is hashed, never stored or shown: any character may be in it but NUL (which C
/// APIs would cut it at) and invalid UTF-8 (which no client can have typed).
inline std::optional<error> password_refusal(std::string_view password) {
  return detail::text_refusal(password, "password", std::string_view::npos, true);
}

/// Whether `token` could be a session token at all; hashing megabytes of one is not.
inline bool plausible_token(std::string_view token) { return !token.empty() && token.size() <= limits::max_token; }

/// The hash of the session token the request carries, if it carries a plausible one.
inline std::optional<token_hash> request_hash(const request_context& request) {
  if (!request.session_token || !plausible_token(*request.session_token)) return std::nullopt;
  return crypto::hash_token(*request.session_token);
}

}  // namespace anonauth::operations

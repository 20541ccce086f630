// anonauth/http/errors.hpp: the refusals of the HTTP layer itself, beside the operations' own
// (anonauth/core/error.hpp). Codes, messages and statuses are Better Auth's where it has them.
#pragma once

#include <anonauth/core/error.hpp>

namespace anonauth::http::errors {

using anonauth::error_code;

// Better Auth's origin and CSRF checks
inline constexpr error_code missing_or_null_origin{"MISSING_OR_NULL_ORIGIN", "Missing or null Origin", 403};
inline constexpr error_code invalid_origin{"INVALID_ORIGIN", "Invalid origin", 403};
inline constexpr error_code invalid_callback_url{"INVALID_CALLBACK_URL", "Invalid callbackURL", 403};
inline constexpr error_code invalid_redirect_url{"INVALID_REDIRECT_URL", "Invalid redirectURL", 403};
inline constexpr error_code invalid_error_callback_url{"INVALID_ERROR_CALLBACK_URL", "Invalid errorCallbackURL", 403};
inline constexpr error_code invalid_new_user_callback_url{"INVALID_NEW_USER_CALLBACK_URL",
                                                          "Invalid newUserCallbackURL", 403};
inline constexpr error_code cross_site_navigation_login_blocked{
    "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
    "Cross-site navigation login blocked. This request appears to be a CSRF attack.", 403};

// Better Auth's router and body parser
inline constexpr error_code invalid_json{"BAD_REQUEST", "Invalid JSON in request body", 400};
inline constexpr error_code validation_error{"VALIDATION_ERROR", "Validation Error", 400};
inline constexpr error_code method_not_allowed_defer_session_required{
    "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED", "POST method requires deferSessionRefresh to be enabled in session config",
    405};

// anonauth: refusals Better Auth has no equivalent for (it has no such limits)
inline constexpr error_code payload_too_large{"PAYLOAD_TOO_LARGE", "Request body is too large", 413};
inline constexpr error_code header_fields_too_large{"REQUEST_HEADER_FIELDS_TOO_LARGE", "Request headers are too large", 431};
inline constexpr error_code malformed_request{"BAD_REQUEST", "Malformed HTTP request", 400};
inline constexpr error_code duplicate_key{"BAD_REQUEST", "Invalid JSON in request body: a key appears twice", 400};
inline constexpr error_code json_too_deep{"BAD_REQUEST", "Invalid JSON in request body: nested too deeply", 400};
inline constexpr error_code id_token_required{
    "ID_TOKEN_REQUIRED", "This server signs in with a provider's id token (idToken); the redirect flow is not available", 400};
inline constexpr error_code internal_server_error{"INTERNAL_SERVER_ERROR", "Internal Server Error", 500};

}  // namespace anonauth::http::errors

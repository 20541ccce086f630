// anonauth/core/error.hpp: errors as values, with Better Auth's codes, messages and statuses.
//
// Every refusal an operation can answer is listed here once, spelled as Better Auth spells it,
// so an HTTP layer can send `{"code": ..., "message": ...}` with `status()` unchanged.
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth {

/// One kind of refusal: its code, message and HTTP status.
struct error_code {
  std::string_view code;
  std::string_view message;
  int status;
};

/// An error returned by an operation.
class error {
 public:
  error(const error_code& kind) : code_(kind.code), message_(kind.message), status_(kind.status) {}  // NOLINT: implicit by design
  error(std::string code, std::string message, int status)
      : code_(std::move(code)), message_(std::move(message)), status_(status) {}

  [[nodiscard]] std::string_view code() const noexcept { return code_; }
  [[nodiscard]] std::string_view message() const noexcept { return message_; }
  [[nodiscard]] int status() const noexcept { return status_; }

  /// For TOO_MANY_REQUESTS: how long until a retry can succeed, whole seconds rounded up (the
  /// value of a Retry-After header).
  [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const noexcept { return retry_after_; }
  [[nodiscard]] error with_retry_after(std::chrono::seconds wait) && {
    retry_after_ = wait;
    return std::move(*this);
  }

  [[nodiscard]] bool is(const error_code& kind) const noexcept { return code_ == kind.code; }
  friend bool operator==(const error& e, const error_code& kind) noexcept { return e.is(kind); }

  friend std::ostream& operator<<(std::ostream& os, const error& e) {
    return os << e.status_ << ' ' << e.code_ << ": " << e.message_;
  }

 private:
  std::string code_;
  std::string message_;
  int status_;
  std::optional<std::chrono::seconds> retry_after_;
};

/// Thrown by `result::value()` on an error, and thrown by a custom migrator to answer with a
/// specific error instead of LINK_MIGRATION_FAILED (the link is rolled back either way).
class error_exception : public std::exception {
 public:
  explicit error_exception(anonauth::error e) : error_(std::move(e)), what_(to_string(error_)) {}
  [[nodiscard]] const anonauth::error& error() const noexcept { return error_; }
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

 private:
  static std::string to_string(const anonauth::error& e) {
    return std::string(e.code()) + ": " + std::string(e.message());
  }
  anonauth::error error_;
  std::string what_;
};

/// A storage failure: a broken constraint (a duplicate key), an I/O error, a lost connection.
/// Storages throw it (docs/writing-a-storage.md); an operation that returns aa::result answers
/// it with its own error code, after the transaction rolled back.
class storage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
/// Inside a catch block: whether the exception in flight is a storage failure, which an
/// operation answers with its error code. That is an aa::storage_error, or any other
/// std::exception a storage lets through (a driver's own); not an aa::error_exception (an
/// operation's answer), nor a std::logic_error (a programming error, such as calling back into
/// the auth from inside its transaction), nor anything that is no std::exception.
inline bool is_storage_failure() noexcept {
  try {
    throw;
  } catch (const error_exception&) {
    return false;
  } catch (const std::logic_error&) {
    return false;
  } catch (const std::exception&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace detail

/// The catalogue. Codes and messages are Better Auth's (anonymous plugin and core), except
/// those marked "anonauth", which Better Auth has no equivalent for.
namespace errors {
// anonymous plugin
inline constexpr error_code invalid_email_format{"INVALID_EMAIL_FORMAT", "Email was not generated in a valid format", 400};
inline constexpr error_code failed_to_create_user{"FAILED_TO_CREATE_USER", "Failed to create user", 500};
inline constexpr error_code could_not_create_session{"COULD_NOT_CREATE_SESSION", "Could not create session", 400};
inline constexpr error_code anonymous_users_cannot_sign_in_again_anonymously{
    "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY", "Anonymous users cannot sign in again anonymously", 400};
inline constexpr error_code failed_to_delete_anonymous_user{"FAILED_TO_DELETE_ANONYMOUS_USER", "Failed to delete anonymous user", 500};
inline constexpr error_code failed_to_delete_anonymous_user_sessions{
    "FAILED_TO_DELETE_ANONYMOUS_USER_SESSIONS", "Failed to delete anonymous user sessions", 500};
inline constexpr error_code user_is_not_anonymous{"USER_IS_NOT_ANONYMOUS", "User is not anonymous", 403};
inline constexpr error_code delete_anonymous_user_disabled{"DELETE_ANONYMOUS_USER_DISABLED", "Deleting anonymous users is disabled", 400};
// core
inline constexpr error_code unauthorized{"UNAUTHORIZED", "Unauthorized", 401};
inline constexpr error_code invalid_email{"INVALID_EMAIL", "Invalid email", 400};
inline constexpr error_code invalid_email_or_password{"INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401};
inline constexpr error_code password_too_short{"PASSWORD_TOO_SHORT", "Password too short", 400};
inline constexpr error_code password_too_long{"PASSWORD_TOO_LONG", "Password too long", 400};
inline constexpr error_code user_already_exists_use_another_email{
    "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422};
inline constexpr error_code email_can_not_be_updated{"EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated", 400};
inline constexpr error_code field_not_allowed{"FIELD_NOT_ALLOWED", "Field not allowed to be set", 400};
inline constexpr error_code failed_to_update_user{"FAILED_TO_UPDATE_USER", "Failed to update user", 500};
/// Better Auth answers FAILED_TO_CREATE_SESSION with 401 on /sign-in/email.
inline constexpr error_code failed_to_create_session_on_sign_in{"FAILED_TO_CREATE_SESSION", "Failed to create session", 401};
/// Social sign-in whose email belongs to a user that cannot be linked implicitly (the provider
/// did not verify the email): Better Auth's id-token flow answers this code and message.
inline constexpr error_code account_not_linked{"OAUTH_LINK_ERROR", "account not linked", 401};
/// A storage failure while reading or ending sessions (Better Auth's FAILED_TO_GET_SESSION).
inline constexpr error_code failed_to_get_session{"FAILED_TO_GET_SESSION", "Failed to get session", 500};
/// list_sessions on a session created longer ago than the session policy's fresh_age.
inline constexpr error_code session_not_fresh{"SESSION_NOT_FRESH", "Session is not fresh", 403};
/// Better Auth answers "No fields to update" with no code; anonauth gives it one.
inline constexpr error_code no_fields_to_update{"NO_FIELDS_TO_UPDATE", "No fields to update", 400};
// social sign-in with an id token (Better Auth's codes for what a verifier answers)
inline constexpr error_code provider_not_found{"PROVIDER_NOT_FOUND", "Provider not found", 404};
inline constexpr error_code id_token_not_supported{"ID_TOKEN_NOT_SUPPORTED", "id_token not supported", 404};
inline constexpr error_code invalid_token{"INVALID_TOKEN", "Invalid token", 401};
inline constexpr error_code failed_to_get_user_info{"FAILED_TO_GET_USER_INFO", "Failed to get user info", 401};
inline constexpr error_code user_email_not_found{"USER_EMAIL_NOT_FOUND", "User email not found", 401};
// anonauth
inline constexpr error_code link_migration_failed{"LINK_MIGRATION_FAILED", "Linking the anonymous user failed; nothing was changed", 500};
inline constexpr error_code invalid_name{"INVALID_NAME", "Name must be 1 to 256 characters", 400};
/// Text from outside that breaks the rules of core/validate.hpp (too long, NUL, invalid UTF-8,
/// control characters); the message names the field and the fault.
inline constexpr error_code invalid_input{"INVALID_INPUT", "Invalid input", 400};
/// Refused by aa::rate_limit; error::retry_after() tells when to retry. Better Auth's rate
/// limiter answers 429 with this message.
inline constexpr error_code too_many_requests{"TOO_MANY_REQUESTS", "Too many requests. Please try again later.", 429};
/// More password hashes or checks are in flight than aa::hashing_limits allows, and none ended
/// within its wait: nothing was done; error::retry_after() tells when to retry.
/// update_user_by_id with an id no user has (Better Auth's USER_NOT_FOUND).
inline constexpr error_code user_not_found{"USER_NOT_FOUND", "User not found", 404};
inline constexpr error_code server_busy{"SERVER_BUSY", "Too many sign-ins are in progress. Please try again shortly.", 503};
inline constexpr error_code invalid_social_profile{"INVALID_SOCIAL_PROFILE", "Social profile needs a provider id, an account id and a valid email", 400};
}  // namespace errors

}  // namespace anonauth

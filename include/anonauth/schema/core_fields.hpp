// anonauth/schema/core_fields.hpp: the rule for edits of a user row, shared by update_user and
// a migrator's ctx.update_user.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/validate.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace anonauth::detail {

/// Whether `name` is acceptable as a user's name: 1 to limits::max_name bytes.
inline bool valid_name(std::string_view name) noexcept { return !name.empty() && name.size() <= limits::max_name; }

/// Why `after` is not an acceptable edit of `before`, if it is not: a changed email is
/// EMAIL_CAN_NOT_BE_UPDATED, another changed core field but name and image FIELD_NOT_ALLOWED
/// ("<field> is not allowed to be set", Better Auth's message), a bad new name INVALID_NAME.
template <class User>
std::optional<error> edit_refusal(const User& before, const User& after) {
  if (before.email != after.email) return error(errors::email_can_not_be_updated);
  auto refuse = [](std::string_view field) {
    return error(std::string(errors::field_not_allowed.code), std::string(field) + " is not allowed to be set",
                 errors::field_not_allowed.status);
  };
  if (before.id != after.id) return refuse("id");
  if (before.email_verified != after.email_verified) return refuse("email_verified");
  if (before.is_anonymous != after.is_anonymous) return refuse("is_anonymous");
  if (before.created_at != after.created_at) return refuse("created_at");
  if (before.updated_at != after.updated_at) return refuse("updated_at");
  if (before.name != after.name && !valid_name(after.name)) return error(errors::invalid_name);
  return std::nullopt;
}

}  // namespace anonauth::detail

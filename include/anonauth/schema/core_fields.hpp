// anonauth/schema/core_fields.hpp: which core fields of a user row an edit changed.
#pragma once

#include <optional>
#include <string_view>

namespace anonauth::detail {

/// The name of the first core field that `edit` may not change (all but name and image) and
/// that differs between `before` and `after`, if any.
template <class User>
std::optional<std::string_view> changed_protected_field(const User& before, const User& after) {
  if (before.email != after.email) return "email";
  if (before.id != after.id) return "id";
  if (before.email_verified != after.email_verified) return "email_verified";
  if (before.is_anonymous != after.is_anonymous) return "is_anonymous";
  if (before.created_at != after.created_at) return "created_at";
  if (before.updated_at != after.updated_at) return "updated_at";
  return std::nullopt;
}

}  // namespace anonauth::detail

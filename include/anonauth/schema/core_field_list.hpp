// anonauth/schema/core_field_list.hpp: the user row's eight core fields, listed once.
//
// Each field is a type with its column name, its C++ type and its accessor. The schema's check
// (E010, whose diagnostic names the field by its type), is_core_field, and the edit rules of
// update_user and of a sign-up's init all walk this one list.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/detail/meta.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace anonauth {

namespace core_field {
struct id {
  static constexpr std::string_view column = "id";
  using type = std::string;
  static constexpr auto& of(auto& user) noexcept { return user.id; }
};
struct name {
  static constexpr std::string_view column = "name";
  using type = std::string;
  static constexpr auto& of(auto& user) noexcept { return user.name; }
};
struct email {
  static constexpr std::string_view column = "email";
  using type = std::string;
  static constexpr auto& of(auto& user) noexcept { return user.email; }
};
struct email_verified {
  static constexpr std::string_view column = "email_verified";
  using type = bool;
  static constexpr auto& of(auto& user) noexcept { return user.email_verified; }
};
struct image {
  static constexpr std::string_view column = "image";
  using type = std::optional<std::string>;
  static constexpr auto& of(auto& user) noexcept { return user.image; }
};
struct is_anonymous {
  static constexpr std::string_view column = "is_anonymous";
  using type = bool;
  static constexpr auto& of(auto& user) noexcept { return user.is_anonymous; }
};
struct created_at {
  static constexpr std::string_view column = "created_at";
  using type = timestamp;
  static constexpr auto& of(auto& user) noexcept { return user.created_at; }
};
struct updated_at {
  static constexpr std::string_view column = "updated_at";
  using type = timestamp;
  static constexpr auto& of(auto& user) noexcept { return user.updated_at; }
};
}  // namespace core_field

namespace detail {
/// The core fields, in the order of Better Auth's user table.
using core_fields = type_list<core_field::id, core_field::name, core_field::email, core_field::email_verified, core_field::image, core_field::is_anonymous, core_field::created_at, core_field::updated_at>;
}  // namespace detail

}  // namespace anonauth

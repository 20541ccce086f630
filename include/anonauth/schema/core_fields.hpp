// anonauth/schema/core_fields.hpp: the rules for the text of a user row, shared by the operations,
// update_user and a migrator's ctx.update_user, and the fields a client may not set.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/schema/core_field_list.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace anonauth::detail {

template <class T>
inline constexpr bool is_text_field_v =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::optional<std::string>>;

inline std::string_view text_of(const std::string& s) { return s; }
inline std::string_view text_of(const std::optional<std::string>& s) { return s ? std::string_view(*s) : std::string_view{}; }

inline error invalid_input(text_fault fault, std::string_view field, std::size_t max_bytes) {
  return error(std::string(errors::invalid_input.code), describe(fault, field, max_bytes), errors::invalid_input.status);
}

/// Why `name` is not acceptable as a user's name, if it is not: INVALID_NAME when empty or
/// longer than limits::max_name, INVALID_INPUT when it holds NUL, invalid UTF-8 or controls.
inline std::optional<error> name_refusal(std::string_view name) {
  if (name.empty() || name.size() > limits::max_name) return error(errors::invalid_name);
  if (const auto fault = check_text(name, limits::max_name); fault != text_fault::none)
    return invalid_input(fault, "name", limits::max_name);
  return std::nullopt;
}

/// Why a text from outside is not acceptable for `field`, if it is not (INVALID_INPUT).
inline std::optional<error> text_refusal(std::string_view text, std::string_view field, std::size_t max_bytes,
                                         bool allow_control = false) {
  if (const auto fault = check_text(text, max_bytes, allow_control); fault != text_fault::none)
    return invalid_input(fault, field, max_bytes);
  return std::nullopt;
}

inline std::optional<error> image_refusal(const std::optional<std::string>& image) {
  return image ? text_refusal(*image, "image", limits::max_image) : std::nullopt;
}

/// FIELD_NOT_ALLOWED for `field`: "<field> is not allowed to be set", Better Auth's message.
inline error field_refusal(std::string_view field) {
  return error(std::string(errors::field_not_allowed.code), std::string(field) + " is not allowed to be set",
               errors::field_not_allowed.status);
}

/// Whether any core field differs between the two rows.
template <class User>
bool core_field_changed(const User& a, const User& b) {
  return []<class... Fields>(const User& x, const User& y, type_list<Fields...>) {
    return ((Fields::of(x) != Fields::of(y)) || ...);
  }(a, b, core_fields{});
}

/// Why `after` is not an acceptable edit of `before`, if it is not: a changed email is
/// EMAIL_CAN_NOT_BE_UPDATED, another changed core field but name and image FIELD_NOT_ALLOWED
/// ("<field> is not allowed to be set", Better Auth's message), a bad new name INVALID_NAME, a
/// changed text field breaking core/validate.hpp's rules INVALID_INPUT (application fields may
/// hold line breaks and tabs, up to limits::max_text_field bytes).
template <class User>
std::optional<error> edit_refusal(const User& before, const User& after) {
  if (before.email != after.email) return error(errors::email_can_not_be_updated);
  // Every other core field but name and image is the server's, in the list's order.
  std::optional<error> locked;
  [&]<class... Fields>(type_list<Fields...>) {
    (void)(... || ((!std::is_same_v<Fields, core_field::name> && !std::is_same_v<Fields, core_field::image> &&
                    !std::is_same_v<Fields, core_field::email> && Fields::of(before) != Fields::of(after)) &&
                   (locked = field_refusal(Fields::column)).has_value()));
  }(core_fields{});
  if (locked) return locked;
  if (before.name != after.name)
    if (auto refusal = name_refusal(after.name)) return refusal;
  std::optional<error> refusal;
  boost::hana::for_each(boost::hana::accessors<User>(), [&](auto pair) {
    const auto& field = boost::hana::second(pair);
    using value = std::decay_t<decltype(field(after))>;
    if constexpr (is_text_field_v<value>) {
      if (refusal || field(after) == field(before)) return;
      const std::string_view name = boost::hana::to<const char*>(boost::hana::first(pair));
      if (name == "name") return;
      if (name == "image") refusal = text_refusal(text_of(field(after)), name, limits::max_image);
      else refusal = text_refusal(text_of(field(after)), name, limits::max_text_field, true);
    }
  });
  return refusal;
}

/// FIELD_NOT_ALLOWED if member M differs between the two rows. Nothing for a member E016
/// refuses, so that a wrong server_set adds no error of its own to E016's.
template <class Schema, auto M, class User>
std::optional<error> server_set_member_refusal(const User& before, const User& after) {
  if constexpr (is_user_app_field<Schema, M>()) {
    if (before.*M != after.*M) return field_refusal(column_name<M>());
  }
  return std::nullopt;
}

/// Why `after` is not an edit a client may make of `before`, if it is not: FIELD_NOT_ALLOWED
/// ("<member> is not allowed to be set") for the first of Schema's aa::server_set members, in
/// declaration order, whose value differs. For edits a client asks for: the server's own code
/// (a migrator's ctx.update_user) may set these fields.
template <class Schema>
std::optional<error> server_set_refusal(const user_row_t<Schema>& before, const user_row_t<Schema>& after) {
  std::optional<error> refusal;
  [&]<auto... Ms>(value_list<Ms...>) {
    (void)(... || (refusal = server_set_member_refusal<Schema, Ms>(before, after)).has_value());
  }(typename Schema::server_set_members{});
  return refusal;
}

}  // namespace anonauth::detail

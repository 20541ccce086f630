// anonauth/http/handler/reading.hpp: what a request is, read as Better Auth reads it: its body
// (JSON or a form, typed field by field with zod's messages), its session token (signed cookie
// or bearer header), its client address and user agent.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/utf8.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/http/cookies.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/handler/core.hpp>
#include <anonauth/http/handler/writing.hpp>
#include <anonauth/http/json.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/url.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anonauth::http::detail {

/// The core fields of the user row that a client never sets (Better Auth's `input: false`
/// fields, and the ones it manages itself).
inline bool is_managed_field(std::string_view member) {
  return member == "id" || member == "email_verified" || member == "is_anonymous" || member == "created_at" ||
         member == "updated_at";
}
inline bool is_core_field(std::string_view member) {
  return is_managed_field(member) || member == "name" || member == "email" || member == "image";
}

/// Zod's issues, collected in the order of the schema's fields, then joined into Better Auth's
/// VALIDATION_ERROR message: "[body.email] Invalid input: expected string, received undefined;
/// [body.password] ...".
class issues {
 public:
  void add(std::string_view path, std::string_view text) {
    if (!message_.empty()) message_ += "; ";
    message_ += "[";
    message_ += path;
    message_ += "] ";
    message_ += text;
  }
  [[nodiscard]] bool empty() const noexcept { return message_.empty(); }
  [[nodiscard]] anonauth::error error() const {
    return anonauth::error(std::string(errors::validation_error.code), message_, errors::validation_error.status);
  }

 private:
  std::string message_;
};

/// A field of a JSON body object, typed as zod would check it.
class body_reader {
 public:
  body_reader(const boost::json::object* body, issues& out) : body_(body), issues_(&out) {}

  const boost::json::value* find(std::string_view key) const {
    return body_ ? body_->if_contains(boost::json::string_view(key.data(), key.size())) : nullptr;
  }

  /// A required string (`z.string()`).
  std::optional<std::string> string(std::string_view key) {
    const auto* v = find(key);
    if (v && v->is_string()) return std::string(v->get_string().data(), v->get_string().size());
    mismatch(key, "string", v);
    return std::nullopt;
  }
  /// An optional string (`z.string().optional()`): absent is fine, null is not.
  std::optional<std::string> optional_string(std::string_view key) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_string()) return std::string(v->get_string().data(), v->get_string().size());
    mismatch(key, "string", v);
    return std::nullopt;
  }
  /// An optional boolean (`z.boolean().optional()`).
  std::optional<bool> optional_bool(std::string_view key) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_bool()) return v->get_bool();
    mismatch(key, "boolean", v);
    return std::nullopt;
  }
  void mismatch(std::string_view key, std::string_view expected, const boost::json::value* v) {
    issues_->add("body." + std::string(key), "Invalid input: expected " + std::string(expected) + ", received " +
                                                 std::string(received_type(v)));
  }
  issues& report() { return *issues_; }

 private:
  const boost::json::object* body_;
  issues* issues_;
};

/// What a request is, once its path, body and credentials are read.
struct incoming {
  const request* req = nullptr;
  std::string_view route;  // the path after the base path: "/sign-in/anonymous"
  std::string_view query;
  std::optional<boost::json::value> body;  // absent: no body
  /// The session token the request presents (from the bearer header or the signed cookie).
  std::optional<std::string> token;
  /// Whether the session cookie was present with a valid signature.
  bool signed_cookie = false;
  /// Whether the request carries Better Auth's signed dont_remember cookie.
  bool dont_remember = false;
  request_context context;
};

/// JavaScript's falsiness, of a JSON value.
inline bool is_falsy(const boost::json::value& v) {
  return v.is_null() || (v.is_bool() && !v.get_bool()) || (v.is_string() && v.get_string().empty()) ||
         (v.is_int64() && v.get_int64() == 0) || (v.is_uint64() && v.get_uint64() == 0) ||
         (v.is_double() && v.get_double() == 0.0);
}

inline const boost::json::object* body_object(const incoming& in) {
  return in.body && in.body->is_object() ? &in.body->get_object() : nullptr;
}

/// zod's refusal of a body that is there but is no object ("[body] Invalid input: expected
/// object, received array"); `record` adds the issue of Better Auth's `.and(z.record(...))`.
inline std::optional<response> non_object_body(const incoming& in, bool required, bool record = false) {
  const boost::json::value* v = in.body ? &*in.body : nullptr;
  if (v && v->is_object()) return std::nullopt;
  if (!v && !required) return std::nullopt;
  detail::issues out;
  out.add("body", "Invalid input: expected object, received " + std::string(detail::received_type(v)));
  if (record) out.add("body", "Invalid input: expected record, received " + std::string(detail::received_type(v)));
  return http::error_response(out.error());
}

/// z.coerce.boolean() on a query parameter: present and non-empty is true ("false" too).
inline bool query_flag(std::string_view query, std::string_view name) {
  const auto v = query_value(query, name);
  return v && !v->empty();
}

/// Better Auth's body parser: JSON (any `application/...json` type) or, where the endpoint
/// takes it (`form_allowed`), a form; an empty body is no body; anything else is 415.
inline std::optional<response> read_body(const handler_core& core, const request& req, bool form_allowed,
                                         incoming& in) {
  if (req.body.empty()) return std::nullopt;
  const std::string_view type_header = req.header("Content-Type").value_or("");
  const std::string type = detail::ascii_lower(trim(type_header.substr(0, type_header.find(';'))));
  const std::string_view allowed =
      form_allowed ? "application/x-www-form-urlencoded, application/json" : "application/json";
  const bool json = type == "application/json";
  const bool form = form_allowed && type == "application/x-www-form-urlencoded";
  if (!json && !form) {
    const std::string message = type_header.empty()
                                    ? "Content-Type is required. Allowed types: " + std::string(allowed)
                                    : "Content-Type \"" + std::string(type_header) +
                                          "\" is not allowed. Allowed types: " + std::string(allowed);
    return http::error_response(415, "UNSUPPORTED_MEDIA_TYPE", message);
  }
  if (form) {
    if (!is_valid_utf8(req.body)) return http::error_response(errors::invalid_json);
    boost::json::object fields;
    std::string_view rest = req.body;
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      const std::string key = form_decode(pair.substr(0, eq));
      const std::string value = eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
      if (!is_valid_utf8(key) || !is_valid_utf8(value)) return http::error_response(errors::invalid_json);
      if (fields.contains(key)) return http::error_response(errors::duplicate_key);
      fields.emplace(key, value);
    }
    in.body = boost::json::value(std::move(fields));
    return std::nullopt;
  }
  auto parsed = detail::parse_json(req.body, core.opts.limits.max_json_depth);
  switch (parsed.fault) {
    case detail::json_fault::none: break;
    case detail::json_fault::syntax: return http::error_response(errors::invalid_json);
    case detail::json_fault::too_deep: return http::error_response(errors::json_too_deep);
    case detail::json_fault::duplicate_key: return http::error_response(errors::duplicate_key);
  }
  in.body = std::move(parsed.value);
  return std::nullopt;
}

/// The session token of an `Authorization: Bearer` header: `token.signature` (percent-decoded
/// if need be) with a valid signature, or a bare token unless signatures are required.
inline std::optional<std::string> bearer_token(const handler_core& core, const request& req) {
  const auto header = req.header("Authorization");
  if (!header || header->size() < 7 || !iequals(header->substr(0, 7), "bearer ")) return std::nullopt;
  const std::string_view value = trim(header->substr(7));
  if (value.empty()) return std::nullopt;
  if (value.find('.') == std::string_view::npos) {
    if (core.opts.bearer.require_signature) return std::nullopt;
    return std::string(value);
  }
  std::string decoded(value);
  if (value.find('%') != std::string_view::npos) {
    auto d = percent_decode(value);
    if (!d) return std::nullopt;
    decoded = std::move(*d);
  }
  return core.signer.verify(decoded);
}

inline std::string client_address(const handler_core& core, const request& req) {
  std::string_view address = req.peer_address;
  if (!core.opts.client_ip_header.empty()) {
    if (const auto forwarded = req.header(core.opts.client_ip_header)) {
      // The entry the trusted proxy appended is the last one; earlier ones came from the client.
      std::string_view last = *forwarded;
      if (const auto comma = last.rfind(','); comma != std::string_view::npos) last = last.substr(comma + 1);
      last = trim(last);
      if (!last.empty() && last.size() <= anonauth::limits::max_ip_address) address = last;
    }
  }
  return std::string(address);
}

/// The User-Agent, cut at a character boundary to what a session stores.
inline std::string user_agent(const request& req) {
  std::string_view ua = req.header("User-Agent").value_or("");
  if (ua.size() > anonauth::limits::max_user_agent) {
    std::size_t cut = anonauth::limits::max_user_agent;
    while (cut > 0 && (static_cast<unsigned char>(ua[cut]) & 0xC0) == 0x80) --cut;
    ua = ua.substr(0, cut);
  }
  return std::string(ua);
}

inline incoming read_credentials(const handler_core& core, const request& req) {
  incoming in;
  in.req = &req;
  if (const auto raw = find_cookie(req, core.session_cookie)) {
    if (auto decoded = percent_decode(*raw)) {
      if (auto token = core.signer.verify(*decoded)) {
        in.token = std::move(*token);
        in.signed_cookie = true;
      }
    }
  }
  if (const auto raw = find_cookie(req, core.dont_remember_cookie)) {
    if (auto decoded = percent_decode(*raw)) in.dont_remember = core.signer.verify(*decoded) == std::optional<std::string>("true");
  }
  if (core.opts.bearer.enabled) {
    if (auto token = bearer_token(core, req)) in.token = std::move(*token);
  }
  in.context.session_token = in.token;
  in.context.ip_address = client_address(core, req);
  in.context.user_agent = user_agent(req);
  return in;
}


/// Reads the application fields of a body into `row` (typed), with zod-style issues.
/// `isAnonymous` (the plugin's `input: false` field) is refused when truthy in an update and
/// dropped in a sign-up; an aa::server_set field is refused when truthy; `emailVerified`, `id`, `createdAt` and `updatedAt` are dropped, as
/// Better Auth drops them; name, email and image are the caller's.
template <class Schema, class User>
std::optional<anonauth::error> read_app_fields(const boost::json::object& body, User& row, bool update, issues& out) {
  std::optional<anonauth::error> refusal;
  boost::hana::for_each(boost::hana::accessors<User>(), [&](auto pair) {
    const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
    if (refusal || member == "name" || member == "email" || member == "image" || member == "id" ||
        member == "created_at" || member == "updated_at")
      return;
    const std::string key = camel_case(member);
    const boost::json::value* v = body.if_contains(key);
    if (!v) return;
    if (member == "email_verified") return;  // a core field Better Auth drops from the body
    if (member == "is_anonymous") {  // the plugin's `input: false` field: refused when truthy
      if (update && !is_falsy(*v)) refusal = anonauth::detail::field_refusal(key);
      return;
    }
    // The schema's aa::server_set fields, Better Auth's `input: false` without a default:
    // refused when truthy, in a sign-up and an update alike.
    if (anonauth::detail::is_server_set<Schema>(member)) {
      if (!is_falsy(*v)) refusal = anonauth::detail::field_refusal(key);
      return;
    }
    auto& field = boost::hana::second(pair)(row);
    if constexpr (detail::json_mappable_v<std::decay_t<decltype(field)>>) {  // else E140, reported once
      if (auto issue = detail::from_json(*v, field)) out.add("body." + key, *issue);
    }
  });
  return refusal;
}

}  // namespace anonauth::http::detail

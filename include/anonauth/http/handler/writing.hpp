// anonauth/http/handler/writing.hpp: the handler's answers: Better Auth's JSON bodies and error
// shape, the session cookies (signed, with the attributes the options give) and CORS.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/utf8.hpp>
#include <anonauth/http/cookies.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/handler/core.hpp>
#include <anonauth/http/json.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/url.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anonauth::http {

/// A response in Better Auth's error shape for an operation's error, with Better Auth's
/// `X-Retry-After` and the standard `Retry-After` on a TOO_MANY_REQUESTS.
inline response error_response(const anonauth::error& e) {
  // Better Auth sends these with a message only: its rate limiter's 429, "No fields to update".
  const bool codeless = e.is(anonauth::errors::too_many_requests) || e.is(anonauth::errors::no_fields_to_update);
  response r = error_response(e.status(), codeless ? std::string_view{} : e.code(), e.message());
  if (const auto wait = e.retry_after()) {
    r.add_header("X-Retry-After", std::to_string(wait->count()));
    r.add_header("Retry-After", std::to_string(wait->count()));
  }
  return r;
}

namespace detail {

// --- JSON out ---------------------------------------------------------------------------------
inline response json_response(boost::json::value body, int status = 200) {
  response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  r.add_header("Content-Type", "application/json");
  return r;
}
template <class User>
boost::json::object user_json(const User& u) {
  boost::json::object o;
  detail::put_row(o, u);
  return o;
}
inline boost::json::object session_json(const anonauth::session& s, std::string_view token) {
  boost::json::object o;
  o.emplace("id", s.id);
  o.emplace("token", boost::json::string_view(token.data(), token.size()));
  o.emplace("userId", s.user_id);
  o.emplace("expiresAt", detail::iso8601(s.expires_at));
  o.emplace("createdAt", detail::iso8601(s.created_at));
  o.emplace("updatedAt", detail::iso8601(s.updated_at));
  o.emplace("ipAddress", replace_invalid_utf8(s.ip_address));
  o.emplace("userAgent", replace_invalid_utf8(s.user_agent));
  return o;
}
inline response status_true() {
  boost::json::object o;
  o.emplace("status", true);
  return json_response(std::move(o));
}
inline response success_true() {
  boost::json::object o;
  o.emplace("success", true);
  return json_response(std::move(o));
}

inline response not_found() {
  response r;
  r.status = 404;
  return r;
}

// --- cookies ----------------------------------------------------------------------------------
[[nodiscard]] inline cookie_attributes cookie_attributes_of(const handler_core& core,
                                                           std::optional<std::chrono::seconds> max_age) {
  cookie_attributes a;
  a.max_age = max_age;
  a.domain = core.opts.cookies.domain;
  a.secure = core.secure || core.opts.cookies.same_site == same_site_policy::none;
  a.same_site = core.opts.cookies.same_site == same_site_policy::strict ? "Strict"
                : core.opts.cookies.same_site == same_site_policy::none ? "None"
                                                                    : "Lax";
  a.partitioned = core.opts.cookies.partitioned;
  return a;
}

/// Drops earlier Set-Cookie lines for `name`: a response says one thing about each cookie.
inline void forget_cookie(response& res, std::string_view name) {
  std::erase_if(res.headers, [&](const header& h) {
    return iequals(h.name, "Set-Cookie") && h.value.size() > name.size() && h.value.compare(0, name.size(), name) == 0 &&
           h.value[name.size()] == '=';
  });
}

inline void set_cookie(const handler_core& core, response& res, const std::string& name, std::string_view value,
                       std::optional<std::chrono::seconds> max_age) {
  forget_cookie(res, name);
  res.add_header("Set-Cookie", set_cookie_value(name, value, cookie_attributes_of(core, max_age)));
}

inline void expire_cookie(const handler_core& core, response& res, const std::string& name) { set_cookie(core, res, name, "", std::chrono::seconds{0}); }

inline void expire_session_cookies(const handler_core& core, response& res) {
  expire_cookie(core, res, core.session_cookie);
  expire_cookie(core, res, core.session_data_cookie);
  expire_cookie(core, res, core.dont_remember_cookie);
}

inline void expose_header(response& res, std::string_view name) {
  std::string list(res.header("Access-Control-Expose-Headers").value_or(""));
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (iequals(trim(rest.substr(0, comma)), name)) return;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  if (!list.empty()) list += ", ";
  list += name;
  res.set_header("Access-Control-Expose-Headers", std::move(list));
}

/// Better Auth's setSessionCookie: the signed token, for the session's lifetime or, not
/// remembered, for the browser session with the signed dont_remember cookie beside it; and
/// with the bearer plugin, the same signed token in `set-auth-token`. A session nearer its
/// absolute end than `lifetime` (`sessions::absolute_lifetime`) gets a cookie that ends with it.
inline void set_session_cookie(const handler_core& core, response& res, const std::string& token, bool dont_remember,
                               bool had_dont_remember, const anonauth::session* s, std::chrono::seconds lifetime) {
  const std::string signed_token = core.signer.sign(token);
  std::chrono::seconds max_age = lifetime;
  if (s && s->expires_at - s->updated_at < max_age)
    max_age = std::max(std::chrono::seconds{0}, std::chrono::ceil<std::chrono::seconds>(s->expires_at - s->updated_at));
  set_cookie(core, res, core.session_cookie, percent_encode_component(signed_token),
             dont_remember ? std::nullopt : std::optional<std::chrono::seconds>(max_age));
  if (dont_remember) set_cookie(core, res, core.dont_remember_cookie, percent_encode_component(core.signer.sign("true")), std::nullopt);
  else if (had_dont_remember) expire_cookie(core, res, core.dont_remember_cookie);
  if (core.opts.bearer.enabled) {
    res.set_header("set-auth-token", signed_token);
    expose_header(res, "set-auth-token");
  }
}


// --- CORS -------------------------------------------------------------------------------------
[[nodiscard]] inline std::optional<std::string> cors_origin(const handler_core& core, const request& req) {
  if (!core.opts.cors) return std::nullopt;
  const auto origin = req.header("Origin");
  if (!origin || origin->empty() || *origin == "null" || !core.origins.trusts(*origin)) return std::nullopt;
  return std::string(*origin);
}

inline void add_cors(const handler_core& core, const request& req, response& res) {
  const auto origin = cors_origin(core, req);
  if (!origin) return;
  res.set_header("Access-Control-Allow-Origin", *origin);
  res.set_header("Access-Control-Allow-Credentials", "true");
  if (!res.header("Vary")) res.add_header("Vary", "Origin");
}

inline response preflight(const handler_core& core, const request& req) {
  if (!cors_origin(core, req)) return not_found();  // Better Auth answers OPTIONS with 404
  response r;
  r.status = 204;
  r.add_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  r.add_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
  r.add_header("Access-Control-Max-Age", std::to_string(core.opts.cors_max_age.count()));
  r.add_header("Access-Control-Expose-Headers", "set-auth-token");
  r.add_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return r;
}

}  // namespace detail
}  // namespace anonauth::http

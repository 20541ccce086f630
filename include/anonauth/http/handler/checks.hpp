// anonauth/http/handler/checks.hpp: Better Auth's refusals of a request from where it should not
// come: the origin check, the URLs a POST may name, and formCsrf on email sign-in and sign-up.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/handler/core.hpp>
#include <anonauth/http/handler/reading.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/url.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace anonauth::http::detail {

/// Better Auth's origin check: a request other than GET, HEAD or OPTIONS that carries any
/// Cookie header (or, `force`d, any request) needs an Origin, or failing that a Referer,
/// whose origin is trusted. A bearer-only request carries no cookie and passes.
inline std::optional<anonauth::error> origin_refusal(const handler_core& core, const request& req, bool force) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return std::nullopt;
  if (!force && !req.header("Cookie")) return std::nullopt;
  const auto origin = req.header("Origin");
  std::string candidate;
  if (origin && *origin == "null" && req.header("Sec-Fetch-Site") == std::optional<std::string_view>("same-origin"))
    candidate = core.base.origin();  // a same-origin request whose browser hides the origin
  else if (origin && !origin->empty())
    candidate = std::string(*origin);
  else if (const auto referer = req.header("Referer"); referer && !referer->empty())
    candidate = std::string(*referer);
  if (candidate.empty() || candidate == "null") {
    core.tell("refused " + detail::printable(req.method + " " + std::string(split_target(req.target).path)) +
         ": it carries a cookie but no Origin or Referer (MISSING_OR_NULL_ORIGIN)");
    return anonauth::error(errors::missing_or_null_origin);
  }
  if (!core.origins.trusts(candidate)) {
    core.tell("refused " + detail::printable(req.method + " " + std::string(split_target(req.target).path)) + " from " +
         detail::printable(candidate) + ": not a trusted origin (INVALID_ORIGIN); trust it with options.trusted_origins");
    return anonauth::error(errors::invalid_origin);
  }
  return std::nullopt;
}

/// Better Auth's checks of the URLs a POST may name: trusted, or a relative path.
inline std::optional<anonauth::error> callback_refusal(const handler_core& core, const incoming& in) {
  const boost::json::object* body = in.body && in.body->is_object() ? &in.body->get_object() : nullptr;
  struct named {
    std::string_view key;
    std::string_view label;
    const error_code* refusal;
  };
  static constexpr named urls[] = {{"callbackURL", "callbackURL", &errors::invalid_callback_url},
                                   {"redirectTo", "redirectURL", &errors::invalid_redirect_url},
                                   {"errorCallbackURL", "errorCallbackURL", &errors::invalid_error_callback_url},
                                   {"newUserCallbackURL", "newUserCallbackURL", &errors::invalid_new_user_callback_url}};
  for (const auto& u : urls) {
    std::optional<std::string> value;
    const boost::json::value* v = body ? body->if_contains(boost::json::string_view(u.key.data(), u.key.size())) : nullptr;
    if (u.key == "callbackURL" && (!v || is_falsy(*v)))
      if (auto q = query_value(in.query, "callbackURL"); q && !q->empty()) value = std::move(*q);
    if (!value && v && !is_falsy(*v)) {
      if (!v->is_string())
        return anonauth::error(std::string(), "Invalid " + std::string(u.label) + ": expected a string", 400);
      value = std::string(v->get_string().data(), v->get_string().size());
    }
    if (value && !core.origins.trusts_callback(*value)) {
      core.tell("refused " + std::string(u.label) + " " + detail::printable(*value) + " on " + std::string(in.route) +
           ": neither a trusted origin nor a relative path (" + std::string(u.refusal->code) + ")");
      return anonauth::error(*u.refusal);
    }
  }
  return std::nullopt;
}

/// Better Auth's formCsrf check on email sign-in and sign-up: a request without cookies that
/// fetch metadata shows as a cross-site navigation is refused; one with any fetch metadata
/// must pass the origin check, and so must one with an Origin or Referer; one with none of
/// these (curl, a native app) passes.
inline std::optional<anonauth::error> form_csrf_refusal(const handler_core& core, const request& req) {
  if (req.header("Cookie")) return std::nullopt;  // the origin check has run
  const auto site = req.header("Sec-Fetch-Site"), mode = req.header("Sec-Fetch-Mode"), dest = req.header("Sec-Fetch-Dest");
  auto present = [](const std::optional<std::string_view>& h) { return h && !trim(*h).empty(); };
  if (present(site) || present(mode) || present(dest)) {
    if (site == std::optional<std::string_view>("cross-site") && mode == std::optional<std::string_view>("navigate"))
      return anonauth::error(errors::cross_site_navigation_login_blocked);
    return origin_refusal(core, req, true);
  }
  if (present(req.header("Origin")) || present(req.header("Referer"))) return origin_refusal(core, req, true);
  return std::nullopt;
}

}  // namespace anonauth::http::detail

// anonauth/http/handler/context.hpp: what an endpoint of aa::http::handler works with: the auth,
// the id-token verifier and the handler's core, and the answers that need the auth's session
// policy.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/http/handler/core.hpp>
#include <anonauth/http/handler/reading.hpp>
#include <anonauth/http/handler/writing.hpp>
#include <anonauth/http/message.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace anonauth::http::detail {

template <class Auth, class Verifier>
struct endpoint_context {
  using user_type = typename Auth::user_type;

  Auth* auth;
  const Verifier* verifier;
  const handler_core* core;

  /// The session cookie for `token`, for the auth's session lifetime (see set_session_cookie).
  void set_session_cookie(response& res, const std::string& token, bool dont_remember, bool had_dont_remember,
                          const anonauth::session* s = nullptr) const {
    detail::set_session_cookie(*core, res, token, dont_remember, had_dont_remember, s, Auth::session_lifetime);
  }

  /// The signed-in answer of every sign-in: the session cookie, and Better Auth's body in its
  /// order, `{redirect?, token, url?, user}`.
  response signed_in_response(const signed_in<user_type>& done, bool dont_remember, const incoming& in,
                              std::optional<bool> redirect = std::nullopt,
                              const std::optional<std::string>& url = std::nullopt) const {
    boost::json::object body;
    if (redirect) body.emplace("redirect", *redirect);
    body.emplace("token", done.token);
    if (url) body.emplace("url", *url);
    body.emplace("user", user_json(done.user));
    response res = json_response(std::move(body));
    set_session_cookie(res, done.token, dont_remember, in.dont_remember, &done.session);
    return res;
  }
};

}  // namespace anonauth::http::detail

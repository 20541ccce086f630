// anonauth/http/handler/sessions.hpp: the endpoints of sessions: get-session, sign-out, list-sessions,
// revoke-session, revoke-sessions, revoke-other-sessions, and ok.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/handler/checks.hpp>
#include <anonauth/http/handler/context.hpp>
#include <anonauth/http/handler/reading.hpp>
#include <anonauth/http/handler/writing.hpp>
#include <anonauth/http/message.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth::http::detail {

template <class Auth, class Verifier>
response get_session(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  using user_type = typename Auth::user_type;
  const bool disable_refresh = query_flag(in.query, "disableRefresh");
  std::optional<session_lookup<user_type>> found;
  if (in.token)
    found = c.auth->lookup_session(*in.token,
                                  in.dont_remember || disable_refresh ? session_refresh::never : session_refresh::on_use);
  response res;
  if (!found) {
    res = json_response(nullptr);
    // A signed cookie whose session is gone: Better Auth clears the cookies.
    if (in.signed_cookie) expire_session_cookies(*c.core, res);
  } else {
    boost::json::object body;
    body.emplace("session", session_json(found->view.session, *in.token));
    body.emplace("user", user_json(found->view.user));
    res = json_response(std::move(body));
    if (found->refreshed) c.set_session_cookie(res, *in.token, false, in.dont_remember, &found->view.session);
  }
  res.add_header("Cache-Control", "no-store");
  res.add_header("Pragma", "no-cache");
  return res;
}

template <class Auth, class Verifier>
response sign_out(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  (void)c.auth->sign_out(in.context);
  response res = success_true();
  expire_session_cookies(*c.core, res);
  return res;
}

template <class Auth, class Verifier>
response list_sessions(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  auto listed = c.auth->list_sessions(in.context);
  if (!listed) return http::error_response(listed.error());
  boost::json::array out;
  for (const auto& s : *listed)
    // Only token hashes are stored: another session is named by its id, which revoke-session
    // accepts as its token; the request's own shows the token it was made with.
    out.emplace_back(session_json(s.session, s.current ? std::string_view(*in.token) : std::string_view(s.session.id)));
  return json_response(std::move(out));
}

template <class Auth, class Verifier>
response revoke_session(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
  issues out;
  body_reader read(body_object(in), out);
  auto token = read.string("token");
  if (!out.empty()) return http::error_response(out.error());
  auto done = c.auth->revoke_session(in.context, *token);
  if (!done) return http::error_response(done.error());
  response res = status_true();
  if (*done) expire_session_cookies(*c.core, res);
  return res;
}

template <class Auth, class Verifier>
response revoke_sessions(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  auto done = c.auth->revoke_sessions(in.context);
  if (!done) return http::error_response(done.error());
  response res = status_true();
  expire_session_cookies(*c.core, res);
  return res;
}

template <class Auth, class Verifier>
response revoke_other_sessions(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  auto done = c.auth->revoke_other_sessions(in.context);
  if (!done) return http::error_response(done.error());
  return status_true();
}

template <class Auth, class Verifier>
response ok(const endpoint_context<Auth, Verifier>&, incoming&) {
  boost::json::object o;
  o.emplace("ok", true);
  return json_response(std::move(o));
}

}  // namespace anonauth::http::detail

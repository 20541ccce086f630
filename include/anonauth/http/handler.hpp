// anonauth/http/handler.hpp: Better Auth 1.7's HTTP protocol over an anonymous_auth.
//
//   auth_type auth{aa::sqlite_config{.path = "app.db"}};
//   aa::http::handler handler{auth, aa::http::options{.base_url = "http://localhost:3000",
//                                                     .secret = secret_from_the_environment}};
//   aa::http::response res = handler(req);          // any request under /api/auth
//
// Better Auth's JS client (`createAuthClient({ baseURL, plugins: [anonymousClient()] })`) then
// works against the server unchanged: the same routes, bodies, statuses, codes, messages and
// cookies (`better-auth.session_token`, signed with the secret). The endpoints are those of the
// anonymous flows: sign-in/anonymous, sign-up/email, sign-in/email, sign-in/social (id token),
// get-session, update-user, sign-out, delete-anonymous-user, list-sessions, revoke-session,
// revoke-sessions, revoke-other-sessions and ok. docs/http.md lists what each answers and where
// anonauth differs from Better Auth.
//
// The application's own routes authenticate with the same cookie or bearer token:
//
//   auto session = handler.authenticate(req);        // origin check for POSTs, then the session
//   if (!session) return handler.error_response(session.error());
//
// One handler serves every request thread: after construction it is immutable, and the auth is
// thread-safe. Nothing here throws for a bad request: a request that breaks a rule gets its
// status and code, and one that meets a storage failure gets the operation's 5xx.
//
// The parts are in handler/: core.hpp (the checked options), reading.hpp (bodies, credentials),
// checks.hpp (origins, callback URLs, formCsrf), writing.hpp (JSON, cookies, CORS), context.hpp
// and the endpoints by family: sign_in.hpp, social.hpp, sessions.hpp, user.hpp. This file routes.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/diag/http.hpp>
#include <anonauth/http/handler/checks.hpp>
#include <anonauth/http/handler/context.hpp>
#include <anonauth/http/handler/core.hpp>
#include <anonauth/http/handler/reading.hpp>
#include <anonauth/http/handler/sessions.hpp>
#include <anonauth/http/handler/sign_in.hpp>
#include <anonauth/http/handler/social.hpp>
#include <anonauth/http/handler/user.hpp>
#include <anonauth/http/handler/writing.hpp>
#include <anonauth/http/id_token.hpp>
#include <anonauth/http/json.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/options.hpp>
#include <anonauth/http/url.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anonauth::http {

/// Better Auth's HTTP protocol over an aa::anonymous_auth (see the header comment).
template <class Auth, class Verifier = no_id_token_verifier>
class handler {
  // One tagged error, if any (E141, then E140), and nothing diagnosed after it.
  using checked = std::conditional_t<id_token_verifier<Verifier>, decltype(detail::json_check<typename Auth::user_type>()),
                                     diag::not_an_id_token_verifier<Verifier>>;
  static_assert((diag::report<checked>(), true));

 public:
  using auth_type = Auth;
  using user_type = typename Auth::user_type;

  /// Refuses, with std::invalid_argument, a missing secret or one under 32 bytes, a base URL
  /// that is not an absolute http(s) URL, and a trusted origin that is no origin nor pattern.
  handler(Auth& auth, options opts, Verifier verifier = {})
      : auth_(&auth), verifier_(std::move(verifier)), core_(std::move(opts)) {}

  /// Answers one request (see the header comment). Requests outside the base path are 404.
  response operator()(const request& req) const { return handle(req); }

  response handle(const request& req) const {
    response res = dispatch(req);
    detail::add_cors(core_, req, res);
    return res;
  }

  /// Whether the request's path is under the base path: the requests to send here.
  [[nodiscard]] bool handles(const request& req) const { return core_.route_of(split_target(req.target).path).has_value(); }

  /// The path the endpoints are under, e.g. "/api/auth".
  [[nodiscard]] const std::string& base_path() const noexcept { return core_.base_path; }
  /// The names of the cookies the handler sets ("better-auth.session_token", or with the
  /// `__Secure-` or `__Host-` prefix).
  [[nodiscard]] const std::string& session_cookie_name() const noexcept { return core_.session_cookie; }
  [[nodiscard]] const options& config() const noexcept { return core_.opts; }

  /// What the core sees of a request: the session token its cookie or bearer header carries
  /// (signature checked), the client's address and user agent.
  [[nodiscard]] request_context context(const request& req) const { return detail::read_credentials(core_, req).context; }

  /// The session the request carries, by cookie or bearer token, for the application's own
  /// routes; no origin check (use authenticate for a route that changes anything). It extends
  /// nothing: get-session does, and re-sends the cookie with it, which an app route's answer
  /// would not.
  [[nodiscard]] std::optional<session_view<user_type>> session(const request& req) const {
    const auto in = detail::read_credentials(core_, req);
    if (!in.token) return std::nullopt;
    auto found = auth_->lookup_session(*in.token, session_refresh::never);
    if (!found) return std::nullopt;
    return std::move(found->view);
  }

  /// For the application's own routes, as Better Auth protects its own: a request with any
  /// cookie and a method other than GET, HEAD and OPTIONS needs a trusted Origin (or Referer),
  /// else MISSING_OR_NULL_ORIGIN / INVALID_ORIGIN (403); then a valid session, else
  /// UNAUTHORIZED (401).
  [[nodiscard]] result<session_view<user_type>> authenticate(const request& req) const {
    if (auto refusal = detail::origin_refusal(core_, req, false)) return *refusal;
    auto found = session(req);
    if (!found) return anonauth::errors::unauthorized;
    return std::move(*found);
  }

  /// The response for an error, in Better Auth's shape.
  [[nodiscard]] static response error_response(const anonauth::error& e) { return http::error_response(e); }

 private:
  response dispatch(const request& req) const {
    if (req.headers.size() > core_.opts.limits.max_headers) return http::error_response(errors::header_fields_too_large);
    std::size_t header_bytes = 0;
    for (const auto& h : req.headers) header_bytes += h.name.size() + h.value.size();
    if (header_bytes > core_.opts.limits.max_header_bytes) return http::error_response(errors::header_fields_too_large);
    if (req.body.size() > core_.opts.limits.max_body) return http::error_response(errors::payload_too_large);

    const auto [path, query] = split_target(req.target);
    const auto found = core_.route_of(path);
    if (!found || found->find("//") != std::string_view::npos) return detail::not_found();
    const std::string_view route = *found;

    if (req.method == "OPTIONS" && req.header("Access-Control-Request-Method")) return detail::preflight(core_, req);

    const endpoint* ep = find_endpoint(route);
    if (!ep) return detail::not_found();
    if (req.method != ep->method) {
      if (route == "/get-session" && req.method == "POST")
        return http::error_response(errors::method_not_allowed_defer_session_required);
      return detail::not_found();
    }

    detail::incoming in = detail::read_credentials(core_, req);
    in.route = route;
    in.query = query;
    if (req.method == "POST") {
      if (auto refusal = detail::read_body(core_, req, ep->form_allowed, in)) return std::move(*refusal);
      if (auto refusal = detail::origin_refusal(core_, req, false)) return http::error_response(*refusal);
      if (auto refusal = detail::callback_refusal(core_, in)) return http::error_response(*refusal);
    }
    try {
      return ep->run(detail::endpoint_context<Auth, Verifier>{auth_, &verifier_, &core_}, in);
    } catch (const storage_error& e) {  // from an operation that has no error code for it
      core_.tell(std::string(route) + ": storage failure: " + e.what());
      return http::error_response(errors::internal_server_error);
    }
  }

  struct endpoint {
    std::string_view path;
    std::string_view method;
    bool form_allowed;  // application/x-www-form-urlencoded as well as JSON
    response (*run)(const detail::endpoint_context<Auth, Verifier>&, detail::incoming&);
  };

  static const endpoint* find_endpoint(std::string_view route) {
    static constexpr std::array<endpoint, 13> table{{
        {"/sign-in/anonymous", "POST", false, &detail::sign_in_anonymous<Auth, Verifier>},
        {"/sign-up/email", "POST", true, &detail::sign_up_email<Auth, Verifier>},
        {"/sign-in/email", "POST", true, &detail::sign_in_email<Auth, Verifier>},
        {"/sign-in/social", "POST", false, &detail::sign_in_social<Auth, Verifier>},
        {"/get-session", "GET", false, &detail::get_session<Auth, Verifier>},
        {"/update-user", "POST", false, &detail::update_user<Auth, Verifier>},
        {"/sign-out", "POST", false, &detail::sign_out<Auth, Verifier>},
        {"/delete-anonymous-user", "POST", false, &detail::delete_anonymous_user<Auth, Verifier>},
        {"/list-sessions", "GET", false, &detail::list_sessions<Auth, Verifier>},
        {"/revoke-session", "POST", false, &detail::revoke_session<Auth, Verifier>},
        {"/revoke-sessions", "POST", false, &detail::revoke_sessions<Auth, Verifier>},
        {"/revoke-other-sessions", "POST", false, &detail::revoke_other_sessions<Auth, Verifier>},
        {"/ok", "GET", false, &detail::ok<Auth, Verifier>},
    }};
    for (const auto& e : table)
      if (e.path == route) return &e;
    return nullptr;
  }

  Auth* auth_;
  [[no_unique_address]] Verifier verifier_;
  detail::handler_core core_;
};

}  // namespace anonauth::http

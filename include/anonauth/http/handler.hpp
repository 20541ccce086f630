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
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/http/cookies.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/id_token.hpp>
#include <anonauth/http/json.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/options.hpp>
#include <anonauth/http/origins.hpp>
#include <anonauth/http/url.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/core_fields.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

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

/// Text from a request, quoted and cut to 200 bytes with its control bytes escaped, for a log.
inline std::string printable(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F || s[i] == '"' || s[i] == '\\') {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 0xF];
    } else {
      out += s[i];
    }
  }
  if (s.size() > 200) out += "...";
  return out + "\"";
}

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

}  // namespace detail

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
      : auth_(&auth),
        opts_(std::move(opts)),
        verifier_(std::move(verifier)),
        signer_(checked_secret(opts_.secret)),
        base_(checked_base_url(opts_.base_url)),
        base_path_(base_path_of(base_, opts_.base_path)),
        secure_(checked_cookie_security(opts_.cookies, base_)),
        origins_(base_.origin(), opts_.trusted_origins),
        session_cookie_(cookie_name("session_token")),
        session_data_cookie_(cookie_name("session_data")),
        dont_remember_cookie_(cookie_name("dont_remember")) {}

  /// Answers one request (see the header comment). Requests outside the base path are 404.
  response operator()(const request& req) const { return handle(req); }

  response handle(const request& req) const {
    response res = dispatch(req);
    add_cors(req, res);
    return res;
  }

  /// Whether the request's path is under the base path: the requests to send here.
  [[nodiscard]] bool handles(const request& req) const { return route_of(split_target(req.target).path).has_value(); }

  /// The path the endpoints are under, e.g. "/api/auth".
  [[nodiscard]] const std::string& base_path() const noexcept { return base_path_; }
  /// The names of the cookies the handler sets ("better-auth.session_token", or with the
  /// `__Secure-` or `__Host-` prefix).
  [[nodiscard]] const std::string& session_cookie_name() const noexcept { return session_cookie_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

  /// What the core sees of a request: the session token its cookie or bearer header carries
  /// (signature checked), the client's address and user agent.
  [[nodiscard]] request_context context(const request& req) const { return read_credentials(req).context; }

  /// The session the request carries, by cookie or bearer token, for the application's own
  /// routes; no origin check (use authenticate for a route that changes anything). It extends
  /// nothing: get-session does, and re-sends the cookie with it, which an app route's answer
  /// would not.
  [[nodiscard]] std::optional<session_view<user_type>> session(const request& req) const {
    const auto in = read_credentials(req);
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
    if (auto refusal = origin_refusal(req, false)) return *refusal;
    auto found = session(req);
    if (!found) return anonauth::errors::unauthorized;
    return std::move(*found);
  }

  /// The response for an error, in Better Auth's shape.
  [[nodiscard]] static response error_response(const anonauth::error& e) { return http::error_response(e); }

 private:
  // --- construction ---------------------------------------------------------------------------
  static const std::string& checked_secret(const std::string& secret) {
    if (secret.empty())
      throw std::invalid_argument(
          "anonauth::http::handler: options.secret is required (32 bytes or more of randomness, e.g. from "
          "`openssl rand -base64 32`; keep it out of the code)");
    if (secret.size() < 32)
      throw std::invalid_argument("anonauth::http::handler: options.secret is " + std::to_string(secret.size()) +
                                  " bytes; it must be at least 32");
    return secret;
  }
  static url checked_base_url(const std::string& base_url) {
    auto parsed = parse_url(base_url);
    if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https") || parsed->host.empty())
      throw std::invalid_argument("anonauth::http::handler: options.base_url '" + base_url +
                                  "' is not an absolute http or https URL");
    return *parsed;
  }
  static std::string base_path_of(const url& base, const std::string& fallback) {
    std::string path = base.path.empty() || base.path == "/" ? fallback : base.path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path.front() != '/')
      throw std::invalid_argument("anonauth::http::handler: the base path '" + path + "' must start with '/'");
    return path;
  }
  static bool checked_cookie_security(const cookie_options& cookies, const url& base) {
    if (!cookies.host_prefix) return cookies.secure.value_or(base.scheme == "https");
    if (cookies.secure == false)
      throw std::invalid_argument(
          "anonauth::http::handler: options.cookies.host_prefix needs secure cookies: leave options.cookies.secure "
          "unset or true");
    // Browsers keep a Secure cookie sent over http only from localhost: anywhere else, every
    // session would silently be lost.
    const bool local = base.host == "localhost" || base.host.ends_with(".localhost") || base.host == "127.0.0.1" ||
                       base.host == "[::1]";
    if (base.scheme != "https" && !local)
      throw std::invalid_argument("anonauth::http::handler: options.cookies.host_prefix needs an https base URL (or "
                                  "localhost); browsers drop a __Host- cookie sent over http");
    if (!cookies.domain.empty())
      throw std::invalid_argument("anonauth::http::handler: options.cookies.host_prefix forbids options.cookies.domain");
    return true;
  }
  [[nodiscard]] std::string cookie_name(std::string_view name) const {
    const char* prefix = opts_.cookies.host_prefix ? "__Host-" : secure_ ? "__Secure-" : "";
    return prefix + opts_.cookies.prefix + "." + std::string(name);
  }

  // --- the pipeline ---------------------------------------------------------------------------
  response dispatch(const request& req) const {
    if (req.headers.size() > opts_.limits.max_headers) return http::error_response(errors::header_fields_too_large);
    std::size_t header_bytes = 0;
    for (const auto& h : req.headers) header_bytes += h.name.size() + h.value.size();
    if (header_bytes > opts_.limits.max_header_bytes) return http::error_response(errors::header_fields_too_large);
    if (req.body.size() > opts_.limits.max_body) return http::error_response(errors::payload_too_large);

    const auto [path, query] = split_target(req.target);
    const auto found = route_of(path);
    if (!found || found->find("//") != std::string_view::npos) return not_found();
    const std::string_view route = *found;

    if (req.method == "OPTIONS" && req.header("Access-Control-Request-Method")) return preflight(req);

    const endpoint* ep = find_endpoint(route);
    if (!ep) return not_found();
    if (req.method != ep->method) {
      if (route == "/get-session" && req.method == "POST")
        return http::error_response(errors::method_not_allowed_defer_session_required);
      return not_found();
    }

    detail::incoming in = read_credentials(req);
    in.route = route;
    in.query = query;
    if (req.method == "POST") {
      if (auto refusal = read_body(req, *ep, in)) return std::move(*refusal);
      if (auto refusal = origin_refusal(req, false)) return http::error_response(*refusal);
      if (auto refusal = callback_refusal(in)) return http::error_response(*refusal);
    }
    try {
      return (this->*(ep->run))(in);
    } catch (const storage_error& e) {  // from an operation that has no error code for it
      tell(std::string(route) + ": storage failure: " + e.what());
      return http::error_response(errors::internal_server_error);
    }
  }

  void tell(const std::string& line) const {
    if (opts_.log) opts_.log(line);
  }

  /// The path after the base path ("/get-session"), if `path` is under it.
  [[nodiscard]] std::optional<std::string_view> route_of(std::string_view path) const {
    if (path.size() <= base_path_.size() || path.substr(0, base_path_.size()) != base_path_ ||
        path[base_path_.size()] != '/')
      return std::nullopt;
    return path.substr(base_path_.size());
  }

  struct endpoint {
    std::string_view path;
    std::string_view method;
    bool form_allowed;  // application/x-www-form-urlencoded as well as JSON
    response (handler::*run)(detail::incoming&) const;
  };

  static const endpoint* find_endpoint(std::string_view route) {
    static constexpr std::array<endpoint, 13> table{{
        {"/sign-in/anonymous", "POST", false, &handler::sign_in_anonymous},
        {"/sign-up/email", "POST", true, &handler::sign_up_email},
        {"/sign-in/email", "POST", true, &handler::sign_in_email},
        {"/sign-in/social", "POST", false, &handler::sign_in_social},
        {"/get-session", "GET", false, &handler::get_session},
        {"/update-user", "POST", false, &handler::update_user},
        {"/sign-out", "POST", false, &handler::sign_out},
        {"/delete-anonymous-user", "POST", false, &handler::delete_anonymous_user},
        {"/list-sessions", "GET", false, &handler::list_sessions},
        {"/revoke-session", "POST", false, &handler::revoke_session},
        {"/revoke-sessions", "POST", false, &handler::revoke_sessions},
        {"/revoke-other-sessions", "POST", false, &handler::revoke_other_sessions},
        {"/ok", "GET", false, &handler::ok},
    }};
    for (const auto& e : table)
      if (e.path == route) return &e;
    return nullptr;
  }

  static response not_found() {
    response r;
    r.status = 404;
    return r;
  }

  /// Better Auth's body parser: JSON (any `application/...json` type) or, where the endpoint
  /// takes it, a form; an empty body is no body; anything else is 415.
  std::optional<response> read_body(const request& req, const endpoint& ep, detail::incoming& in) const {
    if (req.body.empty()) return std::nullopt;
    const std::string_view type_header = req.header("Content-Type").value_or("");
    const std::string type = detail::ascii_lower(trim(type_header.substr(0, type_header.find(';'))));
    const std::string_view allowed =
        ep.form_allowed ? "application/x-www-form-urlencoded, application/json" : "application/json";
    const bool json = type == "application/json";
    const bool form = ep.form_allowed && type == "application/x-www-form-urlencoded";
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
    auto parsed = detail::parse_json(req.body, opts_.limits.max_json_depth);
    switch (parsed.fault) {
      case detail::json_fault::none: break;
      case detail::json_fault::syntax: return http::error_response(errors::invalid_json);
      case detail::json_fault::too_deep: return http::error_response(errors::json_too_deep);
      case detail::json_fault::duplicate_key: return http::error_response(errors::duplicate_key);
    }
    in.body = std::move(parsed.value);
    return std::nullopt;
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }

  /// Better Auth's origin check: a request other than GET, HEAD or OPTIONS that carries any
  /// Cookie header (or, `force`d, any request) needs an Origin, or failing that a Referer,
  /// whose origin is trusted. A bearer-only request carries no cookie and passes.
  std::optional<anonauth::error> origin_refusal(const request& req, bool force) const {
    if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return std::nullopt;
    if (!force && !req.header("Cookie")) return std::nullopt;
    const auto origin = req.header("Origin");
    std::string candidate;
    if (origin && *origin == "null" && req.header("Sec-Fetch-Site") == std::optional<std::string_view>("same-origin"))
      candidate = base_.origin();  // a same-origin request whose browser hides the origin
    else if (origin && !origin->empty())
      candidate = std::string(*origin);
    else if (const auto referer = req.header("Referer"); referer && !referer->empty())
      candidate = std::string(*referer);
    if (candidate.empty() || candidate == "null") {
      tell("refused " + detail::printable(req.method + " " + std::string(split_target(req.target).path)) +
           ": it carries a cookie but no Origin or Referer (MISSING_OR_NULL_ORIGIN)");
      return anonauth::error(errors::missing_or_null_origin);
    }
    if (!origins_.trusts(candidate)) {
      tell("refused " + detail::printable(req.method + " " + std::string(split_target(req.target).path)) + " from " +
           detail::printable(candidate) + ": not a trusted origin (INVALID_ORIGIN); trust it with options.trusted_origins");
      return anonauth::error(errors::invalid_origin);
    }
    return std::nullopt;
  }

  /// Better Auth's checks of the URLs a POST may name: trusted, or a relative path.
  std::optional<anonauth::error> callback_refusal(const detail::incoming& in) const {
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
      if (value && !origins_.trusts_callback(*value)) {
        tell("refused " + std::string(u.label) + " " + detail::printable(*value) + " on " + std::string(in.route) +
             ": neither a trusted origin nor a relative path (" + std::string(u.refusal->code) + ")");
        return anonauth::error(*u.refusal);
      }
    }
    return std::nullopt;
  }
  static bool is_falsy(const boost::json::value& v) {
    return v.is_null() || (v.is_bool() && !v.get_bool()) || (v.is_string() && v.get_string().empty()) ||
           (v.is_int64() && v.get_int64() == 0) || (v.is_uint64() && v.get_uint64() == 0) ||
           (v.is_double() && v.get_double() == 0.0);
  }

  /// Better Auth's formCsrf check on email sign-in and sign-up: a request without cookies that
  /// fetch metadata shows as a cross-site navigation is refused; one with any fetch metadata
  /// must pass the origin check, and so must one with an Origin or Referer; one with none of
  /// these (curl, a native app) passes.
  std::optional<anonauth::error> form_csrf_refusal(const request& req) const {
    if (req.header("Cookie")) return std::nullopt;  // the origin check has run
    const auto site = req.header("Sec-Fetch-Site"), mode = req.header("Sec-Fetch-Mode"), dest = req.header("Sec-Fetch-Dest");
    auto present = [](const std::optional<std::string_view>& h) { return h && !trim(*h).empty(); };
    if (present(site) || present(mode) || present(dest)) {
      if (site == std::optional<std::string_view>("cross-site") && mode == std::optional<std::string_view>("navigate"))
        return anonauth::error(errors::cross_site_navigation_login_blocked);
      return origin_refusal(req, true);
    }
    if (present(req.header("Origin")) || present(req.header("Referer"))) return origin_refusal(req, true);
    return std::nullopt;
  }

  // --- credentials ----------------------------------------------------------------------------
  detail::incoming read_credentials(const request& req) const {
    detail::incoming in;
    in.req = &req;
    if (const auto raw = find_cookie(req, session_cookie_)) {
      if (auto decoded = percent_decode(*raw)) {
        if (auto token = signer_.verify(*decoded)) {
          in.token = std::move(*token);
          in.signed_cookie = true;
        }
      }
    }
    if (const auto raw = find_cookie(req, dont_remember_cookie_)) {
      if (auto decoded = percent_decode(*raw)) in.dont_remember = signer_.verify(*decoded) == std::optional<std::string>("true");
    }
    if (opts_.bearer.enabled) {
      if (auto token = bearer_token(req)) in.token = std::move(*token);
    }
    in.context.session_token = in.token;
    in.context.ip_address = client_address(req);
    in.context.user_agent = user_agent(req);
    return in;
  }

  /// The session token of an `Authorization: Bearer` header: `token.signature` (percent-decoded
  /// if need be) with a valid signature, or a bare token unless signatures are required.
  std::optional<std::string> bearer_token(const request& req) const {
    const auto header = req.header("Authorization");
    if (!header || header->size() < 7 || !iequals(header->substr(0, 7), "bearer ")) return std::nullopt;
    const std::string_view value = trim(header->substr(7));
    if (value.empty()) return std::nullopt;
    if (value.find('.') == std::string_view::npos) {
      if (opts_.bearer.require_signature) return std::nullopt;
      return std::string(value);
    }
    std::string decoded(value);
    if (value.find('%') != std::string_view::npos) {
      auto d = percent_decode(value);
      if (!d) return std::nullopt;
      decoded = std::move(*d);
    }
    return signer_.verify(decoded);
  }

  std::string client_address(const request& req) const {
    std::string_view address = req.peer_address;
    if (!opts_.client_ip_header.empty()) {
      if (const auto forwarded = req.header(opts_.client_ip_header)) {
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
  static std::string user_agent(const request& req) {
    std::string_view ua = req.header("User-Agent").value_or("");
    if (ua.size() > anonauth::limits::max_user_agent) {
      std::size_t cut = anonauth::limits::max_user_agent;
      while (cut > 0 && (static_cast<unsigned char>(ua[cut]) & 0xC0) == 0x80) --cut;
      ua = ua.substr(0, cut);
    }
    return std::string(ua);
  }

  // --- cookies --------------------------------------------------------------------------------
  [[nodiscard]] cookie_attributes attributes(std::optional<std::chrono::seconds> max_age) const {
    cookie_attributes a;
    a.max_age = max_age;
    a.domain = opts_.cookies.domain;
    a.secure = secure_ || opts_.cookies.same_site == same_site_policy::none;
    a.same_site = opts_.cookies.same_site == same_site_policy::strict ? "Strict"
                  : opts_.cookies.same_site == same_site_policy::none ? "None"
                                                                      : "Lax";
    a.partitioned = opts_.cookies.partitioned;
    return a;
  }

  /// Drops earlier Set-Cookie lines for `name`: a response says one thing about each cookie.
  static void forget_cookie(response& res, std::string_view name) {
    std::erase_if(res.headers, [&](const header& h) {
      return iequals(h.name, "Set-Cookie") && h.value.size() > name.size() && h.value.compare(0, name.size(), name) == 0 &&
             h.value[name.size()] == '=';
    });
  }

  void set_cookie(response& res, const std::string& name, std::string_view value,
                  std::optional<std::chrono::seconds> max_age) const {
    forget_cookie(res, name);
    res.add_header("Set-Cookie", set_cookie_value(name, value, attributes(max_age)));
  }

  void expire_cookie(response& res, const std::string& name) const { set_cookie(res, name, "", std::chrono::seconds{0}); }

  /// Better Auth's setSessionCookie: the signed token, for the session's lifetime or, not
  /// remembered, for the browser session with the signed dont_remember cookie beside it; and
  /// with the bearer plugin, the same signed token in `set-auth-token`. A session nearer its
  /// absolute end than a lifetime (`sessions::absolute_lifetime`) gets a cookie that ends with it.
  void set_session_cookie(response& res, const std::string& token, bool dont_remember, bool had_dont_remember,
                          const anonauth::session* s = nullptr) const {
    const std::string signed_token = signer_.sign(token);
    std::chrono::seconds max_age = Auth::session_lifetime;
    if (s && s->expires_at - s->updated_at < max_age)
      max_age = std::max(std::chrono::seconds{0}, std::chrono::ceil<std::chrono::seconds>(s->expires_at - s->updated_at));
    set_cookie(res, session_cookie_, percent_encode_component(signed_token),
               dont_remember ? std::nullopt : std::optional<std::chrono::seconds>(max_age));
    if (dont_remember) set_cookie(res, dont_remember_cookie_, percent_encode_component(signer_.sign("true")), std::nullopt);
    else if (had_dont_remember) expire_cookie(res, dont_remember_cookie_);
    if (opts_.bearer.enabled) {
      res.set_header("set-auth-token", signed_token);
      expose_header(res, "set-auth-token");
    }
  }

  void expire_session_cookies(response& res) const {
    expire_cookie(res, session_cookie_);
    expire_cookie(res, session_data_cookie_);
    expire_cookie(res, dont_remember_cookie_);
  }

  static void expose_header(response& res, std::string_view name) {
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

  // --- CORS -----------------------------------------------------------------------------------
  [[nodiscard]] std::optional<std::string> cors_origin(const request& req) const {
    if (!opts_.cors) return std::nullopt;
    const auto origin = req.header("Origin");
    if (!origin || origin->empty() || *origin == "null" || !origins_.trusts(*origin)) return std::nullopt;
    return std::string(*origin);
  }

  void add_cors(const request& req, response& res) const {
    const auto origin = cors_origin(req);
    if (!origin) return;
    res.set_header("Access-Control-Allow-Origin", *origin);
    res.set_header("Access-Control-Allow-Credentials", "true");
    if (!res.header("Vary")) res.add_header("Vary", "Origin");
  }

  response preflight(const request& req) const {
    if (!cors_origin(req)) return not_found();  // Better Auth answers OPTIONS with 404
    response r;
    r.status = 204;
    r.add_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    r.add_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
    r.add_header("Access-Control-Max-Age", std::to_string(opts_.cors_max_age.count()));
    r.add_header("Access-Control-Expose-Headers", "set-auth-token");
    r.add_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    return r;
  }

  // --- JSON out -------------------------------------------------------------------------------
  static response json(boost::json::value body, int status = 200) {
    response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    r.add_header("Content-Type", "application/json");
    return r;
  }
  static boost::json::object user_json(const user_type& u) {
    boost::json::object o;
    detail::put_row(o, u);
    return o;
  }
  static boost::json::object session_json(const anonauth::session& s, std::string_view token) {
    boost::json::object o;
    o.emplace("id", s.id);
    o.emplace("token", boost::json::string_view(token.data(), token.size()));
    o.emplace("userId", s.user_id);
    o.emplace("expiresAt", detail::iso8601(s.expires_at));
    o.emplace("createdAt", detail::iso8601(s.created_at));
    o.emplace("updatedAt", detail::iso8601(s.updated_at));
    o.emplace("ipAddress", detail::valid_utf8(s.ip_address));
    o.emplace("userAgent", detail::valid_utf8(s.user_agent));
    return o;
  }
  static response status_true() {
    boost::json::object o;
    o.emplace("status", true);
    return json(std::move(o));
  }
  static response success_true() {
    boost::json::object o;
    o.emplace("success", true);
    return json(std::move(o));
  }

  const boost::json::object* body_object(const detail::incoming& in) const {
    return in.body && in.body->is_object() ? &in.body->get_object() : nullptr;
  }

  /// zod's refusal of a body that is there but is no object ("[body] Invalid input: expected
  /// object, received array"); `record` adds the issue of Better Auth's `.and(z.record(...))`.
  static std::optional<response> non_object_body(const detail::incoming& in, bool required, bool record = false) {
    const boost::json::value* v = in.body ? &*in.body : nullptr;
    if (v && v->is_object()) return std::nullopt;
    if (!v && !required) return std::nullopt;
    detail::issues out;
    out.add("body", "Invalid input: expected object, received " + std::string(detail::received_type(v)));
    if (record) out.add("body", "Invalid input: expected record, received " + std::string(detail::received_type(v)));
    return http::error_response(out.error());
  }

  /// The signed-in answer of every sign-in: the session cookie, and Better Auth's body in its
  /// order, `{redirect?, token, url?, user}`.
  response signed_in_response(const signed_in<user_type>& done, bool dont_remember, const detail::incoming& in,
                              std::optional<bool> redirect = std::nullopt,
                              const std::optional<std::string>& url = std::nullopt) const {
    boost::json::object body;
    if (redirect) body.emplace("redirect", *redirect);
    body.emplace("token", done.token);
    if (url) body.emplace("url", *url);
    body.emplace("user", user_json(done.user));
    response res = json(std::move(body));
    set_session_cookie(res, done.token, dont_remember, in.dont_remember, &done.session);
    return res;
  }

  /// Reads the application fields of a body into `row` (typed), with zod-style issues.
  /// `isAnonymous` (the plugin's `input: false` field) is refused when truthy in an update and
  /// dropped in a sign-up; an aa::server_set field is refused when truthy; `emailVerified`, `id`, `createdAt` and `updatedAt` are dropped, as
  /// Better Auth drops them; name, email and image are the caller's.
  static std::optional<anonauth::error> read_app_fields(const boost::json::object& body, user_type& row, bool update,
                                                        detail::issues& out) {
    std::optional<anonauth::error> refusal;
    boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
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
      if (anonauth::detail::is_server_set<typename Auth::schema_type>(member)) {
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

  // --- endpoints ------------------------------------------------------------------------------
  response sign_in_anonymous(detail::incoming& in) const {
    auto done = auth_->sign_in_anonymous(in.context);
    if (!done) return http::error_response(done.error());
    return signed_in_response(*done, in.dont_remember, in);
  }

  response sign_up_email(detail::incoming& in) const {
    if (auto refusal = non_object_body(in, true, true)) return std::move(*refusal);
    const auto& body = *body_object(in);
    detail::issues out;
    detail::body_reader read(&body, out);
    auto name = read.string("name");
    std::optional<std::string> email;
    if (const auto* v = read.find("email"); v && v->is_string()) {
      email = std::string(v->get_string().data(), v->get_string().size());
      if (!is_valid_email(*email)) out.add("body.email", "Invalid email address");
    } else {
      read.mismatch("email", "string", v);
    }
    auto password = read.string("password");
    if (password && password->empty()) out.add("body.password", "Too small: expected string to have >=1 characters");
    auto image = read.optional_string("image");
    read.optional_string("callbackURL");
    auto remember = read.optional_bool("rememberMe");
    in.context.link_guest = read.optional_bool("linkGuest").value_or(false);
    user_type fields{};
    auto refusal = read_app_fields(body, fields, false, out);
    if (!out.empty()) return http::error_response(out.error());
    if (refusal) return http::error_response(*refusal);
    if (auto csrf = form_csrf_refusal(*in.req)) return http::error_response(*csrf);

    email_sign_up up{*email, *password, *name, image, remember.value_or(true)};
    auto done = auth_->sign_up_email(up, in.context, [&](user_type& row) {
      boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
        const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
        if (detail::is_core_field(member)) return;
        if (body.if_contains(camel_case(member))) boost::hana::second(pair)(row) = boost::hana::second(pair)(fields);
      });
    });
    if (!done) return http::error_response(done.error());
    return signed_in_response(*done, !up.remember_me, in);
  }

  response sign_in_email(detail::incoming& in) const {
    if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
    detail::issues out;
    detail::body_reader read(body_object(in), out);
    auto email = read.string("email");
    auto password = read.string("password");
    auto callback = read.optional_string("callbackURL");
    auto remember = read.optional_bool("rememberMe");
    in.context.link_guest = read.optional_bool("linkGuest").value_or(false);
    if (!out.empty()) return http::error_response(out.error());
    if (auto csrf = form_csrf_refusal(*in.req)) return http::error_response(*csrf);
    auto done = auth_->sign_in_email(email_sign_in{*email, *password, remember.value_or(true)}, in.context);
    if (!done) return http::error_response(done.error());
    const bool redirect = callback && !callback->empty();
    response res = signed_in_response(*done, !remember.value_or(true), in, redirect,
                                      redirect ? callback : std::optional<std::string>());
    if (redirect) res.add_header("Location", *callback);
    return res;
  }

  response sign_in_social(detail::incoming& in) const {
    if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
    const auto& body = *body_object(in);
    detail::issues out;
    detail::body_reader read(&body, out);
    // Better Auth's provider is a z.enum of its providers: anything but a string is "Invalid
    // input". Any string is accepted here; the verifier knows which providers exist.
    std::optional<std::string> provider;
    if (const auto* p = read.find("provider"); p && p->is_string()) provider = std::string(p->get_string());
    else out.add("body.provider", "Invalid input");
    for (const auto* key : {"callbackURL", "newUserCallbackURL", "errorCallbackURL", "loginHint"}) read.optional_string(key);
    for (const auto* key : {"disableRedirect", "requestSignUp"}) read.optional_bool(key);
    in.context.link_guest = read.optional_bool("linkGuest").value_or(false);
    id_token token;
    const boost::json::value* id = read.find("idToken");
    if (id && !id->is_object()) read.mismatch("idToken", "object", id);
    if (id && id->is_object()) {
      detail::issues inner;
      detail::body_reader fields(&id->get_object(), inner);
      auto prefixed = [&](std::string_view key, std::string_view expected) {
        out.add("body.idToken." + std::string(key),
                "Invalid input: expected " + std::string(expected) + ", received " +
                    std::string(detail::received_type(fields.find(key))));
      };
      if (const auto* t = fields.find("token"); t && t->is_string()) token.token = std::string(t->get_string());
      else prefixed("token", "string");
      auto opt = [&](std::string_view key, std::optional<std::string>& into) {
        const auto* v = fields.find(key);
        if (!v) return;
        if (v->is_string()) into = std::string(v->get_string());
        else prefixed(key, "string");
      };
      opt("nonce", token.nonce);
      opt("accessToken", token.access_token);
      opt("refreshToken", token.refresh_token);
      if (const auto* user = fields.find("user"); user && user->is_object()) {
        const auto& u = user->get_object();
        if (const auto* e = u.if_contains("email"); e && e->is_string()) token.user_email = std::string(e->get_string());
        if (const auto* n = u.if_contains("name"); n && n->is_object()) {
          if (const auto* f = n->get_object().if_contains("firstName"); f && f->is_string())
            token.user_first_name = std::string(f->get_string());
          if (const auto* l = n->get_object().if_contains("lastName"); l && l->is_string())
            token.user_last_name = std::string(l->get_string());
        }
      }
    }
    if (!out.empty()) return http::error_response(out.error());
    token.provider = *provider;
    if (!id) {
      // The redirect flow needs the provider's OAuth endpoints: refused unless the verifier
      // does not know the provider at all.
      id_token probe;
      probe.provider = *provider;
      auto answer = verifier_.verify(probe);
      if (!answer && answer.error().is(anonauth::errors::provider_not_found)) return http::error_response(answer.error());
      return http::error_response(errors::id_token_required);
    }
    auto profile = verifier_.verify(token);
    if (!profile) return http::error_response(profile.error());
    if (profile->email.empty()) return http::error_response(anonauth::errors::user_email_not_found);
    auto done = auth_->sign_in_social(*profile, in.context);
    if (!done) return http::error_response(done.error());
    return signed_in_response(*done, in.dont_remember, in, false);
  }

  response get_session(detail::incoming& in) const {
    const bool disable_refresh = query_flag(in.query, "disableRefresh");
    std::optional<session_lookup<user_type>> found;
    if (in.token)
      found = auth_->lookup_session(*in.token,
                                    in.dont_remember || disable_refresh ? session_refresh::never : session_refresh::on_use);
    response res;
    if (!found) {
      res = json(nullptr);
      // A signed cookie whose session is gone: Better Auth clears the cookies.
      if (in.signed_cookie) expire_session_cookies(res);
    } else {
      boost::json::object body;
      body.emplace("session", session_json(found->view.session, *in.token));
      body.emplace("user", user_json(found->view.user));
      res = json(std::move(body));
      if (found->refreshed) set_session_cookie(res, *in.token, false, in.dont_remember, &found->view.session);
    }
    res.add_header("Cache-Control", "no-store");
    res.add_header("Pragma", "no-cache");
    return res;
  }

  /// z.coerce.boolean() on a query parameter: present and non-empty is true ("false" too).
  static bool query_flag(std::string_view query, std::string_view name) {
    const auto v = query_value(query, name);
    return v && !v->empty();
  }

  response update_user(detail::incoming& in) const {
    // Better Auth's body is z.record(...): an object is required, and checked before the session.
    if (!in.body || !in.body->is_object()) {
      detail::issues out;
      out.add("body", "Invalid input: expected record, received " +
                          std::string(detail::received_type(in.body ? &*in.body : nullptr)));
      return http::error_response(out.error());
    }
    const boost::json::object& body = in.body->get_object();
    if (!in.token) return http::error_response(anonauth::errors::unauthorized);
    if (const auto* e = body.if_contains("email"); e && !is_falsy(*e))
      return http::error_response(anonauth::errors::email_can_not_be_updated);
    detail::issues out;
    detail::body_reader read(&body, out);
    std::optional<std::string> name;
    if (const auto* v = read.find("name")) {
      if (v->is_string()) name = std::string(v->get_string());
      else read.mismatch("name", "string", v);
    }
    bool image_given = false;
    std::optional<std::string> image;
    if (const auto* v = read.find("image")) {
      image_given = true;
      if (v->is_string()) image = std::string(v->get_string());
      else if (!v->is_null()) read.mismatch("image", "string", v);
    }
    user_type fields{};
    auto refusal = read_app_fields(body, fields, true, out);
    if (!out.empty()) return http::error_response(out.error());
    if (refusal) return http::error_response(*refusal);
    bool any_app_field = false;
    boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
      const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
      if (!detail::is_core_field(member) && body.contains(camel_case(member))) any_app_field = true;
    });
    if (!name && !image_given && !any_app_field)
      return http::error_response(anonauth::errors::no_fields_to_update);

    auto done = auth_->update_user(in.context, [&](user_type& row) {
      if (name) row.name = *name;
      if (image_given) row.image = image;
      boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
        const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
        if (detail::is_core_field(member)) return;
        if (body.contains(camel_case(member))) boost::hana::second(pair)(row) = boost::hana::second(pair)(fields);
      });
    });
    // Better Auth writes what it is sent even when nothing changes; so the answer is the same.
    if (!done && !done.error().is(anonauth::errors::no_fields_to_update)) return http::error_response(done.error());
    response res = status_true();
    std::optional<session_lookup<user_type>> current;
    if constexpr (Auth::session_absolute_lifetime.count() > 0) current = auth_->lookup_session(*in.token, session_refresh::never);
    set_session_cookie(res, *in.token, in.dont_remember, in.dont_remember, current ? &current->view.session : nullptr);
    return res;
  }

  response sign_out(detail::incoming& in) const {
    (void)auth_->sign_out(in.context);
    response res = success_true();
    expire_session_cookies(res);
    return res;
  }

  response delete_anonymous_user(detail::incoming& in) const {
    auto done = auth_->delete_anonymous_user(in.context);
    if (!done) return http::error_response(done.error());
    response res = success_true();
    expire_session_cookies(res);
    return res;
  }

  response list_sessions(detail::incoming& in) const {
    auto listed = auth_->list_sessions(in.context);
    if (!listed) return http::error_response(listed.error());
    boost::json::array out;
    for (const auto& s : *listed)
      // Only token hashes are stored: another session is named by its id, which revoke-session
      // accepts as its token; the request's own shows the token it was made with.
      out.emplace_back(session_json(s.session, s.current ? std::string_view(*in.token) : std::string_view(s.session.id)));
    return json(std::move(out));
  }

  response revoke_session(detail::incoming& in) const {
    if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
    detail::issues out;
    detail::body_reader read(body_object(in), out);
    auto token = read.string("token");
    if (!out.empty()) return http::error_response(out.error());
    auto done = auth_->revoke_session(in.context, *token);
    if (!done) return http::error_response(done.error());
    response res = status_true();
    if (*done) expire_session_cookies(res);
    return res;
  }

  response revoke_sessions(detail::incoming& in) const {
    auto done = auth_->revoke_sessions(in.context);
    if (!done) return http::error_response(done.error());
    response res = status_true();
    expire_session_cookies(res);
    return res;
  }

  response revoke_other_sessions(detail::incoming& in) const {
    auto done = auth_->revoke_other_sessions(in.context);
    if (!done) return http::error_response(done.error());
    return status_true();
  }

  response ok(detail::incoming&) const {
    boost::json::object o;
    o.emplace("ok", true);
    return json(std::move(o));
  }

  Auth* auth_;
  options opts_;
  [[no_unique_address]] Verifier verifier_;
  cookie_signer signer_;
  url base_;
  std::string base_path_;
  bool secure_;
  trusted_origins origins_;
  std::string session_cookie_;
  std::string session_data_cookie_;
  std::string dont_remember_cookie_;
};

}  // namespace anonauth::http

// anonauth/http/handler/social.hpp: sign-in/social: an id token, checked by the handler's verifier.
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

#include <anonauth/http/id_token.hpp>

namespace anonauth::http::detail {

template <class Auth, class Verifier>
response sign_in_social(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
  const auto& body = *body_object(in);
  issues out;
  body_reader read(&body, out);
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
    issues inner;
    body_reader fields(&id->get_object(), inner);
    auto prefixed = [&](std::string_view key, std::string_view expected) {
      out.add("body.idToken." + std::string(key),
              "Invalid input: expected " + std::string(expected) + ", received " +
                  std::string(received_type(fields.find(key))));
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
    auto answer = c.verifier->verify(probe);
    if (!answer && answer.error().is(anonauth::errors::provider_not_found)) return http::error_response(answer.error());
    return http::error_response(errors::id_token_required);
  }
  auto profile = c.verifier->verify(token);
  if (!profile) return http::error_response(profile.error());
  if (profile->email.empty()) return http::error_response(anonauth::errors::user_email_not_found);
  auto done = c.auth->sign_in_social(*profile, in.context);
  if (!done) return http::error_response(done.error());
  return c.signed_in_response(*done, in.dont_remember, in, false);
}

}  // namespace anonauth::http::detail

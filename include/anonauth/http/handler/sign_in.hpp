// anonauth/http/handler/sign_in.hpp: the endpoints that open a session with the auth's own credentials:
// sign-in/anonymous, sign-up/email, sign-in/email.
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

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>

namespace anonauth::http::detail {

template <class Auth, class Verifier>
response sign_in_anonymous(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  auto done = c.auth->sign_in_anonymous(in.context);
  if (!done) return http::error_response(done.error());
  return c.signed_in_response(*done, in.dont_remember, in);
}

template <class Auth, class Verifier>
response sign_up_email(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  using user_type = typename Auth::user_type;
  if (auto refusal = non_object_body(in, true, true)) return std::move(*refusal);
  const auto& body = *body_object(in);
  issues out;
  body_reader read(&body, out);
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
  auto refusal = read_app_fields<typename Auth::schema_type>(body, fields, false, out);
  if (!out.empty()) return http::error_response(out.error());
  if (refusal) return http::error_response(*refusal);
  if (auto csrf = form_csrf_refusal(*c.core, *in.req)) return http::error_response(*csrf);

  email_sign_up up{*email, *password, *name, image, remember.value_or(true)};
  auto done = c.auth->sign_up_email(up, in.context, [&](user_type& row) {
    boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
      const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
      if (is_core_field(member)) return;
      if (body.if_contains(camel_case(member))) boost::hana::second(pair)(row) = boost::hana::second(pair)(fields);
    });
  });
  if (!done) return http::error_response(done.error());
  return c.signed_in_response(*done, !up.remember_me, in);
}

template <class Auth, class Verifier>
response sign_in_email(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  if (auto refusal = non_object_body(in, true)) return std::move(*refusal);
  issues out;
  body_reader read(body_object(in), out);
  auto email = read.string("email");
  auto password = read.string("password");
  auto callback = read.optional_string("callbackURL");
  auto remember = read.optional_bool("rememberMe");
  in.context.link_guest = read.optional_bool("linkGuest").value_or(false);
  if (!out.empty()) return http::error_response(out.error());
  if (auto csrf = form_csrf_refusal(*c.core, *in.req)) return http::error_response(*csrf);
  auto done = c.auth->sign_in_email(email_sign_in{*email, *password, remember.value_or(true)}, in.context);
  if (!done) return http::error_response(done.error());
  const bool redirect = callback && !callback->empty();
  response res = c.signed_in_response(*done, !remember.value_or(true), in, redirect,
                                    redirect ? callback : std::optional<std::string>());
  if (redirect) res.add_header("Location", *callback);
  return res;
}

}  // namespace anonauth::http::detail

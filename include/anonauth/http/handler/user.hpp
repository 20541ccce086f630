// anonauth/http/handler/user.hpp: the endpoints of the signed-in user: update-user and
// delete-anonymous-user.
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
response update_user(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  using user_type = typename Auth::user_type;
  // Better Auth's body is z.record(...): an object is required, and checked before the session.
  if (!in.body || !in.body->is_object()) {
    issues out;
    out.add("body", "Invalid input: expected record, received " +
                        std::string(received_type(in.body ? &*in.body : nullptr)));
    return http::error_response(out.error());
  }
  const boost::json::object& body = in.body->get_object();
  if (!in.token) return http::error_response(anonauth::errors::unauthorized);
  if (const auto* e = body.if_contains("email"); e && !is_falsy(*e))
    return http::error_response(anonauth::errors::email_can_not_be_updated);
  issues out;
  body_reader read(&body, out);
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
  auto refusal = read_app_fields<typename Auth::schema_type>(body, fields, true, out);
  if (!out.empty()) return http::error_response(out.error());
  if (refusal) return http::error_response(*refusal);
  bool any_app_field = false;
  boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
    const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
    if (!is_core_field(member) && body.contains(camel_case(member))) any_app_field = true;
  });
  if (!name && !image_given && !any_app_field)
    return http::error_response(anonauth::errors::no_fields_to_update);

  auto done = c.auth->update_user(in.context, [&](user_type& row) {
    if (name) row.name = *name;
    if (image_given) row.image = image;
    boost::hana::for_each(boost::hana::accessors<user_type>(), [&](auto pair) {
      const std::string_view member = boost::hana::to<const char*>(boost::hana::first(pair));
      if (is_core_field(member)) return;
      if (body.contains(camel_case(member))) boost::hana::second(pair)(row) = boost::hana::second(pair)(fields);
    });
  });
  // Better Auth writes what it is sent even when nothing changes; so the answer is the same.
  if (!done && !done.error().is(anonauth::errors::no_fields_to_update)) return http::error_response(done.error());
  response res = status_true();
  std::optional<session_lookup<user_type>> current;
  if constexpr (Auth::session_absolute_lifetime.count() > 0) current = c.auth->lookup_session(*in.token, session_refresh::never);
  c.set_session_cookie(res, *in.token, in.dont_remember, in.dont_remember, current ? &current->view.session : nullptr);
  return res;
}

template <class Auth, class Verifier>
response delete_anonymous_user(const endpoint_context<Auth, Verifier>& c, incoming& in) {
  auto done = c.auth->delete_anonymous_user(in.context);
  if (!done) return http::error_response(done.error());
  response res = success_true();
  expire_session_cookies(*c.core, res);
  return res;
}

}  // namespace anonauth::http::detail

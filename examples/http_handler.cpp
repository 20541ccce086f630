// The HTTP handler on its own, as docs/http.md shows it (the "snippet" regions, checked by
// CTest): configured, put behind a framework of one's own, protecting an app route, and signing
// in a native app's user with an id token checked by the app's verifier. No sockets: requests
// are values, so this runs as a test and prints what a client would see.
#include <anonauth/anonauth.hpp>
#include <anonauth/http/http.hpp>

#include <boost/json/parse.hpp>

#include <iostream>
#include <map>
#include <string>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (std::optional<std::string>, bio));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};
using app_schema = aa::schema<aa::user_table<user>, aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>>;
using auth_type = aa::anonymous_auth<app_schema, aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>>>,
                                     aa::password_hasher<aa::argon2id<1, 8192, aa::insecure_test_cost>>>;  // fast, for the example

// snippet: verifier
// Checks the id token a native app got from the provider's SDK. A real one verifies the JWT's
// signature with the provider's published keys, and its issuer, audience, expiry and nonce.
struct my_verifier {
  aa::result<aa::social_profile> verify(const aa::http::id_token& t) const {
    if (t.provider != "example-idp") return aa::errors::provider_not_found;
    if (t.token != "a-token-the-idp-signed") return aa::errors::invalid_token;
    return aa::social_profile{.provider_id = "example-idp", .account_id = "idp-user-42", .email = "kim@example.com",
                              .name = "Kim", .image = std::nullopt, .email_verified = true};
  }
};
// end snippet

// A framework's own request and response types, standing in for Drogon's, Crow's or yours.
struct framework_request {
  std::string method, path_and_query, body, remote_ip;
  std::multimap<std::string, std::string> headers;
};
struct framework_response {
  int code = 200;
  std::multimap<std::string, std::string> headers;
  std::string body;
};

// snippet: adapter
// Any server: copy the parsed request in, the response out. Set-Cookie may come more than once.
template <class Handler>
framework_response serve_auth(const Handler& handler, const framework_request& in) {
  aa::http::request req;
  req.method = in.method;
  req.target = in.path_and_query;
  for (const auto& [name, value] : in.headers) req.headers.push_back({name, value});
  req.body = in.body;
  req.peer_address = in.remote_ip;
  aa::http::response res = handler(req);

  framework_response out;
  out.code = res.status;
  for (const auto& h : res.headers) out.headers.emplace(h.name, h.value);
  out.body = std::move(res.body);
  return out;
}
// end snippet

int main() {
  auth_type auth;

  // snippet: configure
  aa::http::options options;
  options.base_url = "https://shop.example.com";                   // API under /api/auth
  options.secret = "replace-me-with-32-random-bytes-from-the-environment";
  options.trusted_origins = {"https://*.shop.example.com", "shopapp://"};
  aa::http::handler handler{auth, options, my_verifier{}};
  // end snippet

  // A browser continues as guest: Origin sent, cookie set.
  framework_request guest{.method = "POST", .path_and_query = "/api/auth/sign-in/anonymous", .body = "",
                          .remote_ip = "203.0.113.7", .headers = {{"Origin", "https://shop.example.com"}}};
  auto signed_in = serve_auth(handler, guest);
  const std::string cookie = signed_in.headers.find("Set-Cookie")->second;
  std::cout << "guest: " << signed_in.code << ", cookie " << cookie.substr(0, cookie.find('=')) << "\n";

  // snippet: app-route
  // An app route, protected as Better Auth protects its own: a cookie-bearing POST needs a
  // trusted Origin (403), then a session (401).
  auto add_to_cart = [&](const aa::http::request& req) -> aa::http::response {
    auto session = handler.authenticate(req);
    if (!session) return handler.error_response(session.error());
    auth.table<cart_item>().insert({"item-1", session->user.id, "mug", 2});
    return {.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = R"({"ok":true})"};
  };
  // end snippet
  aa::http::request cart{.method = "POST",
                         .target = "/api/cart",
                         .headers = {{"Cookie", cookie.substr(0, cookie.find(';'))}, {"Origin", "https://shop.example.com"}},
                         .body = "",
                         .peer_address = "203.0.113.7"};
  std::cout << "cart: " << add_to_cart(cart).status << "\n";
  cart.headers[1].value = "https://evil.example";
  auto refused = add_to_cart(cart);
  std::cout << "cart from another site: " << refused.status << " " << refused.body << "\n";

  // The native app signs in with its id token, bearer style: no cookie jar, no Origin.
  framework_request app{.method = "POST",
                        .path_and_query = "/api/auth/sign-in/social",
                        .body = R"({"provider":"example-idp","idToken":{"token":"a-token-the-idp-signed"}})",
                        .remote_ip = "198.51.100.9",
                        .headers = {{"Content-Type", "application/json"}}};
  auto social = serve_auth(handler, app);
  const auto body = boost::json::parse(social.body);
  std::cout << "native app: " << social.code << ", " << body.at("user").at("email").as_string().c_str()
            << ", set-auth-token " << (social.headers.count("set-auth-token") ? "sent" : "missing") << "\n";
  framework_request session{.method = "GET", .path_and_query = "/api/auth/get-session", .body = "",
                            .remote_ip = "198.51.100.9",
                            .headers = {{"Authorization", "Bearer " + social.headers.find("set-auth-token")->second}}};
  std::cout << "its session: " << boost::json::parse(serve_auth(handler, session).body).at("user").at("name").as_string().c_str()
            << "\n";
  return 0;
}

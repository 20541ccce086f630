// anonauth/http/id_token.hpp: social sign-in with an id token, the native-app flow.
//
// A native app (iOS, Android, a game client) signs the user in with the provider's own SDK and
// sends the id token it got: `authClient.signIn.social({ provider: "google", idToken: { token,
// nonce } })`. The server must check that token (signature by the provider's keys, issuer,
// audience, expiry, nonce) before it trusts anything in it. anonauth leaves that check to a
// verifier the application supplies, so it can use the JWT library and key cache it already has:
//
//   struct my_verifier {
//     aa::result<aa::social_profile> verify(const aa::http::id_token& t) const {
//       if (t.provider != "google") return aa::errors::provider_not_found;
//       auto claims = my_jwt::verify_google(t.token, t.nonce);      // keys, iss, aud, exp, nonce
//       if (!claims) return aa::errors::invalid_token;
//       return aa::social_profile{"google", claims->sub, claims->email, claims->name,
//                                 claims->picture, claims->email_verified};
//     }
//   };
//   aa::http::handler handler{auth, options, my_verifier{}};
//
// The handler then signs in (or up) the account of that identity through
// anonymous_auth::sign_in_social, linking the guest whose cookie or bearer token came along.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>

#include <concepts>
#include <optional>
#include <string>

namespace anonauth::http {

/// What `POST /sign-in/social` carried in `idToken`, with the provider it named.
struct id_token {
  std::string provider;
  std::string token;
  std::optional<std::string> nonce;
  std::optional<std::string> access_token;
  std::optional<std::string> refresh_token;
  /// Apple sends the user's name and email only on the first sign-in, beside the token.
  std::optional<std::string> user_first_name;
  std::optional<std::string> user_last_name;
  std::optional<std::string> user_email;
};

/// Checks an id token and says whose it is. Answers a verified aa::social_profile, or an error:
/// errors::provider_not_found (404) for a provider it does not know, errors::invalid_token (401)
/// for a token that fails a check, errors::id_token_not_supported (404) for a provider it knows
/// but not by id token. Called from many request threads at once.
template <class V>
concept id_token_verifier = requires(const V& v, const id_token& t) {
  { v.verify(t) } -> std::same_as<result<social_profile>>;
};

/// The default: no provider is configured, so every social sign-in is PROVIDER_NOT_FOUND, as
/// in Better Auth without socialProviders.
struct no_id_token_verifier {
  result<social_profile> verify(const id_token&) const { return anonauth::errors::provider_not_found; }
};

}  // namespace anonauth::http

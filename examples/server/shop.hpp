// The example server's shop: the seed's schema and link migration, the auth over SQLite, and
// the shop's own API (its cart) beside Better Auth's endpoints. examples/server/main.cpp serves
// it with its page; benchmarks/http serves the same shop to measure it.
#pragma once

#include <anonauth/anonauth.hpp>
#include <anonauth/http/http.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>

namespace shop {

namespace aa = anonauth;
namespace http = anonauth::http;

// --- the seed's schema ---------------------------------------------------------------------------

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
struct draft {
  BOOST_HANA_DEFINE_STRUCT(draft, (std::string, id), (std::string, author_id), (std::string, body));
};

using schema = aa::schema<aa::user_table<user>,
                          aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>,
                          aa::table<"drafts", draft, aa::user_ref<&draft::author_id>>>;

// Better Auth's onLinkAccount of the seed: the cart and the drafts follow the guest, the bio is
// copied (trimmed) only when the account has none.
using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                    aa::copy_if_empty<&user::bio>>;

template <class... Extra>
using auth_with = aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>, aa::link<on_link>,
                                     aa::email<aa::runtime_domain_email>,      // --guest-domain
                                     aa::naming<aa::random_name<"Guest-", 8>>,  // Guest-k3v9q0xa
                                     Extra...>;
using auth_type = auth_with<>;
// --rate-limit: Better Auth's production rule for /sign-in* and /sign-up*, 3 requests per 10
// seconds per address and endpoint, with anonauth's per-email and global limits on top.
using rate_limited_auth = auth_with<aa::rate_limit<aa::credential_limits>>;

// --- the shop's own routes -----------------------------------------------------------------------

inline http::response json(boost::json::value body, int status = 200) {
  http::response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  r.add_header("Content-Type", "application/json");
  r.add_header("Cache-Control", "no-store");
  return r;
}

template <class Auth>
http::response cart_of(Auth& auth, const std::string& user_id) {
  boost::json::array items;
  for (const auto& item : auth.template table<cart_item>().template find_by<&cart_item::user_id>(user_id)) {
    boost::json::object o;
    o.emplace("id", item.id);
    o.emplace("sku", item.sku);
    o.emplace("quantity", item.quantity);
    items.push_back(std::move(o));
  }
  // Rows come by id; the page lists them in the order they were added (ids are time-ordered).
  std::sort(items.begin(), items.end(), [](const boost::json::value& a, const boost::json::value& b) {
    return a.at("id").as_string() < b.at("id").as_string();
  });
  boost::json::object body;
  body.emplace("items", std::move(items));
  return json(std::move(body));
}

inline http::response validation_error(std::string message) {
  return http::error_response(400, "VALIDATION_ERROR", message);
}

/// A cart item id that sorts in the order items are added: milliseconds, a counter, then
/// randomness (ids must not be guessable from one another).
inline std::string new_item_id() {
  static std::atomic<std::uint32_t> counter{0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  char stamp[25];
  std::snprintf(stamp, sizeof stamp, "%016llx%08x", static_cast<unsigned long long>(ms.count()),
                static_cast<unsigned>(counter.fetch_add(1)));
  static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(stamp);
  unsigned char random[12];
  randombytes_buf(random, sizeof random);
  for (unsigned char b : random) id.push_back(alphabet[b % alphabet.size()]);
  return id;
}

template <class Auth, class Handler>
http::response cart(Auth& auth, const Handler& handler, const http::request& req) {
  // The same rules as Better Auth's own routes: the origin check, then the session.
  auto session = handler.authenticate(req);
  if (!session) return handler.error_response(session.error());
  if (req.method == "GET") return cart_of(auth, session->user.id);

  boost::system::error_code ec;
  const auto body = boost::json::parse(req.body, ec);
  if (ec || !body.is_object()) return validation_error("[body] Invalid input: expected object");
  const auto* sku = body.as_object().if_contains("sku");
  const auto* quantity = body.as_object().if_contains("quantity");
  if (!sku || !sku->is_string() || sku->as_string().empty() || sku->as_string().size() > 64)
    return validation_error("[body.sku] expected a string of 1 to 64 characters");
  if (!quantity || !quantity->is_int64() || quantity->as_int64() < 1 || quantity->as_int64() > 99)
    return validation_error("[body.quantity] expected an integer from 1 to 99");
  auth.template table<cart_item>().insert(
      {new_item_id(), session->user.id, std::string(sku->as_string()), static_cast<int>(quantity->as_int64())});
  return cart_of(auth, session->user.id);
}

/// The shop's API: Better Auth's endpoints under the handler's base path, and the cart; nothing
/// for any other path (the caller serves its page there, or 404).
template <class Auth, class Handler>
std::optional<http::response> serve_api(Auth& auth, const Handler& handler, const http::request& req) {
  if (handler.handles(req)) return handler(req);
  const std::string_view path = http::split_target(req.target).path;
  if (path != "/api/cart") return std::nullopt;
  if (req.method != "GET" && req.method != "POST") return http::response{.status = 404, .headers = {}, .body = {}};
  try {
    return cart(auth, handler, req);
  } catch (const aa::storage_error&) {
    return http::error_response(500, "INTERNAL_SERVER_ERROR", "Internal Server Error");
  }
}

}  // namespace shop

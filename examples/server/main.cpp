// The example server: the seed's shop behind Better Auth's HTTP protocol, on SQLite, with its
// page. Better Auth's own JS client, unchanged, drives it (examples/server/web).
//
//   anonauth-example-server [--port N (3000; 0: any free port)] [--db PATH] [--guest-domain D] [--trusted-origin O]...
//                           [--secret S] [--rate-limit] [--threads N]
//
// It listens on 127.0.0.1; the first line on stdout is its origin (http://127.0.0.1:PORT), logs
// go to stderr; SIGINT or SIGTERM stop it once the requests in flight are answered.
//
// Routes:
//   /api/auth/*     Better Auth's protocol (aa::http::handler): the guest, email and session
//                   endpoints.
//   GET  /api/cart  the cart of the request's session: {"items":[{"id","sku","quantity"}...]}.
//   POST /api/cart  {"sku","quantity"} adds a row and answers the whole cart.
//   GET  /          the page, and the files it loads.
#include <anonauth/anonauth.hpp>
#include <anonauth/http/beast.hpp>
#include <anonauth/http/http.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include "web_assets.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aa = anonauth;
namespace http = anonauth::http;

namespace shop {

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
// --rate-limit: Better Auth's production rule for /sign-in*, 3 requests per 10 seconds.
using rate_limited_auth = auth_with<aa::rate_limit<aa::per_ip<3, std::chrono::duration<std::int64_t, std::ratio<10>>>>>;

// --- the command line ----------------------------------------------------------------------------

struct settings {
  std::uint16_t port = 3000;  // Better Auth's own examples use http://localhost:3000
  std::string db = "anonauth-example.db";
  std::string guest_domain = "guest.example.com";
  std::vector<std::string> trusted_origins;
  std::string secret;
  bool rate_limit = false;
  std::size_t threads = 0;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "anonauth-example-server: " << problem << "\n"
            << "usage: anonauth-example-server [--port N] [--db PATH] [--guest-domain D] [--trusted-origin O]...\n"
            << "                               [--secret S] [--rate-limit] [--threads N]\n"
            << "  the secret may also come from the environment variable ANONAUTH_SECRET\n";
  std::exit(2);
}

settings parse(int argc, char** argv) {
  settings s;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto number = [&](int& i, unsigned long max) {
    const std::string text = value(i);
    char* end = nullptr;
    const unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n > max) usage(std::string(argv[i - 1]) + " wants a number up to " + std::to_string(max));
    return n;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port") s.port = static_cast<std::uint16_t>(number(i, 65535));
    else if (arg == "--db") s.db = value(i);
    else if (arg == "--guest-domain") s.guest_domain = value(i);
    else if (arg == "--trusted-origin") s.trusted_origins.push_back(value(i));
    else if (arg == "--secret") s.secret = value(i);
    else if (arg == "--rate-limit") s.rate_limit = true;
    else if (arg == "--threads") s.threads = number(i, 256);
    else if (arg == "--help" || arg == "-h") usage("the example server of anonauth");
    else usage("unknown argument '" + std::string(arg) + "'");
  }
  if (s.secret.empty()) {
    if (const char* env = std::getenv("ANONAUTH_SECRET")) s.secret = env;
  }
  if (s.secret.empty()) {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_ORIGINAL);
    s.secret = text;
    std::cerr << "anonauth-example-server: warning: no --secret nor ANONAUTH_SECRET; using a random one, so "
                 "sessions end when the server stops\n";
  }
  return s;
}

// --- the shop's own routes -----------------------------------------------------------------------

http::response json(boost::json::value body, int status = 200) {
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

http::response validation_error(std::string message) {
  return http::error_response(400, "VALIDATION_ERROR", message);
}

/// A cart item id that sorts in the order items are added: milliseconds, a counter, then
/// randomness (ids must not be guessable from one another).
std::string new_item_id() {
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

http::response page(const http::request& req) {
  const std::string_view path = http::split_target(req.target).path;
  const web::asset* asset = web::find(path);
  if (!asset || (req.method != "GET" && req.method != "HEAD")) {
    http::response r;
    r.status = 404;
    return r;
  }
  http::response r;
  r.add_header("Content-Type", std::string(asset->content_type));
  r.add_header("Cache-Control", path == "/" ? "no-cache" : "public, max-age=300");
  r.add_header("X-Content-Type-Options", "nosniff");
  if (path == "/")
    r.add_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
  if (req.method == "GET") r.body = std::string(asset->body);
  return r;
}

// --- the server ----------------------------------------------------------------------------------

template <class Auth>
int serve(const settings& s) {
  Auth auth{aa::sqlite_config{.path = s.db}, aa::runtime_domain_email{s.guest_domain}};
  std::unique_ptr<http::handler<Auth>> handler;  // built once the port, hence the origin, is known

  http::beast_server server(
      [&](const http::request& req) -> http::response {
        if (handler->handles(req)) return (*handler)(req);
        const std::string_view path = http::split_target(req.target).path;
        try {
          if (path == "/api/cart" && (req.method == "GET" || req.method == "POST")) return cart(auth, *handler, req);
        } catch (const aa::storage_error& e) {
          std::cerr << "anonauth-example-server: storage error: " << e.what() << "\n";
          return http::error_response(500, "INTERNAL_SERVER_ERROR", "Internal Server Error");
        }
        return page(req);
      },
      http::server_options{.address = "127.0.0.1", .port = s.port, .threads = s.threads});

  http::options options;
  options.base_url = server.origin();
  options.secret = s.secret;
  options.trusted_origins = s.trusted_origins;
  // The same server by name: a browser opened at http://localhost:PORT sends that origin.
  options.trusted_origins.push_back("http://localhost:" + std::to_string(server.port()));
  try {
    handler = std::make_unique<http::handler<Auth>>(auth, options);
  } catch (const std::invalid_argument& e) {
    usage(e.what());
  }

  server.stop_on_signals({SIGINT, SIGTERM});
  std::cout << server.origin() << std::endl;  // the first line: where to point a client
  std::cerr << "anonauth-example-server: serving " << server.origin() << " on " << s.db
            << (s.rate_limit ? ", guest sign-ins rate limited" : "") << "\n";
  server.run();
  std::cerr << "anonauth-example-server: stopped\n";
  return 0;
}

}  // namespace shop

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const shop::settings s = shop::parse(argc, argv);
  try {
    return s.rate_limit ? shop::serve<shop::rate_limited_auth>(s) : shop::serve<shop::auth_type>(s);
  } catch (const std::exception& e) {
    std::cerr << "anonauth-example-server: " << e.what() << "\n";
    return 1;
  }
}

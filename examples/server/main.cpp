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
#include <anonauth/http/beast.hpp>

#include "command_line.hpp"
#include "shop.hpp"
#include "web_assets.hpp"

#include <sodium.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

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
  command_line args(argc, argv, usage);
  while (auto arg = args.next()) {
    if (*arg == "--port") s.port = static_cast<std::uint16_t>(args.number(65535));
    else if (*arg == "--db") s.db = args.value();
    else if (*arg == "--guest-domain") s.guest_domain = args.value();
    else if (*arg == "--trusted-origin") s.trusted_origins.push_back(args.value());
    else if (*arg == "--secret") s.secret = args.value();
    else if (*arg == "--rate-limit") s.rate_limit = true;
    else if (*arg == "--threads") s.threads = args.number(256);
    else if (*arg == "--help" || *arg == "-h") usage("the example server of anonauth");
    else usage("unknown argument '" + std::string(*arg) + "'");
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
  // snippet: serve
  Auth auth{aa::sqlite_config{.path = s.db}, aa::runtime_domain_email{s.guest_domain}};
  std::unique_ptr<http::handler<Auth>> handler;  // built once the port, hence the origin, is known

  http::beast_server server(
      [&](const http::request& req) -> http::response {
        if (auto api = serve_api(auth, *handler, req)) return std::move(*api);
        return page(req);
      },
      http::server_options{.address = "127.0.0.1", .port = s.port, .threads = s.threads});

  http::options options;
  options.base_url = server.origin();
  options.secret = s.secret;
  options.trusted_origins = s.trusted_origins;
  // The same server by name: a browser opened at http://localhost:PORT sends that origin.
  options.trusted_origins.push_back("http://localhost:" + std::to_string(server.port()));
  options.log = [](std::string_view line) { std::cerr << "anonauth-example-server: " << line << "\n"; };
  try {
    handler = std::make_unique<http::handler<Auth>>(auth, options);
  } catch (const std::invalid_argument& e) {
    usage(e.what());
  }

  server.stop_on_signals({SIGINT, SIGTERM});
  // end snippet
  std::cout << server.origin() << std::endl;  // the first line: where to point a client
  std::cerr << "anonauth-example-server: serving " << server.origin() << " on " << s.db
            << (s.rate_limit ? ", sign-ins and sign-ups rate limited" : "") << "\n";
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

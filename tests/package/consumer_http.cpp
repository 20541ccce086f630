// A user of the package's HTTP components: an anonymous sign-in through the handler, then the
// same cookie read back through a real server, Boost.Beast's or (ANONAUTH_CONSUMER_HTTPLIB)
// cpp-httplib's. Returns 0 only if the session comes back as the guest's.
#include <optional>
#include <string>
#include <thread>

#include <anonauth/anonauth.hpp>
#include <anonauth/http/http.hpp>

#ifdef ANONAUTH_CONSUMER_HTTPLIB
#include <anonauth/http/httplib.hpp>
#else
#include <anonauth/http/beast.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#endif

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
using auth_type = aa::anonymous_auth<aa::schema<aa::user_table<user>>>;

int main() {
  auth_type auth;
  aa::http::handler handler{auth, aa::http::options{.base_url = "http://127.0.0.1",
                                                    .secret = "a-package-test-secret-of-32-bytes-or-more"}};
  aa::http::request sign_in{.method = "POST", .target = "/api/auth/sign-in/anonymous", .headers = {}, .body = {},
                            .peer_address = "127.0.0.1"};
  const auto signed_in = handler(sign_in);
  const auto cookie_line = signed_in.header("Set-Cookie");
  if (signed_in.status != 200 || !cookie_line) return 1;
  const std::string cookie(cookie_line->substr(0, cookie_line->find(';')));

#ifdef ANONAUTH_CONSUMER_HTTPLIB
  httplib::Server server;
  aa::http::mount(server, "/api/auth", std::ref(handler));
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  httplib::Client client("127.0.0.1", port);
  const auto answer = client.Get("/api/auth/get-session", {{"Cookie", cookie}});
  server.stop();
  serving.join();
  const std::string body = answer ? answer->body : std::string();
#else
  aa::http::beast_server server(std::ref(handler), {.address = "127.0.0.1", .port = 0, .threads = 1});
  std::thread serving([&] { server.run(); });
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::asio::connect(socket, boost::asio::ip::tcp::resolver(io).resolve("127.0.0.1", std::to_string(server.port())));
  const std::string request = "GET /api/auth/get-session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                              "\r\nConnection: close\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string body;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(body), ec);
  server.stop();
  serving.join();
#endif
  return body.find("\"isAnonymous\":true") != std::string::npos ? 0 : 2;
}

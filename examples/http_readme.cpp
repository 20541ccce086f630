// The README's HTTP snippet, compiled and run: the auth behind Better Auth's protocol on a
// Boost.Beast server, asked one question over a real socket, then stopped.
#include <anonauth/anonauth.hpp>
#include <anonauth/http/beast.hpp>
#include <anonauth/http/http.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <iostream>
#include <string>
#include <thread>

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
  const std::string secret_from_the_environment = "an-example-secret-of-at-least-32-bytes";
  // snippet: readme
aa::http::handler handler{auth, aa::http::options{.base_url = "https://shop.example.com",
                                                  .secret = secret_from_the_environment}};
aa::http::beast_server server(handler, {.address = "127.0.0.1", .port = 0});  // or any server
server.stop_on_signals();
  // end snippet
  std::thread serving([&] { server.run(); });

  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::asio::connect(socket, boost::asio::ip::tcp::resolver(io).resolve("127.0.0.1", std::to_string(server.port())));
  const std::string request = "GET /api/auth/ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(answer), ec);  // until the server closes
  std::cout << answer.substr(0, answer.find("\r\n")) << "\n" << answer.substr(answer.find("\r\n\r\n") + 4) << "\n";

  server.stop();
  serving.join();
  return 0;
}

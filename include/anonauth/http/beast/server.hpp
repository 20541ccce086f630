// anonauth/http/beast/server.hpp: aa::http::beast_server, the multi-threaded HTTP/1.1 server over
// Boost.Beast.
#pragma once

#include <anonauth/http/beast/io.hpp>
#include <anonauth/http/beast/options.hpp>
#include <anonauth/http/beast/server_core.hpp>

#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

namespace anonauth::http {

/// A multi-threaded HTTP/1.1 server (Boost.Beast, Boost.Asio) serving one handler.
///
/// - Keep-alive as HTTP/1.1 defines it; `Connection: close` and HTTP/1.0 without keep-alive
///   close after the response. Pipelined requests are answered in order.
/// - A request whose header exceeds `header_limit` is answered 431, one whose body exceeds
///   `body_limit` 413 (the handler never sees it), a malformed one 400; each then closes.
/// - `read_timeout`, `idle_timeout` and `write_timeout` close the connections that exceed them.
/// - A handler that throws gives a 500 with an empty body; the connection goes on.
/// - The response is written as the handler returned it (headers in order, Set-Cookie lines
///   kept apart), plus Content-Length, Date (unless the handler set one) and Connection. A
///   response with a status outside 200-599 or a header that is not valid (a line break in a
///   value) is replaced by an empty 500.
class beast_server {
 public:
  /// Binds and listens (connections wait in the backlog until run()). Throws std::system_error
  /// naming the address when it cannot. `handler` is called from several threads at once.
  template <class Handler>
    requires(!std::same_as<std::remove_cvref_t<Handler>, beast_server>) &&   // not a copy
            detail::beast_adapter::serves<Handler>
  explicit beast_server(Handler handler, server_options options = {})
      : core_(std::make_unique<detail::beast_adapter::server_core>(
            std::make_unique<detail::beast_adapter::handler_model<Handler>>(std::move(handler)),
            std::move(options))) {}

  beast_server(const beast_server&) = delete;
  beast_server& operator=(const beast_server&) = delete;
  /// Must not be called while run() runs: stop(), wait for run() to return, then destroy.
  ~beast_server() = default;

  /// The port listened on (the one chosen when `server_options::port` was 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return core_->port(); }
  /// "http://127.0.0.1:PORT": the URL of the server from this machine (the loopback address
  /// when it listens on all of them).
  [[nodiscard]] const std::string& origin() const noexcept { return core_->origin(); }

  /// Serves on `server_options::threads` threads, the calling one included, until stop() and the
  /// end of the requests in flight. A server runs once: a second call throws std::logic_error.
  void run() { core_->run(); }

  /// Thread-safe, from any thread or from the handler, and returns at once: stops accepting
  /// (new connections are refused), closes idle keep-alive connections, lets the requests in
  /// flight finish and their responses be sent (with `Connection: close`), then run() returns.
  /// Connections still open after `shutdown_timeout` are closed; a handler still running keeps
  /// its thread, and run(), until it returns.
  void stop() { core_->stop(); }

  /// Calls stop() on the first of these signals (then restores their default action, so that a
  /// second one ends the process as usual). Call it before run().
  void stop_on_signals(std::initializer_list<int> signals = {SIGINT, SIGTERM}) { core_->stop_on_signals(signals); }

 private:
  std::unique_ptr<detail::beast_adapter::server_core> core_;
};

}  // namespace anonauth::http

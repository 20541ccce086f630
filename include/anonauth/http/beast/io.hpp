// anonauth/http/beast/io.hpp: the I/O types of the Beast server, the handler it serves behind a
// virtual call, deadlines, and shutting a socket down from any thread.
#pragma once

#include <anonauth/http/message.hpp>

#include <boost/asio/basic_signal_set.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#if !defined(_WIN32)
#include <sys/socket.h>   // ::shutdown
#endif

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>

namespace anonauth::http::detail::beast_adapter {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
// Concrete executor types rather than any_io_executor: no type erasure on every operation.
using executor = net::io_context::executor_type;
using socket_type = net::basic_stream_socket<tcp, executor>;
using acceptor_type = net::basic_socket_acceptor<tcp, executor>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock,
                                             net::wait_traits<std::chrono::steady_clock>, executor>;
using signal_set_type = net::basic_signal_set<executor>;
using native_socket = socket_type::native_handle_type;

/// What a beast_server can serve.
template <class H>
concept serves = std::move_constructible<H> && std::invocable<H&, const request&> &&
                 std::convertible_to<std::invoke_result_t<H&, const request&>, response>;

/// The handler behind a virtual call: beast_server is not a template, and a move-only handler is
/// fine (std::function would require a copyable one).
struct handler_base {
  virtual ~handler_base() = default;
  virtual response call(const request& req) = 0;
};

template <class H>
struct handler_model final : handler_base {
  explicit handler_model(H h) : handler(std::move(h)) {}
  response call(const request& req) override { return std::invoke(handler, req); }
  H handler;
};

// Deadlines are steady_clock nanoseconds in a std::atomic<std::int64_t>, lock-free, so that the
// sweeper reads them from any thread while the connection sets them on every request.
using ticks = std::int64_t;
inline constexpr ticks no_deadline = std::numeric_limits<ticks>::max();

inline ticks now_ticks() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline ticks deadline_after(std::chrono::milliseconds d) noexcept {
  if (d <= std::chrono::milliseconds::zero()) return no_deadline;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  const ticks now = now_ticks();
  return ns >= no_deadline - now ? no_deadline : now + ns;
}

/// Shuts a socket down in both directions. The kernel makes this safe from any thread while
/// another one has operations pending on the socket: they complete (end of file, broken pipe)
/// and the connection's own sequence of operations then ends. Cancelling or closing the asio
/// socket from another thread would race with that sequence; shutting down before an
/// operation starts is not lost, as a cancellation would be.
inline void shutdown_socket(native_socket fd) noexcept {
#if defined(_WIN32)
  ::shutdown(fd, SD_BOTH);
#else
  ::shutdown(fd, SHUT_RDWR);
#endif
}

}  // namespace anonauth::http::detail::beast_adapter

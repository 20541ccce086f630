// anonauth/http/beast/server_core.hpp: the state the Beast server's threads share: the acceptor, the registry
// of connections, the sweeper that enforces timeouts, and the stop sequence.
#pragma once

#include <anonauth/http/beast/connection.hpp>
#include <anonauth/http/beast/io.hpp>
#include <anonauth/http/beast/options.hpp>

#include <boost/asio/basic_signal_set.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace anonauth::http::detail::beast_adapter {

class server_core;
using connection = basic_connection<server_core>;

/// The state shared by the server's threads: the listener, the registry of connections, the
/// sweeper, the stop sequence.
class server_core {
 public:
  server_core(std::unique_ptr<handler_base> handler, server_options options);
  ~server_core();
  server_core(const server_core&) = delete;
  server_core& operator=(const server_core&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
  void run();
  void stop();
  void stop_on_signals(std::initializer_list<int> signals);

  // For connections.
  [[nodiscard]] const server_options& options() const noexcept { return options_; }
  [[nodiscard]] handler_base& handler() noexcept { return *handler_; }
  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(); }
  void add(connection& c);
  void remove(connection& c) noexcept;

 private:
  static server_options normalized(server_options o);
  static std::chrono::milliseconds sweep_interval(const server_options& o) noexcept;
  tcp::endpoint resolve();
  void accept();   // control_mutex_ held
  void on_accept(error_code ec, socket_type socket);
  void arm_sweeper();   // control_mutex_ held
  void on_sweep();
  void sweep(bool stopping) noexcept;

  std::unique_ptr<handler_base> handler_;
  server_options options_;
  std::chrono::milliseconds sweep_interval_;

  // The registry: an intrusive list of the open connections (links in the connections), so
  // that adding or removing one allocates nothing.
  std::mutex registry_mutex_;
  connection* first_ = nullptr;
  std::atomic<std::size_t> connections_{0};

  std::atomic<bool> stopping_{false};
  std::atomic<ticks> force_close_at_{no_deadline};
  std::atomic<bool> ran_{false};
  bool tearing_down_ = false;   // set by the destructor, read by remove() on the same thread

  // Declared before the I/O objects, so that they are destroyed first; the registry and the
  // handler outlive it, as destroying it destroys the connections its pending operations hold.
  net::io_context ioc_;
  // Serialises the initiations and cancellations of the I/O objects below: their completion
  // handlers run on any thread and stop() is called from any thread.
  std::mutex control_mutex_;
  acceptor_type acceptor_;
  timer_type accept_retry_;
  timer_type sweeper_;
  std::optional<signal_set_type> signals_;
  bool signal_wait_pending_ = false;

  std::uint16_t port_ = 0;
  std::string origin_;
};

inline server_options server_core::normalized(server_options o) {
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

inline std::chrono::milliseconds server_core::sweep_interval(const server_options& o) noexcept {
  // A quarter of the shortest timeout, between 10 ms and 1 s: timeouts are enforced within
  // that much, for one timer wake-up per interval whatever the number of connections.
  using std::chrono::milliseconds;
  milliseconds shortest = milliseconds::max();
  for (const milliseconds t : {o.read_timeout, o.idle_timeout, o.write_timeout, o.shutdown_timeout})
    if (t > milliseconds::zero()) shortest = std::min(shortest, t);
  if (shortest == milliseconds::max()) return std::chrono::seconds(1);
  return std::clamp<milliseconds>(shortest / 4, milliseconds(10), milliseconds(1000));
}

inline server_core::server_core(std::unique_ptr<handler_base> handler, server_options options)
    : handler_(std::move(handler)),
      options_(normalized(std::move(options))),
      sweep_interval_(sweep_interval(options_)),
      ioc_(static_cast<int>(std::min<std::size_t>(options_.threads, INT32_MAX))),
      acceptor_(ioc_.get_executor()),
      accept_retry_(ioc_.get_executor()),
      sweeper_(ioc_.get_executor()) {
  const tcp::endpoint endpoint = resolve();
  const auto where = [&] { return options_.address + " port " + std::to_string(options_.port); };
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot open a socket for " + where());
  // A restarted server can bind while the old one's connections sit in TIME_WAIT.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot bind to " + where());
  // Load generators open 64 connections and more at once: a short backlog refuses some.
  acceptor_.listen(std::max(1024, static_cast<int>(net::socket_base::max_listen_connections)), ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot listen on " + where());
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot read the address bound for " + where());
  port_ = bound.port();
  // The origin a client on this machine uses: the loopback address when bound to all of them.
  auto address = bound.address();
  if (address.is_unspecified())
    address = address.is_v6() ? net::ip::address(net::ip::address_v6::loopback())
                               : net::ip::address(net::ip::address_v4::loopback());
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  origin_ = "http://" + host + ":" + std::to_string(port_);

  // Connections are accepted (and wait in the backlog) from here on, before run().
  const std::lock_guard lock(control_mutex_);
  accept();
  arm_sweeper();
}

inline server_core::~server_core() {
  // Destroying ioc_ below destroys the connections its pending operations hold (if run() was
  // never called or failed); their remove() must not touch the timers destroyed before it.
  tearing_down_ = true;
}

inline tcp::endpoint server_core::resolve() {
  error_code ec;
  const auto address = net::ip::make_address(options_.address, ec);
  if (!ec) return {address, options_.port};
  net::ip::basic_resolver<tcp, executor> resolver(ioc_.get_executor());
  const auto results = resolver.resolve(options_.address, std::to_string(options_.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec && results.empty()) ec = net::error::host_not_found;
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot resolve address \"" + options_.address + "\"");
  return results.begin()->endpoint();
}

inline void server_core::accept() {
  acceptor_.async_accept(ioc_, [this](error_code ec, socket_type socket) { on_accept(ec, std::move(socket)); });
}

inline void server_core::on_accept(error_code ec, socket_type socket) {
  {
    const std::lock_guard lock(control_mutex_);
    if (stopping_) return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
      // Out of descriptors or memory: accepting again at once would spin; wait for some to be
      // released.
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](error_code wait_error) {
        if (wait_error) return;
        const std::lock_guard relock(control_mutex_);
        if (!stopping_) accept();
      });
      return;
    }
    accept();   // the next one, while this one starts
  }
  if (ec) return;   // e.g. reset by the client before it was accepted
  try {
    std::make_shared<connection>(*this, std::move(socket))->start();
  } catch (...) {
    // No memory for one more connection: it is closed, the others go on.
  }
}

inline void server_core::add(connection& c) {
  const std::lock_guard lock(registry_mutex_);
  c.next_ = first_;
  if (first_ != nullptr) first_->prev_ = &c;
  first_ = &c;
  c.registered_ = true;
  connections_.fetch_add(1);
}

inline void server_core::remove(connection& c) noexcept {
  bool last = false;
  {
    const std::lock_guard lock(registry_mutex_);
    if (!c.registered_) return;
    if (c.prev_ != nullptr) c.prev_->next_ = c.next_;
    else first_ = c.next_;
    if (c.next_ != nullptr) c.next_->prev_ = c.prev_;
    c.registered_ = false;
    last = connections_.fetch_sub(1) == 1;
  }
  // The last connection of a stopping server: the sweeper has nothing left to watch, and its
  // pending wait is all that keeps run() from returning.
  if (last && stopping_ && !tearing_down_) {
    const std::lock_guard lock(control_mutex_);
    sweeper_.cancel();
  }
}

inline void server_core::arm_sweeper() {
  sweeper_.expires_after(sweep_interval_);
  sweeper_.async_wait([this](error_code) { on_sweep(); });
}

inline void server_core::on_sweep() {
  const bool stopping = stopping_;
  if (stopping && connections_ == 0) return;
  sweep(stopping);
  const std::lock_guard lock(control_mutex_);
  // Checked again under the lock: remove() cancels under it once the count reaches zero.
  if (stopping_ && connections_ == 0) return;
  arm_sweeper();
}

inline void server_core::sweep(bool stopping) noexcept {
  const ticks now = now_ticks();
  const bool force = stopping && now >= force_close_at_.load();
  // A connection removes itself from the registry before its socket is closed, under this
  // lock: while it is listed here, its descriptor is its own and not one reused by another.
  const std::lock_guard lock(registry_mutex_);
  for (connection* c = first_; c != nullptr; c = c->next_) c->sweep(now, stopping, force);
}

inline void server_core::run() {
  if (ran_.exchange(true)) throw std::logic_error("anonauth::http::beast_server::run: a server runs once");
  std::mutex error_mutex;
  std::exception_ptr error;
  const auto work = [&]() noexcept {
    try {
      ioc_.run();
    } catch (...) {
      {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      ioc_.stop();
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(options_.threads - 1);
    for (std::size_t i = 1; i < options_.threads; ++i) pool.emplace_back(work);
  } catch (...) {
    ioc_.stop();
    for (auto& t : pool) t.join();
    throw;
  }
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

inline void server_core::stop() {
  if (stopping_.exchange(true)) return;
  force_close_at_.store(options_.shutdown_timeout > std::chrono::milliseconds::zero()
                            ? deadline_after(options_.shutdown_timeout)
                            : now_ticks());
  {
    const std::lock_guard lock(control_mutex_);
    error_code ec;
    acceptor_.close(ec);   // new connections are refused from now on
    accept_retry_.cancel();
    if (signals_) {
      signals_->cancel(ec);
      signals_->clear(ec);   // a second Ctrl-C during the grace period acts as usual
    }
  }
  sweep(true);   // closes the idle connections; the others finish their request first
  if (connections_ == 0) {
    const std::lock_guard lock(control_mutex_);
    sweeper_.cancel();
  }
}

inline void server_core::stop_on_signals(std::initializer_list<int> signals) {
  const std::lock_guard lock(control_mutex_);
  if (stopping_) return;
  if (!signals_) signals_.emplace(ioc_.get_executor());
  for (const int s : signals) {
    error_code ec;
    signals_->add(s, ec);
    if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot handle signal " + std::to_string(s));
  }
  if (signal_wait_pending_) return;
  signal_wait_pending_ = true;
  signals_->async_wait([this](error_code ec, int) {
    {
      const std::lock_guard relock(control_mutex_);
      signal_wait_pending_ = false;
    }
    if (!ec) stop();
  });
}

}  // namespace anonauth::http::detail::beast_adapter

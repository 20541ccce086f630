// What the adapters' tests share: a client on raw POSIX sockets that sees the bytes a real
// client sees (status line, header lines in order, body, a closed connection), every read
// bounded in time, and a recorder of the requests a handler received on the server's threads.
#pragma once

#include "anonauth/http/message.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socket_fixtures {

namespace http = anonauth::http;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// A response as received: the raw head (status line and header lines), parsed fields, body.
struct raw_response {
  int status = 0;
  std::string head;
  std::vector<http::header> headers;
  std::string body;

  [[nodiscard]] bool has(std::string_view name) const {
    for (const auto& h : headers)
      if (http::iequals(h.name, name)) return true;
    return false;
  }
  /// The first value of `name`, "" when absent.
  [[nodiscard]] std::string get(std::string_view name) const {
    for (const auto& h : headers)
      if (http::iequals(h.name, name)) return h.value;
    return {};
  }
  /// The header lines called `name`, in order, as "Name: value".
  [[nodiscard]] std::vector<std::string> lines(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& h : headers)
      if (http::iequals(h.name, name)) out.push_back(h.name + ": " + h.value);
    return out;
  }
};

/// A blocking TCP client on POSIX sockets whose every read is bounded in time.
class raw_client {
 public:
  explicit raw_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~raw_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// One response, or nothing if none arrived complete within `timeout`. With `head_only`, a
  /// body is not waited for (the response to HEAD).
  std::optional<raw_response> read_response(std::chrono::milliseconds timeout = 3s, bool head_only = false) {
    const auto deadline = steady::now() + timeout;
    std::size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    raw_response res;
    res.head = buffer_.substr(0, end + 2);
    std::string_view rest(res.head);
    const auto line_end = rest.find("\r\n");
    const std::string_view status_line = rest.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) return std::nullopt;
    res.status = std::stoi(std::string(status_line.substr(9, 3)));
    rest.remove_prefix(line_end + 2);
    while (!rest.empty()) {
      const auto e = rest.find("\r\n");
      const std::string_view line = rest.substr(0, e);
      const auto colon = line.find(": ");
      if (colon == std::string_view::npos) return std::nullopt;
      res.headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
      rest.remove_prefix(e + 2);
    }
    buffer_.erase(0, end + 4);
    std::size_t length = 0;
    if (res.has("Content-Length") && !head_only) length = std::stoul(res.get("Content-Length"));
    while (buffer_.size() < length)
      if (!fill(deadline)) return std::nullopt;
    res.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return res;
  }

  /// Whether the server closes the connection within `timeout` (bytes received meanwhile are
  /// kept for read_response).
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!closed_)
      if (!fill(deadline) && !closed_) return false;
    return true;
  }

  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] const std::string& pending() const { return buffer_; }

 private:
  /// Reads what arrives before `deadline`; false on timeout or once closed.
  bool fill(steady::time_point deadline) {
    if (closed_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[16384];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {   // end of stream, or a reset
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

/// Sends one request on a new connection and reads its response.
inline std::optional<raw_response> exchange(std::uint16_t port, std::string_view request, bool head_only = false) {
  raw_client client(port);
  if (!client.connected() || !client.send(request)) return std::nullopt;
  return client.read_response(3s, head_only);
}

/// The requests a handler received (handlers run on the server's threads).
class recorder {
 public:
  void add(const http::request& req) {
    const std::lock_guard lock(mutex_);
    requests_.push_back(req);
  }
  std::size_t size() {
    const std::lock_guard lock(mutex_);
    return requests_.size();
  }
  http::request at(std::size_t i) {
    const std::lock_guard lock(mutex_);
    return requests_.at(i);
  }

 private:
  std::mutex mutex_;
  std::vector<http::request> requests_;
};

inline std::string joined(const std::vector<http::header>& headers) {
  std::string out;
  for (const auto& h : headers) out += h.name + ": " + h.value + "\n";
  return out;
}

}  // namespace socket_fixtures

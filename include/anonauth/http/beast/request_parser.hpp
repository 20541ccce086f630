// anonauth/http/beast/request_parser.hpp: Beast's HTTP/1 parser writing straight into an
// anonauth::http::request.
#pragma once

#include <anonauth/http/beast/headers.hpp>
#include <anonauth/http/beast/io.hpp>
#include <anonauth/http/message.hpp>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace anonauth::http::detail::beast_adapter {

/// Beast's HTTP/1 request parser writing into an `anonauth::http::request` directly, instead of
/// into a beast::http::message whose fields would allocate one node per header and then be
/// copied. Strings are assigned, not rebuilt, so a kept-alive connection reuses their capacity.
class request_parser final : public bhttp::basic_parser<true> {
 public:
  explicit request_parser(request& out) noexcept : out_(&out) {}

  /// 10 for HTTP/1.0, 11 for HTTP/1.1.
  [[nodiscard]] int version() const noexcept { return version_; }
  /// Whether an HTTP/1.1 client waits for "100 Continue" before sending the body.
  [[nodiscard]] bool expects_continue() const noexcept { return expect_continue_; }

 private:
  void on_request_impl(bhttp::verb, boost::beast::string_view method, boost::beast::string_view target,
                       int version, error_code&) override {
    out_->method.assign(method.data(), method.size());   // as sent, even an unknown method
    out_->target.assign(target.data(), target.size());
    version_ = version;
  }

  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}

  void on_field_impl(bhttp::field f, boost::beast::string_view name, boost::beast::string_view value,
                     error_code&) override {
    // Fields after the header are chunked trailers: never taken as headers (a Cookie or Origin
    // smuggled behind the body must not reach the handler).
    if (is_header_done()) return;
    auto& headers = out_->headers;
    if (fields_ < headers.size()) {
      headers[fields_].name.assign(name.data(), name.size());
      headers[fields_].value.assign(value.data(), value.size());
    } else {
      headers.push_back({std::string(name.data(), name.size()), std::string(value.data(), value.size())});
    }
    ++fields_;
    if (f == bhttp::field::host) ++hosts_;
    if (f == bhttp::field::transfer_encoding) transfer_encoding_ = true;
    if (f == bhttp::field::expect && version_ >= 11 && iequals({value.data(), value.size()}, "100-continue"))
      expect_continue_ = true;
  }

  void on_header_impl(error_code& ec) override {
    out_->headers.resize(fields_);
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host, and no request has two.
    if ((version_ >= 11 && hosts_ != 1) || hosts_ > 1) ec = bhttp::error::bad_value;
    // RFC 9112 §6.3: a Transfer-Encoding whose last coding is not chunked leaves the length of
    // the body unknown (Beast would read it as having none, and the body as the next request).
    if (transfer_encoding_ && !chunked()) ec = bhttp::error::bad_transfer_encoding;
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) override {
    // Beast has already checked the length against body_limit.
    if (content_length) out_->body.reserve(static_cast<std::size_t>(*content_length));
  }

  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  request* out_;
  std::size_t fields_ = 0;
  int version_ = 11;
  int hosts_ = 0;
  bool transfer_encoding_ = false;
  bool expect_continue_ = false;
};

}  // namespace anonauth::http::detail::beast_adapter

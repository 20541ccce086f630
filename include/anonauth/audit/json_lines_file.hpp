// anonauth/audit/json_lines_file.hpp: an audit sink that appends one JSON object per line to a file.
//
//   aa::anonymous_auth<app_schema, aa::audit<aa::json_lines_file>> auth{
//       aa::memory_storage::config{}, aa::json_lines_file{"/var/log/app/auth.jsonl"}};
//   // {"event":"guest_created","at":"2026-11-27T02:39:28.123Z","user_id":"...","ip_address":"..."}
//
// Keys come in a fixed order; `at` (and guests_purged's `cutoff`) is UTC ISO 8601 with
// milliseconds. Every line is valid JSON whatever the strings hold: bytes that are not UTF-8
// become U+FFFD. The file is opened once, for appending: rotate it by copying and truncating it
// (writes follow the truncation), or by renaming it and constructing a new sink. It must be a
// regular file: a symbolic link, a FIFO or a device at the path is refused.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/utf8.hpp>
#include <anonauth/policy/storage.hpp>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace anonauth {

namespace detail {

/// Appends `s` as a JSON string, quotes included. Escapes `"`, `\`, every control character and
/// DEL; passes valid UTF-8 through; replaces each maximal invalid subsequence (a stray or
/// truncated sequence, an overlong form, a surrogate, anything above U+10FFFF) by one \ufffd,
/// as the WHATWG decoder does, so that any bytes make valid JSON.
inline void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const utf8_sequence seq = scan_utf8(s, i);
    if (seq.valid) out.append(s.substr(i, seq.length));
    else out += "\\ufffd";
    i += seq.length;  // past the sequence, or past the maximal subpart an ill-formed one replaces
  }
  out += '"';
}

/// Appends `t` as UTC ISO 8601 with milliseconds, e.g. 2026-11-27T02:39:28.123Z. Years outside
/// 0000-9999 get a sign and six digits or more (+010000, -000001), as JavaScript writes them.
inline void append_iso8601(std::string& out, timestamp t) {
  using namespace std::chrono;
  // Split into day and time of day by flooring, so 1969-12-31T23:59:59.999Z is -1 ms. Done by
  // hand rather than with floor<days>, whose result can overflow next to timestamp::min().
  auto day = duration_cast<days>(t.time_since_epoch());
  auto time_of_day = t.time_since_epoch() - duration_cast<milliseconds>(day);
  if (time_of_day < milliseconds::zero()) {
    day -= days{1};
    time_of_day += days{1};
  }
  // year_month_day holds years -32767..32767 only. The Gregorian calendar repeats every 400
  // years (146097 days), so whole cycles go into the year separately and the rest stays within
  // 400 years of 1970.
  constexpr std::int64_t cycle = 146097;
  const std::int64_t cycles = day.count() / cycle;
  const year_month_day date{sys_days{days{day.count() - cycles * cycle}}};
  const hh_mm_ss<milliseconds> clock{time_of_day};

  const auto number = [&out](std::int64_t value, int width) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    for (auto n = end - digits; n < width; ++n) out += '0';
    out.append(digits, end);
  };
  const std::int64_t year = static_cast<int>(date.year()) + 400 * cycles;
  if (year >= 0 && year <= 9999) {
    number(year, 4);
  } else {
    out += year < 0 ? '-' : '+';
    number(year < 0 ? -year : year, 6);
  }
  out += '-';
  number(static_cast<unsigned>(date.month()), 2);
  out += '-';
  number(static_cast<unsigned>(date.day()), 2);
  out += 'T';
  number(clock.hours().count(), 2);
  out += ':';
  number(clock.minutes().count(), 2);
  out += ':';
  number(clock.seconds().count(), 2);
  out += '.';
  number(clock.subseconds().count(), 3);
  out += 'Z';
}

}  // namespace detail

/// An audit sink writing each event as one line of JSON, appended to a file.
///
/// Safe to call from any number of threads, and from any number of processes on the same file,
/// without a lock: the file is opened with O_APPEND and each line goes out in one write(2). For a
/// regular file on a local file system (Linux, the BSDs; not NFS), such a write moves to the end
/// of the file and writes all its bytes there under the file's lock, so lines never interleave.
/// Only a short write (disk full, file size limit) can split a line: the rest is retried, and the
/// next write usually fails. Lines reach the kernel at once but are not fsync'ed.
/// A failure to open or to write throws aa::storage_error naming the file.
///
/// Movable, not copyable; there is no default constructor, so an audit log cannot be silently
/// missing. A moved-from sink has no file: writing to it throws.
class json_lines_file {
 public:
  /// Opens `path` for appending, creating it with mode 0600 (audit lines name users and their
  /// addresses) if it does not exist. Refuses (aa::storage_error naming the path) a symbolic link
  /// at `path`, so that whoever can write the log's directory cannot point the log at another
  /// file, and anything but a regular file: a FIFO would block the open or hand the lines to a
  /// reader, a device would swallow them or worse.
  explicit json_lines_file(std::filesystem::path path) : path_(std::move(path)) {
    // O_NONBLOCK: a FIFO without a reader fails (ENXIO) rather than blocking until one comes;
    // O_NOCTTY: a terminal does not become the process's. Cleared below for the regular file.
    do {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) {
      const int error = errno;
      // Only to word the message: nothing is opened here.
      struct stat st {};
      if (::lstat(path_.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) refuse("is a symbolic link");
        if (!S_ISREG(st.st_mode)) refuse("is not a regular file");
      }
      fail("cannot open", error);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int error = errno;
      close_file();
      fail("cannot open", error);
    }
    if (!S_ISREG(st.st_mode)) {
      close_file();
      refuse("is not a regular file");
    }
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0) {
      const int error = errno;
      close_file();
      fail("cannot open", error);
    }
  }

  json_lines_file(json_lines_file&& other) noexcept
      : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

  json_lines_file& operator=(json_lines_file&& other) noexcept {
    if (this != &other) {
      close_file();
      path_ = std::move(other.path_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  json_lines_file(const json_lines_file&) = delete;
  json_lines_file& operator=(const json_lines_file&) = delete;

  ~json_lines_file() { close_file(); }

  void operator()(const events::guest_created& e) const {
    std::string line = begin("guest_created", e.at);
    add_string(line, "user_id", e.user_id);
    add_string(line, "ip_address", e.ip_address);
    write_line(line);
  }

  void operator()(const events::guest_linked& e) const {
    std::string line = begin("guest_linked", e.at);
    add_string(line, "guest_id", e.guest_id);
    add_string(line, "user_id", e.user_id);
    add_string(line, "via", events::to_string(e.via));
    add_raw(line, "guest_deleted", e.guest_deleted ? "true" : "false");
    line += ",\"migrated\":[";
    bool first = true;
    for (const events::migrator_rows& m : e.migrated) {
      if (!first) line += ',';
      first = false;
      line += "{\"migrator\":";
      detail::append_json_string(line, m.migrator);
      add_string(line, "table", m.table);
      add_string(line, "columns", m.columns);
      if (m.rows) {
        add_number(line, "rows", *m.rows);
      } else {
        add_raw(line, "rows", "null");
      }
      line += '}';
    }
    line += ']';
    write_line(line);
  }

  void operator()(const events::guest_promoted& e) const {
    std::string line = begin("guest_promoted", e.at);
    add_string(line, "user_id", e.user_id);
    add_string(line, "via", events::to_string(e.via));
    write_line(line);
  }

  void operator()(const events::link_failed& e) const {
    std::string line = begin("link_failed", e.at);
    add_string(line, "guest_id", e.guest_id);
    add_string(line, "user_id", e.user_id);
    add_string(line, "via", events::to_string(e.via));
    add_string(line, "code", e.code);
    add_string(line, "message", e.message);
    write_line(line);
  }

  void operator()(const events::guest_deleted& e) const {
    std::string line = begin("guest_deleted", e.at);
    add_string(line, "user_id", e.user_id);
    write_line(line);
  }

  void operator()(const events::guests_purged& e) const {
    std::string line = begin("guests_purged", e.at);
    line += ",\"cutoff\":\"";
    detail::append_iso8601(line, e.cutoff);
    line += '"';
    add_string(line, "by", e.by == purge_by::created     ? "created"
                           : e.by == purge_by::last_seen ? "last_seen"
                                                         : "unknown");
    add_number(line, "count", e.count);
    write_line(line);
  }

  void operator()(const events::signed_in& e) const { write_account_line("signed_in", e); }

  void operator()(const events::sign_in_failed& e) const {
    std::string line = begin("sign_in_failed", e.at);
    if (e.user_id) add_string(line, "user_id", *e.user_id);
    else add_raw(line, "user_id", "null");
    add_string(line, "operation", to_string(e.operation));
    add_string(line, "ip_address", e.ip_address);
    add_string(line, "code", e.code);
    write_line(line);
  }

  void operator()(const events::signed_up& e) const { write_account_line("signed_up", e); }

  void operator()(const events::signed_out& e) const {
    std::string line = begin("signed_out", e.at);
    add_string(line, "user_id", e.user_id);
    add_string(line, "session_id", e.session_id);
    write_line(line);
  }

  void operator()(const events::sessions_revoked& e) const {
    std::string line = begin("sessions_revoked", e.at);
    add_string(line, "user_id", e.user_id);
    add_number(line, "count", e.count);
    write_line(line);
  }

  void operator()(const events::request_refused& e) const {
    std::string line = begin("request_refused", e.at);
    add_string(line, "operation", to_string(e.operation));
    add_string(line, "ip_address", e.ip_address);
    add_string(line, "code", e.code);
    add_number(line, "retry_after_seconds", static_cast<std::size_t>(e.retry_after.count()));
    write_line(line);
  }

 private:
  // signed_in and signed_up carry the same fields.
  template <class Event>
  void write_account_line(std::string_view event, const Event& e) const {
    std::string line = begin(event, e.at);
    add_string(line, "user_id", e.user_id);
    add_string(line, "operation", to_string(e.operation));
    add_string(line, "ip_address", e.ip_address);
    write_line(line);
  }

  // `{"event":"<name>","at":"<time>"`: every line starts so; the caller adds the rest and `}`
  // comes with the newline.
  static std::string begin(std::string_view event, timestamp at) {
    std::string line = "{\"event\":\"";
    line += event;
    line += "\",\"at\":\"";
    detail::append_iso8601(line, at);
    line += '"';
    return line;
  }

  static void add_raw(std::string& line, std::string_view key, std::string_view json) {
    line += ",\"";
    line += key;
    line += "\":";
    line += json;
  }

  static void add_string(std::string& line, std::string_view key, std::string_view value) {
    add_raw(line, key, {});
    detail::append_json_string(line, value);
  }

  static void add_number(std::string& line, std::string_view key, std::size_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    add_raw(line, key, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }

  // One write(2) for the whole line: what keeps concurrent lines whole (see the class comment).
  void write_line(std::string& line) const {
    line += "}\n";
    if (fd_ < 0) fail("cannot write (moved-from sink)", EBADF);
    const char* next = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ::ssize_t written = ::write(fd_, next, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        fail("cannot write", errno);
      }
      if (written == 0) fail("cannot write", EIO);  // no progress and no error: do not spin
      next += written;
      left -= static_cast<std::size_t>(written);
    }
  }

  // generic_category().message() is strerror's text without strerror's shared buffer.
  [[noreturn]] void fail(std::string_view what, int error) const {
    std::string message = "json_lines_file: ";
    message += what;
    message += " \"";
    message += path_.string();
    message += "\": ";
    message += std::generic_category().message(error);
    throw storage_error(message);
  }

  [[noreturn]] void refuse(std::string_view why) const {
    throw storage_error("json_lines_file: refusing \"" + path_.string() + "\": it " + std::string(why) +
                        " (the audit log must be a regular file)");
  }

  void close_file() noexcept {
    // Not retried on EINTR: Linux releases the descriptor regardless, and a retry could close
    // one another thread has just opened.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::filesystem::path path_;
  int fd_ = -1;
};

static_assert(audit_sink<json_lines_file>);

}  // namespace anonauth

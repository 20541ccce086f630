// aa::json_lines_file: the exact line of every event, JSON escaping of any bytes, ISO 8601 times,
// appending, errors that name the file, no file but a regular one (never through a symbolic
// link), and lines that stay whole when many threads write.
#include "catch.hpp"
#include "test_files.hpp"
#include "threads.hpp"

#include <anonauth/audit/json_lines_file.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aa = anonauth;
namespace ev = anonauth::events;
using Catch::Matchers::Contains;
using namespace std::string_view_literals;

namespace {

aa::timestamp at_ms(std::int64_t ms) { return aa::timestamp{std::chrono::milliseconds{ms}}; }

/// 2026-11-27T02:39:28.123Z
const aa::timestamp sample_time = at_ms(1'795'747'168'123);

std::string json(std::string_view s) {
  std::string out;
  aa::detail::append_json_string(out, s);
  return out;
}

std::string iso(std::int64_t ms) {
  std::string out;
  aa::detail::append_iso8601(out, at_ms(ms));
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The lines of a file that must end with a newline (a missing one is a torn last line).
std::vector<std::string> read_lines(const std::string& path) {
  const std::string text = read_file(path);
  REQUIRE((text.empty() || text.back() == '\n'));
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// What opening a sink on `path` threw (its aa::storage_error's message); if it opened, a line
/// is written through it, and the answer says so.
std::string open_refusal(const std::string& path) {
  try {
    const aa::json_lines_file sink{path};
    sink(ev::guest_deleted{at_ms(0), "written-through"});
    return "<opened, and a line was written>";
  } catch (const aa::storage_error& e) {
    return e.what();
  }
}

/// This process's descriptor open on the file at `path`, or -1.
int descriptor_of(const std::string& path) {
  struct stat file {};
  if (::stat(path.c_str(), &file) != 0) return -1;
  for (int fd = 0; fd < 1024; ++fd) {
    struct stat open_file {};
    if (::fstat(fd, &open_file) == 0 && open_file.st_dev == file.st_dev && open_file.st_ino == file.st_ino) return fd;
  }
  return -1;
}

}  // namespace

TEST_CASE("audit.json_lines_is_a_movable_sink_only", "[audit]") {
  STATIC_REQUIRE(aa::audit_sink<aa::json_lines_file>);
  STATIC_REQUIRE(aa::audit_sink<const aa::json_lines_file>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<aa::json_lines_file>);
  STATIC_REQUIRE(std::is_nothrow_move_assignable_v<aa::json_lines_file>);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<aa::json_lines_file>);
  STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<aa::json_lines_file>);
  STATIC_REQUIRE_FALSE(std::is_default_constructible_v<aa::json_lines_file>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::filesystem::path, aa::json_lines_file>);  // explicit
}

TEST_CASE("audit.json_lines_every_event_exact_line", "[audit]") {
  const std::string path = test_files::unique_path("audit-every-event.jsonl");
  const std::array<ev::migrator_rows, 3> migrated{{{"reassign", "cart_items", "user_id", 3},
                                                   {"copy_fields", "user", "name,image", 0},
                                                   {"on_link", "", "", std::nullopt}}};
  {
    const aa::json_lines_file sink{path};
    sink(ev::guest_created{sample_time, "guest-1", "203.0.113.7"});
    sink(ev::guest_linked{sample_time, "guest-1", "user-1", ev::link_via::sign_up_email,
                          std::span<const ev::migrator_rows>(migrated), true});
    sink(ev::guest_linked{sample_time, "guest-2", "user-2", ev::link_via::sign_in_social, {}, false});
    sink(ev::guest_promoted{sample_time, "guest-3", ev::link_via::sign_in_email});
    sink(ev::link_failed{sample_time, "guest-4", "user-4", ev::link_via::sign_in_social, "FAILED_TO_LINK",
                         "Failed to link \"guest\""});
    sink(ev::guest_deleted{sample_time, "guest-5"});
    sink(ev::guests_purged{sample_time, at_ms(1'795'142'368'000), aa::purge_by::created, 12});
    sink(ev::guests_purged{sample_time, at_ms(-1), aa::purge_by::last_seen, 0});
    sink(ev::signed_in{sample_time, "user-6", aa::credential_operation::email_sign_in, "198.51.100.6"});
    sink(ev::sign_in_failed{sample_time, "user-7", aa::credential_operation::email_sign_in, "198.51.100.7",
                            "INVALID_EMAIL_OR_PASSWORD"});
    sink(ev::sign_in_failed{sample_time, std::nullopt, aa::credential_operation::social_sign_in, "2001:db8::7",
                            "OAUTH_LINK_ERROR"});
    sink(ev::signed_up{sample_time, "user-8", aa::credential_operation::email_sign_up, "198.51.100.8"});
    sink(ev::signed_out{sample_time, "user-9", "session-9"});
    sink(ev::sessions_revoked{sample_time, "user-10", 3});
    sink(ev::request_refused{sample_time, aa::credential_operation::anonymous_sign_in, "198.51.100.11",
                             "TOO_MANY_REQUESTS", std::chrono::seconds{4}});
  }
  const std::vector<std::string> expected{
      R"({"event":"guest_created","at":"2026-11-27T02:39:28.123Z","user_id":"guest-1","ip_address":"203.0.113.7"})",
      R"({"event":"guest_linked","at":"2026-11-27T02:39:28.123Z","guest_id":"guest-1","user_id":"user-1",)"
      R"("via":"sign_up_email","guest_deleted":true,"migrated":[)"
      R"({"migrator":"reassign","table":"cart_items","columns":"user_id","rows":3},)"
      R"({"migrator":"copy_fields","table":"user","columns":"name,image","rows":0},)"
      R"({"migrator":"on_link","table":"","columns":"","rows":null}]})",
      R"({"event":"guest_linked","at":"2026-11-27T02:39:28.123Z","guest_id":"guest-2","user_id":"user-2",)"
      R"("via":"sign_in_social","guest_deleted":false,"migrated":[]})",
      R"({"event":"guest_promoted","at":"2026-11-27T02:39:28.123Z","user_id":"guest-3","via":"sign_in_email"})",
      R"({"event":"link_failed","at":"2026-11-27T02:39:28.123Z","guest_id":"guest-4","user_id":"user-4",)"
      R"("via":"sign_in_social","code":"FAILED_TO_LINK","message":"Failed to link \"guest\""})",
      R"({"event":"guest_deleted","at":"2026-11-27T02:39:28.123Z","user_id":"guest-5"})",
      R"({"event":"guests_purged","at":"2026-11-27T02:39:28.123Z","cutoff":"2026-11-20T02:39:28.000Z",)"
      R"("by":"created","count":12})",
      R"({"event":"guests_purged","at":"2026-11-27T02:39:28.123Z","cutoff":"1969-12-31T23:59:59.999Z",)"
      R"("by":"last_seen","count":0})",
      R"({"event":"signed_in","at":"2026-11-27T02:39:28.123Z","user_id":"user-6","operation":"email_sign_in",)"
      R"("ip_address":"198.51.100.6"})",
      R"({"event":"sign_in_failed","at":"2026-11-27T02:39:28.123Z","user_id":"user-7","operation":"email_sign_in",)"
      R"("ip_address":"198.51.100.7","code":"INVALID_EMAIL_OR_PASSWORD"})",
      R"({"event":"sign_in_failed","at":"2026-11-27T02:39:28.123Z","user_id":null,"operation":"social_sign_in",)"
      R"("ip_address":"2001:db8::7","code":"OAUTH_LINK_ERROR"})",
      R"({"event":"signed_up","at":"2026-11-27T02:39:28.123Z","user_id":"user-8","operation":"email_sign_up",)"
      R"("ip_address":"198.51.100.8"})",
      R"({"event":"signed_out","at":"2026-11-27T02:39:28.123Z","user_id":"user-9","session_id":"session-9"})",
      R"({"event":"sessions_revoked","at":"2026-11-27T02:39:28.123Z","user_id":"user-10","count":3})",
      R"({"event":"request_refused","at":"2026-11-27T02:39:28.123Z","operation":"anonymous_sign_in",)"
      R"("ip_address":"198.51.100.11","code":"TOO_MANY_REQUESTS","retry_after_seconds":4})",
  };
  CHECK(read_lines(path) == expected);
}

TEST_CASE("audit.json_lines_escapes_quotes_backslash_and_controls", "[audit]") {
  CHECK(json("") == R"("")");
  CHECK(json("plain text / 123") == R"("plain text / 123")");
  CHECK(json(R"(say "hi" \ bye)") == R"("say \"hi\" \\ bye")");
  CHECK(json("\\\"") == R"("\\\"")");

  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  CHECK(json(controls) ==
        R"(")"
        R"(\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f)"
        R"(\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f)"
        R"(")");
  CHECK(json("a\x7f" "b") == R"("a\u007fb")");
  CHECK(json("\0x"sv) == R"("\u0000x")");
  CHECK(json("line1\r\nline2") == R"("line1\r\nline2")");
  // Printable ASCII passes through unchanged, `/` included.
  std::string printable;
  for (int c = 0x20; c < 0x7f; ++c)
    if (c != '"' && c != '\\') printable += static_cast<char>(c);
  CHECK(json(printable) == '"' + printable + '"');
}

TEST_CASE("audit.json_lines_replaces_invalid_utf8", "[audit]") {
  CHECK(json("\x80") == R"("\ufffd")");                    // lone continuation byte
  CHECK(json("a\xbf" "b") == R"("a\ufffdb")");
  CHECK(json("\xe2\x82") == R"("\ufffd")");                // truncated at the end
  CHECK(json("\xe2\x82" "A") == R"("\ufffdA")");           // truncated, then ASCII
  CHECK(json("\xf0\x9f\x98") == R"("\ufffd")");
  CHECK(json("\xc3") == R"("\ufffd")");
  CHECK(json("\xc3\xc3\xa9") == R"("\ufffdé")");           // a new lead byte ends the sequence
  CHECK(json("\xc0\x80") == R"("\ufffd\ufffd")");          // overlong NUL
  CHECK(json("\xc1\xbf") == R"("\ufffd\ufffd")");
  CHECK(json("\xe0\x80\x80") == R"("\ufffd\ufffd\ufffd")");      // overlong 3-byte
  CHECK(json("\xf0\x80\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // overlong 4-byte
  CHECK(json("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");      // surrogate U+D800
  CHECK(json("\xed\xbf\xbf") == R"("\ufffd\ufffd\ufffd")");      // surrogate U+DFFF
  CHECK(json("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // U+110000
  CHECK(json("\xf5\x80\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");
  CHECK(json("\xfe\xff") == R"("\ufffd\ufffd")");
  // Nothing of a bad sequence leaks into the line as a raw byte.
  const std::string hostile = json("\"\xc0\"\xed\xa0\x80\\\x01\xff");
  CHECK(hostile == R"("\"\ufffd\"\ufffd\ufffd\ufffd\\\u0001\ufffd")");
}

TEST_CASE("audit.json_lines_passes_valid_utf8_through", "[audit]") {
  CHECK(json("caf\xc3\xa9") == "\"caf\xc3\xa9\"");                      // U+00E9, 2 bytes
  CHECK(json("\xc2\x80") == "\"\xc2\x80\"");                             // U+0080, smallest 2-byte
  CHECK(json("\xdf\xbf") == "\"\xdf\xbf\"");                             // U+07FF
  CHECK(json("\xe0\xa0\x80") == "\"\xe0\xa0\x80\"");                     // U+0800, smallest 3-byte
  CHECK(json("\xe2\x82\xac 5") == "\"\xe2\x82\xac 5\"");                 // U+20AC
  CHECK(json("\xed\x9f\xbf") == "\"\xed\x9f\xbf\"");                     // U+D7FF, below surrogates
  CHECK(json("\xee\x80\x80") == "\"\xee\x80\x80\"");                     // U+E000, above them
  CHECK(json("\xef\xbf\xbd") == "\"\xef\xbf\xbd\"");                     // U+FFFD itself
  CHECK(json("\xf0\x90\x80\x80") == "\"\xf0\x90\x80\x80\"");             // U+10000, smallest 4-byte
  CHECK(json("\xf0\x9f\x98\x80!") == "\"\xf0\x9f\x98\x80!\"");           // U+1F600
  CHECK(json("\xf4\x8f\xbf\xbf") == "\"\xf4\x8f\xbf\xbf\"");             // U+10FFFF, the largest
  CHECK(json("\xe6\x97\xa5\xe6\x9c\xac\"") == "\"\xe6\x97\xa5\xe6\x9c\xac\\\"\"");
}

TEST_CASE("audit.json_lines_hostile_strings_make_valid_lines", "[audit]") {
  const std::string path = test_files::unique_path("audit-hostile.jsonl");
  {
    const aa::json_lines_file sink{path};
    sink(ev::guest_created{at_ms(0), "\"}\n{\"event\":\"forged\"", "\xff\x01\\"});
  }
  const std::vector<std::string> expected{
      R"({"event":"guest_created","at":"1970-01-01T00:00:00.000Z",)"
      R"("user_id":"\"}\n{\"event\":\"forged\"","ip_address":"\ufffd\u0001\\"})"};
  CHECK(read_lines(path) == expected);
}

TEST_CASE("audit.json_lines_iso8601_times", "[audit]") {
  CHECK(iso(0) == "1970-01-01T00:00:00.000Z");  // the epoch
  CHECK(iso(1'795'747'168'123) == "2026-11-27T02:39:28.123Z");
  CHECK(iso(1'795'747'168'007) == "2026-11-27T02:39:28.007Z");
  CHECK(iso(1'795'747'168'999) == "2026-11-27T02:39:28.999Z");
  // Before 1970: floored, not truncated towards zero.
  CHECK(iso(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(iso(-1000) == "1969-12-31T23:59:59.000Z");
  CHECK(iso(-86'400'000) == "1969-12-31T00:00:00.000Z");
  CHECK(iso(-14'182'939'877) == "1969-07-20T20:17:40.123Z");
  // Leap days: 2024 and 2000 have one, 1900 has none.
  CHECK(iso(1'709'164'800'000) == "2024-02-29T00:00:00.000Z");
  CHECK(iso(1'709'251'199'999) == "2024-02-29T23:59:59.999Z");
  CHECK(iso(1'709'251'200'000) == "2024-03-01T00:00:00.000Z");
  CHECK(iso(951'782'400'000) == "2000-02-29T00:00:00.000Z");
  CHECK(iso(-2'203'891'201'000) == "1900-02-28T23:59:59.000Z");
  CHECK(iso(-2'203'891'200'000) == "1900-03-01T00:00:00.000Z");
  // Years outside 0000-9999, as JavaScript's toISOString writes them.
  CHECK(iso(253'402'300'799'999) == "9999-12-31T23:59:59.999Z");
  CHECK(iso(253'402'300'800'000) == "+010000-01-01T00:00:00.000Z");
  CHECK(iso(-62'167'219'200'000) == "0000-01-01T00:00:00.000Z");
  CHECK(iso(-62'167'219'200'001) == "-000001-12-31T23:59:59.999Z");
  CHECK(iso(8'640'000'000'000'000) == "+275760-09-13T00:00:00.000Z");
  CHECK(iso(-8'640'000'000'000'000) == "-271821-04-20T00:00:00.000Z");
  // The whole range of aa::timestamp, without overflow.
  CHECK(iso(aa::timestamp::max().time_since_epoch().count()) == "+292278994-08-17T07:12:55.807Z");
  CHECK(iso(aa::timestamp::min().time_since_epoch().count()) == "-292275055-05-16T16:47:04.192Z");
}

TEST_CASE("audit.json_lines_appends_to_existing_file", "[audit]") {
  const std::string path = test_files::unique_path("audit-append.jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"earlier\":1}\n";
  }
  { aa::json_lines_file{path}(ev::guest_deleted{at_ms(0), "first"}); }
  { aa::json_lines_file{path}(ev::guest_deleted{at_ms(1), "second"}); }
  const std::vector<std::string> expected{
      R"({"earlier":1})",
      R"({"event":"guest_deleted","at":"1970-01-01T00:00:00.000Z","user_id":"first"})",
      R"({"event":"guest_deleted","at":"1970-01-01T00:00:00.001Z","user_id":"second"})",
  };
  CHECK(read_lines(path) == expected);
}

TEST_CASE("audit.json_lines_creates_file_private", "[audit]") {
  const std::string path = test_files::unique_path("audit-mode.jsonl");
  REQUIRE_FALSE(std::filesystem::exists(path));
  const aa::json_lines_file sink{path};
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("audit.json_lines_open_failure_names_the_path", "[audit]") {
  const std::string path = (std::filesystem::path(test_files::unique_path("no-such-directory")) / "audit.jsonl").string();
  std::optional<std::string> message;
  try {
    const aa::json_lines_file sink{path};
  } catch (const aa::storage_error& e) {
    message = e.what();
  }
  REQUIRE(message);
  CHECK(message->find(path) != std::string::npos);
  CHECK(message->find(std::generic_category().message(ENOENT)) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("audit.json_lines_write_failure_names_the_path", "[audit]") {
  // A device is refused (below), so the sink opens a regular file whose descriptor is then made
  // /dev/full's, which fails every write with ENOSPC.
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (full < 0) {
    WARN("no /dev/full: write failure not tested");
    return;
  }
  const std::string path = test_files::unique_path("audit-full.jsonl");
  const aa::json_lines_file sink{path};
  const int fd = descriptor_of(path);
  REQUIRE(fd >= 0);
  REQUIRE(::dup2(full, fd) == fd);
  ::close(full);
  std::optional<std::string> message;
  try {
    sink(ev::guest_deleted{at_ms(0), "guest"});
  } catch (const aa::storage_error& e) {
    message = e.what();
  }
  REQUIRE(message);
  CHECK(message->find("\"" + path + "\"") != std::string::npos);
  CHECK(message->find(std::generic_category().message(ENOSPC)) != std::string::npos);
}

TEST_CASE("audit.json_lines_refuses_a_symbolic_link", "[audit]") {
  // Whoever can write the log's directory must not make the sink append to (or create) another file.
  const std::string target = test_files::unique_path("audit-link-target.txt");
  {
    std::ofstream out(target, std::ios::binary);
    out << "precious\n";
  }
  const std::string link = test_files::unique_path("audit-link.jsonl");
  std::filesystem::create_symlink(target, link);
  const std::string dangling_target = test_files::unique_path("audit-link-nowhere.txt");
  const std::string dangling = test_files::unique_path("audit-link-dangling.jsonl");
  std::filesystem::create_symlink(dangling_target, dangling);

  for (const std::string& path : {link, dangling}) {
    INFO(path);
    const std::string refusal = open_refusal(path);
    CHECK_THAT(refusal, Contains("\"" + path + "\""));
    CHECK_THAT(refusal, Contains("symbolic link"));
  }
  CHECK(read_file(target) == "precious\n");
  CHECK_FALSE(std::filesystem::exists(dangling_target));
}

TEST_CASE("audit.json_lines_refuses_a_fifo_without_blocking", "[audit]") {
  SECTION("with no reader: opening it for writing would wait for one") {
    const std::string path = test_files::unique_path("audit-fifo-alone.jsonl");
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    // The sink is opened on another thread; should it block, a reader opened here releases it.
    std::promise<std::string> outcome;
    std::future<std::string> result = outcome.get_future();
    std::thread opener([&] { outcome.set_value(open_refusal(path)); });
    const bool returned = result.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    int reader = -1;
    if (!returned) reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    opener.join();
    if (reader >= 0) ::close(reader);
    CHECK(returned);
    const std::string refusal = result.get();
    CHECK_THAT(refusal, Contains("\"" + path + "\""));
    CHECK_THAT(refusal, Contains("not a regular file"));
  }
  SECTION("with a reader: lines would leave the file system") {
    const std::string path = test_files::unique_path("audit-fifo-read.jsonl");
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(reader >= 0);
    const std::string refusal = open_refusal(path);
    char byte = 0;
    const ::ssize_t got = ::read(reader, &byte, 1);
    ::close(reader);
    CHECK_THAT(refusal, Contains("\"" + path + "\""));
    CHECK_THAT(refusal, Contains("not a regular file"));
    CHECK(got <= 0);  // nothing reached the reader
  }
}

TEST_CASE("audit.json_lines_refuses_a_device", "[audit]") {
  const std::string refusal = open_refusal("/dev/null");
  CHECK_THAT(refusal, Contains("\"/dev/null\""));
  CHECK_THAT(refusal, Contains("not a regular file"));
}

TEST_CASE("audit.json_lines_refuses_a_directory", "[audit]") {
  const std::string path = test_files::unique_path("audit-directory");
  std::filesystem::create_directory(path);
  const std::string refusal = open_refusal(path);
  CHECK_THAT(refusal, Contains("\"" + path + "\""));
}

TEST_CASE("audit.json_lines_move_transfers_the_file", "[audit]") {
  const std::string path = test_files::unique_path("audit-move.jsonl");
  const std::string other_path = test_files::unique_path("audit-move-other.jsonl");
  std::optional<aa::json_lines_file> moved;
  {
    aa::json_lines_file original{path};
    moved.emplace(std::move(original));
    CHECK_THROWS_AS(original(ev::guest_deleted{at_ms(0), "from-moved-from"}), aa::storage_error);
  }  // the moved-from sink's destructor must not close the file
  (*moved)(ev::guest_deleted{at_ms(0), "after-move"});

  aa::json_lines_file other{other_path};
  other = std::move(*moved);
  other(ev::guest_deleted{at_ms(0), "after-assignment"});

  CHECK(read_lines(path) == std::vector<std::string>{
                                R"({"event":"guest_deleted","at":"1970-01-01T00:00:00.000Z","user_id":"after-move"})",
                                R"({"event":"guest_deleted","at":"1970-01-01T00:00:00.000Z","user_id":"after-assignment"})",
                            });
  CHECK(read_file(other_path).empty());
}

TEST_CASE("audit.json_lines_many_threads_lines_stay_whole", "[audit]") {
  constexpr std::size_t threads = 4;
  constexpr std::size_t per_thread = 2000;
  const std::string path = test_files::unique_path("audit-threads.jsonl");
  // Two sinks on one file, each shared by two threads: one descriptor used concurrently, and two
  // descriptors with their own offsets, as separate processes would have.
  const aa::json_lines_file first{path};
  const aa::json_lines_file second{path};
  // Long lines, so that a line written in pieces would show.
  const std::string message = std::string(1500, 'x') + "\t\"quoted\"";
  const auto line_of = [&](std::size_t t, std::size_t i) {
    return R"({"event":"link_failed","at":"2026-11-27T02:39:28.123Z","guest_id":"guest-)" + std::to_string(t) + "-" +
           std::to_string(i) + R"(","user_id":"user","via":"sign_up_email","code":"FAILED",)" +
           R"("message":")" + std::string(1500, 'x') + R"(\t\"quoted\""})";
  };

  std::atomic<std::size_t> failures{0};
  test_threads::run_together(threads, [&](std::size_t t) {
    const aa::json_lines_file& sink = t % 2 == 0 ? first : second;
    for (std::size_t i = 0; i < per_thread; ++i) {
      try {
        sink(ev::link_failed{sample_time, "guest-" + std::to_string(t) + "-" + std::to_string(i), "user",
                             ev::link_via::sign_up_email, "FAILED", message});
      } catch (...) {
        failures.fetch_add(1);
      }
    }
  });
  REQUIRE(failures.load() == 0);

  std::vector<std::string> lines = read_lines(path);
  REQUIRE(lines.size() == threads * per_thread);
  const std::size_t whole = static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.starts_with(R"({"event":)") && l.ends_with("}");
  }));
  CHECK(whole == threads * per_thread);

  // Every event exactly once, byte for byte.
  std::vector<std::string> expected;
  expected.reserve(threads * per_thread);
  for (std::size_t t = 0; t < threads; ++t)
    for (std::size_t i = 0; i < per_thread; ++i) expected.push_back(line_of(t, i));
  std::sort(expected.begin(), expected.end());
  std::sort(lines.begin(), lines.end());
  std::size_t mismatched = 0;  // counted rather than compared whole: a failure would print 24 MB
  for (std::size_t k = 0; k < lines.size(); ++k) mismatched += lines[k] != expected[k] ? 1 : 0;
  CHECK(mismatched == 0);
}

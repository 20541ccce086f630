// The files of a SQLite database: a database file anonauth creates, and the -wal, -shm and
// -journal files SQLite makes beside it, are the owner's only (0600) whatever the umask; a file
// the user created keeps its mode; in-memory databases and URIs still open.
#include "catch.hpp"
#include "test_files.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

#include <boost/hana/define_struct.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/stat.h>
#include <sys/types.h>

namespace {

namespace aa = anonauth;

struct file_user {
  BOOST_HANA_DEFINE_STRUCT(file_user,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
using file_schema = aa::schema<aa::user_table<file_user>>;
using file_backend = aa::sqlite_storage::backend<file_schema>;

file_user user_named(const std::string& id) {
  const aa::timestamp at{std::chrono::milliseconds{1'795'747'168'123}};
  return file_user{id, "Guest " + id, id + "@guest.example", false, std::nullopt, true, at, at};
}

void write_user(file_backend& db, const std::string& id) {
  db.write([&](auto& w) { w.insert_user(user_named(id)); });
}

/// Sets the process's umask for the guard's lifetime (a test's own state, restored after it).
class umask_guard {
 public:
  explicit umask_guard(::mode_t mask) : previous_(::umask(mask)) {}
  umask_guard(const umask_guard&) = delete;
  umask_guard& operator=(const umask_guard&) = delete;
  ~umask_guard() { ::umask(previous_); }

 private:
  ::mode_t previous_;
};

/// The permission bits of the regular file at `path` in octal ("0600"), or "no file", so that a
/// failure shows the mode found.
std::string mode_of(const std::string& path) {
  struct ::stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "no file";
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return text;
}

}  // namespace

TEST_CASE("sqlite_files.new_database_and_its_wal_files_are_private_whatever_the_umask", "[sqlite][files]") {
  const umask_guard umask(022);
  const std::string path = test_files::unique_path("private-wal.db");
  REQUIRE_FALSE(std::filesystem::exists(path));
  file_backend db{aa::sqlite_config{.path = path, .journal = aa::sqlite_journal::wal}};
  write_user(db, "wal");

  // While the connections are open, the WAL and its index are there beside the database.
  CHECK(mode_of(path) == "0600");
  CHECK(mode_of(path + "-wal") == "0600");
  CHECK(mode_of(path + "-shm") == "0600");
  CHECK(db.read([](const auto& r) { return r.find_user("wal").has_value(); }));
}

TEST_CASE("sqlite_files.new_database_and_its_rollback_journal_are_private", "[sqlite][files]") {
  const umask_guard umask(022);
  const std::string path = test_files::unique_path("private-journal.db");
  // The journal lives only inside a write transaction: look at it just before the COMMIT.
  bool watching = false;
  std::string journal = "not seen";
  aa::sqlite_config config{.path = path, .journal = aa::sqlite_journal::rollback};
  config.before_statement = [&](std::string_view sql) {
    if (watching && sql == "COMMIT") journal = mode_of(path + "-journal");
  };
  file_backend db{config};
  watching = true;
  write_user(db, "journal");
  watching = false;

  CHECK(mode_of(path) == "0600");
  CHECK(journal == "0600");
}

TEST_CASE("sqlite_files.a_new_database_is_private_even_under_a_permissive_umask", "[sqlite][files]") {
  const umask_guard umask(0);
  const std::string path = test_files::unique_path("private-umask0.db");
  file_backend db{aa::sqlite_config{.path = path}};
  write_user(db, "open");
  CHECK(mode_of(path) == "0600");
  CHECK(mode_of(path + "-wal") == "0600");
  CHECK(mode_of(path + "-shm") == "0600");
}

TEST_CASE("sqlite_files.an_existing_file_keeps_the_mode_its_owner_gave_it", "[sqlite][files]") {
  const umask_guard umask(022);
  const std::string path = test_files::unique_path("users-own.db");
  {
    file_backend db{aa::sqlite_config{.path = path}};
    write_user(db, "first");
  }
  // The owner shares the database with its group on purpose: anonauth leaves that alone, and
  // SQLite gives the WAL files the same mode.
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  file_backend db{aa::sqlite_config{.path = path}};
  write_user(db, "second");
  CHECK(mode_of(path) == "0640");
  CHECK(mode_of(path + "-wal") == "0640");
  CHECK(mode_of(path + "-shm") == "0640");
  CHECK(db.read([](const auto& r) { return r.find_user("first").has_value(); }));
}

TEST_CASE("sqlite_files.in_memory_databases_still_open", "[sqlite][files]") {
  for (const char* path : {"", ":memory:"}) {
    INFO("path \"" << path << "\"");
    file_backend db{aa::sqlite_config{.path = path}};
    write_user(db, "memory");
    CHECK(db.read([](const auto& r) { return r.find_user("memory").has_value(); }));
    CHECK_FALSE(std::filesystem::exists(path));
  }
}

TEST_CASE("sqlite_files.a_uri_still_names_the_file_it_means", "[sqlite][files]") {
  if (sqlite3_compileoption_used("USE_URI") == 0) {
    WARN("this SQLite reads URIs only when asked to: not tested");
    return;
  }
  const std::string path = test_files::unique_path("by-uri.db");
  {
    file_backend db{aa::sqlite_config{.path = "file:" + path + "?cache=private"}};
    write_user(db, "uri");
  }
  // SQLite read the URI: the data is in the file it names, and no file is called by its text.
  CHECK_FALSE(std::filesystem::exists("file:" + path + "?cache=private"));
  file_backend db{aa::sqlite_config{.path = path}};
  CHECK(db.read([](const auto& r) { return r.find_user("uri").has_value(); }));
}

// SQLite in bad environments: a path that cannot be opened, a file that is not a database, a
// read-only file, a database another connection keeps locked, tables that do not match the
// schema. Each is an aa::storage_error (or, inside an operation, an error result) that says what
// is wrong, never a crash. And what a database holds survives closing and reopening it.
#include "catch.hpp"
#include "sqlite_fixtures.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

using namespace sqlite_fixtures;
using link_fixtures::cart_item;
using link_fixtures::draft;
using link_fixtures::identity;
using link_fixtures::user;

namespace fs = std::filesystem;

/// What constructing an auth on `config` threw: the message of the aa::storage_error, or a
/// description of what else happened (no exception, another exception type).
template <class Auth = seed_sqlite_auth>
std::string open_failure(const aa::sqlite_config& config) {
  try {
    Auth auth{config};
    return "<no exception: the auth opened>";
  } catch (const aa::storage_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an aa::storage_error: ") + e.what() + ">";
  }
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- making things read-only, even for root ------------------------------------------------------

/// Sets the immutable attribute (chattr +i) of a file or directory for its lifetime: not even
/// root may then write, create or delete there. Needs CAP_LINUX_IMMUTABLE and a filesystem that
/// supports the attribute; `why_not()` says why it could not be set.
class immutable_flag {
 public:
  explicit immutable_flag(std::string path) : path_(std::move(path)) { error_ = change(true); }
  immutable_flag(const immutable_flag&) = delete;
  immutable_flag& operator=(const immutable_flag&) = delete;
  ~immutable_flag() {
    if (error_ == 0) change(false);
  }

  [[nodiscard]] bool set() const noexcept { return error_ == 0; }
  [[nodiscard]] std::string why_not() const { return std::strerror(error_); }

 private:
  int change(bool on) const {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno;
    int flags = 0;
    int error = 0;
    if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
      error = errno;
    } else {
      flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
      if (::ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) error = errno;
    }
    ::close(fd);
    return error;
  }

  std::string path_;
  int error_ = 0;
};

/// Runs `fn` without the privilege to bypass file permissions. A process that is not root has
/// none: `fn` runs as is. Root runs it on a thread of its own whose filesystem uid is nobody's
/// (Linux keeps the fsuid per thread, and dropping it to non-zero drops CAP_DAC_OVERRIDE).
/// Returns false if the privilege could not be dropped; `fn` did not run then.
template <class Fn>
bool run_unprivileged(Fn&& fn) {
  if (::geteuid() != 0) {
    fn();
    return true;
  }
  bool dropped = false;
  std::exception_ptr failure;
  std::thread worker([&] {
    constexpr uid_t nobody = 65534;
    ::setfsgid(nobody);
    ::setfsuid(nobody);
    if (::setfsuid(static_cast<uid_t>(-1)) != nobody) return;
    dropped = true;
    try {
      fn();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
  return dropped;
}

/// A fresh directory of this run.
std::string fresh_directory(const std::string& name) {
  const std::string dir = test_files::unique_path(name);
  fs::create_directories(dir);
  return dir;
}

/// A database file with the seed's tables and a guest in it, closed again.
std::string seeded_database(const std::string& path) {
  seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
  return link_fixtures::new_guest(auth).id;
}

/// What an auth does with a database it cannot write: refuse to open, or open and then refuse
/// every write (with an error result from an operation, an aa::storage_error from a table).
struct read_only_observation {
  std::string journal;
  bool opened = false;
  std::string open_error;
  std::string sign_in_code;
  std::string insert_error;
  bool guest_found = false;
};

read_only_observation observe_read_only(const std::string& path, aa::sqlite_journal journal,
                                        const std::string& guest_id) {
  read_only_observation seen;
  seen.journal = journal == aa::sqlite_journal::wal ? "wal" : "rollback";
  std::optional<seed_sqlite_auth> auth;
  try {
    auth.emplace(aa::sqlite_config{.path = path, .journal = journal});
  } catch (const aa::storage_error& e) {
    seen.open_error = e.what();
    return seen;
  }
  seen.opened = true;
  const auto r = auth->sign_in_anonymous(link_fixtures::no_session());
  seen.sign_in_code = r ? "<signed in>" : std::string(r.error().code());
  try {
    auth->table<cart_item>().insert(cart_item{"read-only-cart", guest_id, "sku", 1});
    seen.insert_error = "<inserted>";
  } catch (const aa::storage_error& e) {
    seen.insert_error = e.what();
  }
  seen.guest_found = auth->find_user(guest_id).has_value();
  return seen;
}

/// A read-only database is refused when opened, with a message that says so (SQLite itself
/// would open it read-only without a word and fail at the first write); never written.
void check_read_only(const read_only_observation& seen) {
  INFO("journal " << seen.journal << ": " << (seen.opened ? "opened" : "refused: " + seen.open_error));
  REQUIRE_FALSE(seen.opened);
  CHECK(contains(seen.open_error, "sqlite_storage"));
  CHECK(contains(seen.open_error, "read-only"));
}

// --- a schema that disagrees with the seed's -------------------------------------------------------

/// The seed's cart item with the quantity as text.
struct text_quantity_item {
  BOOST_HANA_DEFINE_STRUCT(text_quantity_item, (std::string, id), (std::string, user_id), (std::string, sku),
                           (std::string, quantity));
};
/// The seed's cart item with one more (NOT NULL) column.
struct currency_item {
  BOOST_HANA_DEFINE_STRUCT(currency_item, (std::string, id), (std::string, user_id), (std::string, sku),
                           (int, quantity), (std::string, currency));
};
/// The seed's cart item with a nullable quantity.
struct optional_quantity_item {
  BOOST_HANA_DEFINE_STRUCT(optional_quantity_item, (std::string, id), (std::string, user_id), (std::string, sku),
                           (std::optional<int>, quantity));
};

/// The seed's schema with `Item` as the row of "cart_items".
template <class Item>
using auth_with_cart_row = sqlite_auth_of<
    aa::schema<aa::user_table<user>, aa::table<"cart_items", Item, aa::user_ref<&Item::user_id>>, seed::drafts_table>,
    aa::link_migrations<aa::reassign<&Item::user_id>, aa::reassign<&draft::author_id>>>;

}  // namespace

// --- paths that cannot be opened --------------------------------------------------------------------

TEST_CASE("sqlite_environment.missing_directory_is_a_storage_error_naming_the_path", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("no-such-directory") + "/nested/app.db";
  const std::string message = open_failure(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "sqlite_storage"));
  CHECK(contains(message, path));
  CHECK(contains(message, "unable to open"));
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("sqlite_environment.directory_that_is_a_file_is_a_storage_error_naming_the_path", "[sqlite][environment]") {
  const std::string file = test_files::unique_path("plain-file");
  std::ofstream(file) << "a file, not a directory\n";
  const std::string path = file + "/app.db";
  const std::string message = open_failure(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "sqlite_storage"));
  CHECK(contains(message, path));
}

TEST_CASE("sqlite_environment.unwritable_directory_is_a_storage_error_naming_the_path", "[sqlite][environment]") {
  int ways = 0;

  SECTION("an immutable directory (refuses even root)") {
    const std::string dir = fresh_directory("immutable-directory");
    const std::string path = dir + "/app.db";
    immutable_flag frozen(dir);
    if (!frozen.set()) {
      WARN("cannot make a directory immutable here (" << frozen.why_not() << "): case not run");
    } else {
      ++ways;
      const std::string message = open_failure(aa::sqlite_config{.path = path});
      INFO(message);
      CHECK(contains(message, "sqlite_storage"));
      CHECK(contains(message, path));
      CHECK_FALSE(fs::exists(path));
    }
  }

  SECTION("a directory without write permission, opened without privileges") {
    const std::string dir = fresh_directory("read-only-directory");
    const std::string path = dir + "/app.db";
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                             fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    std::string message;
    const bool ran = run_unprivileged([&] { message = open_failure(aa::sqlite_config{.path = path}); });
    fs::permissions(dir, fs::perms::owner_all);
    if (!ran) {
      WARN("cannot drop the privilege to bypass file permissions here: case not run");
    } else {
      ++ways;
      INFO(message);
      CHECK(contains(message, "sqlite_storage"));
      CHECK(contains(message, path));
      CHECK_FALSE(fs::exists(path));
    }
  }

  if (ways == 0) SUCCEED("no way to make a directory unwritable here (see the warning)");
}

// --- a file that is not a database ------------------------------------------------------------------

TEST_CASE("sqlite_environment.file_that_is_not_a_database_is_a_storage_error", "[sqlite][environment]") {
  int i = 0;
  for (const std::string& text :
       {std::string("hello\n"), std::string(4096, 'x'), std::string("SQLite format 2\0 but not really", 32)}) {
    const std::string path = test_files::unique_path("not-a-database-" + std::to_string(++i) + ".txt");
    std::ofstream(path, std::ios::binary) << text;
    for (const auto journal : {aa::sqlite_journal::wal, aa::sqlite_journal::rollback}) {
      const std::string message = open_failure(aa::sqlite_config{.path = path, .journal = journal});
      INFO(path << ": " << message);
      CHECK(contains(message, "sqlite_storage"));
      CHECK(contains(message, "not a database"));
    }
    // The file is left as it was.
    std::ifstream in(path, std::ios::binary);
    const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(after == text);
  }
}

// --- a read-only database file ------------------------------------------------------------------------

namespace {

/// Builds a database file with a guest in it, makes it read-only in each way this machine allows,
/// and checks what an auth opened on it with `journal` does; the file is unchanged afterwards.
void check_read_only_file(const std::string& name, aa::sqlite_journal journal) {
  int ways = 0;

  SECTION("an immutable file (refuses even root)") {
    const std::string path = test_files::unique_path(name + "-immutable.db");
    const std::string guest = seeded_database(path);
    const std::string before = dump(path);
    {
      immutable_flag frozen(path);
      if (!frozen.set()) {
        WARN("cannot make a file immutable here (" << frozen.why_not() << "): case not run");
      } else {
        ++ways;
        check_read_only(observe_read_only(path, journal, guest));
      }
    }
    CHECK(dump(path) == before);
    seed_sqlite_auth auth{aa::sqlite_config{.path = path}};  // writable again
    CHECK(auth.find_user(guest).has_value());
  }

  SECTION("a file without write permission, opened without privileges") {
    const std::string dir = fresh_directory(name + "-read-only-file");
    const std::string path = dir + "/app.db";
    const std::string guest = seeded_database(path);
    const std::string before = dump(path);
    // Only the file is read-only: the directory lets anyone create the -wal and -shm files.
    fs::permissions(dir, fs::perms::all);
    fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    read_only_observation seen;
    const bool ran = run_unprivileged([&] { seen = observe_read_only(path, journal, guest); });
    if (!ran) {
      WARN("cannot drop the privilege to bypass file permissions here: case not run");
    } else {
      ++ways;
      check_read_only(seen);
    }
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    CHECK(dump(path) == before);
    seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
    CHECK(auth.find_user(guest).has_value());
  }

  if (ways == 0) SUCCEED("no way to make a file read-only here (see the warning)");
}

}  // namespace

TEST_CASE("sqlite_environment.read_only_database_refuses_writes_clearly", "[sqlite][environment]") {
  check_read_only_file("wal", aa::sqlite_journal::wal);
}

// With the rollback journal a read-only WAL database would fail at "PRAGMA journal_mode=DELETE"
// with SQLite's "disk I/O error"; the storage names the real cause first.
TEST_CASE("sqlite_environment.read_only_database_with_rollback_journal_is_named_read_only",
          "[sqlite][environment]") {
  check_read_only_file("rollback", aa::sqlite_journal::rollback);
}

// --- a database another connection keeps locked ----------------------------------------------------

TEST_CASE("sqlite_environment.locked_database_fails_after_the_busy_timeout", "[sqlite][environment]") {
  using clock = std::chrono::steady_clock;
  const std::string path = test_files::unique_path("locked.db");
  seed_sqlite_auth auth{aa::sqlite_config{.path = path, .busy_timeout = std::chrono::milliseconds{100}}};
  const identity guest = link_fixtures::new_guest(auth);
  const std::size_t users_before = auth.table<user>().count();

  raw_db other(path);
  other.exec("BEGIN IMMEDIATE");
  other.exec("INSERT INTO \"drafts\" (\"id\", \"author_id\", \"body\") VALUES ('other-draft', '" + guest.id +
             "', 'written by another connection')");

  // A write waits for the timeout, then answers with an error result.
  const auto start = clock::now();
  const auto refused = auth.sign_in_anonymous(link_fixtures::no_session());
  const auto waited = clock::now() - start;
  INFO("waited " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms");
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code() == "FAILED_TO_CREATE_USER");
  CHECK(refused.error().status() == 500);
  CHECK(waited >= std::chrono::milliseconds{90});
  CHECK(waited < std::chrono::seconds{5});

  // A table handle's write is an aa::storage_error that says the database is locked.
  CHECK_THROWS_AS(auth.table<cart_item>().insert(cart_item{"c-locked", guest.id, "sku", 1}), aa::storage_error);
  CHECK_THROWS_WITH(auth.table<cart_item>().insert(cart_item{"c-locked", guest.id, "sku", 1}),
                    Catch::Matchers::Contains("database is locked"));

  // Reads still work (WAL): the session, the user, the rows, without the uncommitted draft.
  const auto view = auth.get_session(guest.token);
  REQUIRE(view);
  CHECK(view->user.id == guest.id);
  CHECK(auth.table<user>().count() == users_before);
  CHECK_FALSE(auth.table<draft>().find("other-draft").has_value());

  // Opening another auth on the file needs the write lock too (for its tables): it fails clearly.
  const std::string message =
      open_failure(aa::sqlite_config{.path = path, .busy_timeout = std::chrono::milliseconds{50}});
  INFO(message);
  CHECK(contains(message, "locked"));

  // Once the other connection commits, writes go through and its draft is visible.
  other.exec("COMMIT");
  const auto admitted = auth.sign_in_anonymous(link_fixtures::no_session());
  REQUIRE(admitted.has_value());
  CHECK(auth.get_session(admitted->token).has_value());
  CHECK(auth.table<user>().count() == users_before + 1);
  CHECK(auth.table<draft>().find("other-draft").has_value());
  CHECK_FALSE(auth.table<cart_item>().find("c-locked").has_value());
}

// --- tables that differ from the schema ----------------------------------------------------------------

TEST_CASE("sqlite_environment.column_of_another_type_is_refused_naming_table_and_column", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("text-quantity.db");
  seeded_database(path);
  const std::string before = dump(path);

  const std::string message = open_failure<auth_with_cart_row<text_quantity_item>>(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "sqlite_storage"));
  CHECK(contains(message, "\"cart_items\""));
  CHECK(contains(message, "\"quantity\""));
  CHECK(contains(message, "INTEGER"));
  CHECK(contains(message, "TEXT"));
  CHECK(dump(path) == before);  // nothing created or changed on the way
}

TEST_CASE("sqlite_environment.nullability_mismatch_is_refused_naming_table_and_column", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("optional-quantity.db");
  seeded_database(path);
  const std::string message =
      open_failure<auth_with_cart_row<optional_quantity_item>>(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "\"cart_items\""));
  CHECK(contains(message, "\"quantity\""));
  CHECK(contains(message, "NOT NULL"));
}

TEST_CASE("sqlite_environment.missing_column_is_refused_naming_table_and_column", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("no-currency.db");
  seeded_database(path);
  const std::string before = dump(path);
  const std::string message = open_failure<auth_with_cart_row<currency_item>>(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "\"cart_items\""));
  CHECK(contains(message, "\"currency\""));
  CHECK(dump(path) == before);
}

TEST_CASE("sqlite_environment.unknown_not_null_column_is_refused_naming_table_and_column", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("extra-not-null.db");
  {
    raw_db other(path);
    other.exec(
        "CREATE TABLE \"cart_items\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"sku\" TEXT NOT NULL, "
        "\"quantity\" INTEGER NOT NULL, \"coupon\" TEXT NOT NULL)");
  }
  const std::string before = dump(path);
  const std::string message = open_failure(aa::sqlite_config{.path = path});
  INFO(message);
  CHECK(contains(message, "\"cart_items\""));
  CHECK(contains(message, "\"coupon\""));
  CHECK(contains(message, "NOT NULL"));
  // The tables created before the check failed were rolled back with it.
  const std::string after = dump(path);
  CHECK(after == before);
}

TEST_CASE("sqlite_environment.unknown_nullable_column_is_accepted", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("extra-nullable.db");
  {
    raw_db other(path);
    other.exec(
        "CREATE TABLE \"cart_items\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"sku\" TEXT NOT NULL, "
        "\"quantity\" INTEGER NOT NULL, \"note\" TEXT)");
    other.exec("INSERT INTO \"cart_items\" VALUES ('theirs', 'someone', 'sku-9', 9, 'kept')");
  }
  seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
  const identity guest = link_fixtures::new_guest(auth);
  auth.table<cart_item>().insert(cart_item{"ours", guest.id, "sku-1", 1});
  CHECK(auth.table<cart_item>().count() == 2);
  const auto theirs = auth.table<cart_item>().find("theirs");
  REQUIRE(theirs);
  CHECK(theirs->quantity == 9);

  // Linking moves the guest's rows; the column it does not know is left alone.
  auto linked = auth.sign_up_email(link_fixtures::sign_up_body("nullable@example.com"),
                                   link_fixtures::with_token(guest.token));
  REQUIRE(linked.has_value());
  CHECK(link_fixtures::carts_of(auth, linked->user.id) == 1);
  raw_db raw(path);
  CHECK(raw.rows("SELECT \"id\", \"note\" FROM \"cart_items\" ORDER BY 1") ==
        std::vector<std::string>{"id='ours'|note=NULL", "id='theirs'|note='kept'"});
}

TEST_CASE("sqlite_environment.reopening_with_the_same_schema_is_idempotent", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("reopened.db");
  identity guest;
  std::string before;
  {
    seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
    guest = link_fixtures::new_guest(auth);
    link_fixtures::fill_cart(auth, guest.id, 2, "g");
    link_fixtures::write_drafts(auth, guest.id, 1, "g");
    before = dump(path);
  }
  CHECK(dump(path) == before);
  for (int i = 0; i < 2; ++i) {
    INFO("reopening " << i + 1);
    seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
    CHECK(dump(path) == before);
    CHECK(link_fixtures::carts_of(auth, guest.id) == 2);
    CHECK(link_fixtures::drafts_of(auth, guest.id) == 1);
  }

  // Two auths open on the file at once: each sees what the other wrote.
  seed_sqlite_auth first{aa::sqlite_config{.path = path}};
  seed_sqlite_auth second{aa::sqlite_config{.path = path}};
  CHECK(dump(path) == before);
  const identity other = link_fixtures::new_guest(second);
  CHECK(first.get_session(other.token).has_value());
  CHECK(second.get_session(guest.token).has_value());
  CHECK(first.table<user>().count() == 2);
}

// --- what a database holds survives reopening ------------------------------------------------------

TEST_CASE("sqlite_environment.data_survives_reopening", "[sqlite][environment]") {
  const std::string path = test_files::unique_path("survives.db");
  std::string token;
  std::string user_id;
  {
    seed_sqlite_auth auth{aa::sqlite_config{.path = path}};
    const identity guest = link_fixtures::new_guest(auth);
    link_fixtures::fill_cart(auth, guest.id, 3, "g");
    link_fixtures::set_profile(auth, guest.token, "  reads a lot ", "Oslo");
    auto up = auth.sign_up_email(link_fixtures::sign_up_body("keeper@example.com"), link_fixtures::with_token(guest.token));
    REQUIRE(up.has_value());
    token = up->token;
    user_id = up->user.id;
  }
  for (const auto synchronous : {aa::sqlite_synchronous::normal, aa::sqlite_synchronous::full}) {
    seed_sqlite_auth auth{aa::sqlite_config{.path = path, .synchronous = synchronous}};
    const auto view = auth.get_session(token);
    REQUIRE(view);
    CHECK(view->user.id == user_id);
    CHECK(view->user.email == "keeper@example.com");
    CHECK(view->user.bio == std::optional<std::string>("reads a lot"));
    CHECK(view->user.location == std::optional<std::string>("Oslo"));
    CHECK_FALSE(view->user.is_anonymous);
    CHECK(link_fixtures::carts_of(auth, user_id) == 3);

    auto in = auth.sign_in_email(link_fixtures::sign_in_body("keeper@example.com"), link_fixtures::no_session());
    REQUIRE(in.has_value());
    CHECK(in->user.id == user_id);
    auto wrong = auth.sign_in_email(aa::email_sign_in{"keeper@example.com", "not the password"}, link_fixtures::no_session());
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().code() == "INVALID_EMAIL_OR_PASSWORD");
  }
}

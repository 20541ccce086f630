// Crash safety of the SQLite storage: a process that links guests is killed with SIGKILL, over
// and over, on one database file; after every kill the file is opened afresh and must hold a
// consistent state. A link moves all of a guest's rows and deletes the guest, or changes nothing.
//
// The writer is a forked child. fork() copies only the calling thread, so each child is created
// while this process runs no other thread and holds no connection to the file; the child then
// opens its own auth and works until it is killed: at a random time by this process, or, in the
// statement-by-statement test, by itself from the storage's statement hook, inside a link's
// transaction. A child never returns into Catch2: if an operation fails it leaves with _exit
// and a non-zero status, which fails the test.
//
// What the child does, forever: sign a guest in (user and session in one transaction), give it
// 5 cart items and then 2 drafts (one transaction each, in that order), and link it by
// sign_up_email with a fresh email. The link is the only write that ever touches a real user's
// rows, so after any kill:
//   - every guest still has its session, no account, and items 0..k-1 (k <= 5) and drafts
//     0..d-1 (d <= 2, and d > 0 only once k == 5): it is untouched, possibly still being filled;
//   - every real user has one credential account, one session, and exactly the 5 items and 2
//     drafts of one guest, and that guest no longer exists;
//   - no cart item, draft, session or account refers to a missing user;
//   - PRAGMA integrity_check is "ok".
#include "catch.hpp"
#include "fixtures.hpp"
#include "sqlite_fixtures.hpp"
#include "test_files.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using fixtures::cart_item;
using fixtures::draft;

using sqlite_auth = fixtures::test_auth<aa::storage<aa::sqlite_storage>>;

constexpr std::size_t items_per_guest = 5;
constexpr std::size_t drafts_per_guest = 2;

// Exit statuses of a child that stopped by itself (the tests expect none of them).
constexpr int exit_sign_in_failed = 10;
constexpr int exit_link_failed = 11;
constexpr int exit_exception = 12;
constexpr int exit_not_killed = 13;

aa::sqlite_config config_for(const std::string& path, aa::sqlite_synchronous synchronous) {
  aa::sqlite_config config;
  config.path = path;
  config.synchronous = synchronous;
  config.busy_timeout = std::chrono::seconds{10};
  return config;
}

std::string email_of(const std::string& prefix, std::size_t round, std::size_t n) {
  return prefix + "-" + std::to_string(round) + "-" + std::to_string(n) + "@example.com";
}

/// One guest's life up to its link: signed in, then its cart, then its drafts. Returns its token.
template <class Auth>
aa::signed_in<fixtures::user> new_filled_guest(Auth& auth) {
  auto guest = auth.sign_in_anonymous(fixtures::no_session());
  if (!guest) ::_exit(exit_sign_in_failed);
  const std::string& id = guest->user.id;
  for (std::size_t i = 0; i < items_per_guest; ++i)
    auth.template table<cart_item>().insert(
        cart_item{id + "-cart-" + std::to_string(i), id, "sku-" + std::to_string(i), static_cast<int>(i) + 1});
  for (std::size_t i = 0; i < drafts_per_guest; ++i)
    auth.template table<draft>().insert(draft{id + "-draft-" + std::to_string(i), id, "draft " + std::to_string(i)});
  return std::move(*guest);
}

/// The child of the random-delay test: opens its auth, says so with one byte on `ready_fd`,
/// then fills and links guests until killed.
[[noreturn]] void link_until_killed(const aa::sqlite_config& config, const std::string& prefix, std::size_t round,
                                    int ready_fd) noexcept {
  try {
    sqlite_auth auth{config};
    const char ready = 1;
    if (::write(ready_fd, &ready, 1) != 1) ::_exit(exit_exception);
    ::close(ready_fd);
    for (std::size_t n = 0;; ++n) {
      const auto guest = new_filled_guest(auth);
      auto linked = auth.sign_up_email(fixtures::sign_up_body(email_of(prefix, round, n)),
                                       fixtures::with_token(guest.token));
      if (!linked) ::_exit(exit_link_failed);
    }
  } catch (...) {
    ::_exit(exit_exception);
  }
}

/// Writes all of `text` to `fd`; false if it could not.
bool write_all(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// The child of the statement-by-statement test: one complete link, counting the statements of
/// its write transaction, then a second link that kills itself just before statement `kill_at`
/// of that transaction runs (1 is BEGIN IMMEDIATE; the last is COMMIT). Before the second link
/// it reports "<statements of the first link's transaction> <second guest's token>" on `out_fd`.
[[noreturn]] void link_then_die_inside_link(const aa::sqlite_config& base, const std::string& prefix,
                                            std::size_t round, std::size_t kill_at, int out_fd) noexcept {
  try {
    bool linking = false, in_write = false;
    std::size_t seen = 0;
    std::size_t target = 0;  // 0: count only
    aa::sqlite_config config = base;
    config.before_statement = [&](std::string_view sql) {
      if (!linking) return;
      if (sql == "BEGIN IMMEDIATE") in_write = true;
      if (!in_write) return;
      ++seen;
      if (target != 0 && seen == target) std::raise(SIGKILL);
    };
    sqlite_auth auth{config};
    for (std::size_t n = 0; n < 2; ++n) {
      const auto guest = new_filled_guest(auth);
      if (n == 1 && !write_all(out_fd, std::to_string(seen) + " " + guest.token)) ::_exit(exit_exception);
      linking = true;
      in_write = false;
      seen = 0;
      target = n == 0 ? 0 : kill_at;
      auto linked = auth.sign_up_email(fixtures::sign_up_body(email_of(prefix, round, n)),
                                       fixtures::with_token(guest.token));
      linking = false;
      if (!linked) ::_exit(exit_link_failed);
    }
  } catch (...) {
    ::_exit(exit_exception);
  }
  ::_exit(exit_not_killed);
}

/// Everything readable from `fd` until end of file.
std::string read_all(int fd) {
  std::string out;
  char buffer[256];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// --- reading the file back --------------------------------------------------------------------

/// A plain SQLite connection, independent of the storage under test.
using sqlite_fixtures::raw_db;

/// What the file holds, and every broken invariant (empty when consistent).
struct snapshot {
  bool has_schema = false;
  std::size_t guests = 0;
  std::size_t complete_guests = 0;  // 5 items and 2 drafts, not linked
  std::size_t partial_guests = 0;   // still being filled when the child died
  std::size_t real_users = 0;
  std::size_t cart_items = 0;
  std::size_t drafts = 0;
  std::vector<std::string> real_emails;
  std::vector<std::string> violations;
};

/// The id of the guest a cart item or draft was created for: ids are `<guest id><marker><i>`.
std::string origin_of(const std::string& row_id, std::string_view marker) {
  const auto at = row_id.find(marker);
  return at == std::string::npos ? std::string() : row_id.substr(0, at);
}

/// `<owner><marker>0` .. `<owner><marker>(n-1)`.
std::set<std::string> numbered(const std::string& owner, std::string_view marker, std::size_t n) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.insert(owner + std::string(marker) + std::to_string(i));
  return out;
}

snapshot inspect(const std::string& path, const std::string& email_prefix) {
  struct owner {
    bool anonymous = false;
    std::string email;
    std::size_t sessions = 0, accounts = 0, credentials = 0;
    std::set<std::string> items, drafts;
  };
  snapshot s;
  raw_db db(path, SQLITE_OPEN_READWRITE);
  auto broken = [&](std::string what) { s.violations.push_back(std::move(what)); };

  const auto integrity = db.values("PRAGMA integrity_check");
  if (integrity.size() != 1 || integrity[0].at(0) != "ok")
    broken("integrity_check: " + (integrity.empty() ? std::string("no answer") : integrity[0].at(0)));

  if (db.values("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'").empty()) return s;
  s.has_schema = true;

  db.exec("BEGIN");  // one consistent view of every table
  std::map<std::string, owner> users;
  for (auto& r : db.values("SELECT id, email, is_anonymous FROM \"user\"")) {
    owner o;
    o.email = r.at(1);
    o.anonymous = r.at(2) == "1";
    users.emplace(r.at(0), std::move(o));
  }
  auto owner_of = [&](const std::string& id, const char* what) -> owner* {
    const auto it = users.find(id);
    if (it == users.end()) {
      broken(std::string(what) + " of missing user \"" + id + "\"");
      return nullptr;
    }
    return &it->second;
  };
  for (auto& r : db.values("SELECT user_id FROM session"))
    if (auto* o = owner_of(r.at(0), "session")) ++o->sessions;
  for (auto& r : db.values("SELECT user_id, provider_id FROM account"))
    if (auto* o = owner_of(r.at(0), "account")) {
      ++o->accounts;
      if (r.at(1) == aa::credential_provider) ++o->credentials;
    }
  for (auto& r : db.values("SELECT id, user_id FROM cart_items")) {
    ++s.cart_items;
    if (auto* o = owner_of(r.at(1), "cart item")) o->items.insert(r.at(0));
  }
  for (auto& r : db.values("SELECT id, author_id FROM drafts")) {
    ++s.drafts;
    if (auto* o = owner_of(r.at(1), "draft")) o->drafts.insert(r.at(0));
  }
  db.exec("COMMIT");

  for (const auto& [id, o] : users) {
    const std::string who = (o.anonymous ? "guest " : "user ") + id + " <" + o.email + ">: ";
    if (o.anonymous) {
      ++s.guests;
      const std::size_t k = o.items.size(), d = o.drafts.size();
      if (o.sessions != 1) broken(who + std::to_string(o.sessions) + " sessions");
      if (o.accounts != 0) broken(who + std::to_string(o.accounts) + " accounts");
      if (o.items != numbered(id, "-cart-", k) || k > items_per_guest) broken(who + "cart items are not its own first " + std::to_string(k));
      if (o.drafts != numbered(id, "-draft-", d) || d > drafts_per_guest) broken(who + "drafts are not its own first " + std::to_string(d));
      if (d > 0 && k != items_per_guest) broken(who + "has drafts but only " + std::to_string(k) + " cart items");
      if (k == items_per_guest && d == drafts_per_guest) ++s.complete_guests;
      else ++s.partial_guests;
    } else {
      ++s.real_users;
      s.real_emails.push_back(o.email);
      if (o.email.rfind(email_prefix + "-", 0) != 0) broken(who + "was not made by a sign-up of this test");
      if (o.sessions != 1) broken(who + std::to_string(o.sessions) + " sessions");
      if (o.accounts != 1 || o.credentials != 1) broken(who + std::to_string(o.accounts) + " accounts");
      const std::string from = o.items.empty() ? std::string() : origin_of(*o.items.begin(), "-cart-");
      if (from.empty() || o.items != numbered(from, "-cart-", items_per_guest))
        broken(who + std::to_string(o.items.size()) + " cart items, not the 5 of one guest");
      if (from.empty() || o.drafts != numbered(from, "-draft-", drafts_per_guest))
        broken(who + std::to_string(o.drafts.size()) + " drafts, not the 2 of its cart's guest");
      if (!from.empty() && users.count(from) != 0) broken(who + "got the rows of guest " + from + ", which still exists");
    }
  }
  return s;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

/// Kills a child that is still running (a failed REQUIRE must not leave it behind).
struct child_guard {
  pid_t pid = -1;
  ~child_guard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  int reap() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
};

/// Kills a child at a random time 5-60 ms into its work (after it opened the file), and checks
/// the file after each kill: `rounds` times, then on (for at most 20 s in all) while fewer than
/// `min_progressing_rounds` rounds committed anything, no kill left a guest behind or no link
/// committed (a loaded machine gives the child little time).
void kill_at_random_times(aa::sqlite_synchronous synchronous, const std::string& name, std::size_t rounds,
                          std::size_t min_progressing_rounds) {
  const std::string path = test_files::unique_path(name + ".db");
  const aa::sqlite_config config = config_for(path, synchronous);
  const std::uint32_t seed = std::random_device{}();
  INFO("delay seed " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(5, 60);

  snapshot before;
  std::size_t progressing = 0, mid_link = 0, mid_fill = 0, round = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto budget = std::chrono::seconds{20};
  // A slow child (sanitizers, a loaded machine) may be killed before its first link commits
  // for many rounds: keep going until one has, as the checks below need.
  auto enough = [&] {
    return progressing >= min_progressing_rounds && mid_link + mid_fill >= 1 && before.real_users >= 1;
  };
  for (; round < rounds || (!enough() && std::chrono::steady_clock::now() - started < budget); ++round) {
    INFO("round " << round);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    child_guard child;
    child.pid = ::fork();
    REQUIRE(child.pid >= 0);
    if (child.pid == 0) {
      ::close(ready[0]);
      link_until_killed(config, name, round, ready[1]);
    }
    ::close(ready[1]);
    char byte = 0;
    const auto got = ::read(ready[0], &byte, 1);  // 0: the child died before it was ready
    ::close(ready[0]);
    if (got == 1) std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms(random)});
    ::kill(child.pid, SIGKILL);
    const int status = child.reap();
    INFO("child " << describe_status(status));
    REQUIRE(got == 1);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    const snapshot now = inspect(path, name);
    for (const auto& v : now.violations) UNSCOPED_INFO(v);
    REQUIRE(now.violations.empty());
    REQUIRE(now.has_schema);
    // Only this round's child wrote: at most one new guest (the one it was working on), and
    // real users only ever grow.
    REQUIRE(now.guests <= before.guests + 1);
    REQUIRE(now.real_users >= before.real_users);
    if (now.guests + now.real_users > before.guests + before.real_users) ++progressing;
    if (now.complete_guests > before.complete_guests) ++mid_link;  // filled, then killed before the link committed
    if (now.partial_guests > before.partial_guests) ++mid_fill;
    before = now;
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  INFO(round << " rounds, " << progressing << " progressed, " << mid_link << " killed between filling and linking, "
              << mid_fill << " killed while filling, " << before.real_users << " links committed");
  CHECK(progressing >= min_progressing_rounds);
  CHECK(mid_link + mid_fill >= 1);
  CHECK(before.real_users >= 1);
  CHECK(elapsed < std::chrono::seconds{30});  // the budget, plus the last round

  // A fresh auth opens the file (its schema check passes) and serves the linked accounts.
  sqlite_auth auth{config};
  REQUIRE_FALSE(before.real_emails.empty());
  const std::string email = before.real_emails.front();
  auto signed_in = auth.sign_in_email(aa::email_sign_in{email, std::string(fixtures::test_password)},
                                      fixtures::no_session());
  REQUIRE(signed_in);
  CHECK(auth.table<cart_item>().find_by<&cart_item::user_id>(signed_in->user.id).size() == items_per_guest);
  CHECK(auth.table<draft>().find_by<&draft::author_id>(signed_in->user.id).size() == drafts_per_guest);
  CHECK(auth.get_session(signed_in->token).has_value());
  CHECK(auth.table<cart_item>().count() == before.cart_items);
}

}  // namespace

TEST_CASE("sqlite_crash.links_survive_sigkill", "[sqlite][crash]") {
  kill_at_random_times(aa::sqlite_synchronous::normal, "crash-normal", 40, 10);
}

TEST_CASE("sqlite_crash.links_survive_sigkill_with_synchronous_full", "[sqlite][crash]") {
  kill_at_random_times(aa::sqlite_synchronous::full, "crash-full", 10, 3);
}

TEST_CASE("sqlite_crash.links_survive_sigkill_at_every_statement", "[sqlite][crash]") {
  // The child dies inside the link's write transaction, just before its k-th statement, for
  // every k of that transaction in turn: BEGIN IMMEDIATE excluded (nothing has begun), COMMIT
  // included (everything written, nothing committed). Each round must leave exactly one more
  // real user (the first, completed link) and one more untouched, complete guest, whose session
  // still works and which links normally afterwards.
  const std::string name = "crash-statement";
  const std::string path = test_files::unique_path(name + ".db");
  const aa::sqlite_config config = config_for(path, aa::sqlite_synchronous::normal);

  snapshot before;
  std::size_t statements = 0;  // of one link's write transaction, as the first round reports
  std::size_t kill_at = 2, rounds = 0;
  std::vector<std::string> survivors;  // tokens of the guests whose link was killed
  while (statements == 0 || kill_at <= statements) {
    INFO("round " << rounds << ", killed before statement " << kill_at);
    REQUIRE(rounds < 64);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    child_guard child;
    child.pid = ::fork();
    REQUIRE(child.pid >= 0);
    if (child.pid == 0) {
      ::close(pipe_fds[0]);
      link_then_die_inside_link(config, name, rounds, kill_at, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    const std::string report = read_all(pipe_fds[0]);  // until the child is gone
    ::close(pipe_fds[0]);
    const int status = child.reap();
    INFO("child " << describe_status(status) << ", reported \"" << report << "\"");
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    const auto space = report.find(' ');
    REQUIRE(space != std::string::npos);
    const std::size_t reported = std::stoul(report.substr(0, space));
    if (statements == 0) statements = reported;
    CHECK(reported == statements);  // every link runs the same statements
    survivors.push_back(report.substr(space + 1));

    const snapshot now = inspect(path, name);
    for (const auto& v : now.violations) UNSCOPED_INFO(v);
    REQUIRE(now.violations.empty());
    CHECK(now.real_users == before.real_users + 1);
    CHECK(now.guests == before.guests + 1);
    CHECK(now.complete_guests == before.complete_guests + 1);
    CHECK(now.partial_guests == 0);
    before = now;
    ++kill_at;
    ++rounds;
  }
  // BEGIN, the sign-up's writes, the session, the migrations, the guest's deletion, COMMIT.
  CHECK(statements >= 10);
  CHECK(rounds == statements - 1);

  // Every guest whose link was killed is whole: its session resolves, and it links now.
  sqlite_auth auth{config};
  std::size_t linked = 0;
  for (std::size_t i = 0; i < survivors.size(); ++i) {
    INFO("survivor " << i);
    const auto view = auth.get_session(survivors[i]);
    REQUIRE(view);
    CHECK(view->user.is_anonymous);
    auto r = auth.sign_up_email(fixtures::sign_up_body(email_of(name, 1000, i)), fixtures::with_token(survivors[i]));
    REQUIRE(r);
    if (auth.table<cart_item>().find_by<&cart_item::user_id>(r->user.id).size() == items_per_guest &&
        auth.table<draft>().find_by<&draft::author_id>(r->user.id).size() == drafts_per_guest &&
        !auth.find_user(view->user.id))
      ++linked;
  }
  CHECK(linked == rounds);
  const snapshot after = inspect(path, name);
  for (const auto& v : after.violations) UNSCOPED_INFO(v);
  CHECK(after.violations.empty());
  CHECK(after.guests == 0);
  CHECK(after.real_users == 2 * rounds);
  CHECK(after.cart_items == 2 * rounds * items_per_guest);
}

// The SQLite storage on a file under concurrent use: many threads of one process sharing one
// auth (its writer connection and its pool of reader connections), and two processes racing to
// link the same guests through their own connections to one file.
//
// Catch2's assertions are not thread-safe: threads only record what happened (in atomics, or
// under a mutex), and the checks run after they are joined. The thread tests have
// "concurrency" in their names, so the ThreadSanitizer job runs them. The process test does not:
// it forks, which ThreadSanitizer does not support reliably; each child is forked while this
// process runs no other thread, and leaves with _exit, never returning into Catch2.
#include "catch.hpp"
#include "threads.hpp"
#include "fixtures.hpp"
#include "link_fixtures.hpp"
#include "processes.hpp"
#include "sqlite_fixtures.hpp"
#include "test_files.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <latch>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using fixtures::cart_item;
using fixtures::draft;
using fixtures::no_session;
using fixtures::sign_up_body;
using fixtures::with_token;

using sqlite_auth = fixtures::test_auth<aa::storage<aa::sqlite_storage>>;

/// A file database at a fresh path whose writers wait long for each other: they contend here.
aa::sqlite_config contended_config(const std::string& name) {
  aa::sqlite_config config = sqlite_fixtures::file_config(name + ".db");
  config.busy_timeout = std::chrono::seconds{30};
  return config;
}

using test_threads::run_together;

/// Error codes seen by threads, kept for the report after they are joined.
class error_log {
 public:
  void add(std::string what) {
    std::lock_guard lock(mutex_);
    if (entries_.size() < 20) entries_.push_back(std::move(what));
  }
  [[nodiscard]] std::string text() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& e : entries_) out += e + "; ";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

using link_fixtures::carts_of;
using link_fixtures::drafts_of;
using link_fixtures::fill_cart;
using link_fixtures::identity;
using link_fixtures::new_guest;

template <class Auth>
std::optional<fixtures::user> user_by_email(Auth& auth, const std::string& email) {
  return auth.storage().read([&](const auto& tx) { return tx.find_user_by_email(email); });
}

aa::email_sign_in sign_in_body(std::string email) {
  return aa::email_sign_in{std::move(email), std::string(fixtures::test_password)};
}

}  // namespace

TEST_CASE("sqlite_concurrency.parallel_sign_ins_and_reads_on_a_file", "[sqlite][concurrency]") {
  constexpr std::size_t threads = 8, per_thread = 100, known = 16;
  sqlite_auth auth{contended_config("concurrency-sign-ins")};
  std::vector<identity> existing;
  for (std::size_t i = 0; i < known; ++i) {
    existing.push_back(new_guest(auth));
    fill_cart(auth, existing.back().id, 2, "known" + std::to_string(i));
  }

  std::vector<std::vector<identity>> made(threads);
  std::atomic<std::size_t> failed_sign_ins{0}, wrong_own_reads{0}, wrong_known_reads{0}, reads{0};
  error_log errors;
  run_together(threads, [&](std::size_t t) {
    made[t].reserve(per_thread);
    for (std::size_t i = 0; i < per_thread; ++i) {
      try {
        auto r = auth.sign_in_anonymous(no_session());
        if (!r || !r->user.is_anonymous) {
          ++failed_sign_ins;
          if (!r) errors.add(std::string(r.error().code()));
          continue;
        }
        made[t].push_back(identity{r->user.id, r->token});
        // A session just committed by the writer is visible to the next reader.
        const auto own = auth.get_session(r->token);
        if (!own || own->user.id != r->user.id) ++wrong_own_reads;
        const auto& other = existing[(t * per_thread + i) % known];
        const auto view = auth.get_session(other.token);
        if (!view || view->user.id != other.id || carts_of(auth, other.id) != 2) ++wrong_known_reads;
        reads += 3;
      } catch (const std::exception& e) {
        ++failed_sign_ins;
        errors.add(e.what());
      }
    }
  });

  INFO("errors: " << errors.text());
  CHECK(failed_sign_ins.load() == 0);
  CHECK(wrong_own_reads.load() == 0);
  CHECK(wrong_known_reads.load() == 0);
  CHECK(reads.load() == threads * per_thread * 3);

  std::set<std::string> tokens, ids;
  std::size_t unresolved = 0;
  for (const auto& list : made)
    for (const auto& g : list) {
      tokens.insert(g.token);
      ids.insert(g.id);
      const auto view = auth.get_session(g.token);
      if (!view || view->user.id != g.id || !view->user.is_anonymous) ++unresolved;
    }
  CHECK(tokens.size() == threads * per_thread);
  CHECK(ids.size() == threads * per_thread);
  CHECK(unresolved == 0);
  CHECK(fixtures::user_count(auth) == known + threads * per_thread);
  CHECK(auth.table<cart_item>().count() == known * 2);
}

TEST_CASE("sqlite_concurrency.racing_links_of_one_guest_on_a_file", "[sqlite][concurrency][link]") {
  // Three threads sign up with new emails, three sign in to existing accounts, all carrying the
  // same guest's token: exactly one of them links the guest (moves its 50 cart items, its
  // drafts and its profile, and deletes it); the others are plain sign-ups and sign-ins.
  constexpr std::size_t rounds = 5, threads = 6, sign_ups = threads / 2, items = 50, drafts = 2;
  std::set<std::size_t> winners;

  for (std::size_t round = 0; round < rounds; ++round) {
    INFO("round " << round);
    sqlite_auth auth{contended_config("concurrency-race-" + std::to_string(round))};
    for (std::size_t t = sign_ups; t < threads; ++t) {
      auto r = auth.sign_up_email(sign_up_body("account" + std::to_string(t) + "@example.com"), no_session());
      REQUIRE(r);
    }
    const identity g = new_guest(auth);
    fill_cart(auth, g.id, items, "g");
    for (std::size_t i = 0; i < drafts; ++i)
      auth.table<draft>().insert(draft{"g-draft-" + std::to_string(i), g.id, "draft"});
    REQUIRE(auth.update_user(with_token(g.token), [](auto& u) {
      u.bio = "guest bio";
      u.location = "Lisbon";
    }));
    const std::size_t users_before = fixtures::user_count(auth);

    std::vector<std::optional<aa::signed_in<fixtures::user>>> results(threads);
    std::vector<std::string> errors(threads);
    run_together(threads, [&](std::size_t t) {
      try {
        auto r = t < sign_ups
                     ? auth.sign_up_email(sign_up_body("new" + std::to_string(t) + "@example.com"), with_token(g.token))
                     : auth.sign_in_email(sign_in_body("account" + std::to_string(t) + "@example.com"),
                                          with_token(g.token));
        if (r) results[t] = std::move(*r);
        else errors[t] = std::string(r.error().code());
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });

    for (std::size_t t = 0; t < threads; ++t) {
      INFO("thread " << t << " error " << errors[t]);
      REQUIRE(results[t].has_value());
    }

    // The 50 items belong to exactly one of the six users; none lost, none duplicated.
    const auto cart = link_fixtures::cart_ownership_of(auth, results);
    for (std::size_t owned : cart.owned) CHECK(owned == items);
    CHECK(cart.owners.size() == 1);
    CHECK(cart.total == items);
    CHECK(cart.distinct == items);
    CHECK(auth.table<cart_item>().count() == items);
    CHECK(auth.table<draft>().count() == drafts);
    REQUIRE(cart.owners.size() == 1);
    const std::size_t winner = cart.owners.front();
    winners.insert(winner);

    // Only the winner got the guest's drafts and profile; every session works; the guest is gone.
    for (std::size_t t = 0; t < threads; ++t) {
      INFO("thread " << t << (t == winner ? " (winner)" : ""));
      CHECK(drafts_of(auth, results[t]->user.id) == (t == winner ? drafts : 0));
      const auto stored = auth.find_user(results[t]->user.id);
      REQUIRE(stored);
      CHECK_FALSE(stored->is_anonymous);
      CHECK(stored->bio.has_value() == (t == winner));
      CHECK(stored->location.has_value() == (t == winner));
      const auto view = auth.get_session(results[t]->token);
      REQUIRE(view);
      CHECK(view->user.id == results[t]->user.id);
    }
    CHECK_FALSE(auth.find_user(g.id).has_value());
    CHECK_FALSE(auth.get_session(g.token).has_value());
    CHECK(carts_of(auth, g.id) == 0);
    CHECK(fixtures::user_count(auth) == users_before - 1 + sign_ups);
  }
  CHECK_FALSE(winners.empty());
}

namespace {

using test_processes::child_guard;
using test_processes::exited_cleanly;
using test_processes::shared_counter;

/// A child of the two-process test: for every guest i in order, meets the other child, then
/// signs up `<prefix>-<i>@x.example` carrying guest i's token. Exits 0 only if every sign-up
/// succeeded.
[[noreturn]] void link_every_guest(const aa::sqlite_config& config, const std::vector<std::string>& tokens,
                                   const std::string& prefix, shared_counter& barrier) noexcept {
  int code = 0;
  try {
    sqlite_auth auth{config};
    for (std::size_t i = 0; i < tokens.size() && code == 0; ++i) {
      if (!barrier.meet(2, static_cast<unsigned>(i))) {
        code = 12;
        break;
      }
      auto r = auth.sign_up_email(sign_up_body(prefix + "-" + std::to_string(i) + "@x.example"), with_token(tokens[i]));
      if (!r) code = 10;
    }
  } catch (...) {
    code = 11;
  }
  ::_exit(code);
}



}  // namespace

TEST_CASE("sqlite_processes.two_processes_link_the_same_guests", "[sqlite][processes][link]") {
  constexpr std::size_t guests = 20, items = 10;
  const aa::sqlite_config config = contended_config("processes-link");

  // The guests, made and the auth closed before any child exists.
  std::vector<identity> made;
  {
    sqlite_auth auth{config};
    for (std::size_t i = 0; i < guests; ++i) {
      made.push_back(new_guest(auth));
      fill_cart(auth, made.back().id, items, "g" + std::to_string(i));
    }
  }
  std::vector<std::string> tokens;
  for (const auto& g : made) tokens.push_back(g.token);

  // Both children meet before every guest, then race for it.
  shared_counter barrier;
  REQUIRE(barrier.ok());
  child_guard a, b;
  a.pid = ::fork();
  if (a.pid == 0) link_every_guest(config, tokens, "a", barrier);
  REQUIRE(a.pid > 0);
  b.pid = ::fork();
  if (b.pid == 0) link_every_guest(config, tokens, "b", barrier);
  REQUIRE(b.pid > 0);
  const int status_a = a.reap(), status_b = b.reap();
  INFO("child a: status " << status_a << ", child b: status " << status_b);
  REQUIRE(exited_cleanly(status_a));
  REQUIRE(exited_cleanly(status_b));

  sqlite_auth auth{config};
  std::size_t a_won = 0, b_won = 0, total = 0;
  for (std::size_t i = 0; i < guests; ++i) {
    INFO("guest " << i);
    const auto ua = user_by_email(auth, "a-" + std::to_string(i) + "@x.example");
    const auto ub = user_by_email(auth, "b-" + std::to_string(i) + "@x.example");
    REQUIRE(ua);
    REQUIRE(ub);
    const auto items_a = auth.table<cart_item>().find_by<&cart_item::user_id>(ua->id);
    const auto items_b = auth.table<cart_item>().find_by<&cart_item::user_id>(ub->id);
    // Exactly one of the two accounts got this guest's cart, all of it; the other has none.
    CHECK(((items_a.size() == items && items_b.empty()) || (items_a.empty() && items_b.size() == items)));
    for (const auto* list : {&items_a, &items_b})
      for (const auto& item : *list) CHECK(item.id.rfind("g" + std::to_string(i) + "-cart-", 0) == 0);
    a_won += items_a.empty() ? 0 : 1;
    b_won += items_b.empty() ? 0 : 1;
    total += items_a.size() + items_b.size();
    CHECK_FALSE(auth.find_user(made[i].id).has_value());
    CHECK_FALSE(auth.get_session(made[i].token).has_value());
    CHECK(carts_of(auth, made[i].id) == 0);
  }
  INFO("a linked " << a_won << " guests, b linked " << b_won);
  CHECK(a_won + b_won == guests);
  CHECK(total == guests * items);
  CHECK(auth.table<cart_item>().count() == guests * items);
  CHECK(fixtures::user_count(auth) == 2 * guests);  // every guest gone, both accounts of each exist
}

// One anonymous_auth serving many threads: parallel sign-ins, reads during writes, and many
// links racing for the same guest (exactly one may take its rows). Catch2's assertions are not
// thread-safe, so threads only record what happened; the checks run after they are joined.
//
// `ctest -R concurrency` selects these tests; the ThreadSanitizer job runs them under TSan.
#include "catch.hpp"
#include "threads.hpp"
#include "link_fixtures.hpp"

#include <anonauth/anonauth.hpp>

#include <atomic>
#include <cstddef>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace link_fixtures;

constexpr std::size_t thread_count = 8;

using test_threads::run_together;

}  // namespace

TEST_CASE("concurrency.parallel_anonymous_sign_ins", "[concurrency]") {
  constexpr std::size_t per_thread = 200;
  seed_auth auth;
  std::vector<std::vector<identity>> made(thread_count);
  std::atomic<std::size_t> failures{0};

  run_together(thread_count, [&](std::size_t t) {
    made[t].reserve(per_thread);
    for (std::size_t i = 0; i < per_thread; ++i) {
      auto r = auth.sign_in_anonymous(no_session());
      if (!r || !r->user.is_anonymous) {
        ++failures;
        continue;
      }
      made[t].push_back(identity{r->user.id, r->token});
    }
  });

  REQUIRE(failures.load() == 0);
  std::set<std::string> tokens, ids;
  std::size_t unresolved = 0;
  for (const auto& list : made)
    for (const auto& g : list) {
      tokens.insert(g.token);
      ids.insert(g.id);
      const auto view = auth.get_session(g.token);
      if (!view || view->user.id != g.id || !view->user.is_anonymous) ++unresolved;
    }
  CHECK(tokens.size() == thread_count * per_thread);
  CHECK(ids.size() == thread_count * per_thread);
  CHECK(unresolved == 0);
  CHECK(user_count(auth) == thread_count * per_thread);
}

TEST_CASE("concurrency.reads_during_sign_ins", "[concurrency]") {
  constexpr std::size_t writers = 4, readers = 4, per_writer = 150, known = 16;
  seed_auth auth;
  std::vector<identity> existing;
  for (std::size_t i = 0; i < known; ++i) {
    existing.push_back(new_guest(auth));
    fill_cart(auth, existing.back().id, 2, "known" + std::to_string(i));
  }

  std::atomic<std::size_t> writers_done{0}, wrong_reads{0}, reads{0}, failed_writes{0};
  std::vector<std::vector<identity>> made(writers);

  run_together(writers + readers, [&](std::size_t t) {
    if (t < writers) {
      for (std::size_t i = 0; i < per_writer; ++i) {
        auto r = auth.sign_in_anonymous(no_session());
        if (!r) {
          ++failed_writes;
          continue;
        }
        made[t].push_back(identity{r->user.id, r->token});
        auth.table<cart_item>().insert(cart_item{r->user.id + "-item", r->user.id, "sku", 1});
      }
      ++writers_done;
    } else {
      std::size_t round = 0;
      // Read until every writer is done, and at least a few rounds.
      while (writers_done.load() < writers || round < 3) {
        for (const auto& g : existing) {
          const auto view = auth.get_session(g.token);
          if (!view || view->user.id != g.id) ++wrong_reads;
          if (carts_of(auth, g.id) != 2) ++wrong_reads;
          ++reads;
        }
        ++round;
        std::this_thread::yield();  // glibc's rwlock prefers readers: let the writers in
      }
    }
  });

  CHECK(failed_writes.load() == 0);
  CHECK(wrong_reads.load() == 0);
  CHECK(reads.load() >= readers * known * 3);
  std::size_t unresolved = 0;
  for (const auto& list : made)
    for (const auto& g : list) {
      const auto view = auth.get_session(g.token);
      if (!view || view->user.id != g.id || carts_of(auth, g.id) != 1) ++unresolved;
    }
  CHECK(unresolved == 0);
  CHECK(user_count(auth) == known + writers * per_writer);
  CHECK(auth.table<cart_item>().count() == known * 2 + writers * per_writer);
}

TEST_CASE("concurrency.racing_links_of_one_guest", "[concurrency][link]") {
  // Half the threads sign up with new emails, half sign in to existing accounts, all carrying
  // the same guest's token: exactly one of them links the guest; the others are plain
  // sign-ups and sign-ins. Repeated so that different threads win.
  constexpr std::size_t rounds = 20, items = 50, sign_ups = thread_count / 2;
  std::set<std::size_t> winners;

  for (std::size_t round = 0; round < rounds; ++round) {
    seed_auth auth;
    std::vector<identity> accounts;
    for (std::size_t i = sign_ups; i < thread_count; ++i)
      accounts.push_back(new_account(auth, "account" + std::to_string(i) + "@example.com"));
    const identity g = new_guest(auth);
    fill_cart(auth, g.id, items, "g");
    set_profile(auth, g.token, "guest bio", "Lisbon");
    const std::size_t users_before = user_count(auth);

    std::vector<std::optional<aa::signed_in<user>>> results(thread_count);
    std::vector<std::string> errors(thread_count);
    run_together(thread_count, [&](std::size_t t) {
      auto r = t < sign_ups
                   ? auth.sign_up_email(sign_up_body("new" + std::to_string(t) + "@example.com"), with_token(g.token))
                   : auth.sign_in_email(sign_in_body("account" + std::to_string(t) + "@example.com"),
                                        with_token(g.token));
      if (r) results[t] = std::move(*r);
      else errors[t] = std::string(r.error().code());
    });

    INFO("round " << round);
    for (std::size_t t = 0; t < thread_count; ++t) {
      INFO("thread " << t << " error " << errors[t]);
      REQUIRE(results[t].has_value());
    }

    // The 50 items belong to exactly one of the eight users; none lost, none duplicated.
    const auto cart = link_fixtures::cart_ownership_of(auth, results);
    for (std::size_t owned : cart.owned) CHECK(owned == items);
    CHECK(cart.owners.size() == 1);
    CHECK(cart.total == items);
    CHECK(cart.distinct == items);
    CHECK(auth.table<cart_item>().count() == items);
    CHECK(carts_of(auth, g.id) == 0);
    REQUIRE(cart.owners.size() == 1);
    const std::size_t winner = cart.owners.front();
    winners.insert(winner);

    // Only the winner got the guest's profile; the guest is gone.
    for (std::size_t t = 0; t < thread_count; ++t) {
      const auto stored = auth.find_user(results[t]->user.id);
      REQUIRE(stored);
      CHECK(stored->bio.has_value() == (t == winner));
      CHECK(stored->location.has_value() == (t == winner));
      const auto view = auth.get_session(results[t]->token);
      REQUIRE(view);
      CHECK(view->user.id == results[t]->user.id);
    }
    CHECK_FALSE(auth.find_user(g.id).has_value());
    CHECK_FALSE(auth.get_session(g.token).has_value());
    CHECK(user_count(auth) == users_before - 1 + sign_ups);
  }
  CHECK_FALSE(winners.empty());
}

TEST_CASE("concurrency.parallel_links_of_distinct_guests", "[concurrency][link]") {
  constexpr std::size_t items = 10;
  seed_auth auth;
  std::vector<identity> guests;
  for (std::size_t t = 0; t < thread_count; ++t) {
    guests.push_back(new_guest(auth));
    fill_cart(auth, guests.back().id, items, "g" + std::to_string(t));
    write_drafts(auth, guests.back().id, 1, "g" + std::to_string(t));
  }

  std::vector<std::optional<aa::signed_in<user>>> results(thread_count);
  run_together(thread_count, [&](std::size_t t) {
    auto r = auth.sign_up_email(sign_up_body("distinct" + std::to_string(t) + "@example.com"),
                                with_token(guests[t].token));
    if (r) results[t] = std::move(*r);
  });

  for (std::size_t t = 0; t < thread_count; ++t) {
    INFO("thread " << t);
    REQUIRE(results[t].has_value());
    const auto mine = auth.table<cart_item>().find_by<&cart_item::user_id>(results[t]->user.id);
    CHECK(mine.size() == items);
    for (const auto& item : mine) CHECK(item.id.rfind("g" + std::to_string(t) + "-cart-", 0) == 0);
    CHECK(drafts_of(auth, results[t]->user.id) == 1);
    CHECK_FALSE(auth.find_user(guests[t].id).has_value());
  }
  CHECK(auth.table<cart_item>().count() == thread_count * items);
  CHECK(user_count(auth) == thread_count);
}

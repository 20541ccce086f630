// The PostgreSQL storage raced by two processes on one database, each with its own auth and
// connections (as two app servers are): links of the same guests to different and to the same
// accounts, a link against a purge, two purgers, one new email from both. Each time exactly one
// wins, and no row is lost or duplicated.
//
// Children are forked while this process holds no connection and runs no other thread; they
// meet at a shared counter before every guest, so that each guest is raced for afresh, and
// leave with _exit. The tests named "postgres_threads" race threads of one process on one pool.
#include "catch.hpp"
#include "fixtures.hpp"
#include "link_fixtures.hpp"
#include "postgres_server.hpp"
#include "processes.hpp"
#include "threads.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/postgres/postgres.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using fixtures::cart_item;
using fixtures::no_session;
using fixtures::sign_up_body;
using fixtures::with_token;
using link_fixtures::carts_of;
using link_fixtures::fill_cart;
using link_fixtures::identity;
using link_fixtures::new_guest;
using link_fixtures::sign_in_body;
using test_processes::child_guard;
using test_processes::exited_cleanly;
using test_processes::shared_counter;

using pg_auth = fixtures::test_auth<aa::storage<aa::postgres_storage>>;

template <class Auth>
std::optional<fixtures::user> user_by_email(Auth& auth, const std::string& email) {
  return auth.storage().read([&](const auto& tx) { return tx.find_user_by_email(email); });
}

/// `guests` guests with `items` cart items each, made by an auth that is gone before any child
/// exists (so no connection is shared with a child).
std::vector<identity> make_guests(const aa::postgres_config& config, std::size_t guests, std::size_t items) {
  pg_auth auth{config};
  std::vector<identity> made;
  for (std::size_t i = 0; i < guests; ++i) {
    made.push_back(new_guest(auth));
    fill_cart(auth, made.back().id, items, "g" + std::to_string(i));
    link_fixtures::set_profile(auth, made.back().token, "bio " + std::to_string(i), std::nullopt);
  }
  return made;
}

/// Runs `body(auth, i)` for every guest i in a child, after meeting the other child; the
/// child's exit code is `body`'s first non-zero answer (11: an exception).
using step = std::function<int(pg_auth&, std::size_t)>;
[[noreturn]] void child(const aa::postgres_config& config, std::size_t rounds, shared_counter& barrier,
                        const step& body) noexcept {
  int code = 0;
  try {
    pg_auth auth{config};
    for (std::size_t i = 0; i < rounds && code == 0; ++i) {
      if (!barrier.meet(2, static_cast<unsigned>(i))) code = 12;
      else code = body(auth, i);
    }
  } catch (...) {
    code = 11;
  }
  ::_exit(code);
}

/// Forks two children running `a` and `b` against `config` for `rounds` guests; both must
/// exit cleanly.
void race(const aa::postgres_config& config, std::size_t rounds, const step& a, const step& b) {
  shared_counter barrier;
  REQUIRE(barrier.ok());
  child_guard ca, cb;
  ca.pid = ::fork();
  if (ca.pid == 0) child(config, rounds, barrier, a);
  REQUIRE(ca.pid > 0);
  cb.pid = ::fork();
  if (cb.pid == 0) child(config, rounds, barrier, b);
  REQUIRE(cb.pid > 0);
  const int status_a = ca.reap(), status_b = cb.reap();
  INFO("child a: status " << status_a << ", child b: status " << status_b);
  REQUIRE(exited_cleanly(status_a));
  REQUIRE(exited_cleanly(status_b));
}

/// Cart items whose owner is no user: what a lost link or a half purge would leave.
std::size_t orphaned_items(const aa::postgres_config& config) {
  postgres_server::session s;
  return std::stoul(s.value("SELECT count(*) FROM \"" + config.schema + "\".cart_items c WHERE NOT EXISTS "
                            "(SELECT 1 FROM \"" + config.schema + "\".\"user\" u WHERE u.id = c.user_id)"));
}

constexpr std::size_t guests = 16, items = 10;

}  // namespace

TEST_CASE("postgres_processes.two_servers_link_the_same_guests_to_new_accounts", "[postgres][processes][link]") {
  const auto config = postgres_server::fresh_config("race_new");
  const auto made = make_guests(config, guests, items);
  const auto sign_up = [&](const std::string& prefix) {
    return [&made, prefix](pg_auth& auth, std::size_t i) {
      auto r = auth.sign_up_email(sign_up_body(prefix + "-" + std::to_string(i) + "@x.example"), with_token(made[i].token));
      return r ? 0 : 10;
    };
  };
  race(config, guests, sign_up("a"), sign_up("b"));

  pg_auth auth{config};
  std::size_t a_won = 0, b_won = 0, total = 0;
  for (std::size_t i = 0; i < guests; ++i) {
    INFO("guest " << i);
    const auto ua = user_by_email(auth, "a-" + std::to_string(i) + "@x.example");
    const auto ub = user_by_email(auth, "b-" + std::to_string(i) + "@x.example");
    REQUIRE(ua);
    REQUIRE(ub);
    const std::size_t items_a = carts_of(auth, ua->id), items_b = carts_of(auth, ub->id);
    // Exactly one account got this guest's cart, all of it, and its profile; the loser copied
    // nothing (had it read the guest before the winner committed, it would have its bio).
    CHECK(((items_a == items && items_b == 0) || (items_a == 0 && items_b == items)));
    const auto& winner = items_a != 0 ? *ua : *ub;
    const auto& loser = items_a != 0 ? *ub : *ua;
    CHECK(winner.bio == std::optional<std::string>("bio " + std::to_string(i)));
    CHECK_FALSE(loser.bio.has_value());
    a_won += items_a == 0 ? 0 : 1;
    b_won += items_b == 0 ? 0 : 1;
    total += items_a + items_b;
    CHECK_FALSE(auth.find_user(made[i].id).has_value());
    CHECK_FALSE(auth.get_session(made[i].token).has_value());
  }
  INFO("a linked " << a_won << " guests, b linked " << b_won);
  CHECK(a_won + b_won == guests);
  CHECK(total == guests * items);
  CHECK(auth.table<cart_item>().count() == guests * items);
  CHECK(fixtures::user_count(auth) == 2 * guests);
  CHECK(orphaned_items(config) == 0);
}

TEST_CASE("postgres_processes.two_servers_link_the_same_guests_to_one_account", "[postgres][processes][link]") {
  const auto config = postgres_server::fresh_config("race_same");
  const auto made = make_guests(config, guests, items);
  {
    pg_auth auth{config};
    REQUIRE(auth.sign_up_email(sign_up_body("owner@x.example"), no_session()));
  }
  const auto sign_in = [&](pg_auth& auth, std::size_t i) {
    auto r = auth.sign_in_email(sign_in_body("owner@x.example"), with_token(made[i].token));
    return r ? 0 : 10;
  };
  race(config, guests, sign_in, sign_in);

  pg_auth auth{config};
  const auto owner = user_by_email(auth, "owner@x.example");
  REQUIRE(owner);
  // Every guest's cart moved once: not twice (duplicated), not lost.
  CHECK(carts_of(auth, owner->id) == guests * items);
  CHECK(auth.table<cart_item>().count() == guests * items);
  for (const auto& g : made) CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK(fixtures::user_count(auth) == 1);
  CHECK(orphaned_items(config) == 0);
}

TEST_CASE("postgres_processes.a_link_races_a_purge", "[postgres][processes][link][purge]") {
  const auto config = postgres_server::fresh_config("race_purge");
  const auto made = make_guests(config, guests, items);
  const auto link = [&](pg_auth& auth, std::size_t i) {
    auto r = auth.sign_up_email(sign_up_body("u-" + std::to_string(i) + "@x.example"), with_token(made[i].token));
    return r ? 0 : 10;
  };
  const auto purge = [](pg_auth& auth, std::size_t) {
    (void)auth.purge_anonymous_users(aa::timestamp{std::chrono::hours{24 * 365 * 100}}, aa::purge_by::created, 1);
    return 0;
  };
  race(config, guests, link, purge);

  pg_auth auth{config};
  std::size_t linked = 0;
  for (std::size_t i = 0; i < guests; ++i) {
    INFO("guest " << i);
    const auto u = user_by_email(auth, "u-" + std::to_string(i) + "@x.example");
    REQUIRE(u);  // the sign-up succeeds either way: with the guest's cart, or as a plain sign-up
    const std::size_t mine = carts_of(auth, u->id);
    CHECK((mine == 0 || mine == items));  // all of it, or none (purged first)
    linked += mine == items ? 1 : 0;
    CHECK_FALSE(auth.find_user(made[i].id).has_value());  // linked or purged: gone
  }
  INFO(linked << " guests linked before the purge took them");
  CHECK(auth.table<cart_item>().count() == linked * items);
  CHECK(orphaned_items(config) == 0);
}

TEST_CASE("postgres_processes.two_purgers", "[postgres][processes][purge]") {
  const auto config = postgres_server::fresh_config("race_purgers");
  const auto made = make_guests(config, 3 * guests, 3);
  shared_counter purged;  // what the two children report purging, summed
  REQUIRE(purged.ok());
  const auto purge = [&](pg_auth& auth, std::size_t) {
    const auto n = auth.purge_anonymous_users(aa::timestamp{std::chrono::hours{24 * 365 * 100}}, aa::purge_by::created, 2);
    for (std::size_t k = 0; k < n; ++k) purged.add();
    return 0;
  };
  race(config, 4, purge, purge);

  pg_auth auth{config};
  CHECK(purged.value() == made.size());  // each guest purged once, by one of them
  CHECK(fixtures::user_count(auth) == 0);
  CHECK(auth.table<cart_item>().count() == 0);
  CHECK(orphaned_items(config) == 0);
}

TEST_CASE("postgres_processes.the_same_new_email_from_both", "[postgres][processes][link]") {
  const auto config = postgres_server::fresh_config("race_email");
  const auto made = make_guests(config, 2 * guests, items);
  shared_counter refused;
  REQUIRE(refused.ok());
  const auto sign_up = [&](std::size_t side) {
    return [&, side](pg_auth& auth, std::size_t i) {
      auto r = auth.sign_up_email(sign_up_body("same-" + std::to_string(i) + "@x.example"),
                                  with_token(made[2 * i + side].token));
      if (r) return 0;
      if (r.error().code() != aa::errors::user_already_exists_use_another_email.code) return 10;
      refused.add();
      return 0;
    };
  };
  race(config, guests, sign_up(0), sign_up(1));

  pg_auth auth{config};
  CHECK(refused.value() == guests);  // one of the two, every time
  for (std::size_t i = 0; i < guests; ++i) {
    INFO("email " << i);
    const auto u = user_by_email(auth, "same-" + std::to_string(i) + "@x.example");
    REQUIRE(u);
    CHECK(carts_of(auth, u->id) == items);  // the winner's guest's cart
    // The loser's guest is untouched: still a guest, with its own cart.
    const bool first_won = !auth.find_user(made[2 * i].id).has_value();
    const auto& loser = made[2 * i + (first_won ? 1 : 0)];
    const auto kept = auth.find_user(loser.id);
    REQUIRE(kept);
    CHECK(kept->is_anonymous);
    CHECK(carts_of(auth, loser.id) == items);
  }
  CHECK(auth.table<cart_item>().count() == 2 * guests * items);
}

TEST_CASE("postgres_threads.racing_links_of_one_guest_concurrency", "[postgres][concurrency][link]") {
  // Six threads of one server on one pool: three sign up, three sign in to existing accounts,
  // all with the same guest's token. One links; the others are plain sign-ups and sign-ins.
  constexpr std::size_t threads = 6, sign_ups = threads / 2, cart = 20;
  for (auto isolation : {aa::postgres_isolation::read_committed, aa::postgres_isolation::serializable}) {
    auto config = postgres_server::fresh_config("threads_link");
    config.isolation = isolation;
    config.pool_size = threads;
    pg_auth auth{config};
    for (std::size_t t = sign_ups; t < threads; ++t)
      REQUIRE(auth.sign_up_email(sign_up_body("account" + std::to_string(t) + "@example.com"), no_session()));
    const identity g = new_guest(auth);
    fill_cart(auth, g.id, cart, "g");

    std::vector<std::optional<aa::signed_in<fixtures::user>>> results(threads);
    std::vector<std::string> errors(threads);
    test_threads::run_together(threads, [&](std::size_t t) {
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
    const auto owned = link_fixtures::cart_ownership_of(auth, results);
    CHECK(owned.owners.size() == 1);
    CHECK(owned.total == cart);
    CHECK(owned.distinct == cart);
    CHECK(auth.table<cart_item>().count() == cart);
    CHECK_FALSE(auth.find_user(g.id).has_value());
  }
}

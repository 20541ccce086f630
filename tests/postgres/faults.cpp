// The PostgreSQL storage when things break: its connection terminated before each statement of
// a link in turn, the server restarted in the middle of a burst, a backend frozen, conflicts
// forced at a chosen statement, a pool with no free connection.
//
// What must hold: a link retried on a fresh connection succeeds whole; one whose outcome cannot
// be known (the connection lost once COMMIT was on its way) fails and changed nothing, as a dump
// of the tables shows; no call waits past its timeouts. Tests that stop or freeze a server do
// it to a server of their own, never the run's shared one.
#include "catch.hpp"
#include "fixtures.hpp"
#include "link_fixtures.hpp"
#include "postgres_server.hpp"
#include "threads.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/postgres/postgres.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
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
using steady = std::chrono::steady_clock;

using pg_auth = fixtures::test_auth<aa::storage<aa::postgres_storage>>;

/// Every row of the schema's tables, as text in a stable order: equal dumps, equal contents.
std::string dump(const std::string& schema) {
  postgres_server::session s;
  std::string out;
  for (const char* table : {"user", "session", "account", "cart_items", "drafts"}) {
    out += std::string(table) + ": ";
    out += s.value("SELECT coalesce(string_agg(t::text, ' | ' ORDER BY t::text), '') FROM \"" + schema + "\".\"" +
                   table + "\" t");
    out += "\n";
  }
  return out;
}

/// Terminates the backends of connections whose application_name is `name`, and waits until
/// they are gone.
void terminate(postgres_server::session& s, const std::string& name) {
  s.value("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + name + "'");
  for (int i = 0; i < 500; ++i) {
    if (s.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + name + "'") == "0") return;
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  FAIL("the terminated backend did not go");
}

/// A server of the test's own (scripts/pg-cluster.sh), for tests that stop or freeze it.
class private_server {
 public:
  private_server()
      : state_((std::filesystem::temp_directory_path() / ("anonauth-pg-own-" + std::to_string(::getpid()))).string()) {
    run("start");
    conninfo_ = read("conninfo");
  }
  private_server(const private_server&) = delete;
  private_server& operator=(const private_server&) = delete;
  ~private_server() { (void)std::system((script() + " stop " + state_ + " >/dev/null 2>&1").c_str()); }
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  void restart() { run("restart"); }

 private:
  static std::string script() { return std::string(ANONAUTH_SOURCE_DIR) + "/scripts/pg-cluster.sh"; }
  void run(const std::string& command) {
    const int rc = std::system((script() + " " + command + " " + state_ + " >/dev/null").c_str());
    REQUIRE(rc == 0);
  }
  std::string read(const std::string& file) const {
    std::ifstream in(state_ + "/" + file);
    std::string line;
    std::getline(in, line);
    return line;
  }
  std::string state_;
  std::string conninfo_;
};

}  // namespace

TEST_CASE("postgres_faults.connection_terminated_before_each_statement_of_a_link", "[postgres][faults][link]") {
  // First, how many statements the sign-up that links a guest sends (BEGINs included).
  const auto prepare = [](const std::string& victim, std::function<void(std::string_view)> hook) {
    auto config = postgres_server::fresh_config("terminate");
    config.conninfo += " application_name=" + victim;
    config.pool_size = 1;
    config.before_statement = std::move(hook);
    return config;
  };
  std::size_t statements = 0;
  bool counting = false;
  {
    auto config = prepare("count", [&](std::string_view) { statements += counting ? 1 : 0; });
    pg_auth auth{config};
    const identity g = new_guest(auth);
    fill_cart(auth, g.id, 5, "g");
    counting = true;
    REQUIRE(auth.sign_up_email(sign_up_body("u@x.example"), with_token(g.token)));
    counting = false;
  }
  INFO("the link sends " << statements << " statements");
  REQUIRE(statements >= 6);

  std::size_t retried = 0, unknown = 0;
  for (std::size_t k = 1; k <= statements; ++k) {
    INFO("terminated before statement " << k);
    const std::string victim = "victim_" + std::to_string(::getpid()) + "_" + std::to_string(k);
    postgres_server::session observer;
    std::size_t seen = 0;
    bool armed = false;
    std::string last;
    auto config = prepare(victim, [&](std::string_view sql) {
      if (!armed || ++seen != k) return;
      last = std::string(sql);
      terminate(observer, victim);
    });
    pg_auth auth{config};
    const identity g = new_guest(auth);
    fill_cart(auth, g.id, 5, "g");
    const std::string before = dump(config.schema);
    armed = true;
    auto r = auth.sign_up_email(sign_up_body("u@x.example"), with_token(g.token));
    armed = false;
    INFO("statement: " << last);
    if (r) {
      // Retried on a fresh connection: the whole link, once.
      ++retried;
      CHECK(fixtures::user_count(auth) == 1);
      CHECK(carts_of(auth, r->user.id) == 5);
      CHECK_FALSE(auth.find_user(g.id).has_value());
      CHECK(auth.table<cart_item>().count() == 5);
    } else {
      // Only COMMIT's loss may fail the call, and then nothing changed.
      ++unknown;
      CHECK(last == "COMMIT");
      CHECK(dump(config.schema) == before);
    }
    // The pool serves the next call on a fresh connection.
    CHECK(auth.get_session(r ? r->token : g.token).has_value());
  }
  CHECK(unknown == 1);  // the COMMIT
  CHECK(retried == statements - 1);
}

TEST_CASE("postgres_faults.serialization_failure_forced_then_retried", "[postgres][faults]") {
  // Under SERIALIZABLE, the write's snapshot is taken by its first statement; before its second,
  // another connection changes the user row the write is about to lock. Its FOR UPDATE then
  // fails with 40001, and the write runs again.
  for (unsigned interfere_times : {1u, 100u}) {
    INFO("interfering " << interfere_times << " times");
    postgres_server::session other;
    std::string user_id;
    unsigned begins = 0, interfered = 0, statement = 0;
    bool armed = false;
    auto config = postgres_server::fresh_config("serialization");
    config.isolation = aa::postgres_isolation::serializable;
    config.max_attempts = 3;
    config.before_statement = [&](std::string_view sql) {
      if (!armed) return;
      if (sql.starts_with("BEGIN")) {
        ++begins;
        statement = 0;
        return;
      }
      if (++statement == 2 && interfered < interfere_times) {
        ++interfered;
        other.value("UPDATE \"" + config.schema + "\".\"user\" SET name = 'other " + std::to_string(interfered) +
                    "' WHERE id = '" + user_id + "'");
      }
    };
    pg_auth auth{config};
    const identity g = new_guest(auth);
    user_id = g.id;
    armed = true;
    auto r = auth.update_user(with_token(g.token), [](auto& u) { u.name = "mine"; });
    armed = false;
    const auto stored = auth.find_user(g.id);
    REQUIRE(stored);
    if (interfere_times == 1) {
      REQUIRE(r);
      CHECK(begins == 2);  // one conflict, one retry
      CHECK(stored->name == "mine");
    } else {
      CHECK_FALSE(r);  // retries exhausted: an error, and the other writer's value stands
      CHECK(begins == config.max_attempts);
      CHECK(stored->name == "other " + std::to_string(config.max_attempts));
    }
  }
}

TEST_CASE("postgres_faults.no_free_connection_within_the_acquire_timeout", "[postgres][faults][pool]") {
  auto config = postgres_server::fresh_config("acquire");
  config.pool_size = 1;
  config.acquire_timeout = std::chrono::milliseconds{200};
  pg_auth auth{config};
  std::atomic<bool> holding{false}, release{false};
  std::thread holder([&] {
    auth.storage().read([&](const auto& tx) {
      (void)tx.find_user("nobody");
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds{1});
      return 0;
    });
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds{1});
  const auto start = steady::now();
  std::string error;
  try {
    (void)auth.storage().read([](const auto& tx) { return tx.find_user("x"); });
  } catch (const aa::storage_error& e) {
    error = e.what();
  }
  const auto waited = steady::now() - start;
  release = true;
  holder.join();
  CHECK(error.find("no connection free within 200 ms") != std::string::npos);
  CHECK(waited >= std::chrono::milliseconds{190});
  CHECK(waited < std::chrono::seconds{3});
  CHECK(auth.storage().open_connections() == 1);
  CHECK(auth.sign_in_anonymous(no_session()));  // and it serves once free
}

TEST_CASE("postgres_faults.server_restarted_during_a_burst", "[postgres][faults][restart]") {
  private_server server;
  aa::postgres_config config;
  config.conninfo = server.conninfo();
  config.schema = "burst";
  config.pool_size = 4;
  config.connect_timeout = std::chrono::milliseconds{1000};
  config.io_timeout = std::chrono::milliseconds{2000};
  pg_auth auth{config};

  constexpr std::size_t threads = 4;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> ok{0}, failed{0}, ok_after{0};
  std::atomic<bool> restarted{false};
  std::atomic<long long> slowest_ms{0};
  std::thread burst([&] {
    test_threads::run_together(threads, [&](std::size_t) {
      while (!stop) {
        const auto start = steady::now();
        bool good = false;
        try {
          good = static_cast<bool>(auth.sign_in_anonymous(no_session()));
        } catch (...) {
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
        long long seen = slowest_ms.load();
        while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
        }
        (good ? ok : failed)++;
        if (good && restarted) ok_after++;
      }
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  const std::size_t before = ok.load();
  server.restart();
  restarted = true;
  for (int i = 0; i < 500 && ok_after < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds{10});
  stop = true;
  burst.join();
  INFO("ok " << ok << " (before the restart " << before << ", after " << ok_after << "), failed " << failed
             << ", slowest call " << slowest_ms << " ms");
  CHECK(before > 0);
  CHECK(ok_after >= 20);  // the pool recovered by itself
  // Each call ends within its timeouts: connecting (1 s) and waiting (2 s), with retries after
  // a lost connection waiting 100 ms at most each.
  CHECK(slowest_ms.load() < 10'000);
  // Every user a successful call made is there; none half-made (a user without its session).
  postgres_server::session s(server.conninfo());
  CHECK(s.value("SELECT count(*) FROM burst.\"user\" u WHERE NOT EXISTS (SELECT 1 FROM burst.session s WHERE "
                "s.user_id = u.id)") == "0");
}

TEST_CASE("postgres_faults.a_frozen_backend_is_a_timeout_not_a_hang", "[postgres][faults][freeze]") {
  private_server server;
  aa::postgres_config config;
  config.conninfo = server.conninfo() + " application_name=frozen";
  config.schema = "frozen";
  config.pool_size = 1;
  config.io_timeout = std::chrono::milliseconds{500};
  pg_auth auth{config};
  const identity g = new_guest(auth);

  postgres_server::session s(server.conninfo());
  const int pid = std::stoi(s.value("SELECT pid FROM pg_stat_activity WHERE application_name = 'frozen'"));
  REQUIRE(::kill(pid, SIGSTOP) == 0);
  const auto start = steady::now();
  std::string error;
  try {
    (void)auth.get_session(g.token);
  } catch (const aa::storage_error& e) {
    error = e.what();
  }
  const auto waited = steady::now() - start;
  ::kill(pid, SIGCONT);
  CHECK(error.find("no answer from the server within 500 ms") != std::string::npos);
  CHECK(waited >= std::chrono::milliseconds{450});
  CHECK(waited < std::chrono::seconds{3});
  // The frozen connection was given up; a fresh one answers.
  const auto again = auth.get_session(g.token);
  REQUIRE(again.has_value());
  CHECK(again->user.id == g.id);
}

TEST_CASE("postgres_threads.pool_under_load_concurrency", "[postgres][concurrency][pool]") {
  // More threads than connections: every call gets one in turn, none is lost or shared.
  auto config = postgres_server::fresh_config("pool_load");
  config.pool_size = 3;
  pg_auth auth{config};
  constexpr std::size_t threads = 8, per_thread = 40;
  std::atomic<std::size_t> good{0}, wrong{0};
  test_threads::run_together(threads, [&](std::size_t) {
    for (std::size_t i = 0; i < per_thread; ++i) {
      auto r = auth.sign_in_anonymous(no_session());
      if (!r) {
        ++wrong;
        continue;
      }
      const auto view = auth.get_session(r->token);
      if (view && view->user.id == r->user.id) ++good;
      else ++wrong;
    }
  });
  CHECK(wrong == 0);
  CHECK(good == threads * per_thread);
  CHECK(fixtures::user_count(auth) == threads * per_thread);
  CHECK(auth.storage().open_connections() <= 3);
}

TEST_CASE("postgres_round_trips.get_session_is_one_statement_with_its_begin", "[postgres][round_trips]") {
  // What goes out for a session lookup: the read's BEGIN and one joined SELECT, sent together
  // (connection.hpp batches BEGIN with the first statement; the read's COMMIT is not waited for).
  std::vector<std::string> sent;
  bool recording = false;
  auto config = postgres_server::fresh_config("round_trips");
  config.before_statement = [&](std::string_view sql) {
    if (recording) sent.emplace_back(sql);
  };
  pg_auth auth{config};
  const identity g = new_guest(auth);
  recording = true;
  const auto view = auth.get_session(g.token);
  recording = false;
  REQUIRE(view);
  CHECK(view->user.id == g.id);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0] == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  CHECK(sent[1].find(" FROM \"session\" l LEFT JOIN \"user\" r ON r.\"id\" = l.\"user_id\" WHERE l.\"token_hash\" = $1") !=
        std::string::npos);
  // A session whose user is gone is no session.
  postgres_server::session s;
  s.value("DELETE FROM \"" + config.schema + "\".\"user\" WHERE id = '" + g.id + "'");
  CHECK_FALSE(auth.get_session(g.token).has_value());
}

TEST_CASE("postgres_faults.text_postgres_cannot_store_is_refused_before_it_is_sent", "[postgres][faults]") {
  // The core refuses such text from requests on every storage (hostile_input); an app's own row
  // written through a table handle reaches the storage, which refuses it before sending it.
  auto config = postgres_server::fresh_config("bad_text");
  std::size_t inserts_sent = 0;
  config.before_statement = [&](std::string_view sql) { inserts_sent += sql.starts_with("INSERT INTO \"cart_items\"") ? 1 : 0; };
  pg_auth auth{config};
  const identity g = new_guest(auth);
  using namespace std::string_literals;
  for (const std::string& bad : {"nul\0inside"s, "\xff\xfe not UTF-8"s, "cut \xe2\x82"s}) {
    INFO("sku " << bad.size() << " bytes");
    CHECK_THROWS_WITH(auth.table<cart_item>().insert(cart_item{"c-bad", g.id, bad, 1}),
                      Catch::Contains("text with a NUL byte or invalid UTF-8 cannot be stored"));
  }
  CHECK(inserts_sent == 0);
  CHECK(auth.table<cart_item>().count() == 0);
  auth.table<cart_item>().insert(cart_item{"c-good", g.id, "caf\xc3\xa9", 1});
  CHECK(auth.table<cart_item>().find("c-good")->sku == "caf\xc3\xa9");
}

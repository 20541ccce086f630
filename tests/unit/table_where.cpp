// where<&Row::member>(value) on table handles: the rows find_by returns, lazily, as a range-v3
// view; what the range holds while it lives, and what it refuses (docs/getting-started.md,
// "Table handles"). On memory, SQLite in memory and an SQLite file.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <range/v3/range/concepts.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace fixtures;

namespace {

template <class Storage>
using storage_auth = test_auth<aa::storage<Storage>>;

// The configurations every case runs on.
struct on_memory {
  using storage = aa::memory_storage;
  static aa::memory_storage::config config() { return {}; }
};
#ifdef ANONAUTH_HAS_SQLITE
struct on_sqlite_memory {
  using storage = aa::sqlite_storage;
  static aa::sqlite_config config() { return {}; }  // one connection, reads queue behind writes
};
struct on_sqlite_file {
  using storage = aa::sqlite_storage;
  static aa::sqlite_config config() { return storages::fresh_config<aa::sqlite_storage>("table-where"); }
};
#define WHERE_CONFIGS on_memory, on_sqlite_memory, on_sqlite_file
#define WAITING_WRITE_CONFIGS on_memory, on_sqlite_memory  // a file's writer does not wait for readers (WAL)
#else
#define WHERE_CONFIGS on_memory
#define WAITING_WRITE_CONFIGS on_memory
#endif

template <class Rows>
std::multiset<std::string> ids_of(const Rows& rows) {
  std::multiset<std::string> out;
  for (const auto& row : rows) out.insert(row.id);
  return out;
}

/// A guest with three cart items and a second guest with one.
template <class Auth>
std::pair<std::string, std::string> two_carts(Auth& auth) {
  const auto a = auth.sign_in_anonymous(no_session());
  const auto b = auth.sign_in_anonymous(no_session());
  REQUIRE(a);
  REQUIRE(b);
  auto carts = auth.template table<cart_item>();
  carts.insert(cart_item{"c1", a->user.id, "sku-1", 1});
  carts.insert(cart_item{"c2", a->user.id, "sku-2", 2});
  carts.insert(cart_item{"c3", a->user.id, "sku-1", 3});
  carts.insert(cart_item{"c4", b->user.id, "sku-1", 4});
  return {a->user.id, b->user.id};
}

/// Fails the link after a migrator saw, through where, the rows written before it in the link.
std::vector<std::string> migrator_saw;
struct reading_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    auto carts = ctx.template table<cart_item>();
    carts.insert(cart_item{"in-link", ctx.new_user().id, "sku-new", 1});
    migrator_saw = carts.template where<&cart_item::user_id>(ctx.new_user().id) |
                   ranges::views::transform([](const cart_item& item) { return item.id; }) | ranges::to<std::vector>;
    std::sort(migrator_saw.begin(), migrator_saw.end());
  }
};
using reading_link =
    aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>, aa::on_link<reading_migrator>>;

/// The memory storage seen through a backend without the lazy query: what a storage of one's
/// own that predates where looks like to table_handle.
struct storage_without_where {
  using config = aa::memory_storage::config;
  template <class Schema>
  class backend {
    using inner = aa::memory_storage::backend<Schema>;

   public:
    using reader = typename inner::reader;
    using writer = typename inner::writer;
    explicit backend(const config& c = {}) : inner_(c) {}
    template <class Fn>
    auto read(Fn&& fn) const {
      return inner_.read(std::forward<Fn>(fn));
    }
    template <class Fn>
    auto write(Fn&& fn) {
      return inner_.write(std::forward<Fn>(fn));
    }

   private:
    inner inner_;
  };
};

}  // namespace

TEMPLATE_TEST_CASE("where.yields_the_rows_find_by_returns", "[where]", WHERE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.template table<cart_item>();

  // A user reference (indexed), a column that is none (scanned), the user table, no row.
  // (Not in one expression with find_by: the temporary range would hold the storage until its end.)
  const auto found = ids_of(carts.template find_by<&cart_item::user_id>(a));
  CHECK(ids_of(carts.template where<&cart_item::user_id>(a)) == found);
  CHECK(found == std::multiset<std::string>{"c1", "c2", "c3"});
  CHECK(ids_of(carts.template where<&cart_item::sku>("sku-1")) == std::multiset<std::string>{"c1", "c3", "c4"});
  CHECK(ids_of(carts.template where<&cart_item::quantity>(4)) == std::multiset<std::string>{"c4"});
  const auto users = auth.template table<user>();
  CHECK(ids_of(users.template where<&user::is_anonymous>(true)) == std::multiset<std::string>{a, b});
  CHECK(ids_of(carts.template where<&cart_item::user_id>(std::string("nobody"))).empty());
  CHECK(ids_of(users.template where<&user::is_anonymous>(false)).empty());
}

TEMPLATE_TEST_CASE("where.composes_with_range_v3_views", "[where]", WHERE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.template table<cart_item>();
  using rows = decltype(carts.template where<&cart_item::user_id>(a));
  STATIC_REQUIRE(ranges::input_range<rows>);
  STATIC_REQUIRE(ranges::view_<rows>);

  auto quantities = carts.template where<&cart_item::user_id>(a) |
                    ranges::views::transform([](const cart_item& item) { return item.quantity; }) |
                    ranges::to<std::vector>;
  std::sort(quantities.begin(), quantities.end());
  CHECK(quantities == std::vector<int>{1, 2, 3});
  CHECK((carts.template where<&cart_item::user_id>(a) | ranges::views::take(2) | ranges::to<std::vector>).size() == 2);
  int seen = 0;
  for (const cart_item& item : carts.template where<&cart_item::sku>("sku-1")) seen += item.sku == "sku-1" ? 1 : 100;
  CHECK(seen == 3);
}

TEST_CASE("where.memory_yields_the_stores_rows_without_copying", "[where]") {
  manual_clock clock;
  storage_auth<aa::memory_storage> auth{aa::memory_storage::config{}, clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.table<cart_item>();
  using rows = decltype(carts.where<&cart_item::user_id>(a));
  STATIC_REQUIRE(ranges::forward_range<rows>);
  STATIC_REQUIRE(std::is_same_v<ranges::range_reference_t<rows>, const cart_item&>);
  STATIC_REQUIRE(std::is_same_v<ranges::range_reference_t<decltype(carts.where<&cart_item::sku>("x"))>, const cart_item&>);

  auto addresses = [](const auto& range) {
    std::map<std::string, const cart_item*> out;
    for (const cart_item& item : range) out[item.id] = &item;
    return out;
  };
  // Two queries, one through the index and one by scan, give the same objects: the store's.
  const auto by_user = addresses(carts.where<&cart_item::user_id>(a));
  const auto by_sku = addresses(carts.where<&cart_item::sku>("sku-1"));
  REQUIRE(by_user.size() == 3);
  CHECK(by_user.at("c1") == by_sku.at("c1"));
  CHECK(by_user.at("c3") == by_sku.at("c3"));
  // take(1) yields one of those objects, not a copy.
  auto first = carts.where<&cart_item::user_id>(a) | ranges::views::take(1);
  const cart_item& item = *first.begin();
  CHECK(by_user.at(item.id) == &item);
}

#ifdef ANONAUTH_HAS_SQLITE
/// Counts, through the config's statement hook, the steps of where's statement on the cart.
std::shared_ptr<std::atomic<int>> count_where_steps(aa::sqlite_config& config) {
  auto steps = std::make_shared<std::atomic<int>>(0);
  config.before_statement = [steps](std::string_view sql) {
    if (sql.find(R"(FROM "cart_items" WHERE "user_id")") != std::string_view::npos) ++*steps;
  };
  return steps;
}

TEMPLATE_TEST_CASE("where.sqlite_steps_the_statement_once_per_row_taken", "[where][sqlite]", on_sqlite_memory,
                   on_sqlite_file) {
  manual_clock clock;
  auto config = TestType::config();
  const auto steps = count_where_steps(config);
  storage_auth<aa::sqlite_storage> auth{config, clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.table<cart_item>();
  using rows = decltype(carts.where<&cart_item::user_id>(a));
  STATIC_REQUIRE_FALSE(ranges::forward_range<rows>);
  STATIC_REQUIRE(std::is_same_v<ranges::range_reference_t<rows>, const cart_item&>);

  *steps = 0;
  {
    auto range = carts.where<&cart_item::user_id>(a);
    CHECK(*steps == 0);  // nothing runs before the range is read
    const auto taken = range | ranges::views::take(1) | ranges::to<std::vector>;
    CHECK(taken.size() == 1);
    CHECK(*steps == 1);
  }
  *steps = 0;
  CHECK((carts.where<&cart_item::user_id>(a) | ranges::to<std::vector>).size() == 3);
  CHECK(*steps == 4);  // three rows, then the end
}

TEMPLATE_TEST_CASE("where.sqlite_yields_a_reference_to_its_current_row", "[where][sqlite]", on_sqlite_memory,
                   on_sqlite_file) {
  manual_clock clock;
  storage_auth<aa::sqlite_storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.table<cart_item>();
  using rows = decltype(carts.where<&cart_item::user_id>(a));
  // A reference, as the memory storage's: a projection through a member pointer yields a
  // reference into a row that outlives the call, not into a destroyed temporary.
  STATIC_REQUIRE(std::is_lvalue_reference_v<ranges::range_reference_t<rows>>);
  STATIC_REQUIRE(std::is_same_v<ranges::range_reference_t<rows>, const cart_item&>);
  STATIC_REQUIRE(std::is_same_v<ranges::range_value_t<rows>, cart_item>);
  // A migrator's where (borrowing the link's transaction) is the same range type.
  STATIC_REQUIRE(std::is_same_v<rows, aa::sqlite::row_stream<cart_item>>);
}

TEMPLATE_TEST_CASE("where.sqlite_documented_pipeline_copies_each_member", "[where][sqlite][docs]", on_sqlite_memory,
                   on_sqlite_file) {
  manual_clock clock;
  storage_auth<aa::sqlite_storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  // Longer than any small-string buffer, so that a dangling member is not read by luck.
  const std::string long_sku(64, 'x');
  auth.table<cart_item>().insert(cart_item{"c5", a, long_sku, 5});
  std::vector<std::string> skus = auth.table<cart_item>().where<&cart_item::user_id>(a) |
                                  ranges::views::transform(&cart_item::sku) | ranges::to<std::vector>;
  std::sort(skus.begin(), skus.end());
  CHECK(skus == std::vector<std::string>{"sku-1", "sku-1", "sku-2", long_sku});
  std::vector<std::string> ids = auth.table<cart_item>().where<&cart_item::sku>("sku-1") |
                                 ranges::views::transform(&cart_item::id) | ranges::to<std::vector>;
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"c1", "c3", "c4"});
  std::vector<int> quantities = auth.table<cart_item>().where<&cart_item::user_id>(b) |
                                ranges::views::transform(&cart_item::quantity) | ranges::to<std::vector>;
  CHECK(quantities == std::vector<int>{4});
}

TEMPLATE_TEST_CASE("where.sqlite_reads_the_current_row_twice_in_one_step", "[where][sqlite]", on_sqlite_memory,
                   on_sqlite_file) {
  manual_clock clock;
  auto config = TestType::config();
  const auto steps = count_where_steps(config);
  storage_auth<aa::sqlite_storage> auth{config, clock};
  const auto [a, b] = two_carts(auth);
  auto range = auth.table<cart_item>().where<&cart_item::user_id>(a);
  *steps = 0;
  auto it = range.begin();
  REQUIRE(it != range.end());
  const cart_item& first = *it;
  const cart_item& again = *it;
  CHECK(&first == &again);  // the same decoded row, not a second decoding
  CHECK(first.id == again.id);
  CHECK(first.user_id == a);
  CHECK(*steps == 1);
  const std::string first_id = first.id;  // a copy: the reference ends with the step
  ++it;
  CHECK(*steps == 1);  // advancing alone does not step
  REQUIRE(it != range.end());
  CHECK(*steps == 2);
  const cart_item& second = *it;
  CHECK(second.id != first_id);
  const cart_item& second_again = *it;
  CHECK(&second == &second_again);
  CHECK(*steps == 2);
}
#endif

TEMPLATE_TEST_CASE("where.each_advance_moves_one_row_even_without_a_read_between", "[where]", WHERE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  std::vector<std::string> all;
  for (const cart_item& c : auth.template table<cart_item>().template where<&cart_item::user_id>(a)) all.push_back(c.id);
  REQUIRE(all.size() == 3);
  auto range = auth.template table<cart_item>().template where<&cart_item::user_id>(a);
  auto it = range.begin();
  ++it;
  ++it;  // two rows skipped, as with any input iterator
  REQUIRE(it != range.end());
  CHECK((*it).id == all[2]);
  ++it;
  CHECK(it == range.end());
}

/// Runs `body` in a child process and returns how it ended (waitpid's status).
template <class Body>
int in_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(30);  // a child that hangs is killed (SIGALRM, not SIGABRT): the test stays bounded
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// A range holds its thread's claim on the storage (and on memory a lock): dying on another
// thread would corrupt both threads' claims, so it aborts, saying why. The child makes its own
// auth: no connection crosses the fork.
#ifdef ANONAUTH_HAS_SQLITE
#define IN_MEMORY_CONFIGS on_memory, on_sqlite_memory
#else
#define IN_MEMORY_CONFIGS on_memory
#endif
TEMPLATE_TEST_CASE("where.a_range_destroyed_on_another_thread_aborts", "[where]", IN_MEMORY_CONFIGS) {
  const int moved = in_child([] {
    manual_clock clock;
    storage_auth<typename TestType::storage> auth{TestType::config(), clock};
    const auto [a, b] = two_carts(auth);
    std::optional range{auth.template table<cart_item>().template where<&cart_item::user_id>(a)};
    std::thread([&] { range.reset(); }).join();
  });
  CHECK(WIFSIGNALED(moved));
  CHECK(WTERMSIG(moved) == SIGABRT);
  const int stayed = in_child([] {  // the same on its own thread: a clean exit
    manual_clock clock;
    storage_auth<typename TestType::storage> auth{TestType::config(), clock};
    const auto [a, b] = two_carts(auth);
    std::optional range{auth.template table<cart_item>().template where<&cart_item::user_id>(a)};
    range.reset();
  });
  CHECK(WIFEXITED(stayed));
  CHECK(WEXITSTATUS(stayed) == 0);
}

TEMPLATE_TEST_CASE("where.a_call_from_the_same_thread_while_the_range_lives_throws", "[where]", WHERE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> auth{TestType::config(), clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.template table<cart_item>();
  std::optional range{carts.template where<&cart_item::user_id>(a)};
  CHECK(range->begin() != range->end());

  // It would wait for the range's own transaction: a programming error, said at once.
  CHECK_THROWS_AS(carts.insert(cart_item{"c9", a, "sku-9", 1}), std::logic_error);
  CHECK_THROWS_AS(carts.find("c1"), std::logic_error);
  CHECK_THROWS_AS(carts.template where<&cart_item::user_id>(b), std::logic_error);
  CHECK_THROWS_AS(auth.sign_in_anonymous(no_session()), std::logic_error);
  {
    const auto copy = *range;  // a copy holds the same transaction
    range.reset();
    CHECK_THROWS_AS(carts.count(), std::logic_error);
  }
  // Once the last copy is gone, the storage is the thread's again.
  carts.insert(cart_item{"c9", a, "sku-9", 1});
  CHECK(carts.count() == 5);
}

TEMPLATE_TEST_CASE("where.ranges_release_their_hold_in_any_order", "[where]", WHERE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> first{TestType::config(), clock};
  storage_auth<typename TestType::storage> second{TestType::config(), clock};
  const auto [a, b] = two_carts(first);
  const auto [c, d] = two_carts(second);
  std::optional on_first{first.template table<cart_item>().template where<&cart_item::user_id>(a)};
  std::optional on_second{second.template table<cart_item>().template where<&cart_item::user_id>(c)};
  on_first.reset();  // not the last made
  first.template table<cart_item>().insert(cart_item{"c9", a, "sku-9", 1});
  CHECK_THROWS_AS(second.template table<cart_item>().count(), std::logic_error);
  on_second.reset();
  CHECK(second.template table<cart_item>().count() == 4);
}

TEMPLATE_TEST_CASE("where.a_write_on_another_thread_waits_for_the_range", "[where]", WAITING_WRITE_CONFIGS) {
  manual_clock clock;
  storage_auth<typename TestType::storage> auth{TestType::config(), clock};
  const std::string a = two_carts(auth).first;  // a lambda captures it: no structured binding
  const auto carts = auth.template table<cart_item>();
  std::atomic<bool> range_gone{false};
  std::atomic<bool> written{false};
  bool written_after_range = false;
  std::optional range{carts.template where<&cart_item::user_id>(a)};
  CHECK(range->begin() != range->end());
  std::thread writer([&] {
    carts.insert(cart_item{"c9", a, "sku-9", 1});
    written_after_range = range_gone.load();
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  CHECK_FALSE(written.load());
  range_gone = true;
  range.reset();
  writer.join();
  CHECK(written_after_range);
  CHECK(carts.count() == 5);
}

#ifdef ANONAUTH_HAS_SQLITE
TEST_CASE("where.sqlite_file_holds_a_read_connection_while_it_lives", "[where][sqlite]") {
  manual_clock clock;
  auto config = on_sqlite_file::config();
  config.read_connections = 1;
  storage_auth<aa::sqlite_storage> auth{config, clock};
  const auto [a, b] = two_carts(auth);
  const auto carts = auth.table<cart_item>();
  std::atomic<bool> range_gone{false};
  bool read_after_range = false;
  std::size_t count = 0;
  std::optional range{carts.where<&cart_item::user_id>(a)};
  CHECK(range->begin() != range->end());
  std::thread reader([&] {
    count = carts.count();  // the pool's only connection is the range's
    read_after_range = range_gone.load();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  range_gone = true;
  range.reset();
  reader.join();
  CHECK(read_after_range);
  CHECK(count == 4);
}
#endif

TEMPLATE_TEST_CASE("where.in_a_migrator_sees_the_links_own_writes", "[where][link]", WHERE_CONFIGS) {
  manual_clock clock;
  auth_with_link<reading_link, aa::storage<typename TestType::storage>> auth{TestType::config(), clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<cart_item>().insert(cart_item{"guest-item", guest->user.id, "sku-1", 1});
  migrator_saw.clear();
  const auto linked = auth.sign_up_email(sign_up_body("new@example.com"), with_token(guest->token));
  REQUIRE(linked);
  // The guest's row, reassigned earlier in the link, and the migrator's own insert.
  CHECK(migrator_saw == std::vector<std::string>{"guest-item", "in-link"});
  CHECK(ids_of(auth.template table<cart_item>().template where<&cart_item::user_id>(linked->user.id)) ==
        std::multiset<std::string>{"guest-item", "in-link"});
}

#ifdef ANONAUTH_HAS_SQLITE
TEMPLATE_TEST_CASE("where.a_fault_in_a_migrators_where_rolls_the_link_back", "[where][link][sqlite]", on_sqlite_memory,
                   on_sqlite_file) {
  manual_clock clock;
  auto config = TestType::config();
  auto armed = std::make_shared<std::atomic<bool>>(false);
  config.before_statement = [armed](std::string_view sql) {
    if (*armed && sql.starts_with("SELECT") && sql.find(R"(FROM "cart_items" WHERE "user_id")") != std::string_view::npos)
      throw aa::storage_error("injected fault in the migrator's where");
  };
  auth_with_link<reading_link, aa::storage<aa::sqlite_storage>> auth{config, clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<cart_item>().insert(cart_item{"guest-item", guest->user.id, "sku-1", 1});
  *armed = true;  // the migrator's where, inside the link's transaction, is the only such statement
  const auto linked = auth.sign_up_email(sign_up_body("new@example.com"), with_token(guest->token));
  *armed = false;
  REQUIRE_FALSE(linked);
  CHECK(linked.error().code() == std::string_view("FAILED_TO_CREATE_USER"));
  // Nothing of the link is left: the guest keeps its row, the migrator's insert is gone.
  CHECK(ids_of(auth.template table<cart_item>().template where<&cart_item::user_id>(guest->user.id)) ==
        std::multiset<std::string>{"guest-item"});
  CHECK(auth.template table<cart_item>().count() == 1);
  CHECK(auth.get_session(guest->token).has_value());
}
#endif

TEST_CASE("where.a_storage_without_the_lazy_query_falls_back_to_find_by", "[where]") {
  storage_without_where::backend<app_schema> backend;
  const aa::table_handle<cart_item, storage_without_where::backend<app_schema>> carts(backend);
  carts.insert(cart_item{"c1", "u1", "sku-1", 1});
  carts.insert(cart_item{"c2", "u1", "sku-2", 1});
  auto range = carts.where<&cart_item::user_id>("u1");
  STATIC_REQUIRE(std::is_same_v<decltype(range), aa::owned_rows<cart_item>>);
  STATIC_REQUIRE(ranges::random_access_range<decltype(range)>);
  // It owns its rows and holds nothing: the storage is free while it lives.
  carts.insert(cart_item{"c3", "u1", "sku-3", 1});
  CHECK(ids_of(range) == std::multiset<std::string>{"c1", "c2"});
  CHECK((range | ranges::views::take(1) | ranges::to<std::vector>).size() == 1);
}

TEST_CASE("where.documented_example", "[where][docs]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  const std::string guest_id = guest->user.id;
  auth.table<cart_item>().insert(cart_item{"c1", guest_id, "sku-1", 2});
  auth.table<cart_item>().insert(cart_item{"c2", guest_id, "sku-2", 1});
  // snippet: where
  // #include <range/v3/range/conversion.hpp>, <range/v3/view/transform.hpp>
  std::vector<std::string> skus = auth.table<cart_item>().where<&cart_item::user_id>(guest_id) |
                                  ranges::views::transform(&cart_item::sku) | ranges::to<std::vector>;

  int items = 0;
  for (const cart_item& item : auth.table<cart_item>().where<&cart_item::user_id>(guest_id))
    items += item.quantity;  // the range holds a read transaction until the loop ends
  // end snippet
  std::sort(skus.begin(), skus.end());
  CHECK(skus == std::vector<std::string>{"sku-1", "sku-2"});
  CHECK(items == 3);
}

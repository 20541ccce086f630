// The memory storage's undo log on its own: order, ownership, failure half-way, large logs.
#include "catch.hpp"

#include <anonauth/storage/undo_log.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using anonauth::detail::undo_log;

/// An undo step that appends its number when run and counts its own destruction.
struct recorder {
  std::vector<int>* ran;
  std::shared_ptr<int> alive;  // use_count() - 1 = steps alive
  int number;
  void operator()() { ran->push_back(number); }
};

}  // namespace

TEST_CASE("undo_log.rollback_runs_steps_newest_first_and_destroys_them", "[undo_log]") {
  undo_log log;
  std::vector<int> ran, state;
  auto alive = std::make_shared<int>(0);
  for (int i = 0; i < 5; ++i) log.apply([&] { state.push_back(i); }, recorder{&ran, alive, i});
  CHECK(state == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(alive.use_count() == 6);
  CHECK_FALSE(log.empty());
  log.rollback();
  CHECK(ran == std::vector<int>{4, 3, 2, 1, 0});
  CHECK(alive.use_count() == 1);
  CHECK(log.empty());
}

TEST_CASE("undo_log.commit_destroys_steps_without_running_them", "[undo_log]") {
  undo_log log;
  std::vector<int> ran;
  auto alive = std::make_shared<int>(0);
  for (int i = 0; i < 3; ++i) log.apply([] {}, recorder{&ran, alive, i});
  log.commit();
  CHECK(ran.empty());
  CHECK(alive.use_count() == 1);
  // The log is reusable: a later transaction starts empty.
  log.apply([] {}, recorder{&ran, alive, 7});
  log.rollback();
  CHECK(ran == std::vector<int>{7});
}

TEST_CASE("undo_log.a_mutation_that_throws_is_undone_at_once_and_not_recorded", "[undo_log]") {
  undo_log log;
  std::vector<int> ran;
  auto alive = std::make_shared<int>(0);
  log.apply([] {}, recorder{&ran, alive, 1});
  CHECK_THROWS_AS(log.apply([] { throw std::runtime_error("half-way"); }, recorder{&ran, alive, 2}), std::runtime_error);
  CHECK(ran == std::vector<int>{2});  // undone at once
  CHECK(alive.use_count() == 2);      // and gone; step 1 remains
  log.rollback();
  CHECK(ran == std::vector<int>{2, 1});  // step 2 is not run twice
}

TEST_CASE("undo_log.the_mutation_fills_in_what_its_step_restores", "[undo_log]") {
  struct restore {
    std::string* target;
    std::string old{};
    void operator()() { *target = std::move(old); }
  };
  undo_log log;
  std::string value = "before";
  log.apply(
      [&](restore& undo) {
        undo.old = std::move(value);
        value = "after";
      },
      restore{&value});
  CHECK(value == "after");
  log.rollback();
  CHECK(value == "before");
}

TEST_CASE("undo_log.large_logs_and_large_steps_span_blocks_in_order", "[undo_log]") {
  undo_log log;
  std::vector<int> ran;
  auto alive = std::make_shared<int>(0);
  struct big {  // larger than the first block on its own
    std::array<std::byte, 10000> payload{};
    std::vector<int>* ran;
    int number;
    void operator()() { ran->push_back(number); }
  };
  constexpr int steps = 50000;
  for (int round = 0; round < 2; ++round) {  // the second round reuses the kept blocks
    ran.clear();
    for (int i = 0; i < steps; ++i) {
      if (i % 10000 == 5) log.apply([] {}, big{{}, &ran, i});
      else log.apply([] {}, recorder{&ran, alive, i});
    }
    CHECK(alive.use_count() == 1 + steps - 5);
    log.rollback();
    REQUIRE(ran.size() == steps);
    bool descending = true;
    for (int i = 0; i < steps; ++i) descending = descending && ran[static_cast<std::size_t>(i)] == steps - 1 - i;
    CHECK(descending);
    CHECK(alive.use_count() == 1);
  }
}

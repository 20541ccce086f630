// anonauth/storage/sqlite/cursor.hpp: where<&Row::member>(value) on SQLite, as an input range
// stepping one prepared statement, each step yielding one Row.
//
// Steps are lazy: advancing only marks the statement due for a step, taken when the range is
// next asked whether it is over or for its row, so `| ranges::views::take(n)` steps n times.
// The row a step reaches is decoded once, when it is first read, into the range's shared state
// (as std::ranges::istream_view keeps its value): reading it yields `const Row&` to that copy,
// the same object however often it is read, valid until the range is next advanced (by any
// copy of it: they share the position). Keep a copy of the row, or of what you take from it,
// past the next step, never a reference; `| ranges::views::transform(&Row::member)` then
// `| ranges::to<std::vector>()` copies each member while its row is current.
//   - row_stream::borrowed (a reader's or writer's where): the statement is the range's own,
//     prepared on the transaction's connection and finalized with the range (the connection's
//     cached statements may be reset under it by the transaction's other calls); valid while
//     the transaction is.
//   - row_stream::leased (backend::where): the range holds a connection (a pooled reader, or the
//     only connection of an in-memory database with the write lock), a read transaction on it
//     and this thread's claim on the storage; nothing else can use the connection meanwhile, so
//     the connection's cached statement serves.
#pragma once

#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/sqlite/connection.hpp>

#include <range/v3/iterator/default_sentinel.hpp>
#include <range/v3/view/facade.hpp>

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace anonauth::sqlite {

/// The rows of one SELECT whose single parameter is bound to a key: a single-pass range whose
/// reference is `const Row&` to the current row, valid until the range advances. Copies share the
/// statement, its position and the current row, as copies of an input range may.
template <class Row>
class row_stream : public ranges::view_facade<row_stream<Row>, ranges::finite> {
 public:
  using decoder = Row (*)(const statement&);

  row_stream() = default;

  /// `sql` on `c`, inside a transaction the caller keeps open.
  template <class Key>
  static row_stream borrowed(connection& c, const std::string& sql, Key key, decoder decode) {
    auto s = std::make_shared<state>();
    s->decode = decode;
    const int rc = sqlite3_prepare_v3(c.handle(), sql.c_str(), static_cast<int>(sql.size() + 1), 0, &s->owned, nullptr);
    if (rc != SQLITE_OK) fail(c.handle(), rc, sql);
    s->st = std::make_unique<statement>(c.handle(), s->owned, c.statement_hook());  // faults reach it too
    s->bind(std::move(key));
    return row_stream(std::move(s));
  }

  /// `sql` on a connection from `acquire`, in a read transaction of its own; `release` gets the
  /// connection back when the last copy of the range goes.
  template <class Key>
  static row_stream leased(const void* storage, const std::function<connection*()>& acquire,
                           std::function<void(connection*)> release, const std::string& sql, Key key,
                           decoder decode) {
    static const std::string begin = "BEGIN";
    auto s = std::make_shared<state>();
    s->decode = decode;
    s->claim.emplace(storage, detail::reentrancy_guard::holder::range);  // before anything waits
    s->release = std::move(release);
    s->c = acquire();
    s->c->prepare(begin).run();
    s->in_transaction = true;
    s->st.reset(new statement(s->c->prepare(sql)));  // a prvalue: built in place
    s->bind(std::move(key));
    return row_stream(std::move(s));
  }

 private:
  friend ranges::range_access;

  struct state {
    std::optional<detail::reentrancy_guard> claim;  // leased: released last
    std::function<void(connection*)> release;
    connection* c = nullptr;
    bool in_transaction = false;
    sqlite3_stmt* owned = nullptr;    // borrowed: the range's own statement
    std::shared_ptr<const void> key;  // what the parameter points into (SQLite binds text by address)
    std::unique_ptr<statement> st;
    decoder decode = nullptr;
    bool due = true;  // a step is owed before the next row or end test
    bool done = false;
    std::optional<Row> row;  // the current row, once read: decoded at most once per step

    state() = default;
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    ~state() {
      if (claim) claim->require_home_thread();  // checked before the connection is touched
      st.reset();  // resets the statement
      if (owned != nullptr) sqlite3_finalize(owned);
      if (in_transaction) c->execute_quietly("ROLLBACK");  // a read transaction: nothing to keep
      if (c != nullptr && release) release(c);
    }

    template <class Key>
    void bind(Key value) {
      auto held = std::make_shared<const Key>(std::move(value));
      st->bind(1, *held);
      key = std::move(held);
    }
    bool at_end() {
      if (due) {
        due = false;
        done = !st->step();
      }
      return done;
    }
    const Row& current() {
      at_end();
      if (!row) row.emplace(decode(*st));
      return *row;
    }
    void advance() {
      // A step still owed (advanced twice with no read or end test between) is taken now, so
      // that every advance moves one row.
      if (due) at_end();
      row.reset();  // references to it end here, not at the (lazy) step
      due = true;
    }
  };

  struct cursor {
    using single_pass = std::true_type;
    state* s = nullptr;
    const Row& read() const { return s->current(); }
    void next() { s->advance(); }
    bool equal(ranges::default_sentinel_t) const { return s == nullptr || s->at_end(); }
  };
  cursor begin_cursor() const { return {s_.get()}; }

  explicit row_stream(std::shared_ptr<state> s) : s_(std::move(s)) {}
  std::shared_ptr<state> s_;
};

}  // namespace anonauth::sqlite

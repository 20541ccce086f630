// anonauth/storage/memory/backend.hpp: the in-memory storage policy and its backend.
//
// Every table (the user's, sessions, accounts, the application's) is a table_store: rows by
// key, an index on each listed column, unique keys. One reader-writer lock: readers share it, a
// writer holds it alone (waiting writers go first) and keeps an undo log, so a failed write (a
// migrator that throws) leaves no trace.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/accessors.hpp>
#include <anonauth/storage/memory/mutex.hpp>
#include <anonauth/storage/memory/table_store.hpp>
#include <anonauth/storage/memory/tables.hpp>
#include <anonauth/storage/memory/where.hpp>
#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/transaction.hpp>
#include <anonauth/storage/undo_log.hpp>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth {

namespace detail::memory {

/// Every application table's store side by side, one base per table, found by row type through
/// overload resolution. A std::tuple would nest its bases, each named by all the tables after it:
/// O(N^2) characters of symbols for N tables, which GCC's back end pays for superlinearly.
template <class Row, class Table>
struct table_slot {
  table_store<app_table<Table>> store;
};
template <class... Tables>
struct table_set : table_slot<typename Tables::row_type, Tables>... {};

template <class Row, class Table>
table_store<app_table<Table>>& store_of(table_slot<Row, Table>& slot) noexcept {
  return slot.store;
}
template <class Row, class Table>
const table_store<app_table<Table>>& store_of(const table_slot<Row, Table>& slot) noexcept {
  return slot.store;
}

template <class List>
struct table_set_of;
template <class... Tables>
struct table_set_of<type_list<Tables...>> {
  using type = table_set<Tables...>;
};

/// A write transaction of the memory storage: commit keeps the undo log's changes, rollback
/// replays it.
struct undo_transaction {
  undo_log* log;
  void begin() noexcept {}
  void commit() noexcept { log->commit(); }
  void rollback() noexcept { log->rollback(); }
};

}  // namespace detail::memory

/// The in-memory storage policy.
class memory_storage {
 public:
  struct config {};

  template <class Schema>
  class backend;
};

template <class Schema>
class memory_storage::backend {
  using user = user_row_t<Schema>;
  using users_table = detail::memory::user_table<typename Schema::user_table_desc>;
  using sessions_table = detail::memory::session_table;
  using accounts_table = detail::memory::account_table;
  template <class T>
  using store_t = detail::memory::table_store<T>;

  struct state {
    store_t<users_table> users;
    store_t<sessions_table> sessions;
    store_t<accounts_table> accounts;
    typename detail::memory::table_set_of<typename Schema::app_tables>::type tables;
  };

  template <class Row>
  static constexpr bool is_app_row() {
    return require_app_row<Schema, Row>();
  }

 public:
  explicit backend(const config& = {}) {}

  /// Read access, under the shared lock; every getter returns copies.
  class reader {
   public:
    explicit reader(const state& s) : s_(&s) {}

    std::optional<user> find_user(std::string_view id) const { return s_->users.find(id); }
    std::optional<user> find_user_by_email(std::string_view email) const {
      return s_->users.template find_unique<typename users_table::email>(email);
    }
    std::optional<session_record> find_session(const token_hash& h) const { return s_->sessions.find(h); }
    std::optional<account> find_account(std::string_view provider, std::string_view account_id) const {
      using key = accounts_table::provider;
      return s_->accounts.template find_unique<key>(key::key(provider, account_id));
    }
    /// In creation order, then by id, as every storage lists them.
    std::vector<account> accounts_of_user(std::string_view user_id) const {
      auto out = s_->accounts.template find_by<accounts_table::user_id>(user_id);
      std::sort(out.begin(), out.end(), [](const account& a, const account& b) {
        return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
      });
      return out;
    }
    std::vector<session_record> sessions_of_user(std::string_view user_id) const {
      auto out = s_->sessions.template find_by<sessions_table::user_id>(user_id);
      std::sort(out.begin(), out.end(), [](const session_record& a, const session_record& b) {
        return std::tie(a.session.created_at, a.session.id) < std::tie(b.session.created_at, b.session.id);
      });
      return out;
    }
    std::vector<user> anonymous_users_created_before(timestamp cutoff, std::string_view after_id,
                                                     std::size_t limit) const {
      std::vector<user> out;
      const auto& guests = s_->users.guests;
      for (auto it = guests.upper_bound(after_id); it != guests.end() && out.size() < limit; ++it)
        if ((*it)->created_at < cutoff) out.push_back(**it);
      return out;
    }

    template <class Row>
    std::size_t count() const {
      if constexpr (std::is_same_v<Row, user>) return s_->users.rows.size();
      else return store<Row>().rows.size();
    }
    template <class Row>
    std::optional<Row> find(std::string_view id) const {
      if constexpr (std::is_same_v<Row, user>) return find_user(id);
      else return store<Row>().find(id);
    }
    template <auto Member, class Value>
    std::vector<detail::class_of_t<Member>> find_by(const Value& value) const {
      using row = detail::class_of_t<Member>;
      if constexpr (std::is_same_v<row, user>) return s_->users.template find_by<detail::field<Member>>(value);
      else return store<row>().template find_by<detail::field<Member>>(value);
    }
    /// find_by's rows, lazily, as `const Row&` from the store; valid while this reader is.
    template <auto Member, class Value>
    auto where(const Value& value) const {
      using row = detail::class_of_t<Member>;
      if constexpr (std::is_same_v<row, user>) return detail::memory::rows_where<Member>(s_->users, value);
      else return detail::memory::rows_where<Member>(store<row>(), value);
    }

   protected:
    template <class Row>
    const auto& store() const {
      if constexpr (is_app_row<Row>()) return detail::memory::store_of<Row>(s_->tables);
    }
    const state* s_;
  };

  /// Write access: the exclusive lock and an undo log replayed on rollback (see table_store).
  class writer : public reader {
   public:
    writer(state& s, detail::undo_log& log) : reader(s), m_(&s), log_(&log) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    void insert_user(const user& u) { m_->users.insert(u, *log_); }
    bool update_user(const user& u) { return m_->users.update(u, *log_); }
    bool erase_user(std::string_view id) { return m_->users.erase(id, *log_); }

    void insert_session(const session_record& rec) { m_->sessions.insert(rec, *log_); }
    /// What a refresh changes; the id, the user and the creation time stay (storage contract).
    bool update_session(const session_record& rec) {
      const session_record* stored = m_->sessions.get(rec.hash);
      if (stored == nullptr) return false;
      session_record replacement = *stored;
      replacement.session.expires_at = rec.session.expires_at;
      replacement.session.updated_at = rec.session.updated_at;
      replacement.session.ip_address = rec.session.ip_address;
      replacement.session.user_agent = rec.session.user_agent;
      return m_->sessions.update(replacement, *log_);
    }
    bool erase_session(const token_hash& h) { return m_->sessions.erase(h, *log_); }
    std::size_t erase_sessions_of_user(std::string_view user_id) {
      return m_->sessions.template erase_where<sessions_table::user_id>(user_id, *log_);
    }

    void insert_account(const account& a) { m_->accounts.insert(a, *log_); }
    /// Replaces a credential account's password hash (a rehash at a higher cost).
    bool update_password_hash(std::string_view account_id, const std::string& hash, timestamp at) {
      const account* stored = m_->accounts.get(account_id);
      if (stored == nullptr) return false;
      account replacement = *stored;
      replacement.password_hash = hash;
      replacement.updated_at = at;
      return m_->accounts.update(replacement, *log_);
    }
    std::size_t erase_accounts_of_user(std::string_view user_id) {
      return m_->accounts.template erase_where<accounts_table::user_id>(user_id, *log_);
    }

    template <class Row>
    void insert(const Row& row) {
      mstore<Row>().insert(row, *log_);
    }
    template <class Row>
    bool update(const Row& row) {
      return mstore<Row>().update(row, *log_);
    }
    template <class Row>
    bool erase(std::string_view id) {
      return mstore<Row>().erase(id, *log_);
    }
    /// Moves every row whose Member equals `from` to `to`: one operation, like
    /// `UPDATE t SET member = to WHERE member = from`.
    template <auto Member>
    std::size_t reassign(std::string_view from, std::string_view to) {
      if constexpr (require_user_reference<Schema, Member>())
        return mstore<detail::class_of_t<Member>>().template reassign<detail::field<Member>>(from, to, *log_);
      else
        return 0;
    }
    /// Deletes every row whose Member equals `value` (through the index when it has one).
    template <auto Member, class Value>
    std::size_t erase_where(const Value& value) {
      return mstore<detail::class_of_t<Member>>().template erase_where<detail::field<Member>>(value, *log_);
    }

   private:
    template <class Row>
    auto& mstore() {
      if constexpr (is_app_row<Row>()) return detail::memory::store_of<Row>(m_->tables);
    }

    state* m_;
    detail::undo_log* log_;
  };

  template <class Fn>
  auto read(Fn&& fn) const {
    detail::reentrancy_guard guard(this);
    std::shared_lock lock(mutex_);
    const reader r(state_);
    return std::forward<Fn>(fn)(r);
  }

  /// A reader's where, outside any transaction: the range holds the shared lock while it lives.
  template <auto Member, class Value>
  auto where(const Value& value) const {
    return detail::memory::hold_shared(this, mutex_, [&] { return reader(state_).template where<Member>(value); });
  }

  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    std::unique_lock lock(mutex_);
    writer w(state_, undo_);
    detail::memory::undo_transaction tx{&undo_};
    return detail::run_transaction(tx, w, std::forward<Fn>(fn));
  }

 private:
  mutable detail::memory::writer_preferring_mutex mutex_;
  state state_;
  detail::undo_log undo_;  // used under the exclusive lock only
};

}  // namespace anonauth

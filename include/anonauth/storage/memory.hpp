// anonauth/storage/memory.hpp: the in-memory storage (the default).
//
// Hash tables per table, an index on every user-reference column, the token hash as the session
// key. One reader-writer lock: readers share it, a writer holds it alone (waiting writers go
// first) and keeps an undo log, so a failed write (a migrator that throws) leaves no trace.
// Useful for tests, single-process servers, and as the reference the SQL backends are checked
// against.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/reentrancy.hpp>

#include <boost/hana/accessors.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <pthread.h>
#endif

namespace anonauth {

namespace detail::memory {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

struct digest_hash {
  std::size_t operator()(const token_hash& h) const noexcept {
    std::size_t v;
    std::memcpy(&v, h.data(), sizeof v);  // already uniformly distributed
    return v;
  }
};

/// value -> ids of the rows holding it, for one indexed column.
class index {
 public:
  void add(std::string_view value, const std::string& id) { map_[std::string(value)].insert(id); }
  void remove(std::string_view value, const std::string& id) {
    if (auto it = map_.find(value); it != map_.end()) {
      it->second.erase(id);
      if (it->second.empty()) map_.erase(it);
    }
  }
  [[nodiscard]] const string_set* ids(std::string_view value) const {
    auto it = map_.find(value);
    return it == map_.end() ? nullptr : &it->second;
  }
  /// Removes and returns the ids under `value`.
  string_set take(std::string_view value) {
    auto it = map_.find(value);
    if (it == map_.end()) return {};
    string_set out = std::move(it->second);
    map_.erase(it);
    return out;
  }
  void merge(std::string_view value, const string_set& ids) {
    auto& target = map_[std::string(value)];
    target.insert(ids.begin(), ids.end());
  }
  /// Files `ids` under `value`, which holds none: the set moves, no id is copied.
  void put(std::string_view value, string_set&& ids) { map_.insert_or_assign(std::string(value), std::move(ids)); }

 private:
  string_map<string_set> map_;
};

/// A shared mutex that lets a waiting writer in before new readers, so a steady stream of
/// get-session calls cannot starve sign-ins (glibc's default rwlock, behind std::shared_mutex,
/// prefers readers). Meets the SharedMutex requirements for std::unique_lock / std::shared_lock.
#if defined(__GLIBC__)
class writer_preferring_mutex {
 public:
  writer_preferring_mutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    const int rc = pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "anonauth: pthread_rwlock_init");
  }
  ~writer_preferring_mutex() { pthread_rwlock_destroy(&lock_); }
  writer_preferring_mutex(const writer_preferring_mutex&) = delete;
  writer_preferring_mutex& operator=(const writer_preferring_mutex&) = delete;

  void lock() { check(pthread_rwlock_wrlock(&lock_)); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { check(pthread_rwlock_rdlock(&lock_)); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  static void check(int rc) {
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "anonauth: pthread_rwlock");
  }
  pthread_rwlock_t lock_;
};
#else
using writer_preferring_mutex = std::shared_mutex;  // platforms whose rwlock is already fair enough
#endif

template <class Table, class Refs = typename Table::user_refs>
struct table_store;

/// One application table: rows by id, and an index per user-reference column.
template <class Table, class... Refs>
struct table_store<Table, type_list<Refs...>> {
  using row = typename Table::row_type;
  static constexpr std::size_t index_count = sizeof...(Refs);

  string_map<row> rows;
  std::array<index, index_count> indexes;

  template <auto M>
  static constexpr std::size_t index_of() {
    std::size_t i = 0, found = index_count;
    ((same_member_v<Refs::member, M> ? (found = i, ++i) : ++i), ...);
    return found;
  }

  void index_row(const row& r) { (indexes[index_of<Refs::member>()].add(r.*(Refs::member), r.id), ...); }
  void unindex_row(const row& r) { (indexes[index_of<Refs::member>()].remove(r.*(Refs::member), r.id), ...); }
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
  template <class T>
  using table_store = detail::memory::table_store<T>;

  template <class List>
  struct stores_of;
  template <class... Tables>
  struct stores_of<detail::type_list<Tables...>> {
    using type = std::tuple<table_store<Tables>...>;
  };

  struct state {
    detail::memory::string_map<user> users;
    detail::memory::string_map<std::string> user_by_email;
    std::unordered_map<token_hash, session_record, detail::memory::digest_hash> sessions;
    detail::memory::string_map<std::vector<token_hash>> sessions_by_user;
    detail::memory::string_map<account> accounts;
    detail::memory::string_map<std::string> account_by_provider;  // provider '\0' account id -> id
    detail::memory::string_map<detail::memory::string_set> accounts_by_user;
    typename stores_of<typename Schema::app_tables>::type tables;
  };

  template <class Row>
  static constexpr std::size_t table_position() {
    return []<class... Tables>(detail::type_list<Tables...>) {
      std::size_t i = 0, found = sizeof...(Tables);
      ((std::is_same_v<typename Tables::row_type, Row> ? (found = i, ++i) : ++i), ...);
      return found;
    }(typename Schema::app_tables{});
  }

  template <class Row>
  static constexpr std::size_t checked_position() {
    constexpr std::size_t position = table_position<Row>();
    static_assert(position < std::tuple_size_v<decltype(state::tables)>,
                  "[anonauth.E001] this row type is no application table of the schema");
    return position < std::tuple_size_v<decltype(state::tables)> ? position : 0;  // one error only
  }

  static std::string provider_key(std::string_view provider, std::string_view account_id) {
    std::string key(provider);
    key.push_back('\0');
    key.append(account_id);
    return key;
  }

 public:
  explicit backend(const config& = {}) {}

  /// Read access, under the shared lock; every getter returns copies.
  class reader {
   public:
    explicit reader(const state& s) : s_(&s) {}

    std::optional<user> find_user(std::string_view id) const {
      auto it = s_->users.find(id);
      return it == s_->users.end() ? std::nullopt : std::optional<user>(it->second);
    }
    std::optional<user> find_user_by_email(std::string_view email) const {
      auto it = s_->user_by_email.find(email);
      return it == s_->user_by_email.end() ? std::nullopt : find_user(it->second);
    }
    std::optional<session_record> find_session(const token_hash& h) const {
      auto it = s_->sessions.find(h);
      return it == s_->sessions.end() ? std::nullopt : std::optional<session_record>(it->second);
    }
    std::optional<account> find_account(std::string_view provider, std::string_view account_id) const {
      auto it = s_->account_by_provider.find(provider_key(provider, account_id));
      return it == s_->account_by_provider.end() ? std::nullopt
                                                   : std::optional<account>(s_->accounts.at(it->second));
    }
    std::vector<account> accounts_of_user(std::string_view user_id) const {
      std::vector<account> out;
      if (auto it = s_->accounts_by_user.find(user_id); it != s_->accounts_by_user.end())
        for (const auto& id : it->second) out.push_back(s_->accounts.at(id));
      return out;
    }
    std::vector<user> anonymous_users_created_before(timestamp cutoff, std::string_view after_id,
                                                     std::size_t limit) const {
      std::vector<const user*> found;
      for (const auto& [id, u] : s_->users)
        if (u.is_anonymous && u.created_at < cutoff && id > after_id) found.push_back(&u);
      const std::size_t n = std::min(limit, found.size());
      std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(n), found.end(),
                        [](const user* a, const user* b) { return a->id < b->id; });
      std::vector<user> out;
      out.reserve(n);
      for (std::size_t i = 0; i < n; ++i) out.push_back(*found[i]);
      return out;
    }
    std::vector<session_record> sessions_of_user(std::string_view user_id) const {
      std::vector<session_record> out;
      if (auto it = s_->sessions_by_user.find(user_id); it != s_->sessions_by_user.end())
        for (const auto& h : it->second) out.push_back(s_->sessions.at(h));
      return out;
    }

    template <class Row>
    std::size_t count() const {
      if constexpr (std::is_same_v<Row, user>) return s_->users.size();
      else return store<Row>().rows.size();
    }
    template <class Row>
    std::optional<Row> find(std::string_view id) const {
      if constexpr (std::is_same_v<Row, user>) {
        return find_user(id);
      } else {
        const auto& rows = store<Row>().rows;
        auto it = rows.find(id);
        return it == rows.end() ? std::nullopt : std::optional<Row>(it->second);
      }
    }
    template <auto Member, class Value>
    std::vector<detail::class_of_t<Member>> find_by(const Value& value) const {
      using row = detail::class_of_t<Member>;
      std::vector<row> out;
      if constexpr (std::is_same_v<row, user>) {
        for (const auto& [id, u] : s_->users)
          if (u.*Member == value) out.push_back(u);
      } else {
        const auto& st = store<row>();
        using store_t = std::remove_cvref_t<decltype(st)>;
        constexpr std::size_t idx = store_t::template index_of<Member>();
        if constexpr (idx < store_t::index_count) {
          if (const auto* ids = st.indexes[idx].ids(value)) {
            out.reserve(ids->size());
            for (const auto& id : *ids) out.push_back(st.rows.at(id));
          }
        } else {
          for (const auto& [id, r] : st.rows)
            if (r.*Member == value) out.push_back(r);
        }
      }
      return out;
    }

   protected:
    template <class Row>
    const auto& store() const {
      return std::get<checked_position<Row>()>(s_->tables);
    }
    const state* s_;
  };

  /// Write access: the exclusive lock and an undo log replayed on rollback.
  ///
  /// Every mutation goes through `apply`: its undo step is built and room for it reserved before
  /// anything changes, a mutation that throws half-way is undone at once, and recording the step
  /// afterwards cannot throw. Each undo step restores the state from any prefix of its mutation.
  class writer : public reader {
   public:
    explicit writer(state& s) : reader(s), m_(&s) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    void insert_user(const user& u) {
      if (m_->users.contains(u.id)) throw storage_error("memory_storage: duplicate user id");
      if (m_->user_by_email.contains(u.email)) throw storage_error("memory_storage: duplicate user email");
      apply(
          [&] {
            m_->users.emplace(u.id, u);
            m_->user_by_email.emplace(u.email, u.id);
          },
          [s = m_, id = u.id, email = u.email] {
            s->users.erase(id);
            s->user_by_email.erase(email);
          });
    }
    bool update_user(const user& u) {
      auto it = m_->users.find(u.id);
      if (it == m_->users.end()) return false;
      const bool email_changed = it->second.email != u.email;
      if (email_changed && m_->user_by_email.contains(u.email))
        throw storage_error("memory_storage: duplicate user email");
      apply(
          [&] {
            if (email_changed) {
              m_->user_by_email.erase(it->second.email);
              m_->user_by_email.emplace(u.email, u.id);
            }
            it->second = u;
          },
          [s = m_, old = it->second, email = u.email, email_changed] {
            if (email_changed) {
              s->user_by_email.erase(email);
              s->user_by_email.insert_or_assign(old.email, old.id);
            }
            s->users.insert_or_assign(old.id, old);
          });
      return true;
    }
    bool erase_user(std::string_view id) {
      auto it = m_->users.find(id);
      if (it == m_->users.end()) return false;
      apply(
          [&] {
            m_->user_by_email.erase(it->second.email);
            m_->users.erase(it);
          },
          [s = m_, old = it->second] {
            s->users.emplace(old.id, old);
            s->user_by_email.emplace(old.email, old.id);
          });
      return true;
    }

    void insert_session(const session_record& rec) {
      if (m_->sessions.contains(rec.hash)) throw storage_error("memory_storage: duplicate session token");
      apply(
          [&] {
            m_->sessions.emplace(rec.hash, rec);
            m_->sessions_by_user[rec.session.user_id].push_back(rec.hash);
          },
          [s = m_, h = rec.hash, uid = rec.session.user_id] { drop_session(*s, h, uid); });
    }
    bool update_session(const session_record& rec) {
      auto it = m_->sessions.find(rec.hash);
      if (it == m_->sessions.end()) return false;
      apply(
          [&] {
            const std::string owner = it->second.session.user_id;  // a session never changes hands
            it->second.session = rec.session;
            it->second.session.user_id = owner;
          },
          [s = m_, old = it->second] { s->sessions.insert_or_assign(old.hash, old); });
      return true;
    }
    bool erase_session(const token_hash& h) {
      auto it = m_->sessions.find(h);
      if (it == m_->sessions.end()) return false;
      const std::string owner = it->second.session.user_id;  // a copy: the erase frees the original
      const auto& list = m_->sessions_by_user.at(owner);
      const auto position = static_cast<std::size_t>(std::find(list.begin(), list.end(), h) - list.begin());
      apply([&] { drop_session(*m_, h, owner); },
            [s = m_, old = it->second, position] {
              s->sessions.emplace(old.hash, old);
              auto& hashes = s->sessions_by_user[old.session.user_id];
              if (std::find(hashes.begin(), hashes.end(), old.hash) == hashes.end())
                hashes.insert(hashes.begin() + static_cast<std::ptrdiff_t>(std::min(position, hashes.size())), old.hash);
            });
      return true;
    }
    std::size_t erase_sessions_of_user(std::string_view user_id) {
      auto it = m_->sessions_by_user.find(user_id);
      if (it == m_->sessions_by_user.end()) return 0;
      std::vector<session_record> old;
      old.reserve(it->second.size());
      for (const auto& h : it->second) old.push_back(m_->sessions.at(h));
      const std::size_t count = old.size();
      apply(
          [&] {
            for (const auto& h : it->second) m_->sessions.erase(h);
            m_->sessions_by_user.erase(it);
          },
          [s = m_, old = std::move(old), hashes = it->second, uid = std::string(user_id)] {
            for (const auto& rec : old) s->sessions.emplace(rec.hash, rec);
            s->sessions_by_user.insert_or_assign(uid, hashes);  // in their original order
          });
      return count;
    }

    void insert_account(const account& a) {
      auto key = provider_key(a.provider_id, a.account_id);
      if (m_->accounts.contains(a.id) || m_->account_by_provider.contains(key))
        throw storage_error("memory_storage: duplicate account");
      apply(
          [&] {
            m_->accounts.emplace(a.id, a);
            m_->account_by_provider.emplace(std::move(key), a.id);
            m_->accounts_by_user[a.user_id].insert(a.id);
          },
          [s = m_, a] { drop_account(*s, a); });
    }
    std::size_t erase_accounts_of_user(std::string_view user_id) {
      auto it = m_->accounts_by_user.find(user_id);
      if (it == m_->accounts_by_user.end()) return 0;
      std::vector<account> old;
      old.reserve(it->second.size());
      for (const auto& id : it->second) old.push_back(m_->accounts.at(id));
      const std::size_t count = old.size();
      apply(
          [&] {
            for (const auto& a : old) drop_account(*m_, a);
          },
          [s = m_, old] {
            for (const auto& a : old) {
              s->accounts.emplace(a.id, a);
              s->account_by_provider.emplace(provider_key(a.provider_id, a.account_id), a.id);
              s->accounts_by_user[a.user_id].insert(a.id);
            }
          });
      return count;
    }

    template <class Row>
    void insert(const Row& row) {
      auto& st = mstore<Row>();
      if (st.rows.contains(row.id)) throw storage_error("memory_storage: duplicate row id");
      apply(
          [&] {
            st.rows.emplace(row.id, row);
            st.index_row(row);
          },
          [&st, row] {
            st.unindex_row(row);
            st.rows.erase(row.id);
          });
    }
    template <class Row>
    bool update(const Row& row) {
      auto& st = mstore<Row>();
      auto it = st.rows.find(row.id);
      if (it == st.rows.end()) return false;
      apply(
          [&] {
            st.unindex_row(it->second);
            it->second = row;
            st.index_row(row);
          },
          [&st, old = it->second, row] {
            st.unindex_row(row);
            st.rows.insert_or_assign(old.id, old);
            st.index_row(old);
          });
      return true;
    }
    template <class Row>
    bool erase(std::string_view id) {
      auto& st = mstore<Row>();
      auto it = st.rows.find(id);
      if (it == st.rows.end()) return false;
      apply(
          [&] {
            st.unindex_row(it->second);
            st.rows.erase(it);
          },
          [&st, old = it->second] {
            st.rows.emplace(old.id, old);
            st.index_row(old);
          });
      return true;
    }

    /// Moves every row whose Member equals `from` to `to`, through the column's index: one
    /// operation, like `UPDATE t SET member = to WHERE member = from`.
    template <auto Member>
    std::size_t reassign(std::string_view from, std::string_view to) {
      using row = detail::class_of_t<Member>;
      auto& st = mstore<row>();
      using store_t = std::remove_cvref_t<decltype(st)>;
      constexpr std::size_t idx = store_t::template index_of<Member>();
      static_assert(idx < store_t::index_count, "[anonauth.E002] reassign needs a declared user reference");
      if (from == to || st.indexes[idx].ids(from) == nullptr) return 0;
      if (st.indexes[idx].ids(to) == nullptr) {
        // The usual link: the new user has no rows yet, so the index's set of ids moves whole
        // instead of being copied. Undone, `to` holds exactly the moved ids again (later changes
        // are undone first); `held` keeps them while the mutation runs, should it fail half-way.
        auto held = std::make_shared<detail::memory::string_set>();
        std::size_t count = 0;
        apply(
            [&] {
              *held = st.indexes[idx].take(from);
              count = held->size();
              const std::string target(to);
              for (const auto& id : *held) st.rows.at(id).*Member = target;
              st.indexes[idx].put(to, std::move(*held));
              held->clear();
            },
            [&st, held, f = std::string(from), t = std::string(to)] {
              auto ids = st.indexes[idx].take(t);
              ids.merge(*held);
              for (const auto& id : ids) st.rows.at(id).*Member = f;
              st.indexes[idx].put(f, std::move(ids));
            });
        return count;
      }
      auto moved = std::make_shared<detail::memory::string_set>();
      apply(
          [&] {
            *moved = st.indexes[idx].take(from);
            const std::string target(to);
            for (const auto& id : *moved) st.rows.at(id).*Member = target;
            st.indexes[idx].merge(to, *moved);
          },
          [&st, moved, f = std::string(from), t = std::string(to)] {
            for (const auto& id : *moved) {
              st.rows.at(id).*Member = f;
              st.indexes[idx].remove(t, id);
            }
            st.indexes[idx].merge(f, *moved);
          });
      return moved->size();
    }

    /// Deletes every row whose Member equals `value` (through the index when it has one).
    template <auto Member, class Value>
    std::size_t erase_where(const Value& value) {
      using row = detail::class_of_t<Member>;
      auto& st = mstore<row>();
      using store_t = std::remove_cvref_t<decltype(st)>;
      constexpr std::size_t idx = store_t::template index_of<Member>();
      std::vector<std::string> ids;
      if constexpr (idx < store_t::index_count) {
        if (const auto* indexed = st.indexes[idx].ids(value)) ids.assign(indexed->begin(), indexed->end());
      } else {
        for (const auto& [id, r] : st.rows)
          if (r.*Member == value) ids.push_back(id);
      }
      for (const auto& id : ids) erase<row>(id);
      return ids.size();
    }

    void rollback() noexcept {
      for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
      undo_.clear();
    }
    void commit() noexcept { undo_.clear(); }

   private:
    template <class Mutate, class Undo>
    void apply(Mutate&& mutate, Undo&& undo) {
      std::function<void()> step(std::forward<Undo>(undo));  // may throw: nothing changed yet
      // Likewise. Grown geometrically: reserve(size + 1) would copy the whole log on every change.
      if (undo_.size() == undo_.capacity()) undo_.reserve(std::max<std::size_t>(16, 2 * undo_.capacity()));
      try {
        std::forward<Mutate>(mutate)();
      } catch (...) {
        step();  // a mutation that failed half-way is undone at once
        throw;
      }
      undo_.push_back(std::move(step));  // cannot throw: room is reserved, the move is noexcept
    }

    template <class Row>
    auto& mstore() {
      return std::get<checked_position<Row>()>(m_->tables);
    }
    static void drop_session(state& s, const token_hash& h, const std::string& user_id) {
      s.sessions.erase(h);
      if (auto it = s.sessions_by_user.find(user_id); it != s.sessions_by_user.end()) {
        std::erase(it->second, h);
        if (it->second.empty()) s.sessions_by_user.erase(it);
      }
    }
    static void drop_account(state& s, const account& a) {
      s.accounts.erase(a.id);
      s.account_by_provider.erase(provider_key(a.provider_id, a.account_id));
      if (auto it = s.accounts_by_user.find(a.user_id); it != s.accounts_by_user.end()) {
        it->second.erase(a.id);
        if (it->second.empty()) s.accounts_by_user.erase(it);
      }
    }

    state* m_;
    std::vector<std::function<void()>> undo_;
  };

  template <class Fn>
  auto read(Fn&& fn) const {
    detail::reentrancy_guard guard(this);
    std::shared_lock lock(mutex_);
    const reader r(state_);
    return std::forward<Fn>(fn)(r);
  }

  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    std::unique_lock lock(mutex_);
    writer w(state_);
    try {
      if constexpr (std::is_void_v<decltype(std::forward<Fn>(fn)(w))>) {
        std::forward<Fn>(fn)(w);
        w.commit();
      } else {
        auto out = std::forward<Fn>(fn)(w);
        w.commit();
        return out;
      }
    } catch (...) {
      w.rollback();
      throw;
    }
  }

 private:
  mutable detail::memory::writer_preferring_mutex mutex_;
  state state_;
};

}  // namespace anonauth

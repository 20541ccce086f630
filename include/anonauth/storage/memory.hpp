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
#include <anonauth/storage/memory_where.hpp>
#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/undo_log.hpp>

#include <boost/hana/accessors.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <tuple>
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

/// Orders pointers to rows by the rows' ids, and finds them by id: the memory storage's index of
/// guests. A row's id never changes and its address is stable (see table_store), so the index
/// holds pointers, not copies of the ids.
struct by_id {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return id_of(a) < id_of(b);
  }
  template <class R>
  static std::string_view id_of(const R* r) noexcept {
    return r->id;
  }
  static std::string_view id_of(std::string_view id) noexcept { return id; }
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

/// One application table: rows by id, an index per user-reference column, and every operation on
/// them with its undo step. The operations are members of the table's store, not of the backend,
/// so their instantiations (and the undo steps' types) are named by the table alone: named by the
/// whole schema, N tables would cost N symbols of O(N) characters each, and compile time would
/// grow with N squared.
template <class Table, class... Refs>
struct table_store<Table, type_list<Refs...>> {
  using row = typename Table::row_type;
  using row_map = string_map<row>;
  static constexpr std::size_t index_count = sizeof...(Refs);

  row_map rows;
  std::array<index, index_count> indexes;

  template <auto M>
  static constexpr std::size_t index_of() {
    std::size_t i = 0, found = index_count;
    ((same_member_v<Refs::member, M> ? (found = i, ++i) : ++i), ...);
    return found;
  }

  void index_row(const row& r) { (indexes[index_of<Refs::member>()].add(r.*(Refs::member), r.id), ...); }
  void unindex_row(const row& r) { (indexes[index_of<Refs::member>()].remove(r.*(Refs::member), r.id), ...); }

  std::optional<row> find(std::string_view id) const {
    auto it = rows.find(id);
    return it == rows.end() ? std::nullopt : std::optional<row>(it->second);
  }

  template <auto Member, class Value>
  std::vector<row> find_by(const Value& value) const {
    std::vector<row> out;
    constexpr std::size_t idx = index_of<Member>();
    if constexpr (idx < index_count) {
      if (const auto* ids = indexes[idx].ids(value)) {
        out.reserve(ids->size());
        for (const auto& id : *ids) out.push_back(rows.at(id));
      }
    } else {
      for (const auto& [id, r] : rows)
        if (r.*Member == value) out.push_back(r);
    }
    return out;
  }

  // Undo steps find a row through a pointer to it: an element of an unordered_map keeps its
  // address until erased, and within a transaction a row is only ever erased by extracting its
  // node, which the erase's undo step puts back, so later steps (undone first) leave it in place.

  void insert(const row& r, undo_log& log) {
    if (rows.contains(r.id)) throw duplicate_key_error(Table::name.view(), {{"id", r.id}});
    struct remove_inserted {
      table_store* st;
      const row* inserted = nullptr;
      void operator()() {
        if (inserted == nullptr) return;
        st->unindex_row(*inserted);
        st->rows.erase(st->rows.find(inserted->id));
      }
    };
    log.apply(
        [&](remove_inserted& undo) {
          undo.inserted = &rows.emplace(r.id, r).first->second;
          index_row(*undo.inserted);
        },
        remove_inserted{this});
  }
  bool update(const row& r, undo_log& log) {
    auto it = rows.find(r.id);
    if (it == rows.end()) return false;
    struct restore {
      table_store* st;
      row* place;
      bool unindexed = false;
      std::optional<row> old{};
      void operator()() {
        if (old) {
          st->unindex_row(*place);
          *place = std::move(*old);
        }
        if (unindexed) st->index_row(*place);
      }
    };
    row replacement = r;  // copied before anything changes: the copy may throw
    log.apply(
        [&](restore& undo) {
          unindex_row(it->second);
          undo.unindexed = true;
          undo.old.emplace(std::move(it->second));
          it->second = std::move(replacement);
          index_row(it->second);
        },
        restore{this, &it->second});
    return true;
  }
  bool erase(std::string_view id, undo_log& log) {
    auto it = rows.find(id);
    if (it == rows.end()) return false;
    struct restore {
      table_store* st;
      typename row_map::node_type node;
      void operator()() {
        if (node.empty()) return;
        const row& r = node.mapped();
        st->rows.insert(std::move(node));
        st->index_row(r);
      }
    };
    log.apply(
        [&](restore& undo) {
          unindex_row(it->second);
          undo.node = rows.extract(it);
        },
        restore{this, {}});
    return true;
  }

  /// Moves every row whose Member equals `from` to `to`, through the column's index: one
  /// operation, like `UPDATE t SET member = to WHERE member = from`.
  template <auto Member>
  std::size_t reassign(std::string_view from, std::string_view to, undo_log& log) {
    constexpr std::size_t idx = index_of<Member>();
    if (from == to || indexes[idx].ids(from) == nullptr) return 0;
    struct restore {
      table_store* st;
      std::string from, to;
      string_set moved;       // the ids moved, while the mutation runs or when `to` had rows
      bool whole = false;     // `to` had no rows: the index's set moved whole and is `to`'s now
      void operator()() {
        index& ix = st->indexes[idx];
        string_set ids = whole ? ix.take(to) : string_set{};
        if (whole) ids.merge(moved);
        else
          for (const auto& id : moved) ix.remove(to, id);
        for (const auto& id : whole ? ids : moved) st->rows.at(id).*Member = from;
        if (whole) ix.put(from, std::move(ids));
        else ix.merge(from, moved);
      }
    };
    std::size_t count = 0;
    log.apply(
        [&](restore& undo) {
          index& ix = indexes[idx];
          undo.moved = ix.take(from);
          count = undo.moved.size();
          for (const auto& id : undo.moved) rows.at(id).*Member = undo.to;
          if (ix.ids(undo.to) == nullptr) {
            // The usual link: the new user has no rows yet, so the set of ids moves whole
            // instead of being copied.
            undo.whole = true;
            ix.put(undo.to, std::move(undo.moved));
            undo.moved.clear();
          } else {
            ix.merge(undo.to, undo.moved);
          }
        },
        restore{this, std::string(from), std::string(to), {}, false});
    return count;
  }

  /// Deletes every row whose Member equals `value` (through the index when it has one).
  template <auto Member, class Value>
  std::size_t erase_where(const Value& value, undo_log& log) {
    constexpr std::size_t idx = index_of<Member>();
    std::vector<std::string> ids;
    if constexpr (idx < index_count) {
      if (const auto* indexed = indexes[idx].ids(value)) ids.assign(indexed->begin(), indexed->end());
    } else {
      for (const auto& [id, r] : rows)
        if (r.*Member == value) ids.push_back(id);
    }
    for (const auto& id : ids) erase(id, log);
    return ids.size();
  }
};

/// Every application table's store side by side, one base per table, found by row type through
/// overload resolution. A std::tuple would nest its bases, each named by all the tables after it:
/// O(N^2) characters of symbols for N tables, which GCC's back end pays for superlinearly.
template <class Row, class Table>
struct table_slot {
  table_store<Table> store;
};
template <class... Tables>
struct table_set : table_slot<typename Tables::row_type, Tables>... {};

template <class Row, class Table>
table_store<Table>& store_of(table_slot<Row, Table>& slot) noexcept {
  return slot.store;
}
template <class Row, class Table>
const table_store<Table>& store_of(const table_slot<Row, Table>& slot) noexcept {
  return slot.store;
}

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
  /// The user table's name, for errors; sessions and accounts are "session" and "account", as
  /// in SQL.
  static constexpr std::string_view user_table_name = Schema::user_table_desc::name.view();
  template <class T>
  using table_store = detail::memory::table_store<T>;

  template <class List>
  struct stores_of;
  template <class... Tables>
  struct stores_of<detail::type_list<Tables...>> {
    using type = detail::memory::table_set<Tables...>;
  };

  using user_map = detail::memory::string_map<user>;
  using session_map = std::unordered_map<token_hash, session_record, detail::memory::digest_hash>;
  using account_map = detail::memory::string_map<account>;

  struct state {
    user_map users;
    /// The anonymous users, by id: a purge walks this instead of every user.
    std::set<const user*, detail::memory::by_id> guests;
    detail::memory::string_map<std::string> user_by_email;
    session_map sessions;
    detail::memory::string_map<std::vector<token_hash>> sessions_by_user;
    account_map accounts;
    detail::memory::string_map<std::string> account_by_provider;  // provider '\0' account id -> id
    detail::memory::string_map<detail::memory::string_set> accounts_by_user;
    typename stores_of<typename Schema::app_tables>::type tables;
  };

  template <class Row>
  static constexpr bool is_app_row() {
    return require_app_row<Schema, Row>();
  }

  static std::string provider_key(std::string_view provider, std::string_view account_id) {
    std::string key(provider);
    key.push_back('\0');
    key.append(account_id);
    return key;
  }
  /// Takes a session out of its user's list (the session itself stays).
  static void unlist_session(state& s, const session_record& rec) {
    if (auto it = s.sessions_by_user.find(rec.session.user_id); it != s.sessions_by_user.end()) {
      std::erase(it->second, rec.hash);
      if (it->second.empty()) s.sessions_by_user.erase(it);
    }
  }
  static void drop_session(state& s, typename session_map::iterator it) {
    unlist_session(s, it->second);
    s.sessions.erase(it);
  }
  /// Takes an account out of the provider and per-user indexes (the account itself stays).
  static void unlist_account(state& s, const account& a) {
    s.account_by_provider.erase(provider_key(a.provider_id, a.account_id));
    if (auto it = s.accounts_by_user.find(a.user_id); it != s.accounts_by_user.end()) {
      it->second.erase(a.id);
      if (it->second.empty()) s.accounts_by_user.erase(it);
    }
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
    /// In creation order, then by id, as every storage lists them.
    std::vector<account> accounts_of_user(std::string_view user_id) const {
      std::vector<account> out;
      if (auto it = s_->accounts_by_user.find(user_id); it != s_->accounts_by_user.end())
        for (const auto& id : it->second) out.push_back(s_->accounts.at(id));
      std::sort(out.begin(), out.end(), [](const account& a, const account& b) {
        return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
      });
      return out;
    }
    std::vector<user> anonymous_users_created_before(timestamp cutoff, std::string_view after_id,
                                                     std::size_t limit) const {
      std::vector<user> out;
      for (auto it = s_->guests.upper_bound(after_id); it != s_->guests.end() && out.size() < limit; ++it)
        if ((*it)->created_at < cutoff) out.push_back(**it);
      return out;
    }
    /// In creation order, then by id (the list keeps insertion order, which a session created
    /// with an earlier time does not follow).
    std::vector<session_record> sessions_of_user(std::string_view user_id) const {
      std::vector<session_record> out;
      if (auto it = s_->sessions_by_user.find(user_id); it != s_->sessions_by_user.end())
        for (const auto& h : it->second) out.push_back(s_->sessions.at(h));
      std::stable_sort(out.begin(), out.end(), [](const session_record& a, const session_record& b) {
        return std::tie(a.session.created_at, a.session.id) < std::tie(b.session.created_at, b.session.id);
      });
      return out;
    }

    template <class Row>
    std::size_t count() const {
      if constexpr (std::is_same_v<Row, user>) return s_->users.size();
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
      if constexpr (std::is_same_v<row, user>) {
        std::vector<row> out;
        for (const auto& [id, u] : s_->users)
          if (u.*Member == value) out.push_back(u);
        return out;
      } else {
        return store<row>().template find_by<Member>(value);
      }
    }
    /// find_by's rows, lazily, as `const Row&` from the store; valid while this reader is.
    template <auto Member, class Value>
    auto where(const Value& value) const {
      using row = detail::class_of_t<Member>;
      if constexpr (std::is_same_v<row, user>)
        return detail::memory::scanned_rows<Member, user_map>(s_->users, detail::member_type_t<Member>(value));
      else
        return detail::memory::rows_where<Member>(store<row>(), value);
    }

   protected:
    template <class Row>
    const auto& store() const {
      if constexpr (is_app_row<Row>()) return detail::memory::store_of<Row>(s_->tables);
    }
    const state* s_;
  };

  /// Write access: the exclusive lock and an undo log replayed on rollback.
  ///
  /// Every mutation goes through undo_log::apply: its undo step is stored before anything
  /// changes, and a mutation that throws half-way is undone at once. Each undo step restores the
  /// state from any prefix of its mutation. Erased users, sessions, accounts and rows leave their
  /// maps as extracted nodes owned by the undo step: nothing is copied, and a rollback puts the
  /// same nodes back (so an element keeps its address for the whole transaction).
  class writer : public reader {
   public:
    writer(state& s, detail::undo_log& log) : reader(s), m_(&s), log_(&log) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    void insert_user(const user& u) {
      if (m_->users.contains(u.id)) throw duplicate_key_error(user_table_name, {{"id", u.id}});
      if (m_->user_by_email.contains(u.email)) throw duplicate_key_error(user_table_name, {{"email", std::nullopt}});
      struct remove_inserted {
        state* s;
        const user* inserted = nullptr;
        void operator()() {
          if (inserted == nullptr) return;
          s->guests.erase(inserted);                // absent if not a guest or its insert failed
          s->user_by_email.erase(inserted->email);  // absent if its emplace failed: a no-op
          s->users.erase(s->users.find(inserted->id));
        }
      };
      log_->apply(
          [&](remove_inserted& undo) {
            undo.inserted = &m_->users.emplace(u.id, u).first->second;
            m_->user_by_email.emplace(u.email, u.id);
            if (u.is_anonymous) m_->guests.insert(undo.inserted);
          },
          remove_inserted{m_});
    }
    bool update_user(const user& u) {
      auto it = m_->users.find(u.id);
      if (it == m_->users.end()) return false;
      const bool email_changed = it->second.email != u.email;
      if (email_changed && m_->user_by_email.contains(u.email))
        throw duplicate_key_error(user_table_name, {{"email", std::nullopt}});
      struct restore {
        state* s;
        user* place;
        bool email_moved = false;
        std::optional<user> old{};
        void operator()() {
          if (!old) return;
          if (email_moved) {
            s->user_by_email.erase(place->email);
            s->user_by_email.insert_or_assign(old->email, old->id);
          }
          if (!old->is_anonymous) s->guests.erase(place);
          *place = std::move(*old);
          if (place->is_anonymous) s->guests.insert(place);
        }
      };
      user replacement = u;  // copied before anything changes: the copy may throw
      log_->apply(
          [&](restore& undo) {
            undo.old.emplace(std::move(it->second));
            it->second = std::move(replacement);
            if (email_changed) {
              undo.email_moved = true;
              m_->user_by_email.erase(undo.old->email);
              m_->user_by_email.emplace(u.email, u.id);
            }
            if (u.is_anonymous != undo.old->is_anonymous) {
              if (u.is_anonymous) m_->guests.insert(&it->second);
              else m_->guests.erase(&it->second);
            }
          },
          restore{m_, &it->second});
      return true;
    }
    bool erase_user(std::string_view id) {
      auto it = m_->users.find(id);
      if (it == m_->users.end()) return false;
      struct restore {
        state* s;
        typename user_map::node_type node;
        void operator()() {
          if (node.empty()) return;
          const user& u = node.mapped();
          s->users.insert(std::move(node));
          s->user_by_email.emplace(u.email, u.id);
          if (u.is_anonymous) s->guests.insert(&u);
        }
      };
      log_->apply(
          [&](restore& undo) {
            m_->guests.erase(&it->second);
            undo.node = m_->users.extract(it);
            m_->user_by_email.erase(undo.node.mapped().email);
          },
          restore{m_, {}});
      return true;
    }

    void insert_session(const session_record& rec) {
      if (m_->sessions.contains(rec.hash)) throw duplicate_key_error("session", {{"token_hash", std::nullopt}});
      log_->apply(
          [&] {
            m_->sessions.emplace(rec.hash, rec);
            m_->sessions_by_user[rec.session.user_id].push_back(rec.hash);
          },
          [s = m_, h = rec.hash] {
            if (auto it = s->sessions.find(h); it != s->sessions.end()) drop_session(*s, it);
          });
    }
    bool update_session(const session_record& rec) {
      auto it = m_->sessions.find(rec.hash);
      if (it == m_->sessions.end()) return false;
      struct restore {
        session* place;
        std::optional<session> old{};
        void operator()() {
          if (old) *place = std::move(*old);
        }
      };
      // What a refresh changes; the id, the user and the creation time stay (storage contract).
      session replacement = it->second.session;  // copied before anything changes
      replacement.expires_at = rec.session.expires_at;
      replacement.updated_at = rec.session.updated_at;
      replacement.ip_address = rec.session.ip_address;
      replacement.user_agent = rec.session.user_agent;
      log_->apply(
          [&](restore& undo) {
            undo.old.emplace(std::move(it->second.session));
            it->second.session = std::move(replacement);
          },
          restore{&it->second.session, std::nullopt});
      return true;
    }
    bool erase_session(const token_hash& h) {
      auto it = m_->sessions.find(h);
      if (it == m_->sessions.end()) return false;
      const auto& list = m_->sessions_by_user.at(it->second.session.user_id);
      struct restore {
        state* s;
        std::size_t position;  // in the user's list, which keeps sessions in creation order
        typename session_map::node_type node;
        void operator()() {
          if (node.empty()) return;
          const session_record& rec = node.mapped();
          s->sessions.insert(std::move(node));
          auto& hashes = s->sessions_by_user[rec.session.user_id];
          if (std::find(hashes.begin(), hashes.end(), rec.hash) == hashes.end())
            hashes.insert(hashes.begin() + static_cast<std::ptrdiff_t>(std::min(position, hashes.size())), rec.hash);
        }
      };
      log_->apply(
          [&](restore& undo) {
            undo.node = m_->sessions.extract(it);
            unlist_session(*m_, undo.node.mapped());
          },
          restore{m_, static_cast<std::size_t>(std::find(list.begin(), list.end(), h) - list.begin()), {}});
      return true;
    }
    std::size_t erase_sessions_of_user(std::string_view user_id) {
      auto it = m_->sessions_by_user.find(user_id);
      if (it == m_->sessions_by_user.end()) return 0;
      struct restore {
        state* s;
        std::string user_id;
        std::vector<typename session_map::node_type> nodes;
        std::optional<std::vector<token_hash>> hashes;  // the list, in its order
        void operator()() {
          for (auto& node : nodes)
            if (!node.empty()) s->sessions.insert(std::move(node));
          if (hashes) s->sessions_by_user.insert_or_assign(user_id, std::move(*hashes));
        }
      };
      restore prepared{m_, std::string(user_id), {}, std::nullopt};
      prepared.nodes.reserve(it->second.size());  // room before anything changes
      std::size_t count = 0;
      log_->apply(
          [&](restore& undo) {
            for (const auto& h : it->second) undo.nodes.push_back(m_->sessions.extract(h));
            count = undo.nodes.size();
            undo.hashes.emplace(std::move(it->second));
            m_->sessions_by_user.erase(it);
          },
          std::move(prepared));
      return count;
    }

    void insert_account(const account& a) {
      auto key = provider_key(a.provider_id, a.account_id);
      if (m_->accounts.contains(a.id)) throw duplicate_key_error("account", {{"id", a.id}});
      if (m_->account_by_provider.contains(key))
        throw duplicate_key_error("account", {{"provider_id", a.provider_id}, {"account_id", a.account_id}});
      log_->apply(
          [&] {
            m_->accounts.emplace(a.id, a);
            m_->account_by_provider.emplace(std::move(key), a.id);
            m_->accounts_by_user[a.user_id].insert(a.id);
          },
          [s = m_, id = a.id] {
            if (auto it = s->accounts.find(id); it != s->accounts.end()) {
              unlist_account(*s, it->second);
              s->accounts.erase(it);
            }
          });
    }
    /// Replaces a credential account's password hash (a rehash at a higher cost).
    bool update_password_hash(std::string_view account_id, const std::string& hash, timestamp at) {
      auto it = m_->accounts.find(account_id);
      if (it == m_->accounts.end()) return false;
      struct restore {
        account* place;
        std::optional<std::pair<std::optional<std::string>, timestamp>> old{};
        void operator()() {
          if (old) std::tie(place->password_hash, place->updated_at) = std::move(*old);
        }
      };
      std::optional<std::string> replacement = hash;  // copied before anything changes
      log_->apply(
          [&](restore& undo) {
            undo.old.emplace(std::move(it->second.password_hash), it->second.updated_at);
            it->second.password_hash = std::move(replacement);
            it->second.updated_at = at;
          },
          restore{&it->second, std::nullopt});
      return true;
    }
    std::size_t erase_accounts_of_user(std::string_view user_id) {
      auto it = m_->accounts_by_user.find(user_id);
      if (it == m_->accounts_by_user.end()) return 0;
      struct restore {
        state* s;
        std::vector<typename account_map::node_type> nodes;
        void operator()() {
          for (auto& node : nodes) {
            if (node.empty()) continue;
            const account& a = node.mapped();
            s->accounts.insert(std::move(node));
            s->account_by_provider.emplace(provider_key(a.provider_id, a.account_id), a.id);
            s->accounts_by_user[a.user_id].insert(a.id);
          }
        }
      };
      const std::vector<std::string> ids(it->second.begin(), it->second.end());
      restore prepared{m_, {}};
      prepared.nodes.reserve(ids.size());  // room before anything changes
      log_->apply(
          [&](restore& undo) {
            for (const auto& id : ids) {
              undo.nodes.push_back(m_->accounts.extract(id));
              unlist_account(*m_, undo.nodes.back().mapped());
            }
          },
          std::move(prepared));
      return ids.size();
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
        return mstore<detail::class_of_t<Member>>().template reassign<Member>(from, to, *log_);
      else
        return 0;
    }
    /// Deletes every row whose Member equals `value` (through the index when it has one).
    template <auto Member, class Value>
    std::size_t erase_where(const Value& value) {
      return mstore<detail::class_of_t<Member>>().template erase_where<Member>(value, *log_);
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
    try {
      if constexpr (std::is_void_v<decltype(std::forward<Fn>(fn)(w))>) {
        std::forward<Fn>(fn)(w);
        undo_.commit();
      } else {
        auto out = std::forward<Fn>(fn)(w);
        undo_.commit();
        return out;
      }
    } catch (...) {
      undo_.rollback();
      throw;
    }
  }

 private:
  mutable detail::memory::writer_preferring_mutex mutex_;
  state state_;
  detail::undo_log undo_;  // used under the exclusive lock only
};

}  // namespace anonauth

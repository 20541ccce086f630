// container_storage.hpp: an anonauth storage over standard containers, the worked example of
// docs/writing-a-storage.md, built from the installed package alone and checked by its
// conformance kit (check.cpp).
//
// Transactions by copying: a write works on a copy of the whole state and publishes it when its
// fn returns; a read keeps the state it started with. So a failed write leaves nothing behind,
// and a read never sees half a write, without an undo log. The price is a copy per write: fine
// for tests and small servers, not for a million users.
// snippet: policy
#pragma once

#include <anonauth/anonauth.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace shop {

namespace aa = anonauth;

/// The policy: a config, and a backend for any schema.
struct container_storage {
  struct config {};  // nothing to configure: every backend starts empty

  template <class Schema>
  class backend;
};
// end snippet

// snippet: state
template <class Schema>
class container_storage::backend {
  using user = aa::user_row_t<Schema>;
  template <class Row>
  using rows_by_id = std::map<std::string, Row, std::less<>>;
  template <class... Rows>
  using row_tables = std::tuple<rows_by_id<Rows>...>;

  /// Everything stored. Keys are compared byte by byte, as the contract orders ids.
  struct state {
    rows_by_id<user> users;
    std::map<std::string, std::string, std::less<>> user_by_email;  // email -> user id
    std::map<aa::token_hash, aa::session_record> sessions;           // by token hash
    rows_by_id<aa::account> accounts;
    std::map<std::pair<std::string, std::string>, std::string> account_by_provider;  // -> account id
    aa::app_rows_t<Schema, row_tables> rows;                         // one map per app table
  };

  /// The map of a row type: the users', or an app table's.
  template <class Row, class State>
  static auto& table_of(State& s) {
    if constexpr (std::is_same_v<Row, user>) return s.users;
    else return std::get<rows_by_id<Row>>(s.rows);
  }
  template <class Map, class Key>
  static auto find_in(const Map& map, const Key& key) -> std::optional<typename Map::mapped_type> {
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
  /// The one wording of a duplicate key (aa::duplicate_key_error); a column without a value is
  /// named but not shown.
  static aa::storage_error duplicate(std::string_view table, std::string_view column,
                                     std::optional<std::string_view> value) {
    return aa::duplicate_key_error(table, {{column, value}});
  }
  // end snippet

  // snippet: reader
 public:
  class reader {
   public:
    explicit reader(const state& s) : s_(&s) {}

    std::optional<user> find_user(std::string_view id) const { return find_in(s_->users, id); }
    std::optional<user> find_user_by_email(std::string_view email) const {
      auto it = s_->user_by_email.find(email);
      return it == s_->user_by_email.end() ? std::nullopt : find_user(it->second);
    }
    std::optional<aa::session_record> find_session(const aa::token_hash& hash) const {
      return find_in(s_->sessions, hash);
    }
    std::optional<aa::account> find_account(std::string_view provider_id, std::string_view account_id) const {
      auto it = s_->account_by_provider.find({std::string(provider_id), std::string(account_id)});
      return it == s_->account_by_provider.end() ? std::nullopt : find_in(s_->accounts, it->second);
    }
    /// By created_at, then id. A scan: an index on user_id would serve many users better.
    std::vector<aa::account> accounts_of_user(std::string_view user_id) const {
      std::vector<aa::account> out;
      for (const auto& [id, a] : s_->accounts)
        if (a.user_id == user_id) out.push_back(a);
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
      });
      return out;
    }
    std::vector<aa::session_record> sessions_of_user(std::string_view user_id) const {
      std::vector<aa::session_record> out;
      for (const auto& [hash, rec] : s_->sessions)
        if (rec.session.user_id == user_id) out.push_back(rec);
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.session.created_at, a.session.id) < std::tie(b.session.created_at, b.session.id);
      });
      return out;
    }
    /// The users map is ordered by id: start after after_id, keep guests created before t.
    std::vector<user> anonymous_users_created_before(aa::timestamp t, std::string_view after_id,
                                                     std::size_t limit) const {
      std::vector<user> out;
      for (auto it = s_->users.upper_bound(after_id); it != s_->users.end() && out.size() < limit; ++it)
        if (it->second.is_anonymous && it->second.created_at < t) out.push_back(it->second);
      return out;
    }

    template <class Row>
    std::size_t count() const { return table_of<Row>(*s_).size(); }
    template <class Row>
    std::optional<Row> find(std::string_view id) const { return find_in(table_of<Row>(*s_), id); }
    template <auto Member, class Value>
    std::vector<aa::row_of_member_t<Member>> find_by(const Value& value) const {
      std::vector<aa::row_of_member_t<Member>> out;
      for (const auto& [id, row] : table_of<aa::row_of_member_t<Member>>(*s_))
        if (row.*Member == value) out.push_back(row);
      return out;
    }

   private:
    const state* s_;
  };
  // end snippet

  // snippet: writer
  /// Writes the copy a write works on; nothing needs undoing, since a failed write drops it.
  class writer : public reader {
   public:
    explicit writer(state& s) : reader(s), m_(&s) {}

    void insert_user(const user& u) {
      if (m_->users.contains(u.id)) throw duplicate("user", "id", u.id);
      if (m_->user_by_email.contains(u.email)) throw duplicate("user", "email", std::nullopt);
      m_->users.emplace(u.id, u);
      m_->user_by_email.emplace(u.email, u.id);
    }
    bool update_user(const user& u) {
      auto it = m_->users.find(u.id);
      if (it == m_->users.end()) return false;
      if (u.email != it->second.email) {
        if (m_->user_by_email.contains(u.email)) throw duplicate("user", "email", std::nullopt);
        m_->user_by_email.erase(it->second.email);
        m_->user_by_email.emplace(u.email, u.id);
      }
      it->second = u;
      return true;
    }
    bool erase_user(std::string_view id) {
      auto it = m_->users.find(id);
      if (it == m_->users.end()) return false;
      m_->user_by_email.erase(it->second.email);
      m_->users.erase(it);
      return true;
    }

    void insert_session(const aa::session_record& rec) {
      if (!m_->sessions.emplace(rec.hash, rec).second) throw duplicate("session", "token_hash", std::nullopt);
    }
    /// What a refresh changes; the id, the user and the creation time stay.
    bool update_session(const aa::session_record& rec) {
      auto it = m_->sessions.find(rec.hash);
      if (it == m_->sessions.end()) return false;
      auto& s = it->second.session;
      s.expires_at = rec.session.expires_at;
      s.updated_at = rec.session.updated_at;
      s.ip_address = rec.session.ip_address;
      s.user_agent = rec.session.user_agent;
      return true;
    }
    bool erase_session(const aa::token_hash& hash) { return m_->sessions.erase(hash) > 0; }
    std::size_t erase_sessions_of_user(std::string_view user_id) {
      return std::erase_if(m_->sessions, [&](const auto& entry) { return entry.second.session.user_id == user_id; });
    }

    void insert_account(const aa::account& a) {
      if (m_->accounts.contains(a.id)) throw duplicate("account", "id", a.id);
      if (!m_->account_by_provider.emplace(std::pair(a.provider_id, a.account_id), a.id).second)
        throw aa::duplicate_key_error("account", {{"provider_id", a.provider_id}, {"account_id", a.account_id}});
      m_->accounts.emplace(a.id, a);
    }
    std::size_t erase_accounts_of_user(std::string_view user_id) {
      std::erase_if(m_->account_by_provider, [&](const auto& entry) { return m_->accounts.at(entry.second).user_id == user_id; });
      return std::erase_if(m_->accounts, [&](const auto& entry) { return entry.second.user_id == user_id; });
    }
    /// Optional: with it, a sign-in replaces a hash made at a lower cost than the hasher's.
    bool update_password_hash(std::string_view account_id, const std::string& hash, aa::timestamp at) {
      auto it = m_->accounts.find(account_id);
      if (it == m_->accounts.end()) return false;
      it->second.password_hash = hash;
      it->second.updated_at = at;
      return true;
    }

    template <class Row>
    void insert(const Row& row) {
      if (!table_of<Row>(*m_).emplace(row.id, row).second) throw duplicate(aa::table_name_v<Schema, Row>, "id", row.id);
    }
    template <class Row>
    bool update(const Row& row) {
      auto& rows = table_of<Row>(*m_);
      auto it = rows.find(row.id);
      if (it == rows.end()) return false;
      it->second = row;
      return true;
    }
    template <class Row>
    bool erase(std::string_view id) {
      auto& rows = table_of<Row>(*m_);
      auto it = rows.find(id);
      if (it == rows.end()) return false;
      rows.erase(it);
      return true;
    }
    template <auto Member>
    std::size_t reassign(std::string_view from, std::string_view to) {
      if (from == to) return 0;
      std::size_t moved = 0;
      for (auto& [id, row] : table_of<aa::row_of_member_t<Member>>(*m_))
        if (row.*Member == from) {
          row.*Member = std::string(to);
          ++moved;
        }
      return moved;
    }
    template <auto Member, class Value>
    std::size_t erase_where(const Value& value) {
      return std::erase_if(table_of<aa::row_of_member_t<Member>>(*m_),
                           [&](const auto& entry) { return entry.second.*Member == value; });
    }

   private:
    state* m_;
  };
  // end snippet

  // snippet: transactions
  explicit backend(const config& = {}) : current_(std::make_shared<const state>()) {}

  /// fn sees the state as it was when the read began, however many writes commit meanwhile.
  template <class Fn>
  auto read(Fn&& fn) const {
    const std::shared_ptr<const state> snapshot = published();
    const reader r(*snapshot);
    return std::forward<Fn>(fn)(r);
  }

  /// One write at a time (writes are serializable), on a copy published only if fn returns.
  template <class Fn>
  auto write(Fn&& fn) {
    std::lock_guard one_writer(writing_);
    auto draft = std::make_shared<state>(*published());
    writer w(*draft);
    if constexpr (std::is_void_v<decltype(std::forward<Fn>(fn)(w))>) {
      std::forward<Fn>(fn)(w);
      publish(std::move(draft));
    } else {
      auto result = std::forward<Fn>(fn)(w);
      publish(std::move(draft));
      return result;
    }
  }

 private:
  std::shared_ptr<const state> published() const {
    std::lock_guard lock(publishing_);
    return current_;
  }
  void publish(std::shared_ptr<const state> next) {
    std::lock_guard lock(publishing_);
    current_ = std::move(next);
  }

  std::mutex writing_;
  mutable std::mutex publishing_;
  std::shared_ptr<const state> current_;
};

}  // namespace shop
// end snippet

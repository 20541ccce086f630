// anonauth/storage/sql/writer.hpp: every write of the storage contract, in SQL, for any
// dialect and connector; a broken unique key becomes aa::duplicate_key_error.
#pragma once

#include <anonauth/storage/sql/reader.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace anonauth::sql {

/// Writes inside one write transaction; its reads lock what they return (reader's Locking).
template <class Schema, dialect D, class Connection>
class writer : public reader<Schema, D, Connection, true> {
  using base = reader<Schema, D, Connection, true>;
  using typename base::user;
  using typename base::sessions;
  using typename base::accounts;
  using sc = session_columns;
  using ac = account_columns;
  template <class Row>
  using table = typename base::template table<Row>;

 public:
  using base::base;
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  void insert_user(const user& u) { insert_row(u); }
  bool update_user(const user& u) { return update_row(u); }
  bool erase_user(std::string_view id) { return erase_row<user>(id); }

  void insert_session(const session_record& r) { insert_row(r); }
  /// What a refresh changes; the id, the user and the creation time stay (storage contract).
  bool update_session(const session_record& r) {
    using text = sql::update<D, sessions, set<sc::expires_at, sc::updated_at, sc::ip_address, sc::user_agent>,
                        sql::where<eq<sc::token_hash>>>;
    return execute(*this->c_, text::text(), r.session.expires_at, r.session.updated_at, r.session.ip_address,
                   r.session.user_agent, r.hash) > 0;
  }
  bool erase_session(const token_hash& h) {
    return execute(*this->c_, sql::erase<D, sessions, sql::where<eq<sc::token_hash>>>::text(), h) > 0;
  }
  std::size_t erase_sessions_of_user(std::string_view user_id) {
    return execute(*this->c_, sql::erase<D, sessions, sql::where<eq<sc::user_id>>>::text(), user_id);
  }

  void insert_account(const account& a) { insert_row(a); }
  /// Replaces a credential account's password hash (a rehash at a higher cost).
  bool update_password_hash(std::string_view account_id, const std::string& hash, timestamp at) {
    using text = sql::update<D, accounts, set<ac::password_hash, ac::updated_at>, sql::where<eq<ac::id>>>;
    return execute(*this->c_, text::text(), std::string_view(hash), at, account_id) > 0;
  }
  std::size_t erase_accounts_of_user(std::string_view user_id) {
    return execute(*this->c_, sql::erase<D, accounts, sql::where<eq<ac::user_id>>>::text(), user_id);
  }

  template <class Row>
  void insert(const Row& row) {
    if constexpr (require_app_row<Schema, Row>()) insert_row(row);
  }
  template <class Row>
  bool update(const Row& row) {
    if constexpr (require_app_row<Schema, Row>()) return update_row(row);
    else return false;
  }
  template <class Row>
  bool erase(std::string_view id) {
    if constexpr (require_app_row<Schema, Row>()) return erase_row<Row>(id);
    else return false;
  }
  /// `UPDATE t SET member = to WHERE member = from`: one statement, however many rows.
  template <auto Member>
  std::size_t reassign(std::string_view from, std::string_view to) {
    if constexpr (!require_user_reference<Schema, Member>()) {
      return 0;
    } else {
      using row = detail::class_of_t<Member>;
      using column = column_of<Member>;
      if (from == to) return 0;
      return execute(*this->c_, sql::update<D, table<row>, set<column>, sql::where<eq<column>>>::text(), to, from);
    }
  }
  template <auto Member, class Value>
  std::size_t erase_where(const Value& value) {
    using row = detail::class_of_t<Member>;
    if constexpr (!require_app_row<Schema, row>()) return 0;
    else return execute(*this->c_, sql::erase<D, table<row>, sql::where<eq<column_of<Member>>>>::text(), value);
  }

 private:
  // Any table's row: the user's, a session, an account, an application row.
  template <class Row>
  void insert_row(const Row& row) {
    auto st = this->c_->prepare(sql::insert<D, table<Row>>::text());
    bind_row(st, row);
    try {
      st.run();
    } catch (const unique_violation& e) {
      throw_duplicate_key(e, table<Row>::name(), table<Row>::known_keys(row));
    }
  }
  template <class Row>
  bool update_row(const Row& row) {
    auto st = this->c_->prepare(sql::update_row<D, table<Row>>::text());
    bind_row(st, row);
    st.bind(static_cast<int>(column_count<Row>()) + 1, row.id);
    try {
      return st.run() > 0;
    } catch (const unique_violation& e) {  // a user's email onto another's
      throw_duplicate_key(e, table<Row>::name(), table<Row>::known_keys(row));
    }
  }
  template <class Row>
  bool erase_row(std::string_view id) {
    return execute(*this->c_, sql::erase<D, table<Row>, sql::where<eq<typename table<Row>::id>>>::text(), id) > 0;
  }
};

}  // namespace anonauth::sql

// The SQL layer on its own: the statement text it generates for a dialect, the DDL of the
// on-disk schema, and the transaction skeleton's rollback and retry.
#include "catch.hpp"
#include "test_dialect.hpp"

#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/sql/reader.hpp>
#include <anonauth/storage/sql/schema_check.hpp>
#include <anonauth/storage/sql/statements.hpp>
#include <anonauth/storage/transaction.hpp>

#include <boost/hana/define_struct.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace aa = anonauth;
namespace sql = anonauth::sql;
using test_dialect::question_marks;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user, (std::string, id), (std::string, name), (std::string, email),
                           (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
                           (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
struct note {
  BOOST_HANA_DEFINE_STRUCT(note, (std::string, id), (std::string, owner), (std::string, body));
};
using schema = aa::schema<aa::user_table<user>, aa::table<"notes", note, aa::user_ref<&note::owner>>>;


/// Numbered parameters and PostgreSQL's types: what a second backend changes, and all it changes.
struct numbered : question_marks {
  static void placeholder(std::string& out, int n) { out.append("$").append(std::to_string(n)); }
  static constexpr std::string_view type_name(sql::value_kind kind) {
    switch (kind) {
      case sql::value_kind::text: return "TEXT";
      case sql::value_kind::boolean: return "BOOLEAN";
      case sql::value_kind::real: return "DOUBLE PRECISION";
      case sql::value_kind::blob: return "BYTEA";
      default: return "BIGINT";
    }
  }
  static constexpr std::string_view true_literal = "TRUE";
  static constexpr std::string_view false_literal = "FALSE";
};
static_assert(sql::dialect<question_marks> && sql::dialect<numbered>);

using users = sql::table_for_t<schema, user>;
using notes = sql::table_for_t<schema, note>;
using sc = sql::session_columns;
template <auto M>
using col = sql::column_of<M>;

}  // namespace

TEST_CASE("sql_layer.session_and_account_statements_are_generated_as_written_before", "[sql]") {
  using D = question_marks;
  CHECK(sql::select<D, sql::session_table, sql::where<sql::eq<sc::token_hash>>>::text() ==
        "SELECT \"id\", \"user_id\", \"expires_at\", \"created_at\", \"updated_at\", \"ip_address\", \"user_agent\", "
        "\"token_hash\" FROM \"session\" WHERE \"token_hash\" = ?");
  CHECK(sql::update<D, sql::session_table, sql::set<sc::expires_at, sc::updated_at, sc::ip_address, sc::user_agent>,
                    sql::where<sql::eq<sc::token_hash>>>::text() ==
        "UPDATE \"session\" SET \"expires_at\" = ?, \"updated_at\" = ?, \"ip_address\" = ?, \"user_agent\" = ? "
        "WHERE \"token_hash\" = ?");
  CHECK(sql::insert<D, sql::account_table>::text() ==
        "INSERT INTO \"account\" (\"id\", \"user_id\", \"provider_id\", \"account_id\", \"password_hash\", "
        "\"created_at\", \"updated_at\") VALUES (?, ?, ?, ?, ?, ?, ?)");
  CHECK(sql::select<D, sql::account_table, sql::where<sql::eq<sql::account_columns::user_id>>,
                    sql::order_by<sql::account_columns::created_at, sql::account_columns::id>>::text()
            .ends_with(" FROM \"account\" WHERE \"user_id\" = ? ORDER BY \"created_at\", \"id\""));
}

TEST_CASE("sql_layer.a_text_is_built_once", "[sql]") {
  using text = sql::count<question_marks, notes>;
  CHECK(&text::text() == &text::text());
  CHECK(text::text() == "SELECT count(*) FROM \"notes\"");
}

TEST_CASE("sql_layer.parameters_are_numbered_in_order_for_a_numbered_dialect", "[sql]") {
  using D = numbered;
  CHECK(sql::update_row<D, notes>::text() == "UPDATE \"notes\" SET \"id\" = $1, \"owner\" = $2, \"body\" = $3 WHERE \"id\" = $4");
  using purge = sql::select<D, users,
                            sql::where<sql::is_true<col<&user::is_anonymous>>, sql::less<col<&user::created_at>>,
                                       sql::greater<col<&user::id>>>,
                            sql::order_by<col<&user::id>>, sql::limit::param>;
  CHECK(purge::text().ends_with(
      " FROM \"user\" WHERE \"is_anonymous\" = TRUE AND \"created_at\" < $1 AND \"id\" > $2 ORDER BY \"id\" LIMIT $3"));
  CHECK(sql::update<D, notes, sql::set<col<&note::owner>>, sql::where<sql::eq<col<&note::owner>>>>::text() ==
        "UPDATE \"notes\" SET \"owner\" = $1 WHERE \"owner\" = $2");
}

TEST_CASE("sql_layer.tables_and_indexes_are_declared_as_on_disk", "[sql]") {
  using D = question_marks;
  CHECK(sql::create_table<D>("session", sql::column_specs<D, aa::session_record>()) ==
        "CREATE TABLE \"session\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"expires_at\" INTEGER NOT NULL, "
        "\"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL, \"ip_address\" TEXT NOT NULL, "
        "\"user_agent\" TEXT NOT NULL, \"token_hash\" BLOB NOT NULL)");
  CHECK(sql::create_table<D>("user", sql::column_specs<D, user>()) ==
        "CREATE TABLE \"user\" (\"id\" TEXT PRIMARY KEY, \"name\" TEXT NOT NULL, \"email\" TEXT NOT NULL, "
        "\"email_verified\" INTEGER NOT NULL, \"image\" TEXT, \"is_anonymous\" INTEGER NOT NULL, "
        "\"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL)");
  std::vector<std::string> indexes;
  for (const auto& index : sql::account_table::indexes()) indexes.push_back(sql::create_index<D>("account", index));
  CHECK(indexes == std::vector<std::string>{
                       "CREATE UNIQUE INDEX IF NOT EXISTS \"account_provider\" ON \"account\" (\"provider_id\", \"account_id\")",
                       "CREATE INDEX IF NOT EXISTS \"account_user_id\" ON \"account\" (\"user_id\")"});
  CHECK(sql::create_index<D>("notes", notes::indexes().at(0)) ==
        "CREATE INDEX IF NOT EXISTS \"notes_owner\" ON \"notes\" (\"owner\")");
}

TEST_CASE("sql_layer.a_unique_violation_names_the_key_or_keeps_the_databases_words", "[sql]") {
  const sql::unique_violation known("db: UNIQUE constraint failed: account.provider_id, account.account_id",
                                    {"account.provider_id", "account.account_id"});
  const aa::account a{"a1", "u1", "github", "gh-1", std::nullopt, {}, {}};
  try {
    sql::throw_duplicate_key(known, "account", sql::account_table::known_keys(a));
  } catch (const aa::storage_error& e) {
    CHECK(std::string(e.what()) == R"(duplicate key in table "account": provider_id "github", account_id "gh-1")");
  }
  const sql::unique_violation foreign("db: UNIQUE constraint failed: account.nickname", {"account.nickname"});
  try {
    sql::throw_duplicate_key(foreign, "account", sql::account_table::known_keys(a));
  } catch (const aa::storage_error& e) {
    CHECK(std::string(e.what()) == "db: UNIQUE constraint failed: account.nickname");
  }
}

namespace {
/// A transaction that records what the skeleton does and asks for `retries` more attempts.
struct recording_transaction {
  std::vector<std::string>* log;
  unsigned retries = 0;
  void begin() { log->push_back("begin"); }
  void commit() { log->push_back("commit"); }
  void rollback() noexcept { log->push_back("rollback"); }
  bool retry(unsigned attempt) { return attempt <= retries; }
};
struct plain_transaction {
  std::vector<std::string>* log;
  void begin() { log->push_back("begin"); }
  void commit() { log->push_back("commit"); }
  void rollback() noexcept { log->push_back("rollback"); }
};
}  // namespace

TEST_CASE("sql_layer.the_transaction_skeleton_rolls_back_and_retries_when_asked", "[sql]") {
  std::vector<std::string> log;
  int view = 0, calls = 0;
  recording_transaction retrying{&log, 1};
  CHECK(aa::detail::run_transaction(retrying, view, [&](int&) {
          if (++calls == 1) throw aa::storage_error("conflict");
          return 42;
        }) == 42);
  CHECK(log == std::vector<std::string>{"begin", "rollback", "begin", "commit"});

  log.clear();
  plain_transaction once{&log};
  CHECK_THROWS_AS(aa::detail::run_transaction(once, view, [](int&) { throw std::runtime_error("no"); }),
                  std::runtime_error);
  CHECK(log == std::vector<std::string>{"begin", "rollback"});
}

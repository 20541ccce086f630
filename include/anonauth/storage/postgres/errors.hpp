// anonauth/storage/postgres/errors.hpp: PostgreSQL's errors as anonauth's.
//
// Every failure is an aa::storage_error starting "postgres_storage: ", then what failed (the SQL
// text), then the server's primary message and its SQLSTATE. The message's DETAIL, which quotes
// the values of a broken key (an email), is never copied. A broken unique constraint is
// sql::unique_violation naming "table.column" for each column of its key, from which the SQL
// layer's writer names the key (as on SQLite).
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/sql/tables.hpp>

#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <vector>

namespace anonauth::postgres {

/// What a failed statement means for the transaction it ran in.
/// Listed strongest first: when an attempt fails more than once, the strongest decides.
enum class failure {
  timeout,       // no answer within io_timeout: the connection is given up; not retried
  conflict,      // 40001 serialization failure, 40P01 deadlock: run the transaction again
  unique,        // 23505: run it once more, which sees the row the other transaction committed
  connection,    // the connection is gone (class 08, 57P01..57P03): a fresh one may succeed
  stale_plan,    // 26000 / 0A000 "cached plan must not change result type": prepare again
  other,         // everything else: the transaction's own error
};

/// The class of a SQLSTATE (five characters; empty when libpq made the error itself).
inline failure classify(std::string_view state) {
  if (state == "40001" || state == "40P01") return failure::conflict;
  if (state == "23505") return failure::unique;
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") return failure::connection;
  if (state == "26000") return failure::stale_plan;
  return failure::other;
}

/// The columns of a unique violation's key, from its DETAIL: `Key (a, b)=(...) already exists.`
/// Only the names are read; the values stay unread.
inline std::vector<std::string> key_columns(std::string_view table, std::string_view detail) {
  std::vector<std::string> out;
  constexpr std::string_view lead = "Key (";
  if (table.empty() || !detail.starts_with(lead)) return out;
  detail.remove_prefix(lead.size());
  const auto end = detail.find(")=(");
  if (end == std::string_view::npos) return out;
  std::string_view names = detail.substr(0, end);
  while (!names.empty()) {
    const auto comma = names.find(", ");
    std::string_view one = names.substr(0, comma);
    if (one.size() >= 2 && one.front() == '"' && one.back() == '"') one = one.substr(1, one.size() - 2);
    out.push_back(std::string(table) + "." + std::string(one));
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 2);
  }
  return out;
}

/// A failed statement's error, as thrown: a storage_error whose failure() says what to do.
class statement_error : public storage_error {
 public:
  statement_error(const std::string& message, failure f, std::string state)
      : storage_error(message), failure_(f), state_(std::move(state)) {}
  [[nodiscard]] failure kind() const noexcept { return failure_; }
  [[nodiscard]] const std::string& sqlstate() const noexcept { return state_; }

 private:
  failure failure_;
  std::string state_;
};

/// The message for `what`, with the server's words and SQLSTATE.
inline std::string message_of(std::string_view what, std::string_view reason, std::string_view state) {
  std::string message = "postgres_storage: ";
  message.append(what);
  message.append(": ");
  message.append(reason);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!state.empty()) message.append(" (SQLSTATE ").append(state).append(")");
  return message;
}

/// Throws for a failed result (`res` may be null: the connection's own error).
[[noreturn]] inline void fail(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string reason = primary != nullptr ? primary : (conn != nullptr ? PQerrorMessage(conn) : "no connection");
  const std::string code = state != nullptr ? state : "";
  failure kind = classify(code);
  if (code.empty() && (conn == nullptr || PQstatus(conn) == CONNECTION_BAD)) kind = failure::connection;
  const std::string message = message_of(what, reason, code);
  if (kind == failure::unique) {
    const char* table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    throw sql::unique_violation(message, key_columns(table != nullptr ? table : "", detail != nullptr ? detail : ""));
  }
  throw statement_error(message, kind, code);
}

}  // namespace anonauth::postgres

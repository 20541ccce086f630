// anonauth/schema_sql.hpp: the SQL an auth's storage would run on a database, without running it.
//
//   std::cout << aa::schema_sql<auth_type>();                                  // a new database
//   std::cout << aa::schema_sql<auth_type>(aa::sqlite_config{.path = "app.db"}); // what app.db lacks
//
// For teams whose migrations live in their own tool (Flyway, Alembic, sqitch): paste the output
// there, and open the storage without aa::schema_migration::additive. Against a database, the
// statements are what an additive migration would run now (empty when nothing is missing); the
// database is only read. A mismatch no statement may fix (a column of another type, a column
// that cannot be added) is the aa::storage_error opening the storage gives.
#pragma once

#include <anonauth/diag/storage.hpp>

#include <string>

namespace anonauth {

/// Every statement, each followed by ";\n". Needs an SQL storage (E131).
template <class Auth>
std::string schema_sql(const typename Auth::storage_config& config = {}) {
  using backend = typename Auth::backend_type;
  std::string out;
  if constexpr (requires { backend::schema_statements(config); }) {
    for (const auto& statement : backend::schema_statements(config)) out.append(statement).append(";\n");
  } else {
    diag::report<diag::storage_without_sql<backend>>();
  }
  return out;
}

}  // namespace anonauth

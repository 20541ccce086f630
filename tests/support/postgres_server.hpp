// The throwaway PostgreSQL server of a test run (scripts/pg-cluster.sh, started by the CTest
// fixture anonauth.postgres.server_start), and a fresh schema on it per test: tests of the
// PostgreSQL storage are defined when the build has it (ANONAUTH_HAS_POSTGRES, with
// ANONAUTH_TEST_POSTGRES_STATE the fixture's state directory).
#pragma once

#ifdef ANONAUTH_HAS_POSTGRES

#include <anonauth/storage/postgres/postgres.hpp>

#include <libpq-fe.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace postgres_server {

/// A file of the fixture's state directory (conninfo, datadir, port), its first line.
inline std::string state(const std::string& name) {
  std::ifstream in(std::string(ANONAUTH_TEST_POSTGRES_STATE) + "/" + name);
  std::string line;
  if (!in || !std::getline(in, line))
    throw std::runtime_error("no PostgreSQL server for the tests: run them through ctest, or start one with "
                             "scripts/pg-cluster.sh start " ANONAUTH_TEST_POSTGRES_STATE);
  return line;
}

inline const std::string& conninfo() {
  static const std::string c = state("conninfo");
  return c;
}

/// A schema nobody else uses: "t<pid>_<n>_<purpose>".
inline std::string fresh_schema(const std::string& purpose) {
  static std::atomic<int> next{0};
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next) + "_";
  for (char c : purpose) name.push_back((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
  return name.substr(0, 60);
}

/// A configuration on a fresh schema, with a small pool (many backends live in one test run).
inline anonauth::postgres_config fresh_config(const std::string& purpose) {
  anonauth::postgres_config config;
  config.conninfo = conninfo();
  config.schema = fresh_schema(purpose);
  config.pool_size = 4;
  return config;
}

/// A connection of the test's own, beside the storage's (to look, or to interfere).
class session {
 public:
  explicit session(const std::string& info = conninfo()) : c_(PQconnectdb(info.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(std::string("test connection: ") + PQerrorMessage(c_));
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session() { PQfinish(c_); }
  /// Runs `sql`; the first value of its first row ("" when none).
  std::string value(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      std::string e = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("test SQL failed: " + sql + ": " + e);
    }
    std::string out = PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
  }
  PGconn* get() const noexcept { return c_; }

 private:
  PGconn* c_;
};

}  // namespace postgres_server

#endif

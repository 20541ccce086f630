// The storages every behaviour is tested on, and a fresh configuration of each: a memory store,
// a new SQLite file in the run's directory, or a new schema on the run's PostgreSQL server. SQLite
// is among them when the build has anonauth::sqlite (ANONAUTH_HAS_SQLITE, defined by CMake),
// PostgreSQL when it has anonauth::postgres and a server to test on (ANONAUTH_HAS_POSTGRES); the
// memory storage always is.
//
//   TEMPLATE_TEST_CASE("suite.case", "[suite]", ANONAUTH_TEST_STORAGES) {
//     my_auth<TestType> auth{storages::fresh_config<TestType>("suite"), clock};
#pragma once

#include <anonauth/storage/memory.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include <anonauth/storage/sqlite/sqlite.hpp>
#endif

#include "postgres_server.hpp"
#include "test_files.hpp"

#include <atomic>
#include <string>

#ifdef ANONAUTH_HAS_SQLITE
#define ANONAUTH_TEST_SQLITE_STORAGE , anonauth::sqlite_storage
#else
#define ANONAUTH_TEST_SQLITE_STORAGE
#endif
#ifdef ANONAUTH_HAS_POSTGRES
#define ANONAUTH_TEST_POSTGRES_STORAGE , anonauth::postgres_storage
#else
#define ANONAUTH_TEST_POSTGRES_STORAGE
#endif
#define ANONAUTH_TEST_STORAGES anonauth::memory_storage ANONAUTH_TEST_SQLITE_STORAGE ANONAUTH_TEST_POSTGRES_STORAGE

namespace storages {

/// The default configuration; for SQLite, a file of its own named after `purpose`.
template <class Storage>
typename Storage::config fresh_config(const std::string& /*purpose*/) {
  return {};
}
#ifdef ANONAUTH_HAS_SQLITE
template <>
inline anonauth::sqlite_config fresh_config<anonauth::sqlite_storage>(const std::string& purpose) {
  static std::atomic<int> next{0};
  anonauth::sqlite_config config;
  config.path = test_files::unique_path(purpose + "-" + std::to_string(++next) + ".db");
  return config;
}
#endif

#ifdef ANONAUTH_HAS_POSTGRES
template <>
inline anonauth::postgres_config fresh_config<anonauth::postgres_storage>(const std::string& purpose) {
  return postgres_server::fresh_config(purpose);
}
#endif

}  // namespace storages

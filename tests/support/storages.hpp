// The storages every behaviour is tested on, and a fresh configuration of each: a memory store,
// or a new SQLite file in the run's directory. SQLite is among them when the build has
// anonauth::sqlite (ANONAUTH_HAS_SQLITE, defined by CMake); the memory storage always is.
//
//   TEMPLATE_TEST_CASE("suite.case", "[suite]", ANONAUTH_TEST_STORAGES) {
//     my_auth<TestType> auth{storages::fresh_config<TestType>("suite"), clock};
#pragma once

#include <anonauth/storage/memory.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include <anonauth/storage/sqlite/sqlite.hpp>
#endif

#include "test_files.hpp"

#include <atomic>
#include <string>

#ifdef ANONAUTH_HAS_SQLITE
#define ANONAUTH_TEST_STORAGES anonauth::memory_storage, anonauth::sqlite_storage
#else
#define ANONAUTH_TEST_STORAGES anonauth::memory_storage
#endif

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

}  // namespace storages

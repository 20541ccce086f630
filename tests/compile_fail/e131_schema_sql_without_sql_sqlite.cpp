// [anonauth.E131] aa::schema_sql prints the SQL storage's tables: the memory storage has no SQL to
// print, and says so at compile time; on SQLite (the twin) it is the schema's DDL.
#include "common.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

#include <iostream>

#ifdef ANONAUTH_EXPECT_FAIL
using storage = aa::memory_storage;
#else
using storage = aa::sqlite_storage;
#endif
using auth_type = aa::anonymous_auth<app_schema, aa::storage<storage>, aa::link<app_migrations>>;

int main() {
  const std::string script = aa::schema_sql<auth_type>();
  std::cout << script;
  return script.empty() ? 1 : 0;
}

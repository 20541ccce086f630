// anonauth/storage/memory.hpp: the in-memory storage (the default).
//
// Hash tables per table, an index on every user-reference column, the token hash as the session
// key. Useful for tests, single-process servers, and as the reference the SQL backends are
// checked against. The pieces live in storage/memory/: table_store.hpp (one table, any table,
// with its undo steps), tables.hpp (what each table is), where.hpp (the lazy where ranges),
// backend.hpp (the storage policy).
#pragma once

#include <anonauth/storage/memory/backend.hpp>

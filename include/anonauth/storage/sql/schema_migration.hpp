// anonauth/storage/sql/schema_migration.hpp: what an SQL storage does with a database whose
// tables lack what the schema now has.
#pragma once

namespace anonauth {

/// The `migrate` setting of an SQL storage's config.
enum class schema_migration {
  /// A table that lacks a column the schema declares is an aa::storage_error naming both, and
  /// nothing is changed (missing indexes are created).
  none,
  /// Missing columns are added, in the transaction that checks the tables: an optional member as
  /// a nullable column, another app field as NOT NULL with its default member value as DEFAULT
  /// (`int points = 0;` gives DEFAULT 0), and the user's is_anonymous and email_verified flags
  /// as DEFAULT false. Nothing is ever dropped, renamed or retyped; a column that cannot be
  /// added (a key, a user reference, another core field) is the error `none` gives.
  additive,
};

}  // namespace anonauth

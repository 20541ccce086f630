// anonauth/storage/sql/session_account_rows.hpp: the session and account rows, described like
// application rows, so that the same generator writes their tables and statements.
//
// The column order is the tables' order on disk (databases made by earlier versions open
// unchanged): a session record is its session's members, then its token's hash. The names here
// are the columns' own; a schema's aa::session_table / aa::account_table renames them by member,
// `aa::column<&aa::session::user_id, "owner">`, `aa::column<&aa::session_record::hash, "token">`,
// `aa::column<&aa::account::provider_id, "provider">` (the member an accessor reads, whether
// sql::field or sql::nested_field; tables.hpp applies them).
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/storage/sql/columns.hpp>

#include <boost/hana/tuple.hpp>

namespace anonauth::sql {

/// The columns of a session record, by name.
struct session_columns {
  template <auto M>
  using of = nested_field<&session_record::session, M>;
  using id = of<&session::id>;
  using user_id = of<&session::user_id>;
  using expires_at = of<&session::expires_at>;
  using created_at = of<&session::created_at>;
  using updated_at = of<&session::updated_at>;
  using ip_address = of<&session::ip_address>;
  using user_agent = of<&session::user_agent>;
  using token_hash = field<&session_record::hash>;
};

template <>
struct row_description<session_record> {
  using c = session_columns;
  static constexpr auto columns = boost::hana::make_tuple(
      column<c::id>{"id"}, column<c::user_id>{"user_id"}, column<c::expires_at>{"expires_at"},
      column<c::created_at>{"created_at"}, column<c::updated_at>{"updated_at"}, column<c::ip_address>{"ip_address"},
      column<c::user_agent>{"user_agent"}, column<c::token_hash>{"token_hash"});
};

/// The columns of an account, by name.
struct account_columns {
  using id = field<&account::id>;
  using user_id = field<&account::user_id>;
  using provider_id = field<&account::provider_id>;
  using account_id = field<&account::account_id>;
  using password_hash = field<&account::password_hash>;
  using created_at = field<&account::created_at>;
  using updated_at = field<&account::updated_at>;
};

template <>
struct row_description<account> {
  using c = account_columns;
  static constexpr auto columns = boost::hana::make_tuple(
      column<c::id>{"id"}, column<c::user_id>{"user_id"}, column<c::provider_id>{"provider_id"},
      column<c::account_id>{"account_id"}, column<c::password_hash>{"password_hash"},
      column<c::created_at>{"created_at"}, column<c::updated_at>{"updated_at"});
};

}  // namespace anonauth::sql

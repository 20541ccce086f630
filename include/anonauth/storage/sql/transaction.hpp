// anonauth/storage/sql/transaction.hpp: an SQL transaction on one connection, for
// detail::run_transaction (storage/transaction.hpp).
//
// Transaction control is prepared like every statement (parsing BEGIN each time costs a
// session lookup measurably); the rollback bypasses the fault hook, so that it cannot be made
// to fail. A connection whose commits can conflict (a serializable database) has
// `bool retry(unsigned attempt)`, called after the rollback with the failure current; this
// transaction passes it on.
#pragma once

#include <anonauth/storage/sql/dialect.hpp>

#include <string>

namespace anonauth::sql {

/// The transaction statements of dialect D, as texts with static storage duration.
template <dialect D>
struct transaction_texts {
  static inline const std::string begin_write{D::begin_write};
  static inline const std::string begin_read{D::begin_read};
  static inline const std::string commit{D::commit};
  static inline const std::string rollback{D::rollback};
};

enum class access { read, write };

template <dialect D, class Connection>
class transaction {
 public:
  transaction(Connection& c, access a)
      : c_(&c), begin_(&(a == access::write ? texts::begin_write : texts::begin_read)) {}

  void begin() { c_->prepare(*begin_).run(); }
  void commit() { c_->prepare(texts::commit).run(); }
  void rollback() noexcept { c_->execute_quietly(texts::rollback.c_str()); }
  bool retry(unsigned attempt)
    requires requires(Connection& c) { c.retry(attempt); }
  {
    return c_->retry(attempt);
  }

 private:
  using texts = transaction_texts<D>;
  Connection* c_;
  const std::string* begin_;
};

}  // namespace anonauth::sql

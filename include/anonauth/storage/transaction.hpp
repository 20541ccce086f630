// anonauth/storage/transaction.hpp: the one transaction skeleton every in-tree storage runs.
//
// begin, run fn, commit; on a throw (fn's or the commit's) roll back and rethrow, unless the
// transaction asks for another attempt. What begin, commit and rollback mean is the backend's:
// an undo log for the memory storage, BEGIN/COMMIT statements for an SQL one (sql/transaction.hpp).
// The caller holds the reentrancy guard and the locks: those come before begin, and differ.
#pragma once

#include <anonauth/storage/reentrancy.hpp>

#include <concepts>
#include <type_traits>
#include <utility>

namespace anonauth::detail {

/// What run_transaction drives. `retry(attempt)` is optional: called inside the catch block
/// after the rollback (std::current_exception() is the failure), true runs fn again. A backend
/// whose commit can conflict (a serializable database) says yes to a conflict; the others have
/// no retry and run fn exactly once.
template <class Tx>
concept transaction = requires(Tx& tx) {
  tx.begin();
  tx.commit();
  { tx.rollback() } noexcept;
};

template <class Tx>
concept retrying_transaction = transaction<Tx> && requires(Tx& tx, unsigned attempt) {
  { tx.retry(attempt) } -> std::same_as<bool>;
};

/// Runs fn(view) inside tx and returns what fn returns. A failed begin leaves at once (there
/// is nothing to roll back).
template <transaction Tx, class View, class Fn>
auto run_transaction(Tx& tx, View& view, Fn&& fn) {
  using result = decltype(fn(view));
  for (unsigned attempt = 1;; ++attempt) {
    tx.begin();
    try {
      // fn may run again: only the last attempt may consume it.
      auto&& call = [&]() -> result {
        if constexpr (retrying_transaction<Tx>) return fn(view);
        else return std::forward<Fn>(fn)(view);
      };
      if constexpr (std::is_void_v<result>) {
        call();
        tx.commit();
        return;
      } else {
        auto out = call();
        tx.commit();
        return out;
      }
    } catch (...) {
      tx.rollback();
      if constexpr (retrying_transaction<Tx>) {
        if (tx.retry(attempt)) continue;
      }
      throw;
    }
  }
}

}  // namespace anonauth::detail

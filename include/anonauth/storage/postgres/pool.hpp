// anonauth/storage/postgres/pool.hpp: the connections of one PostgreSQL storage.
//
// At most `size` connections, opened on demand (an idle pool holds none it did not need); a
// read or write leases one for its transaction. Waiting for a free one ends after
// acquire_timeout with an aa::storage_error. A connection that broke (lost, timed out) is
// closed when it comes back, and the next lease opens a fresh one: the pool recovers by itself
// once the server is back.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/postgres/connection.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace anonauth::postgres {

class pool {
 public:
  pool(const settings& s, std::size_t size, std::chrono::milliseconds acquire_timeout)
      : settings_(&s), size_(size == 0 ? 1 : size), acquire_timeout_(acquire_timeout) {}
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  /// A connection for the caller's transaction; returned by the lease's end.
  class lease {
   public:
    explicit lease(pool& p) : pool_(&p), c_(p.acquire()) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { pool_->release(std::move(c_)); }
    connection& get() const noexcept { return *c_; }

   private:
    pool* pool_;
    std::unique_ptr<connection> c_;
  };

  /// Connections open now (idle or leased): for tests and metrics.
  std::size_t open() const {
    std::lock_guard lock(mutex_);
    return open_;
  }

 private:
  std::unique_ptr<connection> acquire() {
    std::unique_lock lock(mutex_);
    const bool ready = freed_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || open_ < size_; });
    if (!ready)
      throw storage_error("postgres_storage: no connection free within " + std::to_string(acquire_timeout_.count()) +
                          " ms (all " + std::to_string(size_) + " in use; raise pool_size or acquire_timeout)");
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    try {
      return std::make_unique<connection>(*settings_);
    } catch (...) {
      lock.lock();
      --open_;
      freed_.notify_one();
      throw;
    }
  }
  void release(std::unique_ptr<connection> c) noexcept {
    std::unique_lock lock(mutex_);
    if (c->broken()) {
      --open_;
      lock.unlock();
      c.reset();  // closed outside the lock
    } else {
      idle_.push_back(std::move(c));
      lock.unlock();
    }
    freed_.notify_one();
  }

  const settings* settings_;
  std::size_t size_;
  std::chrono::milliseconds acquire_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace anonauth::postgres

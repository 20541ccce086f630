// anonauth/storage/sqlite/reader_pool.hpp: the read connections of a file database, one per
// concurrent read; a read waits for a free one.
#pragma once

#include <anonauth/storage/sqlite/connection.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace anonauth::sqlite {

class reader_pool {
 public:
  void add(std::unique_ptr<connection> c) {
    idle_.push_back(c.get());
    all_.push_back(std::move(c));
  }

  /// A free connection, waiting for one; give it back with release.
  connection* acquire() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !idle_.empty(); });
    connection* c = idle_.back();
    idle_.pop_back();
    return c;
  }
  void release(connection* c) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(c);
    }
    ready_.notify_one();
  }

  /// A connection for one read, back in the pool when the lease ends.
  class lease {
   public:
    explicit lease(reader_pool& pool) : pool_(&pool), c_(pool.acquire()) {}
    ~lease() { pool_->release(c_); }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    connection& get() const noexcept { return *c_; }

   private:
    reader_pool* pool_;
    connection* c_;
  };

 private:
  std::vector<std::unique_ptr<connection>> all_;
  std::vector<connection*> idle_;
  std::mutex mutex_;
  std::condition_variable ready_;
};

}  // namespace anonauth::sqlite

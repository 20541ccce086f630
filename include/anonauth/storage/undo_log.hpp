// anonauth/storage/undo_log.hpp: the undo log of the memory storage's write transactions.
//
// Every mutation of a write transaction records how to undo itself; a rollback runs the steps
// newest first, a commit drops them. Steps are move-only callables of any type stored back to
// back in blocks the log keeps from one transaction to the next, so once warm, recording a step
// allocates nothing: no type erasure through std::function (one heap allocation and one free per
// change), and a step may own what it restores (an extracted hash node, a moved-out row) instead
// of a copy.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace anonauth::detail {

class undo_log {
 public:
  undo_log() = default;
  undo_log(const undo_log&) = delete;
  undo_log& operator=(const undo_log&) = delete;
  ~undo_log() { finish(false); }

  /// Records `undo`, then runs `mutate(stored_undo)`, which may fill in what the step restores.
  ///
  /// Storing the step may throw (bad_alloc, or Undo's move): nothing has changed yet. A mutation
  /// that throws half-way is undone at once and its step dropped, so each step must restore the
  /// state from any prefix of its mutation.
  template <class Mutate, class Undo>
  void apply(Mutate&& mutate, Undo&& undo) {
    using fn_type = std::decay_t<Undo>;
    static_assert(std::is_invocable_v<fn_type&>, "an undo step is called with no arguments");
    const mark before = mark_;
    step<fn_type>* s;
    try {
      s = ::new (allocate(sizeof(step<fn_type>), alignof(step<fn_type>))) step<fn_type>(std::forward<Undo>(undo), last_);
    } catch (...) {
      mark_ = before;
      throw;
    }
    try {
      if constexpr (std::is_invocable_v<Mutate&&, fn_type&>) std::forward<Mutate>(mutate)(s->fn);
      else std::forward<Mutate>(mutate)();
    } catch (...) {
      step<fn_type>::finish(s, true);
      mark_ = before;
      throw;
    }
    last_ = s;
  }

  /// Undoes every recorded step, newest first.
  void rollback() noexcept { finish(true); }
  /// Keeps the changes and drops the steps.
  void commit() noexcept { finish(false); }

  [[nodiscard]] bool empty() const noexcept { return last_ == nullptr; }

 private:
  struct node {
    void (*finish)(node*, bool run) noexcept;
    node* previous;
  };
  template <class Fn>
  struct step : node {
    Fn fn;
    template <class F>
    step(F&& f, node* previous) : node{&step::finish, previous}, fn(std::forward<F>(f)) {}
    static void finish(node* n, bool run) noexcept {
      auto* self = static_cast<step*>(n);
      if (run) self->fn();  // an undo step that throws ends the process: the state is unknown
      self->~step();
    }
  };

  struct block {
    std::unique_ptr<std::byte[]> bytes;
    std::size_t size = 0;
    std::unique_ptr<block> next;
  };
  struct mark {
    block* current = nullptr;
    std::size_t used = 0;
  };

  static constexpr std::size_t first_block_size = 4096;
  /// What the log keeps between transactions: one large transaction (a purge, a link moving
  /// 100 000 rows) must not pin its peak memory for the life of the storage.
  static constexpr std::size_t kept_bytes = 64 * 1024;

  void* allocate(std::size_t size, std::size_t align) {
    static_assert(alignof(node) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) throw std::bad_alloc();  // over-aligned steps: none of ours
    for (;;) {
      if (mark_.current != nullptr) {
        const std::size_t at = (mark_.used + align - 1) / align * align;
        if (at + size <= mark_.current->size) {
          mark_.used = at + size;
          return mark_.current->bytes.get() + at;
        }
        if (mark_.current->next == nullptr) mark_.current->next = make_block(std::max(2 * mark_.current->size, size));
        mark_ = {mark_.current->next.get(), 0};
      } else {
        if (first_ == nullptr) first_ = make_block(std::max(first_block_size, size));
        mark_ = {first_.get(), 0};
      }
    }
  }
  static std::unique_ptr<block> make_block(std::size_t size) {
    auto b = std::make_unique<block>();
    b->bytes = std::make_unique_for_overwrite<std::byte[]>(size);
    b->size = size;
    return b;
  }

  void finish(bool run) noexcept {
    for (node* n = last_; n != nullptr;) {
      node* previous = n->previous;
      n->finish(n, run);
      n = previous;
    }
    last_ = nullptr;
    mark_ = {};
    std::size_t kept = 0;
    for (block* b = first_.get(); b != nullptr; b = b->next.get()) {
      kept += b->size;
      if (kept + (b->next ? b->next->size : 0) > kept_bytes) {
        b->next.reset();
        break;
      }
    }
  }

  std::unique_ptr<block> first_;
  mark mark_;
  node* last_ = nullptr;
};

}  // namespace anonauth::detail

// Memory for the lists of one parse (tokens, pieces, clusters, lowercase copies). Allocation cuts
// the next bytes from a block held inside the arena, then from heap blocks once that is used up;
// nothing is given back before the arena ends, when its heap blocks are freed together. Unlike a
// std::pmr resource, allocation is an inline call, not a virtual one: a parse makes a dozen.
// Private to timeparse. Not thread-safe: one arena per call, on the caller's stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace tweetup::timeparse {

class scratch_arena {
 public:
  scratch_arena() = default;
  scratch_arena(const scratch_arena&) = delete;
  scratch_arena& operator=(const scratch_arena&) = delete;

  // `align` is a power of two.
  void* allocate(std::size_t size, std::size_t align) {
    const auto base = reinterpret_cast<std::uintptr_t>(block_);
    const std::size_t at = ((base + used_ + align - 1) & ~(align - 1)) - base;
    if (at <= capacity_ && size <= capacity_ - at) {
      used_ = at + size;
      return block_ + at;
    }
    return allocate_from_heap(size, align);
  }

  // A standard allocator over the arena, for std::vector. Deallocation does nothing.
  template <typename T>
  class allocator {
   public:
    using value_type = T;
    explicit allocator(scratch_arena& arena) : arena_(&arena) {}
    template <typename U>
    allocator(const allocator<U>& other) : arena_(other.arena()) {}

    T* allocate(std::size_t n) {
      if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
      return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
    }
    void deallocate(T*, std::size_t) {}
    scratch_arena* arena() const { return arena_; }

    template <typename U>
    friend bool operator==(const allocator& a, const allocator<U>& b) {
      return a.arena_ == b.arena();
    }

   private:
    scratch_arena* arena_;
  };

  template <typename T>
  using vector = std::vector<T, allocator<T>>;

  template <typename T>
  allocator<T> make() {
    return allocator<T>(*this);
  }

 private:
  void* allocate_from_heap(std::size_t size, std::size_t align) {
    // Each heap block is at least twice the last, so a long input takes few of them.
    const std::size_t wanted = size + align;
    const std::size_t grown = wanted > 2 * capacity_ ? wanted : 2 * capacity_;
    heap_.push_back(std::unique_ptr<std::byte[]>(new std::byte[grown]));
    block_ = heap_.back().get();
    capacity_ = grown;
    used_ = 0;
    return allocate(size, align);
  }

  alignas(std::max_align_t) std::byte inline_[16384];
  std::byte* block_ = inline_;
  std::size_t capacity_ = sizeof inline_;
  std::size_t used_ = 0;
  std::vector<std::unique_ptr<std::byte[]>> heap_;
};

}  // namespace tweetup::timeparse

// A list that keeps its first N items inside itself and moves to the heap only when it grows past
// them. The parser's answers hold a few assumptions and usually one byte range, so a parse then
// allocates nothing for them. A value type: copies and moves copy or move the items.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <vector>

namespace tweetup::timeparse {

template <typename T, std::size_t N>
class inline_list {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = T*;
  using const_iterator = const T*;

  inline_list() = default;
  inline_list(std::initializer_list<T> items) {
    for (const T& item : items)
      push_back(item);
  }

  void push_back(const T& item) {
    if (spilled_.empty() && size_ < N) {
      inline_[size_++] = item;
      return;
    }
    if (spilled_.empty()) {
      spilled_.reserve(2 * N);
      spilled_.assign(inline_.begin(), inline_.end());
    }
    spilled_.push_back(item);
  }
  // Room for `count` items: nothing to do while the items fit inline.
  void reserve(size_type count) {
    if (!spilled_.empty()) spilled_.reserve(count);
  }
  void clear() {
    size_ = 0;
    spilled_.clear();
  }

  size_type size() const { return spilled_.empty() ? size_ : spilled_.size(); }
  bool empty() const { return size() == 0; }
  T* data() { return spilled_.empty() ? inline_.data() : spilled_.data(); }
  const T* data() const { return spilled_.empty() ? inline_.data() : spilled_.data(); }
  T* begin() { return data(); }
  T* end() { return data() + size(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  T& operator[](size_type i) { return data()[i]; }
  const T& operator[](size_type i) const { return data()[i]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size() - 1]; }

  friend bool operator==(const inline_list& a, const inline_list& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::array<T, N> inline_{};
  size_type size_ = 0;      // items in inline_, while spilled_ is empty
  std::vector<T> spilled_;  // every item, once there were more than N
};

}  // namespace tweetup::timeparse

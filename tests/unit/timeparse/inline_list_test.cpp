#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "timeparse/inline_list.hpp"

using tweetup::timeparse::inline_list;

namespace {

std::vector<int> items(const inline_list<int, 3>& list) {
  return {list.begin(), list.end()};
}

}  // namespace

TEST_CASE("inline_list keeps its items in order, inline and past its inline room") {
  inline_list<int, 3> list;
  CHECK(list.empty());
  for (int i = 1; i <= 3; ++i)
    list.push_back(i);
  CHECK(items(list) == std::vector<int>{1, 2, 3});
  list.push_back(4);  // spills to the heap
  list.push_back(5);
  CHECK(list.size() == 5);
  CHECK(items(list) == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(list[3] == 4);
  CHECK(list.front() == 1);
  CHECK(list.back() == 5);
  list.clear();
  CHECK(list.empty());
  list.push_back(9);
  CHECK(items(list) == std::vector<int>{9});
}

TEST_CASE("inline_list copies and moves are whole values, and compare by their items") {
  inline_list<int, 3> small{1, 2};
  inline_list<int, 3> large{1, 2, 3, 4};
  const auto small_copy = small;
  const auto large_copy = large;
  small.push_back(7);
  large.push_back(8);
  CHECK(items(small_copy) == std::vector<int>{1, 2});
  CHECK(items(large_copy) == std::vector<int>{1, 2, 3, 4});
  CHECK(small_copy == inline_list<int, 3>{1, 2});
  CHECK_FALSE(small_copy == large_copy);
  CHECK_FALSE(large_copy == inline_list<int, 3>{1, 2, 3});

  inline_list<int, 3> moved{std::move(large)};
  CHECK(items(moved) == std::vector<int>{1, 2, 3, 4, 8});
  inline_list<int, 3> assigned;
  assigned = small_copy;
  CHECK(items(assigned) == std::vector<int>{1, 2});
  assigned = large_copy;
  CHECK(items(assigned) == std::vector<int>{1, 2, 3, 4});
  assigned = inline_list<int, 3>{5};
  CHECK(items(assigned) == std::vector<int>{5});
}

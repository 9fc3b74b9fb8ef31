#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "timeparse/scratch_arena.hpp"

using tweetup::timeparse::scratch_arena;

TEST_CASE("scratch_arena hands out aligned, separate blocks, and goes on past its own room") {
  scratch_arena arena;
  auto* first = static_cast<std::byte*>(arena.allocate(3, 1));
  auto* aligned = arena.allocate(16, 8);
  CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 8 == 0);
  CHECK(static_cast<std::byte*>(aligned) >= first + 3);
  // Far more than the arena holds inline, in pieces and at once; every byte stays writable and
  // keeps what was written.
  std::vector<unsigned char*> blocks;
  for (int k = 0; k < 64; ++k) {
    auto* block = static_cast<unsigned char*>(arena.allocate(1000, 4));
    CHECK(reinterpret_cast<std::uintptr_t>(block) % 4 == 0);
    std::memset(block, k, 1000);
    blocks.push_back(block);
  }
  auto* huge = static_cast<unsigned char*>(arena.allocate(1 << 20, 16));
  CHECK(reinterpret_cast<std::uintptr_t>(huge) % 16 == 0);
  std::memset(huge, 0xAB, 1 << 20);
  for (int k = 0; k < 64; ++k) {
    CHECK(blocks[static_cast<std::size_t>(k)][0] == k);
    CHECK(blocks[static_cast<std::size_t>(k)][999] == k);
  }
  CHECK(huge[(1 << 20) - 1] == 0xAB);
}

TEST_CASE("scratch_arena::vector grows like a std::vector") {
  scratch_arena arena;
  scratch_arena::vector<long> values(arena.make<long>());
  for (long i = 0; i < 100'000; ++i)
    values.push_back(i);
  long sum = 0;
  for (long v : values)
    sum += v;
  CHECK(values.size() == 100'000);
  CHECK(sum == 100'000L * 99'999L / 2);
}

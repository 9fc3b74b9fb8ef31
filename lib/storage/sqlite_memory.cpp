#include "storage/sqlite_memory.hpp"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <cstddef>

namespace tweetup::sqlite_memory {

namespace {

// glibc's tcache hands out blocks of up to 1,032 bytes from a per-thread list. A larger one goes
// through the bins, and glibc first consolidates its fastbins. SQLite allocates two such blocks
// per command and frees them before the next: a trigger's frame (about 1.4 KiB, for OP_Program;
// Debian's SQLite has no lookaside to take it) and the statement journal's 64 KiB chunk.
constexpr int smallest_kept = 1024;
// Nothing larger comes per command; a larger block held here would only pin its memory.
constexpr int largest_kept = 64 * 1024 + 64;
constexpr std::size_t spare_count = 4;

sqlite3_mem_methods system_methods{};
// Atomic because SQLite may allocate on any thread that uses a connection; today only the io
// thread does. A block is only looked at after it was taken out of its slot.
std::array<std::atomic<void*>, spare_count> spares{};
std::atomic<std::size_t> next_evicted{0};
std::atomic<std::uint64_t> reused{0};
bool installed = false;

// xSize may round up (malloc_usable_size), so a block fits a request a little smaller than it.
bool fits(int size, int bytes) {
  return size >= bytes && size - bytes <= bytes / 8;
}

void* allocate(int bytes) {
  if (bytes >= smallest_kept && bytes <= largest_kept) {
    for (auto& slot : spares) {
      void* block = slot.exchange(nullptr, std::memory_order_acquire);
      if (block == nullptr) continue;
      if (fits(system_methods.xSize(block), bytes)) {
        reused.fetch_add(1, std::memory_order_relaxed);
        return block;
      }
      void* none = nullptr;
      if (!slot.compare_exchange_strong(none, block, std::memory_order_release)) {
        system_methods.xFree(block);
      }
    }
  }
  return system_methods.xMalloc(bytes);
}

void release(void* block) {
  if (block == nullptr) return;
  const int size = system_methods.xSize(block);
  if (size < smallest_kept || size > largest_kept) {
    system_methods.xFree(block);
    return;
  }
  for (auto& slot : spares) {
    void* none = nullptr;
    if (slot.compare_exchange_strong(none, block, std::memory_order_release)) return;
  }
  // Every slot is taken: the newest block replaces one in turn, so that sizes no longer asked
  // for do not hold the slots for good.
  auto& slot = spares[next_evicted.fetch_add(1, std::memory_order_relaxed) % spare_count];
  if (void* evicted = slot.exchange(block, std::memory_order_acq_rel)) {
    system_methods.xFree(evicted);
  }
}

void shut_down(void* app_data) {
  for (auto& slot : spares) {
    if (void* block = slot.exchange(nullptr, std::memory_order_acquire)) {
      system_methods.xFree(block);
    }
  }
  system_methods.xShutdown(app_data);
}

}  // namespace

bool configure() {
  // Once installed, SQLite keeps these methods across sqlite3_shutdown(): asking again would
  // wrap them in themselves.
  if (installed) return true;
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) return false;
  sqlite3_mem_methods methods{};
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &methods) != SQLITE_OK) return false;
  system_methods = methods;
  methods.xMalloc = allocate;
  methods.xFree = release;
  methods.xShutdown = shut_down;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) return false;
  installed = true;
  return true;
}

std::uint64_t reused_blocks() {
  return reused.load(std::memory_order_relaxed);
}

}  // namespace tweetup::sqlite_memory

// Events by (channel, number), as sqlite_event_store last read them inside a transaction; the
// store decides when an entry may answer for the database (see sqlite_event_store.hpp). Holds
// at most `capacity` events: adding one more empties it first, so its memory stays bounded
// without bookkeeping on every hit. Not thread-safe: one owner, the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/channel_ref.hpp"
#include "core/event.hpp"

namespace tweetup {

class event_cache {
 public:
  explicit event_cache(std::size_t capacity);

  // The entry for (channel, number), or null; valid until the next change to the cache.
  const event* find(const channel_ref& channel, int number) const;
  // Adds or replaces the entry for e's (channel, number).
  void put(const event& e);
  // Drops the entry of the event with this id, if there is one.
  void forget(std::int64_t event_id);
  void clear();
  std::size_t size() const { return events_.size(); }

 private:
  struct key {
    std::string platform, channel;
    int number = 0;
  };
  // What find looks up with, without copying the channel into a key.
  struct key_view {
    std::string_view platform, channel;
    int number = 0;
  };
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(const key_view& k) const;
    std::size_t operator()(const key& k) const { return (*this)(view(k)); }
  };
  struct key_equal {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.number == b.number && a.channel == b.channel && a.platform == b.platform;
    }
  };
  static key_view view(const key& k) { return {k.platform, k.channel, k.number}; }

  std::unordered_map<key, event, key_hash, key_equal> events_;
  std::size_t capacity_;
};

}  // namespace tweetup

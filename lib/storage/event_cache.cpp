#include "storage/event_cache.hpp"

#include <functional>

namespace tweetup {

event_cache::event_cache(std::size_t capacity) : capacity_(capacity) {
  events_.reserve(capacity);
}

std::size_t event_cache::key_hash::operator()(const key_view& k) const {
  const std::hash<std::string_view> text;
  std::size_t h = text(k.channel);
  h ^= text(k.platform) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= std::hash<int>{}(k.number) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

const event* event_cache::find(const channel_ref& channel, int number) const {
  const auto found = events_.find(key_view{channel.platform, channel.channel, number});
  return found == events_.end() ? nullptr : &found->second;
}

void event_cache::put(const event& e) {
  key k{e.channel.platform, e.channel.channel, e.number};
  if (const auto found = events_.find(view(k)); found != events_.end()) {
    found->second = e;
    return;
  }
  if (capacity_ == 0) return;
  if (events_.size() >= capacity_) events_.clear();
  events_.emplace(std::move(k), e);
}

void event_cache::forget(std::int64_t event_id) {
  std::erase_if(events_, [&](const auto& entry) { return entry.second.id == event_id; });
}

void event_cache::clear() {
  events_.clear();
}

}  // namespace tweetup

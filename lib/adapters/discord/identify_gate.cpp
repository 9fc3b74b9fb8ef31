#include "adapters/discord/identify_gate.hpp"

#include <algorithm>

namespace tweetup {

void identify_gate::set_max_concurrency(int n) {
  n = std::max(1, n);
  if (n == max_concurrency_) return;
  std::optional<time_point> latest;
  for (const auto& b : buckets_) {
    if (b.last_sent && (!latest || *b.last_sent > *latest)) latest = b.last_sent;
  }
  max_concurrency_ = n;
  buckets_.assign(static_cast<std::size_t>(n), bucket{false, latest});
}

identify_gate::bucket& identify_gate::of(int shard_id) {
  const auto index = static_cast<std::size_t>(bucket_of(std::max(0, shard_id)));
  if (buckets_.size() <= index) buckets_.resize(index + 1);
  return buckets_[index];
}

std::optional<identify_gate::time_point> identify_gate::take(int shard_id, time_point now) {
  bucket& b = of(shard_id);
  if (b.held) return time_point::max();
  if (b.last_sent && now < *b.last_sent + spacing_) return *b.last_sent + spacing_;
  b.held = true;
  return std::nullopt;
}

void identify_gate::sent(int shard_id, time_point at) {
  bucket& b = of(shard_id);
  b.held = false;
  b.last_sent = b.last_sent ? std::max(*b.last_sent, at) : at;
}

void identify_gate::abandoned(int shard_id) {
  of(shard_id).held = false;
}

int shard_count(int configured, std::optional<int> recommended) {
  if (configured > 0) return configured;
  return std::max(1, recommended.value_or(1));
}

int reshard_count(int current, std::optional<int> recommended) {
  return std::max(current + 1, recommended.value_or(0));
}

}  // namespace tweetup

// A durability_barrier for unit tests: it holds each request until the test says the sync
// finished, so a test can see what waits for durability and what a failed sync does.
#pragma once

#include <vector>

#include "async/durability_barrier.hpp"

namespace tweetup {

class fake_barrier final : public durability_barrier {
 public:
  void after_commit(completion done) override { waiting.push_back(std::move(done)); }
  boost::system::error_code sync_now() override {
    ++inline_syncs;
    finish();
    return {};
  }
  // One sync covering every request made so far.
  void finish(boost::system::error_code ec = {}) {
    auto done = std::move(waiting);
    waiting.clear();
    for (auto& d : done)
      d(ec);
  }
  std::vector<completion> waiting;
  int inline_syncs = 0;
};

}  // namespace tweetup

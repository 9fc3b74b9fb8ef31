// The way to wait until what was committed is on disk before telling anyone about it
// (design.md principle 5), when commits do not sync themselves (see app/wal_syncer.hpp): the
// dispatcher's replies and the scheduler's notices both wait on it.
// Executor: called on the io thread; completions run there too.
#pragma once

#include <functional>

#include <boost/system/error_code.hpp>

namespace tweetup {

class durability_barrier {
 public:
  // Failure (the sync failed: the commit may be lost) or success.
  using completion = std::function<void(boost::system::error_code)>;

  virtual ~durability_barrier() = default;

  // Calls `done` once every commit that returned before this call is durable, or with the
  // error that means it may not be. Completions run in the order they were asked for; `done`
  // may run before this returns (nothing to sync). Not called if the barrier is destroyed first.
  virtual void after_commit(completion done) = 0;

  // The same, blocking: on return, every commit that returned before the call is durable (or
  // the error says it may not be), and every completion waiting for that has run, in order.
  // For replies that must be ready before the caller returns (replies_inline).
  virtual boost::system::error_code sync_now() = 0;
};

}  // namespace tweetup

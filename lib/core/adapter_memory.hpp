// The port through which a platform adapter keeps a few values across restarts of the process:
// what it needs to pick up where the last process left off (a Discord gateway session to
// resume, say). Implemented by storage/ in the bot's database, so it lives and goes with the
// events it belongs to.
//
// Keys are short names the adapter owns ("discord.gateway"); values are opaque text. Each call
// is its own commit (unless made inside an event_store transaction, where it joins that one).
// Errors: every method may throw store_error; an adapter treats that as "nothing remembered".
// Threading: one caller at a time (the io thread), as for event_store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tweetup {

class adapter_memory {
 public:
  virtual ~adapter_memory() = default;

  virtual std::optional<std::string> recall(std::string_view key) = 0;
  // Replaces what `key` held.
  virtual void remember(std::string_view key, std::string_view value) = 0;
  // Nothing happens for a key that holds nothing.
  virtual void forget(std::string_view key) = 0;
};

}  // namespace tweetup

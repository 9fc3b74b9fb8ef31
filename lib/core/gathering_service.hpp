// The heart of the bot: one chat message in, committed changes and replies out. Synchronous and
// free of I/O except through the store port.
//
// Ownership: holds a reference to the store, which must outlive it. Not thread-safe; call it
// from one thread (the io thread).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/command_outcome.hpp"
#include "core/event_store.hpp"
#include "core/inbound_message.hpp"
#include "core/store_error.hpp"

namespace tweetup {

struct service_options {
  std::string prefix = "!";
  std::string default_zone = "UTC";  // IANA; for channels that never ran `tweetup tz`
  // Reminder offsets before the start (config `reminders`).
  std::vector<std::chrono::seconds> reminders{std::chrono::hours(24), std::chrono::hours(1),
                                              std::chrono::minutes(15)};
  // Channel-local time of the morning re-announcement; nullopt turns it off.
  std::optional<std::chrono::minutes> reannounce_at{std::chrono::hours(9)};
  // The most messages the bot posts on its own per channel and day (the spam budget).
  int max_posts_per_day = 6;
  // Where people reach the HTTP endpoint (config http.public_url), without a trailing slash;
  // empty: no calendar feed to offer.
  std::string public_url{};
};

class gathering_service {
 public:
  gathering_service(event_store& store, service_options options);

  // Handles one message received at `now` in one store transaction. Store failures come back
  // as status `failed` with one apologetic reply; nothing throws.
  // Called alone, every change is committed before this returns, so the replies may be sent at
  // once. Called inside an open event_store::transact (the dispatcher's batch), the command is
  // a savepoint: a failing command is undone alone, and the replies may be sent only after the
  // outer commit succeeded; when it fails, see commit_failed.
  command_outcome handle(const inbound_message& message, std::chrono::sys_seconds now);

  // What `handled` (an outcome of `message` whose batch then failed to commit with `error`)
  // becomes: an `ok` command turns into `failed` with the same apologetic reply handle() gives
  // for a store failure; rejected, failed and ignored ones changed nothing and stay as they are,
  // and so does `help`, whose answer rests on nothing stored (uses_store).
  static command_outcome commit_failed(const inbound_message& message, command_outcome handled,
                                       const store_error& error);

  const service_options& options() const { return options_; }

 private:
  class run;  // one command's handling; see gathering_service.cpp

  event_store& store_;
  service_options options_;
};

}  // namespace tweetup

// What the bot does when jobs fall due, pure apart from the store port: which to send, what
// they say, and the catch-up policy after downtime.
//
// Catch-up policy (a job is late when it falls due more than `late_after` before `now`, i.e. the
// bot was down or stalled when it should have run):
// - a reminder is sent late, and says so, if the event has not started yet;
// - a reminder or "starting now" for an event that has started is dropped (and reported, so
//   the shell can log it); "starting now" counts as on time for `starting_grace` after the start;
// - of the late messages of one event, only the last one due is sent: at most one catch-up
//   message per event.
// Jobs of cancelled events are dropped. "Past" jobs only change the event's status.
//
// Ownership: keeps a reference to the store, which must outlive it. One thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event_store.hpp"
#include "core/outbound_message.hpp"

namespace tweetup {

struct due_job {
  std::int64_t job_id = 0;
  std::optional<outbound_message> message;  // to post, then mark_sent(job_id)
};

struct dropped_job {
  std::int64_t job_id = 0;
  std::string reason;  // for the operator's log
};

struct due_batch {
  std::vector<due_job> to_send;
  std::vector<dropped_job> dropped;
};

class job_runner {
 public:
  static constexpr std::chrono::seconds late_after{60};
  static constexpr std::chrono::minutes starting_grace{10};

  explicit job_runner(event_store& store) : store_(store) {}

  // Claims the jobs due at `now` in one transaction: those to send move to `sending`, the rest
  // are finished (dropped, or done for "past" jobs). Throws store_error.
  due_batch take_due(std::chrono::sys_seconds now);
  // After the message of a claimed job was handed to the chat port.
  void mark_sent(std::int64_t job_id);
  std::optional<std::chrono::sys_seconds> next_due();

 private:
  event_store& store_;
};

}  // namespace tweetup

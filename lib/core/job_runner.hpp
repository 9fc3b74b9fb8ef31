// What the bot does when jobs fall due, pure apart from the store port: which to send, what
// they say, the spam budget, and the catch-up policy after downtime.
//
// Catch-up policy (a job is late when it falls due more than `late_after` before `now`, i.e. the
// bot was down or stalled when it should have run):
// - a reminder is sent late, and says so, if the event has not started yet;
// - a reminder, re-announcement or "starting now" for an event that has started is dropped (and
//   reported, so the shell can log it); "starting now" counts as on time for `starting_grace`;
// - of the late reminders and "starting now" of one event, only the last one due is sent: at
//   most one catch-up message per event.
// Re-announcements: only while the event has open spots, never past the channel's daily budget
// of posts the bot makes on its own, and several due at once in a channel make one message.
// Promotion notices go to the promoted person while the event has not started.
// Jobs of cancelled events are dropped. "Past" jobs only change the event's status.
//
// Ownership: keeps a reference to the store, which must outlive it. One thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/event_store.hpp"
#include "core/gathering_service.hpp"
#include "core/job.hpp"
#include "core/outbound_message.hpp"

namespace tweetup {

// One message to post; when posted, every job in `job_ids` is marked sent. `kind` and `late`
// are for the shell to count (a re-announcement may cover several jobs, all of that kind).
struct due_message {
  std::vector<std::int64_t> job_ids;
  outbound_message message;
  job_kind kind = job_kind::reminder;
  bool late = false;  // a catch-up message, sent after its due time by the downtime policy
};

struct dropped_job {
  std::int64_t job_id = 0;
  std::string reason;  // for the operator's log
  job_kind kind = job_kind::reminder;
};

struct due_batch {
  std::vector<due_message> to_send;
  std::vector<dropped_job> dropped;
};

class job_runner {
 public:
  static constexpr std::chrono::seconds late_after{60};
  static constexpr std::chrono::minutes starting_grace{10};

  // Uses the prefix (for "join with …") and the daily post budget of `options`.
  job_runner(event_store& store, service_options options)
      : store_(store), options_(std::move(options)) {}

  // Claims the jobs due at `now` in one transaction: those to send move to `sending`, the rest
  // are finished (dropped, or done for "past" jobs). Jobs in `in_flight` (posted by this
  // process, delivery not yet known) are left alone. Jobs in `retried` were posted on time by
  // this process but not confirmed delivered: sent again, they are not called late. Throws
  // store_error.
  due_batch take_due(std::chrono::sys_seconds now, const std::set<std::int64_t>& in_flight = {},
                     const std::set<std::int64_t>& retried = {});
  // Records how delivery ended (sent, or dropped when the chat refused the message), in one
  // transaction. Throws store_error.
  void finish(const std::vector<std::pair<std::int64_t, job_state>>& outcomes,
              std::chrono::sys_seconds now);
  std::optional<std::chrono::sys_seconds> next_due();

 private:
  class claim;  // one take_due; see job_runner.cpp

  event_store& store_;
  service_options options_;
};

}  // namespace tweetup

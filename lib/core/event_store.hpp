// The store port: everything the core keeps durably. Implemented by storage/ (SQLite) and by
// tests/support (memory). SQL never leaves the implementation, so a second one (a shared
// PostgreSQL for several bot processes) can stand beside the first.
//
// Errors: every method may throw store_error; nothing else escapes. After a throw inside
// `transact`, none of the work is kept.
// Threading: one caller at a time (the io thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel_settings.hpp"
#include "core/event.hpp"
#include "core/job.hpp"
#include "core/rsvp.hpp"
#include "core/rsvp_slice.hpp"

namespace tweetup {

class event_store {
 public:
  virtual ~event_store() = default;

  // Runs `work` as one transaction: its changes become durable together when it returns, or are
  // all rolled back when it throws (the exception is passed on).
  //
  // Calls nest (the dispatcher's group commit runs each command's own transact inside one outer
  // call). An inner call is a savepoint: when its work throws, only the inner work is rolled back
  // and the exception is passed on, so the outer work may catch it and go on; when it returns,
  // its changes are kept but become durable only with the outermost call's commit. When that
  // commit fails (store_error), nothing of the outer or any inner work is kept. A failure that
  // makes the store abandon the whole outer transaction (a full disk mid-statement, say) is
  // passed on from the inner call that met it, and every later inner call, and the outer call,
  // then throw it again rather than write outside the transaction.
  virtual void transact(const std::function<void()>& work) = 0;

  // The channel's settings; a value with an empty zone when the channel was never configured.
  virtual channel_settings load_channel(const channel_ref& channel) = 0;
  virtual void save_channel(const channel_settings& settings) = 0;

  // Stores a new event and returns it with `id` and the next free per-channel `number` filled.
  virtual event insert_event(event e) = 0;
  virtual void update_event(const event& e) = 0;
  virtual std::optional<event> find_event(const channel_ref& channel, int number) = 0;
  // Scheduled events of the channel that have not ended at `now`, soonest first.
  virtual std::vector<event> upcoming_events(const channel_ref& channel,
                                             std::chrono::sys_seconds now) = 0;

  // The event's RSVPs in queue order.
  virtual std::vector<rsvp> rsvps_of(std::int64_t event_id) = 0;
  // What an RSVP by `user_id` needs (see core/rsvp_slice.hpp): the event's tallies, that user's
  // row and the waitlist in queue order, without reading every RSVP into memory. Equal to
  // make_rsvp_slice(event_id, rsvps_of(event_id), user_id).
  virtual rsvp_slice rsvp_slice_of(std::int64_t event_id, std::string_view user_id) = 0;
  // Inserts or replaces the RSVP of (event_id, user.id).
  virtual void save_rsvp(const rsvp& r) = 0;

  // --- Jobs (see core/job.hpp). The scheduler reaches them only through these calls.

  virtual std::optional<event> find_event_by_id(std::int64_t id) = 0;
  // Deletes the event's pending planned jobs (see is_planned) and inserts `jobs` (their ids and
  // states are ignored: they become new pending rows). Jobs already sending, sent or dropped,
  // and pending promotion notices, stay.
  virtual void replace_pending_jobs(std::int64_t event_id, const std::vector<job>& jobs) = 0;
  // Adds one pending job (a promotion notice) for `j.event_id`.
  virtual void add_job(const job& j) = 0;
  // Jobs due at `now`, pending or left sending by a crash, in due order; at most `limit`.
  virtual std::vector<job> due_jobs(std::chrono::sys_seconds now, int limit) = 0;
  // `at` is recorded as the time it was sent when `state` is sent.
  virtual void set_job_state(std::int64_t job_id, job_state state, std::chrono::sys_seconds at) = 0;
  // How many messages the bot posted on its own (jobs that were sent) in the channel since
  // `since`: the spam budget's count.
  virtual int posts_sent_since(const channel_ref& channel, std::chrono::sys_seconds since) = 0;
  // When the earliest pending job falls due; nothing when there is none. Jobs left sending are
  // not counted: they are due already, and the scheduler claims them again when it wakes.
  virtual std::optional<std::chrono::sys_seconds> next_job_due() = 0;
  // The pending jobs of the channel's events, in due order.
  virtual std::vector<job> pending_jobs(const channel_ref& channel) = 0;

  // --- Calendar feeds (see core/calendar_feed.hpp).

  // The channel's feed key: 32 lowercase hex characters (128 random bits from the OS), made on
  // first use and the same ever after. It is not derived from the platform ids, so a key found
  // nowhere else cannot be guessed, and a key tells nothing about its channel.
  virtual std::string calendar_key(const channel_ref& channel) = 0;
  // The channel whose feed key is `key`; nothing for a key never handed out.
  virtual std::optional<channel_ref> channel_of_calendar_key(std::string_view key) = 0;
  // The channel's events of any status whose effective end is after `ended_after`, soonest
  // first (ties by number); at most `limit`.
  virtual std::vector<event> calendar_events(const channel_ref& channel,
                                             std::chrono::sys_seconds ended_after, int limit) = 0;
};

}  // namespace tweetup

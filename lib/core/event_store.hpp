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
#include <vector>

#include "core/channel_settings.hpp"
#include "core/event.hpp"
#include "core/rsvp.hpp"

namespace tweetup {

class event_store {
 public:
  virtual ~event_store() = default;

  // Runs `work` as one transaction: its changes become durable together when it returns, or are
  // all rolled back when it throws (the exception is passed on). Calls do not nest.
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
  // Inserts or replaces the RSVP of (event_id, user.id).
  virtual void save_rsvp(const rsvp& r) = 0;
};

}  // namespace tweetup

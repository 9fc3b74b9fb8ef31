// A durable future action of the bot: a row written in the same transaction as the change that
// caused it, so that no reminder is lost to a crash and none is planned for a change that
// rolled back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/user_ref.hpp"

namespace tweetup {

enum class job_kind {
  reminder,    // `offset` before the start, to the people going
  starting,    // "starting now", at the start
  past,        // marks the event past at its end; says nothing
  reannounce,  // the morning of the day, while there are open spots
  promotion,   // "a spot opened up", to `user`, due at once
};

// The kind's one name, as the store writes it and metrics label it.
constexpr std::string_view job_kind_name(job_kind kind) {
  switch (kind) {
    case job_kind::reminder:
      return "reminder";
    case job_kind::starting:
      return "starting";
    case job_kind::past:
      return "past";
    case job_kind::reannounce:
      return "reannounce";
    case job_kind::promotion:
      return "promotion";
  }
  return "reminder";
}

// The kinds that come from the event's plan and are replaced when it is re-planned. A
// promotion notice is owed to a person whatever happens to the plan.
inline bool is_planned(job_kind kind) {
  return kind != job_kind::promotion;
}

// pending → sending → sent. A job found in `sending` after a restart was perhaps delivered,
// perhaps not: it is sent again with the same idempotency key, and platforms that can drop a
// duplicate (Discord's enforce_nonce) do. `dropped`: due, but the catch-up policy said no.
enum class job_state { pending, sending, sent, dropped };

struct job {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t event_id = 0;
  job_kind kind = job_kind::reminder;
  std::chrono::seconds offset{0};  // reminders: how long before the start
  std::chrono::sys_seconds due_at;
  job_state state = job_state::pending;
  user_ref user;  // promotions: who moved up from the waitlist
};

}  // namespace tweetup

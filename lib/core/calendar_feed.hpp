// GET /calendar/<key>.ics: a channel's tweetups as an iCalendar feed, found by the channel's
// unguessable feed key (event_store::calendar_key). Synchronous; its only I/O is the store.
//
// Which events: the channel's upcoming ones, the cancelled ones (so subscribed apps show the
// cancellation rather than silently dropping the event), and those that ended in the last
// calendar_feed_history. Apps delete whatever leaves a subscribed feed, so keeping recent ones
// lets subscribers look back at a tweetup they went to; older ones leave, which keeps the
// feed short. At most calendar_feed_max_events, soonest first.
//
// Errors: store_error from the store passes through (the HTTP layer answers 503).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/event_store.hpp"

namespace tweetup {

inline constexpr std::chrono::days calendar_feed_history{30};
inline constexpr int calendar_feed_max_events = 500;

// True for what calendar_key hands out: 32 lowercase hex characters.
bool is_calendar_key(std::string_view key);

// The feed of the channel whose key is `key`, rendered at `now`; nothing when `key` is not a
// key the store handed out.
std::optional<std::string> calendar_feed(event_store& store, std::string_view key,
                                         std::chrono::sys_seconds now);

}  // namespace tweetup

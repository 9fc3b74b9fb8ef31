#include "core/calendar_feed.hpp"

#include "core/attendance.hpp"
#include "core/ical_feed.hpp"
#include "core/replies.hpp"

namespace tweetup {
namespace {

// An IRC channel's id is its public name ("#tweetup"), so it may title the calendar; other ids
// (a Discord snowflake) mean nothing to people and must not leave the bot.
std::string calendar_name(const channel_ref& channel) {
  const bool is_name = !channel.channel.empty() &&
                       (channel.channel.front() == '#' || channel.channel.front() == '&');
  return is_name ? "Tweetups in " + channel.channel : "Tweetups";
}

}  // namespace

bool is_calendar_key(std::string_view key) {
  if (key.size() != 32) return false;
  for (const char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> calendar_feed(event_store& store, std::string_view key,
                                         std::chrono::sys_seconds now) {
  if (!is_calendar_key(key)) return std::nullopt;
  const auto channel = store.channel_of_calendar_key(key);
  if (!channel) return std::nullopt;
  ical_feed feed;
  feed.name = calendar_name(*channel);
  for (event& e :
       store.calendar_events(*channel, now - calendar_feed_history, calendar_feed_max_events)) {
    const attendance a(e.id, e.capacity, store.rsvps_of(e.id));
    feed.entries.push_back({std::move(e), replies::counts(a)});
  }
  return render_ical_feed(feed, now);
}

}  // namespace tweetup

#include "core/ical_feed.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include "core/ical_text.hpp"
#include "core/text_checks.hpp"

namespace tweetup {
namespace {

// A DATE-TIME in UTC form (§3.3.5, FORM #2).
std::string utc_stamp(std::chrono::sys_seconds t) {
  return date::format("%Y%m%dT%H%M%SZ", t);
}

std::string text(std::string_view plain) {
  return ical::escape_text(displayable(plain));
}

std::string summary(const event& e) {
  const std::string title = "Tweetup at " + displayable(e.place);
  return e.status == event_status::cancelled ? "Cancelled: " + title : title;
}

std::string description(const ical_feed::entry& entry) {
  const event& e = entry.e;
  std::string lines;
  if (e.status == event_status::cancelled) lines += "This tweetup is cancelled.\n";
  lines += fmt::format("Tweetup #{}, planned by {}.\n{}.", e.number, displayable(e.organizer.name),
                       displayable(entry.counts));
  return lines;
}

void append_event(std::string& out, const ical_feed::entry& entry,
                  std::chrono::sys_seconds generated_at) {
  const event& e = entry.e;
  out += ical::content_line("BEGIN", "VEVENT");
  out += ical::content_line("UID", ical_uid(e));
  out += ical::content_line("DTSTAMP", utc_stamp(generated_at));
  out += ical::content_line("CREATED", utc_stamp(e.created_at));
  out += ical::content_line("DTSTART", utc_stamp(e.starts_at));
  out += ical::content_line("DTEND", utc_stamp(e.effective_end()));
  out += ical::content_line("SUMMARY", ical::escape_text(summary(e)));
  out += ical::content_line("LOCATION", text(e.place));
  // The description's line breaks are ours; displayable() would turn them into spaces.
  out += ical::content_line("DESCRIPTION", ical::escape_text(description(entry)));
  out += ical::content_line("SEQUENCE", std::to_string(e.revision));
  out +=
      ical::content_line("STATUS", e.status == event_status::cancelled ? "CANCELLED" : "CONFIRMED");
  out += ical::content_line("END", "VEVENT");
}

}  // namespace

std::string ical_uid(const event& e) {
  return fmt::format("tweetup-{}-{}@{}", e.id, e.created_at.time_since_epoch().count(),
                     ical_uid_domain);
}

std::string render_ical_feed(const ical_feed& feed, std::chrono::sys_seconds generated_at) {
  std::string out;
  out += ical::content_line("BEGIN", "VCALENDAR");
  out += ical::content_line("VERSION", "2.0");
  out += ical::content_line("PRODID", "-//Tweetup//Tweetup calendar feed//EN");
  out += ical::content_line("CALSCALE", "GREGORIAN");
  out += ical::content_line("METHOD", "PUBLISH");
  out += ical::content_line("X-WR-CALNAME", text(feed.name));
  // How often subscribers should fetch again (RFC 7986 §5.7, and its older X- spelling).
  out += ical::content_line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
  out += ical::content_line("X-PUBLISHED-TTL", "PT1H");
  for (const auto& entry : feed.entries)
    append_event(out, entry, generated_at);
  out += ical::content_line("END", "VCALENDAR");
  return out;
}

}  // namespace tweetup

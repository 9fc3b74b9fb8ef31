#include "storage/schema.hpp"

#include <array>

namespace tweetup::schema {
namespace {

using namespace std::string_view_literals;

// Never edit a migration that has shipped: append a new one. Instants are Unix seconds (UTC);
// each event keeps its IANA zone beside them.
constexpr std::array all{
    R"sql(
CREATE TABLE channels (
  platform    TEXT NOT NULL,
  channel     TEXT NOT NULL,
  zone        TEXT NOT NULL DEFAULT '',
  next_number INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (platform, channel)
) WITHOUT ROWID;

CREATE TABLE events (
  id             INTEGER PRIMARY KEY,
  platform       TEXT NOT NULL,
  channel        TEXT NOT NULL,
  number         INTEGER NOT NULL CHECK (number > 0),
  organizer_id   TEXT NOT NULL,
  organizer_name TEXT NOT NULL,
  place          TEXT NOT NULL,
  starts_at      INTEGER NOT NULL,
  ends_at        INTEGER CHECK (ends_at IS NULL OR ends_at > starts_at),
  zone           TEXT NOT NULL,
  capacity       INTEGER CHECK (capacity IS NULL OR capacity > 0),
  status         TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'past')),
  created_at     INTEGER NOT NULL,
  revision       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (platform, channel, number),
  FOREIGN KEY (platform, channel) REFERENCES channels (platform, channel)
);
CREATE INDEX events_by_channel_time ON events (platform, channel, status, starts_at);

CREATE TABLE rsvps (
  event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('going', 'maybe', 'declined', 'waitlisted')),
  guests      INTEGER NOT NULL CHECK (guests >= 0),
  queue_order INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
)sql"sv,
    // 2: durable jobs (reminders, "starting now", marking past, re-announcements, waitlist
    // notices), written in the transaction of the change that planned them; per-channel
    // reminder offsets.
    R"sql(
CREATE TABLE jobs (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  kind      TEXT NOT NULL
            CHECK (kind IN ('reminder', 'starting', 'past', 'reannounce', 'promotion')),
  offset_s  INTEGER NOT NULL DEFAULT 0 CHECK (offset_s >= 0),
  due_at    INTEGER NOT NULL,
  state     TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dropped')),
  user_id   TEXT,
  user_name TEXT,
  sent_at   INTEGER
);
CREATE INDEX jobs_by_state_due ON jobs (state, due_at);
CREATE INDEX jobs_by_event ON jobs (event_id, state);
ALTER TABLE channels ADD COLUMN reminders TEXT;
)sql"sv,
    // 3: calendar feed keys, one per channel, random (not derived from the channel's ids) so a
    // feed URL cannot be guessed from what the platform shows.
    R"sql(
CREATE TABLE calendar_feeds (
  platform TEXT NOT NULL,
  channel  TEXT NOT NULL,
  key      TEXT NOT NULL UNIQUE CHECK (length(key) = 32),
  PRIMARY KEY (platform, channel)
) WITHOUT ROWID;
)sql"sv,
    // 4: one row that the health check rewrites, to prove a write commits (see
    // sqlite_event_store::check_writable).
    R"sql(
CREATE TABLE health (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  checks INTEGER NOT NULL
);
)sql"sv,
    // 5: an event's waitlist in queue order without reading its other RSVPs, and (holding
    // guests too) a narrow covering scan for the event's tallies: both for
    // sqlite_event_store::rsvp_slice_of, which every RSVP command runs.
    R"sql(
CREATE INDEX rsvps_by_status ON rsvps (event_id, status, queue_order, user_id, guests);
)sql"sv,
};

}  // namespace

std::span<const std::string_view> migrations() {
  return all;
}

}  // namespace tweetup::schema

#include "storage/schema.hpp"

#include <array>
#include <cstddef>
#include <string_view>

namespace tweetup::schema {
namespace {

using namespace std::string_view_literals;

// Literals joined at compile time into one array (with a single terminating NUL), so that a
// migration can share text with another and still be one string_view.
template <std::size_t... N>
constexpr auto joined(const char (&... parts)[N]) {
  std::array<char, (N + ...) - sizeof...(N) + 1> out{};
  std::size_t at = 0;
  for (const std::string_view part : {std::string_view(parts, N - 1)...}) {
    for (const char c : part)
      out[at++] = c;
  }
  return out;
}

template <std::size_t N>
constexpr std::string_view view(const std::array<char, N>& text) {
  return {text.data(), N - 1};
}

// The triggers that keep rsvp_tallies, created by migration 5 and again by migration 6 when it
// rebuilds rsvps.
constexpr char rsvp_triggers[] = R"sql(
CREATE TRIGGER rsvps_tally_insert AFTER INSERT ON rsvps BEGIN
  INSERT INTO rsvp_tallies (event_id, going_seats, maybe, waiting, last_queue_order)
  VALUES (new.event_id, CASE WHEN new.status = 'going' THEN 1 + new.guests ELSE 0 END,
          new.status = 'maybe', new.status = 'waitlisted', new.queue_order)
  ON CONFLICT (event_id) DO UPDATE SET
    going_seats = going_seats + excluded.going_seats,
    maybe = maybe + excluded.maybe,
    waiting = waiting + excluded.waiting,
    last_queue_order = max(last_queue_order, excluded.last_queue_order);
END;

-- The service only ever raises a queue order; lowering the highest one rescans the event.
CREATE TRIGGER rsvps_tally_update AFTER UPDATE OF status, guests, queue_order ON rsvps BEGIN
  UPDATE rsvp_tallies SET
    going_seats = going_seats
                  - CASE WHEN old.status = 'going' THEN 1 + old.guests ELSE 0 END
                  + CASE WHEN new.status = 'going' THEN 1 + new.guests ELSE 0 END,
    maybe = maybe - (old.status = 'maybe') + (new.status = 'maybe'),
    waiting = waiting - (old.status = 'waitlisted') + (new.status = 'waitlisted'),
    last_queue_order = CASE
      WHEN new.queue_order >= last_queue_order THEN new.queue_order
      WHEN old.queue_order < last_queue_order THEN last_queue_order
      ELSE (SELECT max(queue_order) FROM rsvps WHERE event_id = new.event_id) END
  WHERE event_id = new.event_id;
END;

CREATE TRIGGER rsvps_keep_event BEFORE UPDATE OF event_id ON rsvps
  WHEN new.event_id != old.event_id BEGIN
  SELECT RAISE(ABORT, 'an RSVP never moves to another event');
END;

-- Nothing deletes single RSVPs today; an event's deletion cascades here, and to its tallies.
CREATE TRIGGER rsvps_tally_delete AFTER DELETE ON rsvps BEGIN
  DELETE FROM rsvp_tallies WHERE event_id = old.event_id
    AND NOT EXISTS (SELECT 1 FROM rsvps WHERE event_id = old.event_id);
  UPDATE rsvp_tallies SET
    going_seats = going_seats - CASE WHEN old.status = 'going' THEN 1 + old.guests ELSE 0 END,
    maybe = maybe - (old.status = 'maybe'),
    waiting = waiting - (old.status = 'waitlisted'),
    last_queue_order = (SELECT max(queue_order) FROM rsvps WHERE event_id = old.event_id)
  WHERE event_id = old.event_id;
END;
)sql";

// 5: what an RSVP command reads (sqlite_event_store::rsvp_slice_of) without touching every
// RSVP of a big event. The waitlist, in queue order, through a partial index that holds
// waiting RSVPs only, so going and maybe ones cost it nothing to write. The event's tallies,
// in one row that triggers keep in step with every write to rsvps: summing the rows cost a
// few hundred ns per RSVP on every command. Existing events are tallied here. The tallies
// must equal the sums over the rows, so a row never changes event.
constexpr auto migration_5 = joined(R"sql(
CREATE INDEX rsvps_waitlist ON rsvps (event_id, queue_order) WHERE status = 'waitlisted';

CREATE TABLE rsvp_tallies (
  event_id         INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  going_seats      INTEGER NOT NULL,  -- 1 + guests of each 'going' RSVP
  maybe            INTEGER NOT NULL,
  waiting          INTEGER NOT NULL,
  last_queue_order INTEGER NOT NULL   -- max(queue_order) of the event's RSVPs
);
INSERT INTO rsvp_tallies (event_id, going_seats, maybe, waiting, last_queue_order)
  SELECT event_id, coalesce(sum(CASE WHEN status = 'going' THEN 1 + guests END), 0),
         count(CASE WHEN status = 'maybe' THEN 1 END),
         count(CASE WHEN status = 'waitlisted' THEN 1 END), max(queue_order)
  FROM rsvps GROUP BY event_id;

)sql",
                                    rsvp_triggers);

// 6: the CHECKs of rsvps and jobs as OR chains, not IN lists. SQLite (3.40) checks an IN
// list by building a temporary b-tree of its constants on every insert and update: two per
// saved RSVP, which measured more than half the cost of the save. The same constraints on the
// same rows; the tables are rebuilt because SQLite cannot alter a constraint (lang_altertable
// §7), and neither is the parent of a foreign key. (events keeps its IN list: dropping it would
// cascade into every child table.)
constexpr auto migration_6 = joined(R"sql(
CREATE TABLE rsvps_rebuilt (
  event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status = 'going' OR status = 'maybe' OR status = 'declined'
                                   OR status = 'waitlisted'),
  guests      INTEGER NOT NULL CHECK (guests >= 0),
  queue_order INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
INSERT INTO rsvps_rebuilt (event_id, user_id, user_name, status, guests, queue_order)
  SELECT event_id, user_id, user_name, status, guests, queue_order FROM rsvps;
DROP TABLE rsvps;
ALTER TABLE rsvps_rebuilt RENAME TO rsvps;
CREATE INDEX rsvps_waitlist ON rsvps (event_id, queue_order) WHERE status = 'waitlisted';

CREATE TABLE jobs_rebuilt (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  kind      TEXT NOT NULL
            CHECK (kind = 'reminder' OR kind = 'starting' OR kind = 'past' OR kind = 'reannounce'
                   OR kind = 'promotion'),
  offset_s  INTEGER NOT NULL DEFAULT 0 CHECK (offset_s >= 0),
  due_at    INTEGER NOT NULL,
  state     TEXT NOT NULL
            CHECK (state = 'pending' OR state = 'sending' OR state = 'sent' OR state = 'dropped'),
  user_id   TEXT,
  user_name TEXT,
  sent_at   INTEGER
);
INSERT INTO jobs_rebuilt (id, event_id, kind, offset_s, due_at, state, user_id, user_name, sent_at)
  SELECT id, event_id, kind, offset_s, due_at, state, user_id, user_name, sent_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
CREATE INDEX jobs_by_state_due ON jobs (state, due_at);
CREATE INDEX jobs_by_event ON jobs (event_id, state);
)sql",
                                    rsvp_triggers);

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
    view(migration_5),
    view(migration_6),
    // 7: IRC user ids with their letters in lower case, as every server's CASEMAPPING compares
    // them (protocols.md I7, and irc_action::deliver::user_id): they were nicks as typed, so
    // "Alice" and "alice" were two people. Where two RSVPs of one event fold to one id, the one
    // that says most stays (going, then waitlisted, then maybe), then the earlier in the
    // queue; deleting the other goes through the tally triggers. (Seats that a deleted
    // duplicate held go to the waitlist when someone next leaves or the limit changes.)
    R"sql(
DELETE FROM rsvps
  WHERE event_id IN (SELECT id FROM events WHERE platform = 'irc')
    AND EXISTS (
      SELECT 1 FROM rsvps AS kept
      WHERE kept.event_id = rsvps.event_id AND kept.user_id != rsvps.user_id
        AND lower(kept.user_id) = lower(rsvps.user_id)
        AND (CASE kept.status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'maybe' THEN 2
             ELSE 3 END, kept.queue_order, kept.user_id)
          < (CASE rsvps.status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'maybe' THEN 2
             ELSE 3 END, rsvps.queue_order, rsvps.user_id));
UPDATE rsvps SET user_id = lower(user_id)
  WHERE event_id IN (SELECT id FROM events WHERE platform = 'irc') AND user_id != lower(user_id);
UPDATE events SET organizer_id = lower(organizer_id)
  WHERE platform = 'irc' AND organizer_id != lower(organizer_id);
UPDATE jobs SET user_id = lower(user_id)
  WHERE user_id IS NOT NULL AND user_id != lower(user_id)
    AND event_id IN (SELECT id FROM events WHERE platform = 'irc');
)sql"sv,
    // 8: what adapters keep across restarts (core/adapter_memory.hpp), such as the Discord
    // gateway session a stopping process leaves for the next one to resume.
    R"sql(
CREATE TABLE adapter_memory (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql"sv,
};

}  // namespace

std::span<const std::string_view> migrations() {
  return all;
}

}  // namespace tweetup::schema

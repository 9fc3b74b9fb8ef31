#include "core/job_runner.hpp"

#include <map>

#include <date/tz.h>
#include <fmt/format.h>

#include "core/attendance.hpp"
#include "core/replies.hpp"
#include "core/time_text.hpp"
#include "core/zone_lookup.hpp"

namespace tweetup {
namespace {

// Claims are bounded so one wake-up never holds the io thread for long; the rest follow at once.
constexpr int claim_limit = 200;

const date::time_zone& zone_of(const event& e) {
  const date::time_zone* zone = find_zone(e.zone);
  return zone ? *zone : *date::locate_zone("UTC");
}

// The reminder or "starting now" message, mentioning only the people going.
outbound_message wording(const job& j, const event& e, const attendance& a,
                         std::chrono::sys_seconds now, bool late) {
  outbound_message m;
  m.channel = e.channel;
  m.idempotency_key = fmt::format("job:{}", j.id);
  const replies::event_view view{e, zone_of(e), now};
  if (j.kind == job_kind::starting) {
    m.add_text(fmt::format("Tweetup {} is starting now: {}.", replies::title(e),
                           format_span(e.starts_at, e.ends_at, view.zone, now)));
  } else {
    m.add_text(fmt::format("Reminder: tweetup {} starts {}, {}.", replies::title(e),
                           format_relative(now, e.starts_at),
                           format_span(e.starts_at, e.ends_at, view.zone, now)));
    if (late) m.add_text(" (Late: I was offline when this reminder was due.)");
  }
  for (const auto& r : a.with_status(rsvp_status::going))
    m.add_text(" ").add_mention(r.user);
  return m;
}

}  // namespace

due_batch job_runner::take_due(std::chrono::sys_seconds now) {
  due_batch batch;
  store_.transact([&] {
    struct candidate {
      job j;
      event e;
      bool late;
    };
    std::map<std::int64_t, std::vector<candidate>> late_by_event;
    std::vector<candidate> on_time;
    for (const job& j : store_.due_jobs(now, claim_limit)) {
      const auto found = store_.find_event_by_id(j.event_id);
      if (!found || found->status == event_status::cancelled) {
        store_.set_job_state(j.id, job_state::dropped);
        batch.dropped.push_back({j.id, "its tweetup was cancelled"});
        continue;
      }
      event e = *found;
      if (j.kind == job_kind::past) {
        if (e.status == event_status::scheduled) {
          e.status = event_status::past;
          store_.update_event(e);
        }
        store_.set_job_state(j.id, job_state::sent);
        continue;
      }
      const auto started_for = now - e.starts_at;
      const bool too_late =
          j.kind == job_kind::reminder ? now >= e.starts_at : started_for > starting_grace;
      if (e.status != event_status::scheduled || too_late) {
        store_.set_job_state(j.id, job_state::dropped);
        batch.dropped.push_back(
            {j.id, fmt::format("tweetup #{} in {}:{} had already started", e.number,
                               e.channel.platform, e.channel.channel)});
        continue;
      }
      const bool late = now - j.due_at > late_after;
      candidate c{j, e, late};
      if (late) {
        late_by_event[e.id].push_back(std::move(c));
      } else {
        on_time.push_back(std::move(c));
      }
    }
    // At most one catch-up message per event: the last one that fell due.
    for (auto& [event_id, late] : late_by_event) {
      for (std::size_t i = 0; i + 1 < late.size(); ++i) {
        store_.set_job_state(late[i].j.id, job_state::dropped);
        batch.dropped.push_back({late[i].j.id, "a later catch-up message covers it"});
      }
      on_time.push_back(std::move(late.back()));
    }
    for (const candidate& c : on_time) {
      const attendance a(c.e.id, c.e.capacity, store_.rsvps_of(c.e.id));
      store_.set_job_state(c.j.id, job_state::sending);
      batch.to_send.push_back({c.j.id, wording(c.j, c.e, a, now, c.late)});
    }
  });
  return batch;
}

void job_runner::mark_sent(std::int64_t job_id) {
  store_.transact([&] { store_.set_job_state(job_id, job_state::sent); });
}

std::optional<std::chrono::sys_seconds> job_runner::next_due() {
  return store_.next_job_due();
}

}  // namespace tweetup

#include "core/job_runner.hpp"

#include <algorithm>
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

// Midnight of `now`'s day in the zone: where the daily post budget starts.
std::chrono::sys_seconds start_of_day(std::chrono::sys_seconds now, const date::time_zone& zone) {
  const auto local_midnight = date::floor<date::days>(zone.to_local(now));
  return zone.to_sys(date::local_seconds{local_midnight}, date::choose::earliest);
}

struct candidate {
  job j;
  event e;
  bool late = false;
};

}  // namespace

// The work of one take_due: sorting due jobs into what to send, what to drop and what is done.
class job_runner::claim {
 public:
  claim(event_store& store, const service_options& options, std::chrono::sys_seconds now,
        const std::set<std::int64_t>& retried)
      : store_(store), options_(options), now_(now), retried_(retried) {}

  void sort(const job& j) {
    const auto found = store_.find_event_by_id(j.event_id);
    if (!found || found->status == event_status::cancelled) {
      return drop(j, "its tweetup was cancelled");
    }
    candidate c{j, *found, now_ - j.due_at > late_after && !retried_.contains(j.id)};
    if (j.kind == job_kind::past) return mark_past(c);
    const bool started = now_ >= c.e.starts_at;
    const bool too_late =
        j.kind == job_kind::starting ? now_ - c.e.starts_at > starting_grace : started;
    if (c.e.status != event_status::scheduled || too_late) {
      return drop(j, fmt::format("tweetup #{} in {}:{} had already started", c.e.number,
                                 c.e.channel.platform, c.e.channel.channel));
    }
    switch (j.kind) {
      case job_kind::reannounce:
        reannounce_[c.e.channel].push_back(std::move(c));
        break;
      case job_kind::promotion:
        send({c.j.id}, promotion(c), job_kind::promotion);
        break;
      default:
        if (c.late) {
          late_[c.e.id].push_back(std::move(c));
        } else {
          send({c.j.id}, reminder(c), c.j.kind);
        }
    }
  }

  due_batch finish() {
    // At most one catch-up message per event: the last one that fell due.
    for (auto& [event_id, late] : late_) {
      for (std::size_t i = 0; i + 1 < late.size(); ++i) {
        drop(late[i].j, "a later catch-up message covers it");
      }
      send({late.back().j.id}, reminder(late.back()), late.back().j.kind, true);
    }
    for (auto& [channel, due] : reannounce_)
      reannounce(due);
    return std::move(batch_);
  }

 private:
  void drop(const job& j, std::string reason) {
    store_.set_job_state(j.id, job_state::dropped, now_);
    batch_.dropped.push_back({j.id, std::move(reason), j.kind});
  }

  void send(std::vector<std::int64_t> ids, outbound_message m, job_kind kind, bool late = false) {
    for (const auto id : ids)
      store_.set_job_state(id, job_state::sending, now_);
    batch_.to_send.push_back({std::move(ids), std::move(m), kind, late});
  }

  void mark_past(candidate& c) {
    if (c.e.status == event_status::scheduled) {
      c.e.status = event_status::past;
      store_.update_event(c.e);
    }
    store_.set_job_state(c.j.id, job_state::sent, now_);
  }

  outbound_message start(const candidate& c) const {
    outbound_message m;
    m.channel = c.e.channel;
    m.idempotency_key = fmt::format("job:{}", c.j.id);
    return m;
  }

  attendance attendance_of(const event& e) const {
    return attendance(e.id, e.capacity, store_.rsvps_of(e.id));
  }

  // Reminders and "starting now" mention only the people going.
  outbound_message reminder(const candidate& c) const {
    outbound_message m = start(c);
    const auto& zone = zone_of(c.e);
    const std::string when = format_span(c.e.starts_at, c.e.ends_at, zone, now_);
    if (c.j.kind == job_kind::starting) {
      m.add_text(fmt::format("Tweetup {} is starting now: ", replies::title(c.e)))
          .add_when(when, replies::span_moment(c.e))
          .add_text(".");
    } else {
      m.add_text(fmt::format("Reminder: tweetup {} starts {}, ", replies::title(c.e),
                             format_relative(now_, c.e.starts_at)))
          .add_when(when, replies::span_moment(c.e))
          .add_text(".");
      if (c.late) m.add_text(" (Late: I was offline when this reminder was due.)");
    }
    for (const auto& r : attendance_of(c.e).with_status(rsvp_status::going)) {
      m.add_text(" ").add_mention(r.user);
    }
    return m;
  }

  outbound_message promotion(const candidate& c) const {
    outbound_message m = start(c);
    m.add_mention(c.j.user)
        .add_text(fmt::format(", a spot opened up: you're going to {}, ", replies::title(c.e)))
        .add_when(replies::when({c.e, zone_of(c.e), now_}), replies::when_moment(c.e))
        .add_text(".");
    return m;
  }

  // The channel's re-announcements due now, as one message, within the daily budget. The
  // budget counts every post the bot made on its own today, reminders included.
  void reannounce(std::vector<candidate>& due) {
    std::vector<const candidate*> open;
    for (const auto& c : due) {
      if (attendance_of(c.e).seats_left() == 0) {
        drop(c.j, fmt::format("tweetup #{} is full", c.e.number));
      } else {
        open.push_back(&c);
      }
    }
    if (open.empty()) return;
    const auto& zone = zone_of(open.front()->e);
    const int posted = store_.posts_sent_since(open.front()->e.channel, start_of_day(now_, zone));
    if (posted >= options_.max_posts_per_day) {
      for (const auto* c : open)
        drop(c->j, "the channel's daily post budget is spent");
      return;
    }
    outbound_message m = start(*open.front());
    m.add_text(open.size() == 1 ? "Today:" : "Today's tweetups:");
    std::vector<std::int64_t> ids;
    for (const auto* c : open) {
      const attendance a = attendance_of(c->e);
      m.add_text(fmt::format("{}{} at {} ({}). Join with {}join {}", open.size() == 1 ? " " : "\n",
                             replies::title(c->e), format_time(c->e.starts_at, zone_of(c->e)),
                             replies::counts(a), options_.prefix, c->e.number));
      ids.push_back(c->j.id);
    }
    send(std::move(ids), std::move(m), job_kind::reannounce);
  }

  event_store& store_;
  const service_options& options_;
  std::chrono::sys_seconds now_;
  const std::set<std::int64_t>& retried_;
  due_batch batch_;
  std::map<std::int64_t, std::vector<candidate>> late_;
  std::map<channel_ref, std::vector<candidate>> reannounce_;
};

due_batch job_runner::take_due(std::chrono::sys_seconds now,
                               const std::set<std::int64_t>& in_flight,
                               const std::set<std::int64_t>& retried) {
  due_batch batch;
  store_.transact([&] {
    claim c(store_, options_, now, retried);
    // In flight, they are still `sending`, so they come back with the due ones: read past them.
    const int limit = claim_limit + static_cast<int>(in_flight.size());
    for (const job& j : store_.due_jobs(now, limit)) {
      if (!in_flight.contains(j.id)) c.sort(j);
    }
    batch = c.finish();
  });
  return batch;
}

void job_runner::finish(const std::vector<std::pair<std::int64_t, job_state>>& outcomes,
                        std::chrono::sys_seconds now) {
  store_.transact([&] {
    for (const auto& [id, state] : outcomes)
      store_.set_job_state(id, state, now);
  });
}

std::optional<std::chrono::sys_seconds> job_runner::next_due() {
  return store_.next_job_due();
}

}  // namespace tweetup

#include "support/memory_event_store.hpp"

#include <algorithm>
#include <random>
#include <sstream>

namespace tweetup {

void memory_event_store::transact(const std::function<void()>& work) {
  state snapshot = state_;
  ++depth_;
  try {
    work();
    if (depth_ == 1 && commit_failure_) {
      const store_failure failure = *commit_failure_;
      commit_failure_.reset();
      throw store_error(failure, "memory_event_store: injected commit failure");
    }
  } catch (...) {
    state_ = std::move(snapshot);
    --depth_;
    ++rolled_back_;
    throw;
  }
  if (--depth_ == 0) ++committed_;
}

void memory_event_store::fail_next_write(store_failure failure, int writes_to_skip) {
  failure_ = failure;
  writes_to_skip_ = writes_to_skip;
}

void memory_event_store::before_write() {
  if (!failure_) return;
  if (writes_to_skip_ > 0) {
    --writes_to_skip_;
    return;
  }
  const store_failure failure = *failure_;
  failure_.reset();
  throw store_error(failure, "memory_event_store: injected failure");
}

channel_settings memory_event_store::load_channel(const channel_ref& channel) {
  const auto it = state_.zones.find(channel);
  const auto reminders = state_.reminders.find(channel);
  return {channel, it == state_.zones.end() ? std::string() : it->second,
          reminders == state_.reminders.end() ? std::nullopt : reminders->second};
}

void memory_event_store::save_channel(const channel_settings& settings) {
  before_write();
  state_.zones[settings.channel] = settings.zone;
  state_.reminders[settings.channel] = settings.reminders;
  ++writes_;
}

event memory_event_store::insert_event(event e) {
  before_write();
  int& next = state_.next_number[e.channel];
  if (next == 0) next = 1;
  e.number = next++;
  e.id = state_.next_id++;
  state_.events.push_back(e);
  ++writes_;
  return e;
}

void memory_event_store::update_event(const event& e) {
  before_write();
  const auto it = std::find_if(state_.events.begin(), state_.events.end(),
                               [&](const event& stored) { return stored.id == e.id; });
  if (it == state_.events.end()) {
    throw store_error(store_failure::other, "no event with id " + std::to_string(e.id));
  }
  // Like the SQL store: the id, channel, number and creation time never change.
  event updated = e;
  updated.channel = it->channel;
  updated.number = it->number;
  updated.created_at = it->created_at;
  *it = std::move(updated);
  ++writes_;
}

std::optional<event> memory_event_store::find_event(const channel_ref& channel, int number) {
  for (const auto& e : state_.events) {
    if (e.channel == channel && e.number == number) return e;
  }
  return std::nullopt;
}

std::vector<event> memory_event_store::upcoming_events(const channel_ref& channel,
                                                       std::chrono::sys_seconds now) {
  std::vector<event> found;
  for (const auto& e : state_.events) {
    if (e.channel == channel && e.status == event_status::scheduled && e.effective_end() > now) {
      found.push_back(e);
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const event& a, const event& b) {
    return a.starts_at != b.starts_at ? a.starts_at < b.starts_at : a.number < b.number;
  });
  return found;
}

std::vector<rsvp> memory_event_store::rsvps_of(std::int64_t event_id) {
  ++full_rsvp_reads_;
  return rows_of(event_id);
}

std::vector<rsvp> memory_event_store::rows_of(std::int64_t event_id) const {
  std::vector<rsvp> found;
  for (const auto& [key, r] : state_.rsvps) {
    if (key.first == event_id) found.push_back(r);
  }
  std::stable_sort(found.begin(), found.end(), [](const rsvp& a, const rsvp& b) {
    return a.queue_order != b.queue_order ? a.queue_order < b.queue_order : a.user.id < b.user.id;
  });
  return found;
}

rsvp_slice memory_event_store::rsvp_slice_of(std::int64_t event_id, std::string_view user_id) {
  return make_rsvp_slice(event_id, rows_of(event_id), user_id);
}

void memory_event_store::save_rsvp(const rsvp& r) {
  before_write();
  const bool known = std::any_of(state_.events.begin(), state_.events.end(),
                                 [&](const event& e) { return e.id == r.event_id; });
  if (!known) {
    // The SQL store's foreign key refuses this too.
    throw store_error(store_failure::other,
                      "no event with id " + std::to_string(r.event_id) + " for an RSVP");
  }
  state_.rsvps[{r.event_id, r.user.id}] = r;
  ++writes_;
}

std::string memory_event_store::dump() const {
  std::ostringstream out;
  for (const auto& [channel, zone] : state_.zones) {
    out << "zone " << channel.platform << '/' << channel.channel << '=' << zone << '\n';
  }
  for (const auto& [channel, next] : state_.next_number) {
    out << "next " << channel.platform << '/' << channel.channel << '=' << next << '\n';
  }
  for (const auto& e : state_.events) {
    out << "event " << e.id << " #" << e.number << ' ' << e.channel.platform << '/'
        << e.channel.channel << " org=" << e.organizer.id << '/' << e.organizer.name << " place=["
        << e.place << "] start=" << e.starts_at.time_since_epoch().count()
        << " end=" << (e.ends_at ? std::to_string(e.ends_at->time_since_epoch().count()) : "-")
        << " zone=" << e.zone << " cap=" << (e.capacity ? std::to_string(*e.capacity) : "-")
        << " status=" << static_cast<int>(e.status)
        << " created=" << e.created_at.time_since_epoch().count() << " rev=" << e.revision << '\n';
  }
  for (const auto& [key, r] : state_.rsvps) {
    out << "rsvp " << r.event_id << ' ' << r.user.id << '/' << r.user.name
        << " status=" << static_cast<int>(r.status) << " guests=" << r.guests
        << " order=" << r.queue_order << '\n';
  }
  for (const auto& j : state_.jobs) {
    out << "job " << j.id << " event=" << j.event_id << " kind=" << static_cast<int>(j.kind)
        << " offset=" << j.offset.count() << " due=" << j.due_at.time_since_epoch().count()
        << " state=" << static_cast<int>(j.state) << '\n';
  }
  for (const auto& [channel, key] : state_.calendar_keys) {
    out << "calendar " << channel.platform << '/' << channel.channel << '=' << key << '\n';
  }
  out << "next_id=" << state_.next_id << '\n';
  return out.str();
}

std::optional<event> memory_event_store::find_event_by_id(std::int64_t id) {
  for (const auto& e : state_.events) {
    if (e.id == id) return e;
  }
  return std::nullopt;
}

void memory_event_store::replace_pending_jobs(std::int64_t event_id, const std::vector<job>& jobs) {
  before_write();
  std::erase_if(state_.jobs, [&](const job& j) {
    return j.event_id == event_id && j.state == job_state::pending && is_planned(j.kind);
  });
  for (job j : jobs) {
    j.event_id = event_id;
    push_job(j);
  }
  ++writes_;
}

void memory_event_store::add_job(const job& j) {
  before_write();
  push_job(j);
  ++writes_;
}

void memory_event_store::push_job(job j) {
  j.id = state_.next_job_id++;
  j.state = job_state::pending;
  state_.jobs.push_back(std::move(j));
}

std::vector<job> memory_event_store::due_jobs(std::chrono::sys_seconds now, int limit) {
  std::vector<job> due;
  for (const auto& j : state_.jobs) {
    const bool open = j.state == job_state::pending || j.state == job_state::sending;
    if (open && j.due_at <= now) due.push_back(j);
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const job& a, const job& b) { return a.due_at < b.due_at; });
  if (due.size() > static_cast<std::size_t>(limit)) due.resize(static_cast<std::size_t>(limit));
  return due;
}

void memory_event_store::set_job_state(std::int64_t job_id, job_state new_state,
                                       std::chrono::sys_seconds at) {
  before_write();
  for (auto& j : state_.jobs) {
    if (j.id != job_id) continue;
    j.state = new_state;
    if (new_state == job_state::sent) state_.sent_at[job_id] = at;
  }
  ++writes_;
}

int memory_event_store::posts_sent_since(const channel_ref& channel,
                                         std::chrono::sys_seconds since) {
  int posts = 0;
  for (const auto& j : state_.jobs) {
    const auto sent = state_.sent_at.find(j.id);
    const auto e = find_event_by_id(j.event_id);
    if (j.state == job_state::sent && j.kind != job_kind::past && sent != state_.sent_at.end() &&
        sent->second >= since && e && e->channel == channel) {
      ++posts;
    }
  }
  return posts;
}

std::optional<std::chrono::sys_seconds> memory_event_store::next_job_due() {
  std::optional<std::chrono::sys_seconds> next;
  for (const auto& j : state_.jobs) {
    if (j.state == job_state::pending && (!next || j.due_at < *next)) next = j.due_at;
  }
  return next;
}

std::vector<job> memory_event_store::pending_jobs(const channel_ref& channel) {
  std::vector<job> pending;
  for (const auto& j : state_.jobs) {
    const auto e = find_event_by_id(j.event_id);
    if (j.state == job_state::pending && e && e->channel == channel) pending.push_back(j);
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const job& a, const job& b) { return a.due_at < b.due_at; });
  return pending;
}

std::string memory_event_store::calendar_key(const channel_ref& channel) {
  const auto found = state_.calendar_keys.find(channel);
  if (found != state_.calendar_keys.end()) return found->second;
  before_write();
  // Random like the SQL store's, so no test can come to rely on a key derived from the channel.
  std::random_device entropy;
  std::string key;
  while (key.size() < 32)
    key += "0123456789abcdef"[entropy() % 16];
  state_.calendar_keys[channel] = key;
  ++writes_;
  return key;
}

std::optional<channel_ref> memory_event_store::channel_of_calendar_key(std::string_view key) {
  for (const auto& [channel, stored] : state_.calendar_keys) {
    if (stored == key) return channel;
  }
  return std::nullopt;
}

std::vector<event> memory_event_store::calendar_events(const channel_ref& channel,
                                                       std::chrono::sys_seconds ended_after,
                                                       int limit) {
  std::vector<event> found;
  for (const auto& e : state_.events) {
    if (e.channel == channel && e.effective_end() > ended_after) found.push_back(e);
  }
  std::stable_sort(found.begin(), found.end(), [](const event& a, const event& b) {
    return a.starts_at != b.starts_at ? a.starts_at < b.starts_at : a.number < b.number;
  });
  if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
  return found;
}

}  // namespace tweetup

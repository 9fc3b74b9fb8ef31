#include "core/job_plan.hpp"

#include <algorithm>

#include <date/tz.h>

namespace tweetup {
namespace {

job planned(const event& e, job_kind kind, std::chrono::sys_seconds due,
            std::chrono::seconds offset = std::chrono::seconds{0}) {
  return job{0, e.id, kind, offset, due, job_state::pending, {}};
}

// The morning of the start's local day at `time_of_day`. A wall time skipped by a DST change
// moves to the transition, like any other wall time the bot reads.
std::chrono::sys_seconds morning_of(const event& e, std::chrono::minutes time_of_day,
                                    const date::time_zone& zone) {
  const auto local_start = zone.to_local(e.starts_at);
  const auto local_day = date::floor<date::days>(local_start);
  const auto local_morning = date::local_seconds{local_day} + time_of_day;
  return zone.to_sys(local_morning, date::choose::earliest);
}

}  // namespace

std::vector<job> plan_jobs(const event& e, const plan_settings& settings,
                           std::chrono::sys_seconds now) {
  std::vector<job> jobs;
  if (e.status != event_status::scheduled) return jobs;
  for (const auto offset : settings.reminder_offsets) {
    const auto due = e.starts_at - offset;
    const bool duplicate =
        std::any_of(jobs.begin(), jobs.end(), [&](const job& j) { return j.offset == offset; });
    if (offset.count() > 0 && due > now && !duplicate) {
      jobs.push_back(planned(e, job_kind::reminder, due, offset));
    }
  }
  if (settings.reannounce_at && settings.zone) {
    const auto due = morning_of(e, *settings.reannounce_at, *settings.zone);
    if (due > now && due < e.starts_at) jobs.push_back(planned(e, job_kind::reannounce, due));
  }
  if (e.starts_at > now) jobs.push_back(planned(e, job_kind::starting, e.starts_at));
  jobs.push_back(planned(e, job_kind::past, std::max(e.effective_end(), now)));
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const job& a, const job& b) { return a.due_at < b.due_at; });
  return jobs;
}

}  // namespace tweetup

#include "core/job_plan.hpp"

#include <algorithm>

namespace tweetup {

std::vector<job> plan_jobs(const event& e, std::span<const std::chrono::seconds> reminder_offsets,
                           std::chrono::sys_seconds now) {
  std::vector<job> jobs;
  if (e.status != event_status::scheduled) return jobs;
  for (const auto offset : reminder_offsets) {
    const auto due = e.starts_at - offset;
    const bool duplicate =
        std::any_of(jobs.begin(), jobs.end(), [&](const job& j) { return j.offset == offset; });
    if (offset.count() > 0 && due > now && !duplicate) {
      jobs.push_back({0, e.id, job_kind::reminder, offset, due, job_state::pending});
    }
  }
  if (e.starts_at > now) {
    jobs.push_back(
        {0, e.id, job_kind::starting, std::chrono::seconds{0}, e.starts_at, job_state::pending});
  }
  jobs.push_back({0, e.id, job_kind::past, std::chrono::seconds{0},
                  std::max(e.effective_end(), now), job_state::pending});
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const job& a, const job& b) { return a.due_at < b.due_at; });
  return jobs;
}

}  // namespace tweetup

// An in-memory event_store for unit tests: the port's semantics without SQLite.
//
// - transact() snapshots the whole state, runs `work`, and restores the snapshot when `work`
//   throws (the exception is passed on), so a failed command leaves nothing half-written. A
//   nested call takes its own snapshot (a savepoint); only the outermost call commits.
// - fail_next_commit() makes the next outermost commit throw store_error after `work` returned,
//   so everything the outer and inner calls wrote is restored, as a failed COMMIT would.
// - fail_next_write() makes a later mutating call throw store_error, as a full disk or a
//   read-only database would, so the service's failure replies can be tested.
// - dump() renders the whole state as text, so a test can assert "nothing changed" by comparing
//   two dumps.
// Not thread-safe, like the real store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/event_store.hpp"
#include "core/store_error.hpp"

namespace tweetup {

class memory_event_store final : public event_store {
 public:
  void transact(const std::function<void()>& work) override;
  channel_settings load_channel(const channel_ref& channel) override;
  void save_channel(const channel_settings& settings) override;
  event insert_event(event e) override;
  void update_event(const event& e) override;
  std::optional<event> find_event(const channel_ref& channel, int number) override;
  std::vector<event> upcoming_events(const channel_ref& channel,
                                     std::chrono::sys_seconds now) override;
  std::vector<rsvp> rsvps_of(std::int64_t event_id) override;
  rsvp_slice rsvp_slice_of(std::int64_t event_id, std::string_view user_id) override;
  void save_rsvp(const rsvp& r) override;
  std::optional<event> find_event_by_id(std::int64_t id) override;
  void replace_pending_jobs(std::int64_t event_id, const std::vector<job>& jobs) override;
  std::vector<job> due_jobs(std::chrono::sys_seconds now, int limit) override;
  void add_job(const job& j) override;
  void set_job_state(std::int64_t job_id, job_state state, std::chrono::sys_seconds at) override;
  int posts_sent_since(const channel_ref& channel, std::chrono::sys_seconds since) override;
  std::optional<std::chrono::sys_seconds> next_job_due() override;
  std::vector<job> pending_jobs(const channel_ref& channel) override;
  std::string calendar_key(const channel_ref& channel) override;
  std::optional<channel_ref> channel_of_calendar_key(std::string_view key) override;
  std::vector<event> calendar_events(const channel_ref& channel,
                                     std::chrono::sys_seconds ended_after, int limit) override;
  // Every job ever stored, in id order: for tests of the plan.
  const std::vector<job>& all_jobs() const { return state_.jobs; }

  // The mutating call after `writes_to_skip` successful ones throws store_error(failure, …).
  // Mutating calls: save_channel, insert_event, update_event, save_rsvp, replace_pending_jobs,
  // set_job_state, and calendar_key when it makes a key. One failure per arm.
  void fail_next_write(store_failure failure, int writes_to_skip = 0);
  bool failure_armed() const { return failure_.has_value(); }
  void fail_next_commit(store_failure failure) { commit_failure_ = failure; }

  // Everything stored, in a stable order: for "the store did not change" checks.
  std::string dump() const;
  // Successful mutating calls so far, including rolled-back ones.
  int writes() const { return writes_; }
  // Calls of rsvps_of (every RSVP of an event), not counting rsvp_slice_of: for tests that the
  // RSVP commands do without it.
  int full_rsvp_reads() const { return full_rsvp_reads_; }
  // Outermost commits; rolled-back calls, inner ones included.
  int transactions_committed() const { return committed_; }
  int transactions_rolled_back() const { return rolled_back_; }

 private:
  struct state {
    std::map<channel_ref, std::string> zones;
    std::map<channel_ref, std::optional<std::vector<std::chrono::seconds>>> reminders;
    std::map<channel_ref, int> next_number;
    std::vector<event> events;                                   // in id order
    std::map<std::pair<std::int64_t, std::string>, rsvp> rsvps;  // (event id, user id)
    std::int64_t next_id = 1;
    std::vector<job> jobs;                                     // in id order
    std::map<std::int64_t, std::chrono::sys_seconds> sent_at;  // job id → when it was sent
    std::int64_t next_job_id = 1;
    std::map<channel_ref, std::string> calendar_keys;
  };

  void before_write();
  std::vector<rsvp> rows_of(std::int64_t event_id) const;
  void push_job(job j);

  state state_;
  int depth_ = 0;  // open transact calls
  std::optional<store_failure> failure_;
  std::optional<store_failure> commit_failure_;
  int writes_to_skip_ = 0;
  int writes_ = 0;
  int full_rsvp_reads_ = 0;
  int committed_ = 0;
  int rolled_back_ = 0;
};

}  // namespace tweetup

// Shared set-up for the gathering_service tests: a memory store, a service reading times in
// America/Chicago, and a few people. Time is fixed at 2026-11-28T10:15:00 America/Chicago.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <date/date.h>

#include "core/gathering_service.hpp"
#include "core/job_runner.hpp"
#include "support/memory_event_store.hpp"

namespace tweetup::testing {

inline std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

// Saturday 28 November 2026, 10:15 CST.
inline const std::chrono::sys_seconds default_now = utc(2026, 11, 28, 16, 15);

inline const user_ref alice{"u-alice", "alice"};
inline const user_ref bob{"u-bob", "bob"};
inline const user_ref cat{"u-cat", "cat"};
inline const user_ref dan{"u-dan", "dan"};
inline const user_ref mod{"u-mod", "mod"};

struct service_fixture {
  explicit service_fixture(service_options options = {"!", "America/Chicago"})
      : service(store, std::move(options)) {}

  memory_event_store store;
  gathering_service service;
  channel_ref channel{"console", "general"};
  int sent = 0;

  command_outcome send(const std::string& text, const user_ref& author,
                       std::chrono::sys_seconds now = default_now) {
    return send_as(text, author, author.id == mod.id, now);
  }
  command_outcome send_as(const std::string& text, const user_ref& author, bool moderator,
                          std::chrono::sys_seconds now = default_now) {
    inbound_message m;
    m.channel = channel;
    m.author = author;
    m.text = text;
    m.message_id = "m" + std::to_string(++sent);
    m.author_is_moderator = moderator;
    return service.handle(m, now);
  }
  // Runs the jobs due at `now` as the scheduler would, returning what it would post.
  std::vector<outbound_message> run_jobs(std::chrono::sys_seconds now = default_now) {
    job_runner runner(store, service.options());
    std::vector<outbound_message> posted;
    // Kept in a variable: a range-for over a member of a temporary would dangle (before C++23).
    const due_batch batch = runner.take_due(now);
    for (const auto& due : batch.to_send) {
      posted.push_back(due.message);
      for (const auto id : due.job_ids)
        runner.finish({{id, job_state::sent}}, now);
    }
    return posted;
  }
};

inline std::string text_of(const command_outcome& o, std::size_t i = 0) {
  return i < o.messages.size() ? o.messages[i].plain_text() : std::string("<no message>");
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::vector<std::string> mention_ids(const outbound_message& m) {
  std::vector<std::string> ids;
  for (const auto& u : m.mentions())
    ids.push_back(u.id);
  return ids;
}

}  // namespace tweetup::testing

// Building the health report, and the cache that rate-limits its database write.
#include <doctest/doctest.h>

#include "app/health_report.hpp"
#include "app/write_check_cache.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

TEST_CASE("health report: all three checks pass") {
  const auto r = build_health_report({"discord", true, {}, std::nullopt, true, 12s});
  CHECK(r.ok());
  CHECK(r.failing().empty());
  REQUIRE(r.checks.size() == 3);
  CHECK(r.checks[0].name == "adapter");
  CHECK(r.checks[0].detail == "discord connected");
  CHECK(r.checks[1].name == "database");
  CHECK(r.checks[1].detail == "writable");
  CHECK(r.checks[2].name == "scheduler");
  CHECK(r.checks[2].detail == "last woke 12 s ago");
}

TEST_CASE("health report: the adapter's own detail follows, as for a bot's shards") {
  const auto up = build_health_report({"discord", true, "4 of 4 shards", std::nullopt, true, 1s});
  CHECK(up.ok());
  CHECK(up.checks[0].detail == "discord connected (4 of 4 shards)");
  const auto partly =
      build_health_report({"discord", false, "3 of 4 shards", std::nullopt, true, 1s});
  CHECK(partly.failing() == std::vector<std::string>{"adapter"});
  CHECK(partly.checks[0].detail == "discord not connected (3 of 4 shards)");
}

TEST_CASE("health report: each failing check is named, with why") {
  const auto adapter = build_health_report({"irc", false, {}, std::nullopt, true, 1s});
  CHECK_FALSE(adapter.ok());
  CHECK(adapter.failing() == std::vector<std::string>{"adapter"});
  CHECK(adapter.checks[0].detail == "irc not connected");

  const auto database =
      build_health_report({"irc", true, {}, std::string("disk I/O error"), true, 1s});
  CHECK(database.failing() == std::vector<std::string>{"database"});
  CHECK(database.checks[1].detail == "not writable: disk I/O error");

  const auto stopped = build_health_report({"irc", true, {}, std::nullopt, false, 1s});
  CHECK(stopped.failing() == std::vector<std::string>{"scheduler"});
  CHECK(stopped.checks[2].detail == "not running");

  const auto all = build_health_report({"console", false, {}, std::string("x"), false, 0s});
  CHECK(all.failing() == std::vector<std::string>{"adapter", "database", "scheduler"});
}

TEST_CASE("health report: the scheduler is alive within its longest sleep plus a margin") {
  CHECK(build_health_report({"irc", true, {}, std::nullopt, true, scheduler_alive_within}).ok());
  const auto stalled =
      build_health_report({"irc", true, {}, std::nullopt, true, scheduler_alive_within + 1s});
  CHECK(stalled.failing() == std::vector<std::string>{"scheduler"});
  CHECK(stalled.checks[2].detail == "stalled: last woke 91 s ago (limit 90 s)");
}

TEST_CASE("write check cache: one probe per second at most, whatever the outcome") {
  write_check_cache cache(1s);
  const write_check_cache::clock::time_point t0{100s};
  int probes = 0;
  std::optional<std::string> next;
  const auto probe = [&] {
    ++probes;
    return next;
  };
  CHECK_FALSE(cache.check(t0, probe));
  CHECK(probes == 1);
  next = "read-only";
  CHECK_FALSE(cache.check(t0 + 999ms, probe));  // still the cached success
  CHECK(probes == 1);
  CHECK(cache.check(t0 + 1s, probe) == std::optional<std::string>("read-only"));
  CHECK(probes == 2);
  next.reset();
  CHECK(cache.check(t0 + 1500ms, probe) == std::optional<std::string>("read-only"));
  CHECK(probes == 2);
  CHECK_FALSE(cache.check(t0 + 2s, probe));
  CHECK(probes == 3);
  // A time before the last check is not trusted to be fresh.
  CHECK_FALSE(cache.check(t0, probe));
  CHECK(probes == 4);
}

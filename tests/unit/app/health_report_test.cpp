// Building the health report, the write-check cache, and the http.listen parser.
#include <doctest/doctest.h>

#include "app/health_report.hpp"
#include "app/listen_address.hpp"
#include "app/write_check_cache.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

TEST_CASE("health report: all three checks pass") {
  const auto r = build_health_report({"discord", true, std::nullopt, true, 12s});
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

TEST_CASE("health report: each failing check is named, with why") {
  const auto adapter = build_health_report({"irc", false, std::nullopt, true, 1s});
  CHECK_FALSE(adapter.ok());
  CHECK(adapter.failing() == std::vector<std::string>{"adapter"});
  CHECK(adapter.checks[0].detail == "irc not connected");

  const auto database = build_health_report({"irc", true, std::string("disk I/O error"), true, 1s});
  CHECK(database.failing() == std::vector<std::string>{"database"});
  CHECK(database.checks[1].detail == "not writable: disk I/O error");

  const auto stopped = build_health_report({"irc", true, std::nullopt, false, 1s});
  CHECK(stopped.failing() == std::vector<std::string>{"scheduler"});
  CHECK(stopped.checks[2].detail == "not running");

  const auto all = build_health_report({"console", false, std::string("x"), false, 0s});
  CHECK(all.failing() == std::vector<std::string>{"adapter", "database", "scheduler"});
}

TEST_CASE("health report: the scheduler is alive within its longest sleep plus a margin") {
  CHECK(build_health_report({"irc", true, std::nullopt, true, scheduler_alive_within}).ok());
  const auto stalled =
      build_health_report({"irc", true, std::nullopt, true, scheduler_alive_within + 1s});
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

TEST_CASE("listen address: host:port, IPv6 in brackets") {
  const auto v4 = parse_listen_address("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  CHECK(v4->local_origin() == "http://127.0.0.1:8080");

  const auto v6 = parse_listen_address("[::1]:9090");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->local_origin() == "http://[::1]:9090");

  const auto any4 = parse_listen_address("0.0.0.0:8080");
  REQUIRE(any4);
  CHECK(any4->host == "0.0.0.0");
  CHECK(any4->local_origin() == "http://127.0.0.1:8080");

  const auto any6 = parse_listen_address("[::]:1");
  REQUIRE(any6);
  CHECK(any6->local_host() == "::1");
  CHECK(any6->local_origin() == "http://[::1]:1");

  const auto named = parse_listen_address("localhost:65535");
  REQUIRE(named);
  CHECK(named->host == "localhost");
  CHECK(named->port == 65535);
}

TEST_CASE("listen address: malformed values are refused") {
  for (const char* bad :
       {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:080", "127.0.0.1:80a", "::1:8080", "[::1:8080", "[]:8080", "[::1]x:8080",
        "http://127.0.0.1:8080", "host name:80", "127.0.0.1:8080/", "[g::1]:80", "a/b:80"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_listen_address(bad));
  }
}

// The bot's metrics as Prometheus itself reads them: `promtool check metrics` (Debian's
// prometheus package) parses the text and lints names, units, suffixes and help.
#include <doctest/doctest.h>

#include <filesystem>

#include "metrics/bot_metrics.hpp"
#include "support/child_process.hpp"

using namespace tweetup::metrics;

namespace {

tweetup::testing::process_result promtool_check(const std::string& text) {
  REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/promtool"),
                  "promtool is missing: install Debian's prometheus package (scripts/test does)");
  return tweetup::testing::run_process("/usr/bin/promtool", {"check", "metrics"}, text);
}

}  // namespace

TEST_CASE("promtool accepts the bot's metrics with every family populated") {
  auto& m = bot_metrics::get();
  m.messages_received.with({"console"}).inc();
  m.messages_sent.with({"console"}).inc(2);
  m.commands.with({"tweetup move", "ok"}).inc();
  m.commands.with({"join", "rejected"}).inc();
  m.reminders.with({"reminder", "late"}).inc();
  m.reconnects.with({"irc"}).inc();
  m.gateway_resumes.get().inc();
  m.rest_rate_limited.with({"user"}).inc();
  m.jobs_pending.get().set(3);
  m.db_transaction_seconds.get().observe(0.003);
  const std::string text = bot_metrics::render();
  INFO(text);
  CHECK(text.find("process_resident_memory_bytes ") != std::string::npos);
  CHECK(text.find("process_start_time_seconds ") != std::string::npos);
  CHECK(text.find("tweetup_commands_total{command=\"tweetup move\",outcome=\"ok\"} ") !=
        std::string::npos);
  const auto result = promtool_check(text);
  INFO("promtool stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
}

TEST_CASE("promtool accepts escaped label values, special values and empty families") {
  registry r;
  r.add_counter("demo_escapes_total", "Help with a \\ and a\nline break.", {"text"})
      .with({"a \"quoted\" \\ value\non two lines"})
      .inc();
  r.add_gauge("demo_ratio", "A gauge at +Inf.").get().set(1.0 / 0.0);
  r.add_counter("demo_unused_total", "A family with no series yet.", {"kind"});
  r.add_histogram("demo_duration_seconds", "A labelled histogram.", {0.0001, 0.5}, {"op"})
      .with({"write"})
      .observe(0.2);
  const std::string text = r.render();
  INFO(text);
  const auto result = promtool_check(text);
  INFO("promtool stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("the promtool check can fail: it flags a counter without _total") {
  // Guards the two tests above against a promtool that accepts anything.
  const auto result = promtool_check("# HELP demo A counter.\n# TYPE demo counter\ndemo 1\n");
  CHECK(result.exit_code != 0);
}

// The answer of `tweetup parse-command` depends on --now and --tz only, never on the host's zone
// (../shared/time-conventions.md, CLI contract): the same batch, run under several host TZ
// settings, must give byte-identical output.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

using tweetup::testing::process_result;
using tweetup::testing::run_process;

namespace {

struct request {
  std::string text, now, tz;
};

// Places the parser keeps whole, with the time before or after them, in several forms.
const std::vector<std::string> texts{
    "!tweetup Starbucks Alabaster 3pm",
    "!tweetup tomorrow 7:30pm Mon Ami Gabi",
    "!tweetup Noon Cafe fri 6-8pm CET",
    "!tweetup Bar in 2 hours",
    "!tweetup Pub in 30 min",
    "!tweetup Cafe in 24 hours",
    "!tweetup Night Market 2:30am",
    "!tweetup Diner at 7",
    "!tweetup Office 12/3 9am",
    "!tweetup Beach 13/12 noon",
    "!tweetup Hall 15:00 UTC",
    "!tweetup Roof 18:00+01:00",
    "!tweetup Pier 7pm PST",
    "!tweetup Club tonight at 8",
    "!tweetup Gym next monday 6pm",
    "!tweetup Park the day after tomorrow",
    "!tweetup Café Zoë 2027-03-14 02:30",
    "!tweetup Library 2027-11-07T01:30",
    "!tweetup Starbucks",
    "!tweetup Starbucks yesterday at 3pm",
    "!tweetup Cafe 25pm",
    "!tweetup Cafe feb 30 5pm",
    "!join 3 +2",
    "tomorrow at 3pm at the station",
    "!tweetup Cafe\x01\x1b[2J 3pm",
};

// Each `now` is local wall time in its zone: an ordinary day, both DST changes in both
// hemispheres (including a `now` inside a fall-back fold), half-hour zones, and the date line.
const std::vector<std::pair<std::string, std::string>> contexts{
    {"2026-11-28T10:15:00", "America/Chicago"},  {"2026-03-08T01:30:00", "America/Chicago"},
    {"2026-11-01T01:30:00", "America/New_York"}, {"2026-03-29T01:45:00", "Europe/Berlin"},
    {"2026-10-25T02:30:00", "Europe/Berlin"},    {"2026-10-04T01:30:00", "Australia/Sydney"},
    {"2026-06-15T23:50:30", "Asia/Kolkata"},     {"2026-12-31T23:59:59", "Pacific/Kiritimati"},
};

std::vector<request> requests() {
  std::vector<request> all;
  for (const auto& [now, tz] : contexts) {
    for (const auto& text : texts)
      all.push_back({text, now, tz});
  }
  all.push_back({"!tweetup Cafe 3pm", "2027-01-01T00:00:00", "America/St_Johns"});
  all.push_back({"!tweetup Cafe 3pm", "2026-11-28T10:15:00", "Mars/Olympus"});
  return all;
}

std::string batch_input(const std::vector<request>& all) {
  std::string input;
  for (const auto& r : all) {
    input += nlohmann::json{{"text", r.text}, {"now", r.now}, {"tz", r.tz}}.dump() + '\n';
  }
  return input;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Runs the batch with the host TZ set to `host_tz`, or with no TZ at all for nullopt.
process_result run_batch(const std::string& input, const std::optional<std::string>& host_tz) {
  if (host_tz)
    return run_process(TWEETUP_BINARY, {"parse-command", "--batch"}, input, {{"TZ", *host_tz}});
  // run_process can add or replace variables but not remove them: take TZ out of our own
  // environment, which the child inherits, for the length of the run.
  const char* saved = std::getenv("TZ");
  const std::optional<std::string> previous =
      saved ? std::optional<std::string>(saved) : std::nullopt;
  ::unsetenv("TZ");
  auto result = run_process(TWEETUP_BINARY, {"parse-command", "--batch"}, input);
  if (previous) ::setenv("TZ", previous->c_str(), 1);
  return result;
}

}  // namespace

TEST_CASE("parse-command gives the same answers whatever the host's TZ is") {
  const auto all = requests();
  REQUIRE(all.size() >= 200);
  const std::string input = batch_input(all);

  const std::vector<std::optional<std::string>> host_zones{
      std::nullopt,          "UTC",          "Pacific/Kiritimati",
      "America/Los_Angeles", "Asia/Kolkata", ":/etc/localtime"};
  std::optional<std::string> reference;
  for (const auto& host_tz : host_zones) {
    INFO("host TZ: " << (host_tz ? "\"" + *host_tz + "\"" : std::string("unset")));
    const process_result r = run_batch(input, host_tz);
    CHECK(r.exit_code == 0);
    CHECK(r.signal == 0);
    REQUIRE_FALSE(r.out.empty());
    const auto lines = lines_of(r.out);
    CHECK(lines.size() == all.size());
    CHECK(r.out.back() == '\n');
    for (const auto& line : lines)
      CHECK_FALSE(line.empty());
    if (!reference) {
      reference = r.out;
    } else {
      CHECK(r.out == *reference);  // byte-identical
    }
  }

  // A few answers in full, from the unset-TZ run.
  const auto lines = lines_of(*reference);
  REQUIRE(lines.size() == all.size());
  const auto answer = [&](const std::string& text, const std::string& now,
                          const std::string& tz) -> std::string {
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].text == text && all[i].now == now && all[i].tz == tz) return lines[i];
    }
    FAIL("no such request: " << text);
    return {};
  };
  CHECK(answer("!tweetup Starbucks Alabaster 3pm", "2026-11-28T10:15:00", "America/Chicago") ==
        R"({"when":"2026-11-28T15:00:00-06:00","where":"Starbucks Alabaster"})");
  // Elapsed time across the spring-forward change: 01:30 CST + 2 h is 04:30 CDT.
  CHECK(answer("!tweetup Bar in 2 hours", "2026-03-08T01:30:00", "America/Chicago") ==
        R"({"when":"2026-03-08T04:30:00-05:00","where":"Bar"})");
  CHECK(answer("!tweetup Cafe 3pm", "2027-01-01T00:00:00", "America/St_Johns") ==
        R"({"when":"2027-01-01T15:00:00-03:30","where":"Cafe"})");
  const auto unknown_zone =
      nlohmann::json::parse(answer("!tweetup Cafe 3pm", "2026-11-28T10:15:00", "Mars/Olympus"));
  CHECK(unknown_zone.contains("error"));
  const auto rejected = nlohmann::json::parse(
      answer("!tweetup Starbucks yesterday at 3pm", "2026-11-28T10:15:00", "America/Chicago"));
  CHECK(rejected.contains("error"));
}

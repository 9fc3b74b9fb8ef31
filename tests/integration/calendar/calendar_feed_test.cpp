// The calendar feed end to end on a real SQLite file: tweetups are planned, moved and cancelled
// through gathering_service, the store is reopened, and the .ics the feed renders is read back
// by an independent parser (Debian's python3-icalendar, in ics_check.py), which must find the
// same UIDs, SEQUENCEs, STATUSes, instants and text.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/calendar_feed.hpp"
#include "core/gathering_service.hpp"
#include "storage/sqlite_event_store.hpp"
#include "support/child_process.hpp"
#include "unit/core/service_fixture.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace tweetup;
using tweetup::testing::run_process;
using tweetup::testing::utc;

namespace {

const std::string checker =
    std::string(TWEETUP_SOURCE_DIR) + "/tests/integration/calendar/ics_check.py";

struct scratch_dir {
  fs::path path = fs::temp_directory_path() / ("tweetup-calendar-" + std::to_string(::getpid()));
  scratch_dir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
};

struct check_result {
  int exit_code = -1;
  json feed;
  std::string problems;
};

// Writes the feed to a file and runs the checker on it, as the lead will on the live endpoint.
check_result check(const fs::path& dir, const std::string& ics, const json& expected = nullptr) {
  const fs::path file = dir / "feed.ics";
  {
    std::ofstream out(file, std::ios::binary);
    out << ics;
  }
  std::vector<std::string> args{checker, file.string()};
  if (!expected.is_null()) {
    args.push_back("--expect");
    args.push_back(expected.dump());
  }
  const auto run = run_process("/usr/bin/python3", args, "", {{"PYTHONDONTWRITEBYTECODE", "1"}});
  check_result result{run.exit_code, json::parse(run.out, nullptr, false), run.err};
  return result;
}

inbound_message said(const std::string& text, const user_ref& author, int id) {
  inbound_message m;
  m.channel = {"discord", "998877665544332211"};
  m.author = author;
  m.text = text;
  m.message_id = "m" + std::to_string(id);
  return m;
}

}  // namespace

TEST_CASE("calendar feed: created, moved and cancelled tweetups read back through icalendar") {
  scratch_dir dir;
  const std::string db = (dir.path / "tweetup.db").string();
  const auto now = testing::default_now;  // Sat 28 Nov 2026, 10:15 CST
  service_options options{"!", "America/Chicago"};
  options.public_url = "https://tweetup.example.org";
  const user_ref alice{"112233445566778899", "Zoë"};
  const user_ref bob{"223344556677889900", "bob"};

  std::string key, first_place, second_place;
  json uids;
  {
    sqlite_event_store store(db);
    gathering_service service(store, options);
    int id = 0;
    const auto send = [&](const std::string& text, const user_ref& who) {
      const auto o = service.handle(said(text, who, ++id), now);
      INFO(text, " → ", o.messages.empty() ? "" : o.messages[0].plain_text());
      REQUIRE(o.status == command_status::ok);
      return o.messages.at(0).plain_text();
    };
    send("!tweetup Café Zürich, Bahnhofstraße 5; upstairs tomorrow 7pm", alice);
    send("!tweetup Blue Bottle Coffee; Mint Plaza, 東京 corner fri 6-8pm", alice);
    send("!join 1 +1", bob);
    const std::string reply = send("!tweetup calendar", bob);
    const auto at = reply.find("https://tweetup.example.org/calendar/");
    REQUIRE(at != std::string::npos);
    key = reply.substr(at + 37, 32);
    REQUIRE(is_calendar_key(key));
    CHECK(reply.substr(at + 37 + 32, 4) == ".ics");
    first_place = store.find_event(said("", alice, 0).channel, 1)->place;
    second_place = store.find_event(said("", alice, 0).channel, 2)->place;
    // The places the test means to carry through: a comma, a semicolon, non-ASCII.
    CHECK(first_place == "Café Zürich, Bahnhofstraße 5; upstairs");
    CHECK(second_place == "Blue Bottle Coffee; Mint Plaza, 東京 corner");

    const auto before = calendar_feed(store, key, now);
    REQUIRE(before);
    const check_result first = check(dir.path, *before);
    INFO(first.problems, *before);
    REQUIRE(first.exit_code == 0);
    REQUIRE(first.feed.at("events").size() == 2);
    for (const auto& e : first.feed.at("events")) {
      CHECK(e.at("sequence") == 0);
      CHECK(e.at("status") == "CONFIRMED");
      uids.push_back(e.at("uid"));
    }

    send("!tweetup move 1 mon 8pm", alice);
    send("!tweetup cancel 2", alice);
  }

  // A fresh process would open the file again: so does the test.
  sqlite_event_store store(db);
  const auto after = calendar_feed(store, key, now + std::chrono::minutes(5));
  REQUIRE(after);
  const json expected = {{"name", "Tweetups"},
                         {"events",
                          {{{"uid", uids[0]},
                            {"summary", "Tweetup at " + first_place},
                            {"location", first_place},
                            {"description", "Tweetup #1, planned by Zoë.\n3 going."},
                            {"dtstart", "2026-12-01T02:00:00Z"},  // Mon 30 Nov, 8 PM CST
                            {"dtend", "2026-12-01T04:00:00Z"},
                            {"dtstamp", "2026-11-28T16:20:00Z"},
                            {"sequence", 1},
                            {"status", "CONFIRMED"}},
                           {{"uid", uids[1]},
                            {"summary", "Cancelled: Tweetup at " + second_place},
                            {"location", second_place},
                            {"dtstart", "2026-12-05T00:00:00Z"},  // Fri 4 Dec, 6-8 PM CST
                            {"dtend", "2026-12-05T02:00:00Z"},
                            {"sequence", 1},
                            {"status", "CANCELLED"}}}}};
  const check_result second = check(dir.path, *after, expected);
  INFO(second.problems, *after);
  CHECK(second.exit_code == 0);
  CHECK(second.problems.empty());
  // No platform id went out.
  for (const char* id : {"998877665544332211", "112233445566778899", "223344556677889900"})
    CHECK(after->find(id) == std::string::npos);

  CHECK_FALSE(calendar_feed(store, "00000000000000000000000000000000", now));
}

TEST_CASE("calendar feed: the checker refuses what a calendar app would choke on") {
  scratch_dir dir;
  const std::string good =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
      "DTSTAMP:20261128T170000Z\r\nDTSTART:20261129T210000Z\r\nSUMMARY:x\r\nSEQUENCE:0\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  CHECK(check(dir.path, good).exit_code == 0);
  // A wrong expectation.
  CHECK(check(dir.path, good, {{"events", {{{"sequence", 1}}}}}).exit_code == 1);
  CHECK(check(dir.path, good, {{"events", json::array()}}).exit_code == 1);
  // Bare LF line ends.
  std::string bare = good;
  for (std::size_t at = bare.find("\r\n"); at != std::string::npos; at = bare.find("\r\n", at))
    bare.erase(at, 1);
  CHECK(check(dir.path, bare).exit_code == 1);
  // An unfolded line of 80 octets.
  std::string longer = good;
  longer.replace(longer.find("SUMMARY:x"), 9, "SUMMARY:" + std::string(72, 'x'));
  CHECK(check(dir.path, longer).exit_code == 1);
  // A fold inside "é" (C3 A9).
  std::string split = good;
  split.replace(split.find("SUMMARY:x"), 9, "SUMMARY:caf\xC3\r\n \xA9");
  CHECK(check(dir.path, split).exit_code == 1);
  // Repeated UIDs.
  std::string twice = good;
  const auto event_start = twice.find("BEGIN:VEVENT");
  const auto event_end = twice.find("END:VCALENDAR");
  twice.insert(event_end, twice.substr(event_start, event_end - event_start));
  CHECK(check(dir.path, twice).exit_code == 1);
}

// The console bot end to end: the real `tweetup` binary, a real SQLite file, stdin and stdout.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include <date/date.h>

#include "support/child_process.hpp"

namespace fs = std::filesystem;
using tweetup::testing::child_process;
using tweetup::testing::process_result;
using tweetup::testing::run_process;

namespace {

// A fresh folder per test, removed afterwards.
struct scratch_dir {
  fs::path path;
  scratch_dir() {
    path = fs::temp_directory_path() /
           ("tweetup-console-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// The host zone is set far away so any use of it instead of the channel zone shows.
const std::map<std::string, std::string> bot_env{{"USER", "alice"},
                                                 {"TZ", "Pacific/Kiritimati"},
                                                 {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"},
                                                 {"TWEETUP_LOG_LEVEL", "info"}};

process_result run_bot(const fs::path& db, const std::string& input) {
  return run_process(TWEETUP_BINARY, {"run", "--db", db.string()}, input, bot_env);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool has_control_bytes(const std::string& text) {
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a tweetup is planned, joined and waitlisted, and survives a restart") {
  scratch_dir dir;
  const fs::path db = dir.path / "data" / "tweetup.db";  // the folder is created by the bot
  const process_result first = run_bot(db,
                                       "!tweetup Starbucks Alabaster tomorrow 3pm\n"
                                       "!tweetup limit 1 3\n"
                                       "/as bob\n"
                                       "!join 1 +1\n"
                                       "/as carol\n"
                                       "!maybe 1\n"
                                       "/as dave\n"
                                       "!join 1\n");
  INFO("stdout:\n" << first.out << "\nstderr:\n" << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(contains(first.out, "Tweetup #1 Starbucks Alabaster, "));
  // The real clock decides the date, so the zone may be in standard or daylight time.
  CHECK((contains(first.out, "3:00 PM CST") || contains(first.out, "3:00 PM CDT")));
  CHECK(contains(first.out, "join with !join 1"));
  CHECK(contains(first.out, "#1 now has 3 seats: 1 going, 2 spots left."));
  CHECK(contains(first.out, "You're going to #1 Starbucks Alabaster with +1"));
  CHECK(contains(first.out, "Marked you as maybe for #1 Starbucks Alabaster."));
  CHECK(contains(first.out, "is full, so you're on the waitlist, number 1."));
  CHECK(contains(first.err, "(you are now bob)"));
  CHECK_FALSE(contains(first.out, "(you are now"));  // notices stay off stdout

  const process_result second = run_bot(db,
                                        "!tweetup info 1\n"
                                        "/as bob\n"
                                        "!leave 1\n"
                                        "!tweetup Blue Bottle tomorrow 6pm\n");
  INFO("stdout:\n" << second.out << "\nstderr:\n" << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(contains(second.out, "Organizer: alice"));
  CHECK(contains(second.out, "Going: alice, bob +1"));
  CHECK(contains(second.out, "Maybe: carol"));
  CHECK(contains(second.out, "Waitlist: 1. dave"));
  CHECK(contains(second.out, "@dave, a spot opened up: you're going to #1 Starbucks Alabaster"));
  CHECK(contains(second.out, "Tweetup #2 Blue Bottle, "));  // numbers continue, never reused
}

TEST_CASE("hostile and broken input gets clear replies and never breaks the console") {
  scratch_dir dir;
  const std::string long_line = "!tweetup " + std::string(5000, 'x') + " 3pm";
  const std::string huge_line = "!join " + std::string(200000, '9');
  std::string input;
  input += "\n   \n";                                             // empty lines: ignored
  input += long_line + "\n";                                      // over 4,000 bytes
  input += huge_line + "\n";                                      // over the console's line cap
  input += "!tweetup Caf\xC3\x28 tomorrow 3pm\n";                 // invalid UTF-8
  input += std::string("!tweetup Nul\0Cafe tomorrow 3pm\n", 31);  // NUL
  input += "!tweetup \x1b[31mRed\x1b[0m Bar tomorrow 3pm\n";      // terminal escapes
  input += "!tweetup @everyone <@&123> \rQUIT '; DROP TABLE events;-- tomorrow 3pm\n";
  input += "!tweetup info 2\n";
  input += "!tweetup info 1\n";
  input += "!join 77\n";
  input += "!join 1 -1\n";
  input += "!tweetup limit 1 0\n";
  input += "just chatting, not a command\n";
  input += "!unknowncommand\n";
  const process_result r = run_bot(dir.path / "t.db", input);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(has_control_bytes(r.out));
  CHECK(contains(r.out, "That's too long for a command (5013 bytes; the limit is 4000)."));
  CHECK(contains(r.out, "That's too long for a command (65536 bytes; the limit is 4000)."));
  CHECK(contains(r.out, "bytes that aren't text"));
  CHECK(contains(r.out,
                 "@\xE2\x80\x8B"
                 "everyone <@&123>"));
  CHECK(contains(r.out, "QUIT '; DROP TABLE events"));  // ";--" next to the time is cut (rule 14)
  CHECK(contains(r.out, "There's no tweetup #77 in this channel."));
  CHECK(contains(r.out, "Guests are written +N"));
  CHECK(contains(r.out, "A limit is a number of seats, at least 1"));
  CHECK_FALSE(contains(r.out, "unknowncommand"));
  CHECK_FALSE(contains(r.out, "just chatting"));
}

TEST_CASE("Ctrl-C (SIGINT) and SIGTERM stop the console bot cleanly") {
  for (const int signal : {SIGINT, SIGTERM}) {
    scratch_dir dir;
    child_process bot(TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()}, bot_env);
    bot.write("!tweetup Starbucks tomorrow 3pm\n");
    // The reply proves the bot is up and reading; no sleeping needed.
    REQUIRE(bot.wait_for([](const std::string& out, const std::string&) {
      return out.find("Tweetup #1") != std::string::npos;
    }));
    bot.send_signal(signal);
    // stdin stays open: the bot must stop because of the signal, not because input ended.
    bot.wait_for([](const std::string&, const std::string&) { return false; });
    const process_result r = bot.finish();
    INFO("signal " << signal << " stderr:\n" << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.signal == 0);
    CHECK(contains(r.err, "shutting down"));
  }
}

TEST_CASE("a database that cannot be opened is a clear error, not a crash") {
  scratch_dir dir;
  fs::create_directories(dir.path / "not-a-file.db");  // a directory where the file should be
  const process_result r = run_bot(dir.path / "not-a-file.db", "!tweetups\n");
  CHECK(r.exit_code == 1);
  CHECK(r.signal == 0);
  CHECK(contains(r.err, "cannot open the database"));
}

TEST_CASE("a reminder and 'starting now' fire within a second of their due time") {
  using namespace std::chrono;
  scratch_dir dir;
  auto env = bot_env;
  env["TWEETUP_REMINDERS"] = "3s";
  child_process bot(TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()}, env);
  // A start 6 s ahead, written as a UTC instant so the test knows it to the second.
  const auto start = floor<seconds>(system_clock::now()) + 6s;
  bot.write("!tweetup Starbucks " + date::format("%FT%TZ", start) + "\n");
  const auto seen = [&](const std::string& text) {
    REQUIRE(bot.wait_for([&](const std::string& out, const std::string&) {
      return out.find(text) != std::string::npos;
    }));
    return system_clock::now();
  };
  seen("Tweetup #1 Starbucks");
  const auto reminded = seen("Reminder: tweetup #1 Starbucks starts in under a minute");
  CHECK(reminded >= start - 3s);
  CHECK(reminded < start - 3s + 1s);
  const auto started = seen("Tweetup #1 Starbucks is starting now");
  CHECK(started >= start);
  CHECK(started < start + 1s);
  const process_result r = bot.finish();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "@alice"));  // the organizer is going, so the reminder names her
}

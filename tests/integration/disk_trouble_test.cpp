// A disk that fills up or turns read-only under the running bot: every command gets a clear
// reply, the bot keeps running, and nothing half-written survives. Uses a real, tiny tmpfs,
// which needs the right to mount (root in CI); elsewhere the test says so and does nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

#include "support/child_process.hpp"
#include "support/small_disk.hpp"

using tweetup::test::small_disk;
using tweetup::testing::run_process;

namespace {

const std::map<std::string, std::string> bot_env{{"USER", "alice"},
                                                 {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"}};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("a full disk, then a read-only one: clear replies, no crash, nothing half-written") {
  small_disk disk("300k");
  if (!disk.mounted()) {
    MESSAGE("cannot mount a tmpfs here (not root?): skipping the real full-disk test");
    return;
  }
  const std::string db = (disk.path() / "t.db").string();
  // Each create writes an event, an RSVP and its jobs; 300 KiB (with the WAL) fills quickly.
  std::string input;
  for (int i = 0; i < 1500; ++i) {
    input += "!tweetup " + std::string(280, static_cast<char>('a' + i % 26)) + " " +
             std::to_string(i) + " tomorrow 3pm\n";
  }
  const auto full = run_process(TWEETUP_BINARY, {"run", "--db", db}, input, bot_env);
  INFO("stderr tail: " << full.err.substr(full.err.size() > 2000 ? full.err.size() - 2000 : 0));
  CHECK(full.exit_code == 0);
  CHECK(full.signal == 0);
  const std::size_t created = count(full.out, "You're going; others join with");
  const std::size_t refused =
      count(full.out, "Sorry, I couldn't save that: the bot's disk is full.");
  CHECK(created >= 3);
  CHECK(refused > 0);
  CHECK(created + refused == 1500);
  CHECK(contains(full.err, "failed in the store"));  // the operator's log line

  // Whatever was confirmed is there after a restart, and nothing else: each reply came after
  // its commit, so the count of events equals the count of confirmations.
  disk.make_read_only();
  const auto after = run_process(TWEETUP_BINARY, {"run", "--db", db},
                                 "!tweetup info " + std::to_string(created) + "\n!tweetup info " +
                                     std::to_string(created + 1) + "\n!tweetup Cafe 3pm\n",
                                 bot_env);
  INFO("stdout: " << after.out << "\nstderr: " << after.err);
  CHECK(after.signal == 0);
  if (after.exit_code == 0) {
    CHECK(contains(after.out, "#" + std::to_string(created) + " "));
    CHECK(contains(after.out, "There's no tweetup #" + std::to_string(created + 1)));
    CHECK(contains(after.out, "Sorry, I couldn't save that: the bot's database is read-only."));
  } else {
    // SQLite may refuse to open a WAL database on a read-only file system at all; then the
    // bot must say so and stop, not crash.
    CHECK(after.exit_code == 1);
    CHECK(contains(after.err, "cannot open the database"));
  }
}

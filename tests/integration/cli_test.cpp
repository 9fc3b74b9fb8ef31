// The `tweetup` command line as users and the evaluation harness call it.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

using tweetup::testing::process_result;
using tweetup::testing::run_process;

namespace {

const std::map<std::string, std::string> far_zone{{"TZ", "Pacific/Kiritimati"}};

process_result cli(const std::vector<std::string>& args, const std::string& input = "") {
  return run_process(TWEETUP_BINARY, args, input, far_zone);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string write_file(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("parse-time prints the instant with the channel zone's offset") {
  const auto r = cli({"parse-time", "--now", "2026-11-28T10:15:00", "--tz", "America/Chicago", "--",
                      "tomorrow at 3pm"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2026-11-29T15:00:00-06:00\n");
}

TEST_CASE("parse-command prints when and where as JSON") {
  const auto r = cli({"parse-command", "--now", "2026-11-28T10:15:00", "--tz", "America/Chicago",
                      "--", "!tweetup Starbucks Alabaster 3pm"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"when\":\"2026-11-28T15:00:00-06:00\",\"where\":\"Starbucks Alabaster\"}\n");
}

TEST_CASE("rejected input exits non-zero with a reason on stderr") {
  for (const char* text : {"", "   ", "asdf", "yesterday at 3pm", "25pm"}) {
    const auto r =
        cli({"parse-time", "--now", "2026-11-28T10:15:00", "--tz", "America/Chicago", "--", text});
    INFO("input: [" << text << "]");
    CHECK(r.exit_code == 1);
    CHECK(r.signal == 0);
    CHECK_FALSE(r.err.empty());
  }
  const auto place_only = cli({"parse-command", "--now", "2026-11-28T10:15:00", "--tz",
                               "America/Chicago", "--", "!tweetup Starbucks"});
  CHECK(place_only.exit_code == 1);
  CHECK(contains(place_only.err, "time"));
}

TEST_CASE("batch mode answers each JSON line in order") {
  const std::string input =
      "{\"text\":\"!tweetup Starbucks Alabaster "
      "3pm\",\"now\":\"2026-11-28T10:15:00\",\"tz\":\"America/Chicago\"}\n"
      "{\"text\":\"!tweetup asdf\",\"now\":\"2026-11-28T10:15:00\",\"tz\":\"America/Chicago\"}\n"
      "not json\n"
      "{\"text\":\"!tweetup Cafe 3pm\",\"now\":\"2026-11-28T10:15:00\",\"tz\":\"Europe/Berlin\"}\n";
  const auto r = cli({"parse-command", "--batch"}, input);
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "{\"when\":\"2026-11-28T15:00:00-06:00\",\"where\":\"Starbucks Alabaster\"}\n"
        "{\"error\":\"I couldn't find a time in that. Try: !tweetup Starbucks Alabaster 3pm\"}\n"
        "{\"error\":\"each line must be a JSON object with a \\\"text\\\" string\"}\n"
        "{\"when\":\"2026-11-28T15:00:00+01:00\",\"where\":\"Cafe\"}\n");
}

TEST_CASE("usage errors print one reason and a hint, and exit 2") {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"frobnicate"},
                                               {"run", "--adapter", "telegram"},
                                               {"run", "--no-such-flag"},
                                               {"parse-time", "--tz"}}) {
    const auto r = cli(args);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "tweetup: "));
    CHECK(contains(r.err, "Run 'tweetup --help' for usage."));
    CHECK(r.out.empty());
  }
  const auto bad_zone = cli({"parse-time", "--tz", "Mars/Olympus", "--", "3pm"});
  CHECK(bad_zone.exit_code == 2);
  CHECK(contains(bad_zone.err, "unknown time zone"));
}

TEST_CASE("--version and --help") {
  const auto version = cli({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(contains(version.out, "tweetup 0."));
  const auto help = cli({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* sub : {"run", "parse-time", "parse-command", "check-config"}) {
    CHECK(contains(help.out, sub));
  }
}

TEST_CASE("check-config reports every problem at once and exits 2") {
  const std::string bad = write_file("tweetup-bad-config", R"({
    "adapter": "telegram",
    "prefix": "",
    "default_timezone": "Mars/Olympus",
    "reminders": ["24h", "soon"],
    "log": {"level": "loud", "format": "xml"},
    "discord": {"token": "abc"},
    "colour": "blue"
  })");
  const auto r = cli({"check-config", bad});
  std::filesystem::remove(bad);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  for (const char* part : {"adapter must be one of", "prefix must be", "Mars/Olympus", "soon",
                           "log.level", "log.format", "discord.token must not be in the file",
                           "TWEETUP_DISCORD_TOKEN", "colour is not a known key"}) {
    CHECK(contains(r.err, part));
  }

  const auto broken = write_file("tweetup-broken-config", "{ \"adapter\": ");
  const auto b = cli({"check-config", broken});
  std::filesystem::remove(broken);
  CHECK(b.exit_code == 2);
  CHECK(contains(b.err, "not valid JSON"));

  const auto example =
      cli({"check-config", std::string(TWEETUP_SOURCE_DIR) + "/config/tweetup.example.json"});
  CHECK(example.exit_code == 0);
  CHECK(contains(example.out, "OK"));
}

TEST_CASE("environment overrides win over the file") {
  const std::string file = write_file("tweetup-env-config", R"({"prefix": "?"})");
  const auto r = run_process(TWEETUP_BINARY, {"check-config", file}, "",
                             {{"TWEETUP_LOG_LEVEL", "shout"}, {"TWEETUP_PREFIX", "!"}});
  std::filesystem::remove(file);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "log.level must be one of"));
  CHECK_FALSE(contains(r.err, "prefix"));
}

TEST_CASE("log.format json writes one JSON object per line, with time, level, layer, message") {
  const auto db = std::filesystem::temp_directory_path() /
                  ("tweetup-json-log-" + std::to_string(::getpid()) + ".db");
  const auto r = run_process(TWEETUP_BINARY, {"run", "--db", db.string()}, "!tweetups\n",
                             {{"TWEETUP_LOG_FORMAT", "json"}, {"TWEETUP_LOG_LEVEL", "debug"}});
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(db.string() + suffix);
  CHECK(r.exit_code == 0);
  int lines = 0;
  std::size_t start = 0;
  for (auto end = r.err.find('\n'); end != std::string::npos; end = r.err.find('\n', start)) {
    const auto line = nlohmann::json::parse(r.err.substr(start, end - start), nullptr, false);
    INFO("line: " << r.err.substr(start, end - start));
    REQUIRE(line.is_object());
    for (const char* key : {"time", "level", "layer", "message"})
      CHECK(line.contains(key));
    ++lines;
    start = end + 1;
  }
  CHECK(lines >= 3);
  CHECK(contains(r.err, R"("layer":"storage")"));
  CHECK(contains(r.err, R"("level":"debug")"));
}

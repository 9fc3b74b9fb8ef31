#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "app/config.hpp"

using namespace std::chrono_literals;

namespace {

tweetup::environment fake_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text) {
    static int n = 0;
    path = (std::filesystem::temp_directory_path() /
            ("tweetup-config-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".json"))
               .string();
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

bool mentions(const tweetup::config_result& r, const std::string& part) {
  for (const auto& p : r.problems) {
    if (p.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("no file and no environment give the documented defaults") {
  const auto r = tweetup::load_config(std::nullopt, fake_env({}));
  REQUIRE(r.ok());
  CHECK(r.value.adapter == "console");
  CHECK(r.value.database == "data/tweetup.db");
  CHECK(r.value.prefix == "!");
  CHECK(r.value.default_timezone == "UTC");
  CHECK(r.value.log.level == "info");
  CHECK(r.value.log.format == "text");
  CHECK(r.value.reminders == std::vector<std::chrono::seconds>{24h, 1h, 15min});
  CHECK(r.value.http.listen == "127.0.0.1:8080");
}

TEST_CASE("the file sets values and the environment wins over it") {
  temp_file file(R"({"prefix": "?", "reminders": ["2h", "10m", "30s"], "log": {"level": "debug"},
                     "irc": {"channels": ["#a", "#b"], "twitch": true, "send_rate": 2.5}})");
  const auto r =
      tweetup::load_config(file.path, fake_env({{"TWEETUP_LOG_LEVEL", "warn"},
                                                {"TWEETUP_IRC_CHANNELS", "#c,#d"},
                                                {"TWEETUP_DEFAULT_TIMEZONE", "Europe/Berlin"}}));
  REQUIRE(r.ok());
  CHECK(r.value.prefix == "?");
  CHECK(r.value.reminders == std::vector<std::chrono::seconds>{2h, 10min, 30s});
  CHECK(r.value.log.level == "warn");
  CHECK(r.value.default_timezone == "Europe/Berlin");
  CHECK(r.value.irc.channels == std::vector<std::string>{"#c", "#d"});
  CHECK(r.value.irc.twitch);
  CHECK(r.value.irc.send_rate == 2.5);
}

TEST_CASE("every problem is reported at once") {
  temp_file file(R"({"adapter": 3, "log": {"format": "xml"}, "reminders": "24h",
                     "discord": {"token": "x", "commands": "everywhere"}, "irc": {"password": "y"},
                     "http": "on", "extra": 1})");
  const auto r = tweetup::load_config(file.path, fake_env({{"TWEETUP_IRC_TWITCH", "maybe"}}));
  CHECK(r.problems.size() == 9);
  CHECK(mentions(r, "adapter must be a string"));
  CHECK(mentions(r, "log.format must be one of text, json"));
  CHECK(mentions(r, "reminders must be a list"));
  CHECK(mentions(r, "discord.token must not be in the file"));
  CHECK(mentions(r, "irc.password must not be in the file"));
  CHECK(mentions(r, "discord.commands must be one of guild, global, off"));
  CHECK(mentions(r, "http must be an object"));
  CHECK(mentions(r, "extra is not a known key"));
  CHECK(mentions(r, "TWEETUP_IRC_TWITCH has a value that is not true or false"));
}

TEST_CASE("secrets come from the environment and never print") {
  const auto r = tweetup::load_config(
      std::nullopt,
      fake_env({{"TWEETUP_ADAPTER", "discord"}, {"TWEETUP_DISCORD_TOKEN", "s3cr3t"}}));
  REQUIRE(r.ok());
  CHECK(r.value.discord.token.reveal() == "s3cr3t");
  CHECK(fmt::format("token={}", r.value.discord.token) == "token=***");

  const auto missing =
      tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_ADAPTER", "discord"}}));
  CHECK(mentions(missing, "TWEETUP_DISCORD_TOKEN is not set"));
}

TEST_CASE("plain http and ws are accepted only for loopback hosts") {
  const auto loopback = tweetup::load_config(
      std::nullopt, fake_env({{"TWEETUP_DISCORD_API_BASE", "http://127.0.0.1:9000/api/v10"},
                              {"TWEETUP_IRC_URL", "ws://localhost:8097"}}));
  CHECK(loopback.ok());
  const auto remote = tweetup::load_config(
      std::nullopt, fake_env({{"TWEETUP_DISCORD_API_BASE", "http://discord.example/api"},
                              {"TWEETUP_IRC_URL", "ws://irc.example:80"}}));
  CHECK(remote.problems.size() == 2);
}

TEST_CASE("unreadable and malformed files are problems, not crashes") {
  CHECK(mentions(tweetup::load_config("/nonexistent/tweetup.json", fake_env({})), "cannot read"));
  temp_file broken("{\"prefix\": ");
  CHECK(mentions(tweetup::load_config(broken.path, fake_env({})), "not valid JSON"));
  temp_file list("[1, 2]");
  CHECK(mentions(tweetup::load_config(list.path, fake_env({})), "one JSON object"));
}

TEST_CASE("whole numbers from the environment are whole numbers") {
  const auto r =
      tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_REANNOUNCE_MAX_POSTS_PER_DAY", "3"},
                                                   {"TWEETUP_DISCORD_GLOBAL_RATE_LIMIT", "1200"},
                                                   {"TWEETUP_IRC_SEND_RATE", "0.5"}}));
  REQUIRE(r.ok());
  CHECK(r.value.reannounce.max_posts_per_day == 3);
  CHECK(r.value.discord.global_rate_limit == 1200);
  CHECK(r.value.irc.send_rate == 0.5);
  const auto bad =
      tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_DISCORD_GLOBAL_RATE_LIMIT", "2.5"}}));
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0] ==
        "TWEETUP_DISCORD_GLOBAL_RATE_LIMIT must be a whole number from 1 to 100000.");
}

TEST_CASE("discord.shards is auto (0), or a whole number from 1 to 4096") {
  CHECK(tweetup::load_config(std::nullopt, fake_env({})).value.discord.shards == 0);
  temp_file fixed(R"({"discord": {"shards": 4}})");
  CHECK(tweetup::load_config(fixed.path, fake_env({})).value.discord.shards == 4);
  const auto from_env =
      tweetup::load_config(fixed.path, fake_env({{"TWEETUP_DISCORD_SHARDS", "auto"}}));
  REQUIRE(from_env.ok());
  CHECK(from_env.value.discord.shards == 0);
  CHECK(tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_DISCORD_SHARDS", "16"}}))
            .value.discord.shards == 16);
  for (const char* bad : {R"({"discord": {"shards": 0}})", R"({"discord": {"shards": 1.5}})",
                          R"({"discord": {"shards": 5000}})", R"({"discord": {"shards": "two"}})",
                          R"({"discord": {"shards": true}})"}) {
    temp_file file(bad);
    CHECK(mentions(tweetup::load_config(file.path, fake_env({})),
                   "discord.shards must be auto or a whole number from 1 to 4096."));
  }
}

TEST_CASE("batch_window_ms is auto, or milliseconds from 0 to 50 with fractions") {
  CHECK_FALSE(tweetup::load_config(std::nullopt, fake_env({})).value.batch_window.has_value());
  temp_file file(R"({"batch_window_ms": 0.25})");
  CHECK(tweetup::load_config(file.path, fake_env({})).value.batch_window == 250us);
  temp_file automatic(R"({"batch_window_ms": 2})");
  const auto back_to_auto =
      tweetup::load_config(automatic.path, fake_env({{"TWEETUP_BATCH_WINDOW_MS", "auto"}}));
  REQUIRE(back_to_auto.ok());
  CHECK_FALSE(back_to_auto.value.batch_window.has_value());
  const auto off = tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_BATCH_WINDOW_MS", "0"}}));
  REQUIRE(off.ok());
  CHECK(off.value.batch_window == 0us);
  const auto env_fraction =
      tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_BATCH_WINDOW_MS", "1.5"}}));
  CHECK(env_fraction.value.batch_window == 1500us);
  for (const char* bad : {"-1", "51", "soon", "", "nan", "2ms"}) {
    CAPTURE(bad);
    const auto r = tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_BATCH_WINDOW_MS", bad}}));
    REQUIRE(r.problems.size() == 1);
    CHECK(mentions(r, "TWEETUP_BATCH_WINDOW_MS must be auto or a number of milliseconds"));
  }
  temp_file wrong_type(R"({"batch_window_ms": true})");
  CHECK(mentions(tweetup::load_config(wrong_type.path, fake_env({})),
                 "batch_window_ms must be auto or a number"));
}

TEST_CASE("http.listen is host:port or empty") {
  for (const char* good : {"", "0.0.0.0:8080", "[::1]:9000", "localhost:1"}) {
    CAPTURE(good);
    const auto r = tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_HTTP_LISTEN", good}}));
    CHECK(r.ok());
    CHECK(r.value.http.listen == good);
  }
  for (const char* bad : {"8080", "127.0.0.1", "127.0.0.1:0", "http://127.0.0.1:8080", "::1:80"}) {
    CAPTURE(bad);
    const auto r = tweetup::load_config(std::nullopt, fake_env({{"TWEETUP_HTTP_LISTEN", bad}}));
    CHECK_FALSE(r.ok());
    CHECK(mentions(r, "http.listen must be host:port"));
  }
}

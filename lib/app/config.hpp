// The bot's configuration: one JSON file, then TWEETUP_<SECTION>_<KEY> environment overrides,
// loaded once into an immutable value. Secrets come only from the environment.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/secret.hpp"

namespace tweetup {

struct log_config {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text | json
};

struct discord_config {
  std::string api_base = "https://discord.com/api/v10";
  std::string application_id;      // empty: discovered at start
  std::string commands = "guild";  // guild | global | off
  std::vector<std::string> guild_ids;
  bool scheduled_events = false;
  bool resume_after_restart = true;  // stop() leaves the gateway session to the next start
  int shards = 0;                    // gateway shards (G15); 0: auto, as Discord recommends
  int global_rate_limit = 50;  // REST requests per second (R11); Discord raises it for big bots
  secret token;                // TWEETUP_DISCORD_TOKEN only
};

struct irc_config {
  std::string url;  // ws:// or wss://
  std::string nick = "tweetup";
  std::vector<std::string> alt_nicks;
  std::string user = "tweetup";
  std::string realname = "Tweetup meetup bot";
  std::vector<std::string> channels;
  std::string sasl_user;
  bool twitch = false;
  double send_rate = 1.0;  // lines per second after the burst; 0: no throttle
  secret password;         // TWEETUP_IRC_PASSWORD only
};

struct http_config {
  std::string listen = "127.0.0.1:8080";  // empty: no HTTP endpoint
  std::string public_url;
};

struct reannounce_config {
  // Channel-local time of the morning re-announcement of the day's open tweetups; nullopt: off.
  std::optional<std::chrono::minutes> time{std::chrono::hours(9)};
  int max_posts_per_day = 6;  // posts the bot makes on its own, per channel and day
};

struct tls_config {
  std::string ca_file;  // an extra CA bundle, e.g. for a private IRC server
};

struct config {
  std::string adapter = "console";  // console | discord | irc
  std::string database = "data/tweetup.db";
  std::string prefix = "!";
  std::string default_timezone = "UTC";
  // Under load the io thread sleeps this long after a batch and takes what came meanwhile in
  // one wake-up (async/batched_run.hpp); zero wakes for every event. Empty: "auto", 1 ms where
  // a wake-up is dear (a VM), none where it is cheap.
  std::optional<std::chrono::microseconds> batch_window;
  log_config log;
  reannounce_config reannounce;
  std::vector<std::chrono::seconds> reminders{std::chrono::hours(24), std::chrono::hours(1),
                                              std::chrono::minutes(15)};
  discord_config discord;
  irc_config irc;
  http_config http;
  tls_config tls;
};

// Reads an environment variable; empty optional when unset. Injected so tests need no setenv.
using environment = std::function<std::optional<std::string>(const std::string& name)>;
environment process_environment();

struct config_result {
  config value;
  std::vector<std::string> problems;  // every problem found, each a full sentence
  bool ok() const { return problems.empty(); }
};

// Loads `path` (no file: defaults only) and applies the environment. Never throws: an unreadable
// file, bad JSON, unknown keys, wrong types and bad values all become problems.
config_result load_config(const std::optional<std::string>& path, const environment& env);

// Every key with its meaning, for the README and `check-config`.
struct config_key {
  std::string_view path;  // "log.level"
  std::string_view meaning;
};
std::vector<config_key> config_keys();

}  // namespace tweetup

#include "app/config.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/listen_address.hpp"
#include "core/duration_text.hpp"
#include "core/zone_lookup.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

enum class kind { text, flag, number, list };

// One configuration key: where it lives, what it holds, and how it lands in `config`.
// `apply` returns a problem sentence, or nothing when the value was taken.
struct key_rule {
  std::string_view path;
  kind type;
  std::string_view meaning;
  std::function<std::optional<std::string>(config&, const json&)> apply;
};

std::string env_name(std::string_view path) {
  std::string name = "TWEETUP_";
  for (char c : path)
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::optional<std::string> one_of(std::string_view path, const std::string& value,
                                  std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (value == a) return std::nullopt;
  }
  std::string list;
  for (auto a : allowed)
    list += (list.empty() ? "" : ", ") + std::string(a);
  return fmt::format("{} must be one of {}, not \"{}\".", path, list, value);
}

bool is_loopback_url(std::string_view url) {
  for (std::string_view scheme : {"http://", "ws://"}) {
    if (!url.starts_with(scheme)) continue;
    const std::string_view host = url.substr(scheme.size());
    return host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
  }
  return false;
}

std::optional<std::string> secure_url(std::string_view path, const std::string& url,
                                      std::string_view tls_scheme) {
  if (url.empty() || url.starts_with(tls_scheme) || is_loopback_url(url)) return std::nullopt;
  return fmt::format("{} must use {} (plain http:// and ws:// are only for loopback hosts).", path,
                     tls_scheme);
}

std::optional<json> from_env(const std::string& text, kind type);

std::vector<key_rule> rules() {
  auto string_into = [](auto member_path, auto validate) {
    return [member_path, validate](config& c, const json& v) -> std::optional<std::string> {
      if (!v.is_string()) return std::string("must be a string.");
      std::string& field = member_path(c);
      field = v.get<std::string>();
      return validate(field);
    };
  };
  auto no_check = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto list_into = [](auto member_path) {
    return [member_path](config& c, const json& v) -> std::optional<std::string> {
      if (!v.is_array()) return std::string("must be a list of strings.");
      std::vector<std::string> items;
      for (const auto& item : v) {
        if (!item.is_string()) return std::string("must be a list of strings.");
        items.push_back(item.get<std::string>());
      }
      member_path(c) = std::move(items);
      return std::nullopt;
    };
  };
  auto flag_into = [](auto member_path) {
    return [member_path](config& c, const json& v) -> std::optional<std::string> {
      if (!v.is_boolean()) return std::string("must be true or false.");
      member_path(c) = v.get<bool>();
      return std::nullopt;
    };
  };

  return {
      {"adapter", kind::text, "Which chat platform to serve: console, discord or irc.",
       string_into([](config& c) -> std::string& { return c.adapter; },
                   [](const std::string& v) {
                     return one_of("adapter", v, {"console", "discord", "irc"});
                   })},
      {"database", kind::text, "Path of the SQLite file; its folder is created if missing.",
       string_into([](config& c) -> std::string& { return c.database; },
                   [](const std::string& v) -> std::optional<std::string> {
                     if (v.empty()) return "database must not be empty.";
                     return std::nullopt;
                   })},
      {"prefix", kind::text, "What starts a command, e.g. ! in !tweetup.",
       string_into([](config& c) -> std::string& { return c.prefix; },
                   [](const std::string& v) -> std::optional<std::string> {
                     if (v.empty() || v.size() > 8 ||
                         v.find_first_of(" \t\r\n") != std::string::npos) {
                       return "prefix must be 1 to 8 characters with no spaces.";
                     }
                     return std::nullopt;
                   })},
      {"default_timezone", kind::text,
       "IANA zone for channels that never ran !tweetup tz, e.g. America/Chicago.",
       string_into([](config& c) -> std::string& { return c.default_timezone; },
                   [](const std::string& v) -> std::optional<std::string> {
                     if (!find_zone(v)) {
                       return fmt::format("default_timezone \"{}\" is not an IANA time zone.", v);
                     }
                     return std::nullopt;
                   })},
      {"log.level", kind::text, "trace, debug, info, warn, error, critical or off.",
       string_into([](config& c) -> std::string& { return c.log.level; },
                   [](const std::string& v) {
                     return one_of("log.level", v,
                                   {"trace", "debug", "info", "warn", "error", "critical", "off"});
                   })},
      {"log.format", kind::text, "text for people, json for one JSON object per line.",
       string_into([](config& c) -> std::string& { return c.log.format; },
                   [](const std::string& v) {
                     return one_of("log.format", v, {"text", "json"});
                   })},
      {"batch_window_ms", kind::text,
       "Under load, how long the bot lets events gather before it wakes for them: milliseconds "
       "from 0 to 50 (0 wakes for each event), or auto: 1 where a wake-up costs the host more "
       "than 10 microseconds of CPU (a VM, typically), else 0.",
       [](config& c, const json& v) -> std::optional<std::string> {
         const std::string problem = "must be auto or a number of milliseconds from 0 to 50.";
         if (v.is_string() && v.get<std::string>() == "auto") {
           c.batch_window.reset();
           return std::nullopt;
         }
         // From the environment every value is text: a number there is read as one.
         const std::optional<json> number =
             v.is_string() ? from_env(v.get<std::string>(), kind::number) : std::optional<json>(v);
         if (!number || !number->is_number()) return problem;
         const double ms = number->get<double>();
         if (!(ms >= 0 && ms <= 50)) return problem;
         c.batch_window = std::chrono::microseconds(std::llround(ms * 1000));
         return std::nullopt;
       }},
      {"reminders", kind::list,
       "Default reminder offsets before the start, e.g. [\"24h\",\"1h\",\"15m\"] (units s, m, h, "
       "d).",
       [](config& c, const json& v) -> std::optional<std::string> {
         if (!v.is_array()) return std::string("must be a list like [\"24h\", \"1h\", \"15m\"].");
         std::vector<std::chrono::seconds> offsets;
         for (const auto& item : v) {
           const auto parsed =
               item.is_string() ? parse_offset(item.get<std::string>()) : std::nullopt;
           if (!parsed) {
             return fmt::format("has {}, which is not an offset like 24h, 90m or 30s.",
                                item.dump());
           }
           offsets.push_back(*parsed);
         }
         c.reminders = std::move(offsets);
         return std::nullopt;
       }},
      {"reannounce.time", kind::text,
       "Channel-local time (HH:MM) of the morning re-announcement of tweetups with open spots; "
       "empty turns it off.",
       [](config& c, const json& v) -> std::optional<std::string> {
         if (!v.is_string()) return std::string("must be a time like \"09:00\", or \"\".");
         const std::string text = v.get<std::string>();
         if (text.empty()) {
           c.reannounce.time.reset();
           return std::nullopt;
         }
         const bool shaped = text.size() == 5 && text[2] == ':' &&
                             std::isdigit(static_cast<unsigned char>(text[0])) &&
                             std::isdigit(static_cast<unsigned char>(text[1])) &&
                             std::isdigit(static_cast<unsigned char>(text[3])) &&
                             std::isdigit(static_cast<unsigned char>(text[4]));
         const int hours = shaped ? std::stoi(text.substr(0, 2)) : 99;
         const int minutes = shaped ? std::stoi(text.substr(3, 2)) : 99;
         if (hours > 23 || minutes > 59) {
           return fmt::format("reannounce.time must be a time like \"09:00\", not \"{}\".", text);
         }
         c.reannounce.time = std::chrono::hours(hours) + std::chrono::minutes(minutes);
         return std::nullopt;
       }},
      {"reannounce.max_posts_per_day", kind::number,
       "The most messages the bot posts on its own per channel and day (reminders included); "
       "re-announcements beyond it are skipped.",
       [](config& c, const json& v) -> std::optional<std::string> {
         if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 1000) {
           return std::string("must be a whole number from 0 to 1000.");
         }
         c.reannounce.max_posts_per_day = v.get<int>();
         return std::nullopt;
       }},
      {"discord.api_base", kind::text, "Discord REST base URL (tests point it at an emulator).",
       string_into(
           [](config& c) -> std::string& { return c.discord.api_base; },
           [](const std::string& v) { return secure_url("discord.api_base", v, "https://"); })},
      {"discord.application_id", kind::text, "The bot's application id; discovered when empty.",
       string_into([](config& c) -> std::string& { return c.discord.application_id; }, no_check)},
      {"discord.commands", kind::text, "Where to register /tweetup: guild, global or off.",
       string_into([](config& c) -> std::string& { return c.discord.commands; },
                   [](const std::string& v) {
                     return one_of("discord.commands", v, {"guild", "global", "off"});
                   })},
      {"discord.guild_ids", kind::list, "Guilds for guild-scoped slash commands.",
       list_into([](config& c) -> std::vector<std::string>& { return c.discord.guild_ids; })},
      {"discord.scheduled_events", kind::flag, "Mirror tweetups as Discord scheduled events.",
       flag_into([](config& c) -> bool& { return c.discord.scheduled_events; })},
      {"discord.resume_after_restart", kind::flag,
       "On stop, leave the gateway session for the next start to resume, so that nothing said "
       "during a restart is lost; false ends the session.",
       flag_into([](config& c) -> bool& { return c.discord.resume_after_restart; })},
      {"discord.shards", kind::text,
       "Gateway shards: auto (as many as Discord recommends, and more when it asks for them) or "
       "a number from 1 to 4096.",
       [](config& c, const json& v) -> std::optional<std::string> {
         const std::string problem = "must be auto or a whole number from 1 to 4096.";
         if (v.is_string() && v.get<std::string>() == "auto") {
           c.discord.shards = 0;
           return std::nullopt;
         }
         // From the environment every value is text: a number there is read as one.
         const std::optional<json> number =
             v.is_string() ? from_env(v.get<std::string>(), kind::number) : std::optional<json>(v);
         if (!number || !number->is_number_integer()) return problem;
         const auto n = number->get<long long>();
         if (n < 1 || n > 4096) return problem;
         c.discord.shards = static_cast<int>(n);
         return std::nullopt;
       }},
      {"discord.global_rate_limit", kind::number,
       "REST requests per second for the whole bot (Discord's global limit; 50 unless Discord "
       "raised it for this bot).",
       [](config& c, const json& v) -> std::optional<std::string> {
         if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > 100000) {
           return std::string("must be a whole number from 1 to 100000.");
         }
         c.discord.global_rate_limit = v.get<int>();
         return std::nullopt;
       }},
      {"irc.url", kind::text, "IRC-over-WebSocket server, ws:// (loopback only) or wss://.",
       string_into([](config& c) -> std::string& { return c.irc.url; },
                   [](const std::string& v) { return secure_url("irc.url", v, "wss://"); })},
      {"irc.nick", kind::text, "The bot's nick.",
       string_into([](config& c) -> std::string& { return c.irc.nick; }, no_check)},
      {"irc.alt_nicks", kind::list, "Nicks to try when the first is taken.",
       list_into([](config& c) -> std::vector<std::string>& { return c.irc.alt_nicks; })},
      {"irc.user", kind::text, "The USER name.",
       string_into([](config& c) -> std::string& { return c.irc.user; }, no_check)},
      {"irc.realname", kind::text, "The real name field.",
       string_into([](config& c) -> std::string& { return c.irc.realname; }, no_check)},
      {"irc.channels", kind::list, "Channels to join, e.g. [\"#tweetup\"].",
       list_into([](config& c) -> std::vector<std::string>& { return c.irc.channels; })},
      {"irc.sasl_user", kind::text, "SASL PLAIN account; the password is TWEETUP_IRC_PASSWORD.",
       string_into([](config& c) -> std::string& { return c.irc.sasl_user; }, no_check)},
      {"irc.twitch", kind::flag, "Speak Twitch's dialect of IRC.",
       flag_into([](config& c) -> bool& { return c.irc.twitch; })},
      {"irc.send_rate", kind::number,
       "Lines per second after a burst of 4; 0 turns the throttle off (only for a server "
       "without flood limits, e.g. a benchmark).",
       [](config& c, const json& v) -> std::optional<std::string> {
         if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100) {
           return std::string("must be a number from 0 (no throttle) to 100.");
         }
         c.irc.send_rate = v.get<double>();
         return std::nullopt;
       }},
      {"http.listen", kind::text,
       "host:port of the health, metrics and calendar endpoint; empty turns it off.",
       string_into([](config& c) -> std::string& { return c.http.listen; },
                   [](const std::string& v) -> std::optional<std::string> {
                     if (v.empty() || parse_listen_address(v)) return std::nullopt;
                     return fmt::format(
                         "http.listen must be host:port (e.g. 127.0.0.1:8080 or [::1]:8080, "
                         "port 1-65535) or empty, not \"{}\".",
                         v);
                   })},
      {"http.public_url", kind::text,
       "The address people use to reach http.listen, for calendar links.",
       string_into([](config& c) -> std::string& { return c.http.public_url; }, no_check)},
      {"tls.ca_file", kind::text, "An extra CA bundle (PEM) to trust, e.g. for a private server.",
       string_into([](config& c) -> std::string& { return c.tls.ca_file; }, no_check)},
  };
}

// Environment values are text; read them as the key's JSON type.
std::optional<json> from_env(const std::string& text, kind type) {
  switch (type) {
    case kind::text:
      return json(text);
    case kind::flag:
      if (text == "true" || text == "1" || text == "yes") return json(true);
      if (text == "false" || text == "0" || text == "no") return json(false);
      return std::nullopt;
    case kind::number: {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0') return std::nullopt;
      // "5" from the environment is the integer 5, as it would be in the JSON file.
      if (value == std::trunc(value) && std::fabs(value) < 1e15) {
        return json(static_cast<std::int64_t>(value));
      }
      return json(value);
    }
    case kind::list: {
      json items = json::array();
      std::stringstream parts(text);
      std::string item;
      while (std::getline(parts, item, ',')) {
        if (!item.empty()) items.push_back(item);
      }
      return items;
    }
  }
  return std::nullopt;
}

const json* at_path(const json& doc, std::string_view path) {
  const json* node = &doc;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string part(
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!node->is_object()) return nullptr;
    const auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node;
    start = dot + 1;
  }
  return nullptr;
}

void find_unknown_keys(const json& node, const std::string& prefix,
                       const std::vector<key_rule>& known, std::vector<std::string>& problems) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.key().starts_with("_")) continue;  // "_comment" keys document the file
    if ((path == "discord.token" || path == "irc.password")) {
      problems.push_back(fmt::format(
          "{} must not be in the file: set {} in the environment instead.", path, env_name(path)));
      continue;
    }
    bool is_key = false, is_section = false;
    for (const auto& rule : known) {
      if (rule.path == path) is_key = true;
      if (rule.path.starts_with(path + ".")) is_section = true;
    }
    if (is_section && it.value().is_object()) {
      find_unknown_keys(it.value(), path, known, problems);
    } else if (is_section) {
      problems.push_back(fmt::format("{} must be an object.", path));
    } else if (!is_key) {
      problems.push_back(
          fmt::format("{} is not a known key (see config/tweetup.example.json).", path));
    }
  }
}

}  // namespace

environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

config_result load_config(const std::optional<std::string>& path, const environment& env) {
  config_result result;
  json doc = json::object();
  if (path) {
    std::ifstream file(*path, std::ios::binary);
    if (!file) {
      result.problems.push_back(fmt::format("cannot read the config file {}.", *path));
    } else {
      std::stringstream text;
      text << file.rdbuf();
      try {
        doc = json::parse(text.str());
        if (!doc.is_object()) {
          result.problems.push_back(fmt::format("{} must hold one JSON object.", *path));
          doc = json::object();
        }
      } catch (const json::parse_error& e) {
        result.problems.push_back(
            fmt::format("{} is not valid JSON (at byte {}): fix the syntax first.", *path, e.byte));
        doc = json::object();
      }
    }
  }

  const auto known = rules();
  find_unknown_keys(doc, "", known, result.problems);
  for (const auto& rule : known) {
    const std::string variable = env_name(rule.path);
    std::optional<json> value;
    std::string source;
    if (const auto text = env(variable)) {
      value = from_env(*text, rule.type);
      source = variable;
      if (!value) {
        result.problems.push_back(
            fmt::format("{} has a value that is not {}.", variable,
                        rule.type == kind::flag ? "true or false" : "a number"));
        continue;
      }
    } else if (const json* in_file = at_path(doc, rule.path)) {
      value = *in_file;
      source = std::string(rule.path);
    }
    if (!value) continue;
    if (auto problem = rule.apply(result.value, *value)) {
      // Validators that name the key already say it all; type errors need the key in front.
      const bool names_key = problem->starts_with(rule.path);
      result.problems.push_back(names_key ? *problem : fmt::format("{} {}", source, *problem));
    }
  }
  if (const auto token = env("TWEETUP_DISCORD_TOKEN")) result.value.discord.token = secret(*token);
  if (const auto password = env("TWEETUP_IRC_PASSWORD"))
    result.value.irc.password = secret(*password);
  if (result.value.adapter == "discord" && result.value.discord.token.empty()) {
    result.problems.push_back("adapter is discord, but TWEETUP_DISCORD_TOKEN is not set.");
  }
  if (result.value.adapter == "irc" && result.value.irc.url.empty()) {
    result.problems.push_back("adapter is irc, but irc.url is not set.");
  }
  return result;
}

std::vector<config_key> config_keys() {
  std::vector<config_key> keys;
  for (const auto& rule : rules())
    keys.push_back({rule.path, rule.meaning});
  return keys;
}

}  // namespace tweetup

#include "app/parse_tool.hpp"

#include <chrono>
#include <istream>
#include <ostream>
#include <variant>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "core/command_parser.hpp"
#include "core/zone_lookup.hpp"
#include "timeparse/iso_format.hpp"
#include "timeparse/time_parser.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

struct answer {
  json value;         // {"when", "where"?, "end"?} on success
  std::string error;  // the user-facing reason otherwise
  int exit_code = 0;
};

json success(const timeparse::parsed_time& time, const date::time_zone& zone) {
  json value = {{"when", timeparse::format_iso(time.starts_at, zone)}};
  if (time.ends_at) value["end"] = timeparse::format_iso(*time.ends_at, zone);
  return value;
}

answer solve(const parse_tool_options& o, const std::string& text,
             const std::optional<std::string>& now_text, const std::string& tz) {
  const date::time_zone* zone = find_zone(tz);
  if (!zone)
    return {{}, "unknown time zone \"" + tz + "\" (use an IANA name like America/Chicago)", 2};
  std::chrono::sys_seconds now;
  if (now_text) {
    const auto parsed = timeparse::parse_local_iso(*now_text, *zone);
    if (!parsed) return {{}, "--now must be local time like 2026-11-28T10:15:00", 2};
    now = *parsed;
  } else {
    now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  const timeparse::parse_context ctx{now, zone};

  if (!o.command) {
    const auto result = timeparse::parse_time(text, ctx);
    if (const auto* e = std::get_if<timeparse::parse_error>(&result)) return {{}, e->message, 1};
    return {success(std::get<timeparse::parsed_time>(result), *zone), {}, 0};
  }
  // The command goes through the real command parser, so "!tweetup" is read as the bot reads it.
  std::string arguments = text;
  if (const auto parsed = parse_command(text, o.prefix)) {
    if (const auto* create = std::get_if<create_command>(&*parsed)) {
      arguments = create->arguments;
    } else if (const auto* error = std::get_if<command_error>(&*parsed)) {
      return {{}, error->message, 1};
    } else {
      return {{}, "that is a command, but not one that plans a tweetup", 1};
    }
  }
  const auto result = timeparse::parse_place_and_time(arguments, ctx);
  if (const auto* e = std::get_if<timeparse::parse_error>(&result)) return {{}, e->message, 1};
  const auto& planned = std::get<timeparse::parsed_command>(result);
  json value = success(planned.time, *zone);
  value["where"] = planned.place;
  return {value, {}, 0};
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

int run_parse_tool(const parse_tool_options& options, std::istream& in, std::ostream& out,
                   std::ostream& err) {
  if (!options.batch) {
    const answer a = solve(options, options.text, options.now, options.tz);
    if (a.exit_code != 0) {
      err << a.error << '\n';
      return a.exit_code;
    }
    out << (options.command ? dump(a.value) : a.value["when"].get<std::string>()) << '\n';
    return 0;
  }
  // Batch mode reads many lines; stdio-synced iostreams would dominate the run time.
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(in, line)) {
    const json request = json::parse(line, nullptr, false);
    if (!request.is_object() || !request.contains("text") || !request["text"].is_string()) {
      out << dump({{"error", "each line must be a JSON object with a \"text\" string"}}) << '\n';
      continue;
    }
    auto field = [&](const char* key) -> std::optional<std::string> {
      const auto it = request.find(key);
      if (it == request.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    const answer a =
        solve(options, request["text"].get<std::string>(),
              field("now") ? field("now") : options.now, field("tz").value_or(options.tz));
    out << dump(a.exit_code == 0 ? a.value : json{{"error", a.error}}) << '\n';
  }
  out.flush();
  return 0;
}

}  // namespace tweetup

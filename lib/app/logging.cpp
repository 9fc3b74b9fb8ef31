#include "app/logging.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

#include "logging/log_fields.hpp"

namespace tweetup {
namespace {

// One JSON object per line: {"time","level","layer","message","fields"}. nlohmann escapes
// every string, and replaces invalid UTF-8 rather than throwing, so a hostile message or field
// cannot break a line.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()) % 1000;
    nlohmann::json line = {
        {"time",
         fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(msg.time), millis.count())},
        {"level", std::string(level.data(), level.size())},
        {"layer", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"message", std::string(msg.payload.data(), msg.payload.size())},
        {"fields", nlohmann::json::object()},
    };
    for (const auto& [key, value] : log_fields::current())
      line["fields"][std::string(key)] = std::string(value);
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

// The text log's %F: the open scopes' fields as " key=value …", nothing when there are none.
// A value with a space or a quote is quoted, so the line still splits into fields.
class fields_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (const auto& [key, value] : log_fields::current()) {
      dest.push_back(' ');
      dest.append(key.data(), key.data() + key.size());
      dest.push_back('=');
      const bool quote = value.empty() || value.find_first_of(" \"=") != std::string_view::npos;
      if (quote) dest.push_back('"');
      for (const char c : value) {
        if (c == '"' || c == '\\') dest.push_back('\\');
        dest.push_back(c);
      }
      if (quote) dest.push_back('"');
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<fields_flag>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format) {
  if (format == "json") return std::make_unique<json_formatter>();
  auto text = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  text->add_flag<fields_flag>('F').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v%F");
  return text;
}

void configure_logging(const log_config& settings) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(make_log_formatter(settings.format));
  const auto level = spdlog::level::from_str(settings.level);
  spdlog::drop_all();
  for (const char* layer :
       {"app", "storage", "async", "console", "scheduler", "discord", "irc", "http"}) {
    auto logger = std::make_shared<spdlog::logger>(layer, sink);
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
  }
  spdlog::set_default_logger(spdlog::get("app"));
  layer_log_generation.fetch_add(1, std::memory_order_release);
}

}  // namespace tweetup

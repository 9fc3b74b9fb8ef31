#include "app/logging.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

namespace tweetup {
namespace {

// One JSON object per line: {"time","level","layer","message"}. nlohmann escapes the message,
// and replaces invalid UTF-8 rather than throwing, so a hostile message cannot break a line.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::json line = {
        {"time", fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                             std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time))},
        {"level", std::string(level.data(), level.size())},
        {"layer", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"message", std::string(msg.payload.data(), msg.payload.size())},
    };
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

}  // namespace

void configure_logging(const log_config& settings) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (settings.format == "json") {
    sink->set_formatter(std::make_unique<json_formatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v", spdlog::pattern_time_type::utc));
  }
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
}

}  // namespace tweetup

// The two log formats: one JSON object per line with the open fields, and text with key=value.
#include <doctest/doctest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "app/logging.hpp"
#include "logging/log_fields.hpp"

namespace {

struct captured_log {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;

  explicit captured_log(std::string_view format) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    sink->set_formatter(tweetup::make_log_formatter(format));
    logger = std::make_shared<spdlog::logger>("discord", sink);
    logger->set_level(spdlog::level::trace);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> all;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);)
      all.push_back(line);
    return all;
  }
};

}  // namespace

TEST_CASE("json lines carry time, level, layer, message and the open fields") {
  captured_log log("json");
  log.logger->info("before");
  {
    const std::string channel = "810000000000000001";
    const tweetup::log_fields outer{{"channel", channel}};
    const tweetup::log_fields inner{{"user", "700"}, {"command", "join"}};
    log.logger->warn("inside");
  }
  log.logger->debug("after");

  const auto lines = log.lines();
  REQUIRE(lines.size() == 3);
  const auto before = nlohmann::json::parse(lines[0]);
  CHECK(before["level"] == "info");
  CHECK(before["layer"] == "discord");
  CHECK(before["message"] == "before");
  CHECK(before["fields"] == nlohmann::json::object());
  const std::string time = before["time"];
  CHECK(time.size() == std::string("2026-11-29T03:13:08.123Z").size());
  CHECK(time.back() == 'Z');

  const auto inside = nlohmann::json::parse(lines[1]);
  CHECK(inside["level"] == "warning");
  CHECK(inside["fields"] ==
        nlohmann::json{{"channel", "810000000000000001"}, {"user", "700"}, {"command", "join"}});
  CHECK(nlohmann::json::parse(lines[2])["fields"].empty());
  CHECK(tweetup::log_fields::current().empty());
}

TEST_CASE("a hostile message or field stays one valid JSON line") {
  captured_log log("json");
  const std::string hostile = "line\nbreak \"quoted\" \\ \xff\xfe end";
  const tweetup::log_fields scope{{"place", hostile}};
  log.logger->error("{}", hostile);
  const auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  const auto line = nlohmann::json::parse(lines[0]);
  const std::string message = line["message"];
  CHECK(message.starts_with("line\nbreak \"quoted\" \\ "));
  CHECK(message.ends_with(" end"));
  CHECK(line["fields"]["place"] == message);
}

TEST_CASE("text lines append the open fields as key=value, quoting where needed") {
  captured_log log("text");
  {
    const tweetup::log_fields scope{{"channel", "42"}, {"place", "Cafe \"Blue\" Door"}};
    log.logger->info("created");
  }
  log.logger->info("plain");
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].ends_with("[discord] created channel=42 place=\"Cafe \\\"Blue\\\" Door\""));
  CHECK(lines[1].ends_with("[discord] plain"));
  CHECK(lines[0].find("info") != std::string::npos);
}

TEST_CASE("layer_log finds the layer's logger again after the loggers are replaced") {
  tweetup::log_config settings;
  settings.level = "warn";
  tweetup::configure_logging(settings);
  const auto first = tweetup::layer_log("discord");
  CHECK(first->name() == "discord");
  CHECK(tweetup::layer_log("discord") == first);  // the same logger while nothing replaced it
  CHECK(tweetup::layer_log("storage")->name() == "storage");

  tweetup::configure_logging(settings);
  const auto second = tweetup::layer_log("discord");
  CHECK(second->name() == "discord");
  CHECK(second != first);  // the registry's new logger, not the dropped one
  CHECK(second == spdlog::get("discord"));
  CHECK(tweetup::layer_log("no such layer") == spdlog::default_logger());
}

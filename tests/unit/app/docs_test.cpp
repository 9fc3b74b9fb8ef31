// The README documents every command of the table and every config key, and the example config
// holds every key: these tests keep the documents from drifting away from the code.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "app/config.hpp"
#include "core/command_spec.hpp"
#include "metrics/bot_metrics.hpp"

namespace {

std::string read(const std::string& relative) {
  std::ifstream in(std::string(TWEETUP_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Markdown tables escape "|" inside code.
std::string as_in_table(std::string_view usage) {
  std::string out;
  for (char c : usage) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("the README lists every command with its usage") {
  const std::string readme = read("README.md");
  REQUIRE_FALSE(readme.empty());
  for (const auto& spec : tweetup::command_specs()) {
    INFO("usage: " << spec.usage);
    CHECK(readme.find("`!" + as_in_table(spec.usage) + "`") != std::string::npos);
  }
}

TEST_CASE("the README and the example config cover every config key") {
  const std::string readme = read("README.md");
  const std::string example = read("config/tweetup.example.json");
  for (const auto& key : tweetup::config_keys()) {
    INFO("key: " << key.path);
    CHECK(readme.find("`" + std::string(key.path) + "`") != std::string::npos);
    const auto dot = key.path.rfind('.');
    const std::string leaf(dot == std::string_view::npos ? key.path : key.path.substr(dot + 1));
    CHECK(example.find("\"" + leaf + "\"") != std::string::npos);
  }
}

TEST_CASE("the README's Metrics table lists every metric family the bot exports") {
  const std::string readme = read("README.md");
  const std::string text = tweetup::metrics::bot_metrics::render();
  int families = 0;
  for (auto at = text.find("# TYPE "); at != std::string::npos; at = text.find("# TYPE ", at)) {
    at += 7;
    const std::string name = text.substr(at, text.find(' ', at) - at);
    ++families;
    INFO("metric: " << name);
    CHECK(readme.find("| `" + name + "` |") != std::string::npos);
  }
  CHECK(families >= 11);
}

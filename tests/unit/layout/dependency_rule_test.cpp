// Checks every #include in lib/ and bot/ against the dependency rule of ../shared/design.md §4.
// A new layer or library must be added here on purpose, which is the point.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The dependency an include line names: a project layer or a library.
std::string dependency_of(const std::string& target, bool angle) {
  if (!angle) {
    const auto slash = target.find('/');
    const std::string top = target.substr(0, slash);
    if (top == "adapters") {
      const auto second = target.find('/', slash + 1);
      return second == std::string::npos ? "adapters" : target.substr(0, second);
    }
    return top;
  }
  if (target == "sqlite3.h" || target.starts_with("SQLiteCpp/")) return "sqlite";
  if (target.starts_with("boost/beast")) return "beast";
  for (const char* library : {"date", "fmt", "spdlog", "boost", "nlohmann", "CLI", "openssl"}) {
    if (target.starts_with(std::string(library) + "/")) return library;
  }
  // The C++ and POSIX headers (POSIX puts some in sys/ and netinet/).
  if (target.find('/') == std::string::npos || target.starts_with("sys/") ||
      target.starts_with("netinet/")) {
    return "std";
  }
  return "unknown:" + target;
}

// The layer a file belongs to, by its path under the source root.
std::string layer_of(const fs::path& relative) {
  auto it = relative.begin();
  const std::string top = it->string();
  if (top == "bot") return "bot";
  const std::string layer = (++it)->string();
  if (layer == "adapters") {
    const std::string sub = (++it)->string();
    return sub.find('.') == std::string::npos ? "adapters/" + sub : "adapters";
  }
  return layer;
}

const std::map<std::string, std::set<std::string>> allowed{
    {"timeparse", {"std", "date", "timeparse"}},
    // One header: each layer's logger by name, shared by every layer that may log.
    {"logging", {"std", "spdlog", "logging"}},
    // date/tz.h stands in for C++20 std::chrono zones, which GCC 12 lacks.
    // The core stays free of metrics: it reports what happened in its results and the shell
    // counts, so the core keeps no process-wide state.
    {"core", {"std", "timeparse", "fmt", "date", "core"}},
    // Counters, gauges, histograms and their text format: a leaf, std and fmt only.
    {"metrics", {"std", "fmt", "metrics"}},
    // storage, scheduler, the discord and irc adapters and app record metrics (transaction time,
    // job results, reconnects, 429s, messages and commands), so they may include metrics.
    {"storage", {"std", "core", "sqlite", "spdlog", "fmt", "storage", "logging", "metrics"}},
    {"async", {"std", "boost", "spdlog", "fmt", "async", "logging"}},
    {"scheduler",
     {"std", "core", "async", "boost", "spdlog", "fmt", "scheduler", "logging", "metrics"}},
    {"adapters", {"std", "core", "async", "adapters"}},
    {"adapters/console",
     {"std", "core", "async", "adapters", "boost", "beast", "openssl", "nlohmann", "spdlog", "fmt",
      "adapters/console", "logging"}},
    {"adapters/discord",
     {"std", "core", "async", "adapters", "boost", "beast", "openssl", "nlohmann", "spdlog", "fmt",
      "adapters/discord", "adapters/transport", "logging", "metrics"}},
    {"adapters/irc",
     {"std", "core", "async", "adapters", "boost", "beast", "openssl", "nlohmann", "spdlog", "fmt",
      "adapters/irc", "adapters/transport", "logging", "metrics"}},
    {"adapters/transport",
     {"std", "async", "boost", "beast", "openssl", "spdlog", "fmt", "adapters/transport",
      "logging"}},
    {"app",
     {"std",
      "timeparse",
      "core",
      "storage",
      "async",
      "scheduler",
      "adapters",
      "adapters/console",
      "adapters/discord",
      "adapters/irc",
      "adapters/transport",
      "app",
      "boost",
      "beast",
      "openssl",
      "nlohmann",
      "spdlog",
      "fmt",
      "date",
      "CLI",
      "sqlite",
      "logging",
      "metrics"}},
    {"bot", {"std", "app", "async", "boost"}},
};

struct include_line {
  std::string target;
  bool angle;
};

std::vector<include_line> includes_of(const fs::path& file) {
  std::vector<include_line> found;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 8, "#include") != 0) continue;
    const auto open = line.find_first_of("<\"", start + 8);
    if (open == std::string::npos) continue;
    const char close = line[open] == '<' ? '>' : '"';
    const auto end = line.find(close, open + 1);
    if (end == std::string::npos) continue;
    found.push_back({line.substr(open + 1, end - open - 1), line[open] == '<'});
  }
  return found;
}

}  // namespace

TEST_CASE("every #include in lib/ and bot/ follows the dependency rule") {
  const fs::path root = TWEETUP_SOURCE_DIR;
  int files = 0;
  for (const char* top : {"lib", "bot"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      ++files;
      const fs::path relative = fs::relative(entry.path(), root);
      const std::string layer = layer_of(relative);
      INFO("file: " << relative.string() << " (layer " << layer << ")");
      const auto rule = allowed.find(layer);
      REQUIRE_MESSAGE(rule != allowed.end(), "a new layer needs a line in this test");
      for (const auto& inc : includes_of(entry.path())) {
        const std::string dependency = dependency_of(inc.target, inc.angle);
        CHECK_MESSAGE(rule->second.count(dependency) == 1,
                      relative.string() << " includes " << inc.target << " (" << dependency
                                        << "), which layer " << layer << " must not use");
      }
    }
  }
  CHECK(files > 20);
}

TEST_CASE("the rule itself catches a forbidden include") {
  // Guards the checker: a core file including SQLite or Asio must be flagged.
  CHECK(allowed.at("core").count(dependency_of("SQLiteCpp/Database.h", true)) == 0);
  CHECK(allowed.at("core").count(dependency_of("boost/asio.hpp", true)) == 0);
  CHECK(allowed.at("core").count(dependency_of("storage/schema.hpp", false)) == 0);
  CHECK(allowed.at("storage").count(dependency_of("async/asio.hpp", false)) == 0);
  CHECK(allowed.at("adapters/console").count(dependency_of("adapters/discord/x.hpp", false)) == 0);
  CHECK(allowed.at("scheduler").count(dependency_of("boost/beast/core.hpp", true)) == 0);
  CHECK(allowed.at("core").count(dependency_of("vector", true)) == 1);
  CHECK(allowed.at("core").count(dependency_of("logging/layer_log.hpp", false)) == 0);
  CHECK(allowed.at("core").count(dependency_of("metrics/registry.hpp", false)) == 0);
  CHECK(allowed.at("metrics").count(dependency_of("spdlog/spdlog.h", true)) == 0);
}

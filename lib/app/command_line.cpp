#include "app/command_line.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/healthcheck_tool.hpp"
#include "app/parse_tool.hpp"

namespace tweetup {
namespace {

int usage_error(const std::string& reason) {
  std::cerr << "tweetup: " << reason << "\nRun 'tweetup --help' for usage.\n";
  return 2;
}

int report_problems(const std::string& source, const std::vector<std::string>& problems) {
  for (const auto& problem : problems)
    std::cerr << source << ": " << problem << '\n';
  return 2;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words)
    text += (text.empty() ? "" : " ") + w;
  return text;
}

}  // namespace

std::variant<int, run_request> handle_command_line(int argc, char** argv) {
  CLI::App cli{"Tweetup: a chat bot that organizes meetups.", "tweetup"};
  cli.set_version_flag("--version", std::string("tweetup ") + TWEETUP_VERSION);
  cli.require_subcommand(0, 1);

  std::optional<std::string> config_path;
  std::optional<std::string> adapter;
  std::optional<std::string> database;
  auto* run =
      cli.add_subcommand("run", "Run the bot (console adapter unless configured otherwise).");
  run->add_option("--config", config_path, "JSON config file (see config/tweetup.example.json)");
  run->add_option("--adapter", adapter, "console, discord or irc")
      ->check(CLI::IsMember({"console", "discord", "irc"}));
  run->add_option("--db", database, "SQLite database file");

  parse_tool_options parse;
  std::vector<std::string> words;
  std::optional<std::string> now;
  auto add_parse_options = [&](CLI::App* sub) {
    sub->add_option("--now", now,
                    "local wall time in --tz, e.g. 2026-11-28T10:15:00 (default: now)");
    sub->add_option("--tz", parse.tz, "IANA zone of the channel")->capture_default_str();
    sub->add_flag("--batch", parse.batch, "read JSON lines {\"text\",\"now\",\"tz\"} from stdin");
    sub->add_option("text", words, "the text, after --");
  };
  auto* parse_time = cli.add_subcommand("parse-time", "Resolve a time phrase to an instant.");
  add_parse_options(parse_time);
  auto* parse_command =
      cli.add_subcommand("parse-command", "Split a !tweetup command into time and place.");
  add_parse_options(parse_command);

  std::string check_path;
  auto* check = cli.add_subcommand("check-config", "Check a config file; list every problem.");
  check->add_option("file", check_path, "the JSON config file")->required();

  std::optional<std::string> health_config;
  auto* healthcheck = cli.add_subcommand(
      "healthcheck", "Ask the running bot's /healthz (http.listen): exit 0 when healthy.");
  healthcheck->add_option("--config", health_config, "the bot's JSON config file");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }

  if (parse_time->parsed() || parse_command->parsed()) {
    parse.command = parse_command->parsed();
    parse.now = now;
    parse.text = joined(words);
    if (parse.batch && !words.empty()) return usage_error("--batch reads stdin; give no text");
    return run_parse_tool(parse, std::cin, std::cout, std::cerr);
  }
  if (check->parsed()) {
    const config_result loaded = load_config(check_path, process_environment());
    if (!loaded.ok()) return report_problems(check_path, loaded.problems);
    std::cout << fmt::format("{}: OK (adapter {}, database {})\n", check_path, loaded.value.adapter,
                             loaded.value.database);
    return 0;
  }
  if (healthcheck->parsed()) {
    const config_result loaded = load_config(health_config, process_environment());
    if (!loaded.ok()) return report_problems(health_config.value_or("config"), loaded.problems);
    return run_healthcheck(loaded.value.http.listen, std::cout, std::cerr);
  }
  if (!run->parsed()) return usage_error("say what to do, e.g. 'tweetup run'");

  config_result loaded = load_config(config_path, process_environment());
  if (adapter) loaded.value.adapter = *adapter;
  if (database) loaded.value.database = *database;
  if (!loaded.ok()) return report_problems(config_path.value_or("config"), loaded.problems);
  return run_request{std::move(loaded.value)};
}

}  // namespace tweetup

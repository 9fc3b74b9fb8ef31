// The `tweetup` command line (CLI11): run, parse-time, parse-command, check-config,
// healthcheck, --help, --version. Everything except `run` finishes inside handle_command_line.
#pragma once

#include <variant>

#include "app/config.hpp"

namespace tweetup {

struct run_request {
  config settings;
};

// Either an exit code (the command already ran, or the line was wrong: a one-line reason and a
// hint on stderr, exit code 2), or a validated configuration to run the bot with.
std::variant<int, run_request> handle_command_line(int argc, char** argv);

}  // namespace tweetup

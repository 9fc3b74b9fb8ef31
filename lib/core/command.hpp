// A chat command, parsed but not yet checked against any state.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tweetup {

struct create_command {
  std::string arguments;  // "<place> <time>" in either order; the time parser splits it
};
struct list_command {};
struct join_command {
  int number = 0;
  int guests = 0;
};
struct maybe_command {
  int number = 0;
};
struct leave_command {
  int number = 0;
};
struct info_command {
  int number = 0;
};
struct cancel_command {
  int number = 0;
};
struct move_command {
  int number = 0;
  std::string when;
};
struct place_command {
  int number = 0;
  std::string place;
};
struct limit_command {
  int number = 0;
  std::optional<int> capacity;  // nullopt: no limit
};
struct tz_command {
  std::string zone;
};
struct reminders_command {
  std::vector<std::chrono::seconds> offsets;  // empty: no reminders ("off")
  bool use_default = false;                   // "default": back to the configured offsets
};
struct status_command {};
struct calendar_command {};
struct help_command {
  std::string topic;  // empty: the whole table
};
// A command the user clearly meant but got wrong. `message` says what was wrong and shows a
// correct example; it never quotes raw user bytes.
struct command_error {
  std::string name;  // the command's table name, for help and metrics
  std::string message;
};

using command = std::variant<create_command, list_command, join_command, maybe_command,
                             leave_command, info_command, cancel_command, move_command,
                             place_command, limit_command, tz_command, reminders_command,
                             status_command, calendar_command, help_command, command_error>;

}  // namespace tweetup

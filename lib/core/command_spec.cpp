#include "core/command_spec.hpp"

#include <array>

namespace tweetup {
namespace {

using namespace std::string_view_literals;

constexpr std::array create_examples{"tweetup Starbucks Alabaster 3pm"sv,
                                     "tweetup tomorrow 7:30pm Mon Ami Gabi"sv,
                                     "tweetup Blue Bottle Coffee fri 6-8pm"sv};
constexpr std::array list_examples{"tweetups"sv};
constexpr std::array join_examples{"join 1"sv, "join 2 +2"sv};
constexpr std::array maybe_examples{"maybe 3"sv};
constexpr std::array leave_examples{"leave 2"sv};
constexpr std::array info_examples{"tweetup info 1"sv};
constexpr std::array move_examples{"tweetup move 1 tomorrow 4pm"sv};
constexpr std::array place_examples{"tweetup place 1 Starbucks on Main St"sv};
constexpr std::array limit_examples{"tweetup limit 1 8"sv, "tweetup limit 1 none"sv};
constexpr std::array cancel_examples{"tweetup cancel 3"sv};
constexpr std::array tz_examples{"tweetup tz America/Chicago"sv};
constexpr std::array reminders_examples{"tweetup reminders 2h 10m"sv,
                                        "tweetup reminders default"sv};
constexpr std::array status_examples{"tweetup status"sv};
constexpr std::array calendar_examples{"tweetup calendar"sv};
constexpr std::array help_examples{"help"sv, "help join"sv};

constexpr std::array specs{
    command_spec{"tweetup", "tweetup <place> <time>",
                 "Plan a tweetup. The time can come first or last; you join it at once.",
                 create_examples},
    command_spec{"tweetups", "tweetups",
                 "List the upcoming tweetups in this channel, soonest first.", list_examples},
    command_spec{"join", "join <id> [+N]",
                 "Say you're going, bringing N guests. Full? You wait in line.", join_examples},
    command_spec{"maybe", "maybe <id>", "Say you might come. It doesn't hold a spot.",
                 maybe_examples},
    command_spec{"leave", "leave <id>",
                 "Say you can't go after all. Your spot goes to the waitlist.", leave_examples},
    command_spec{"tweetup info", "tweetup info <id>",
                 "Show a tweetup with who is going, maybe or waiting.", info_examples},
    command_spec{"tweetup move", "tweetup move <id> <time>",
                 "Change the time. Everyone who answered is told.", move_examples, true},
    command_spec{"tweetup place", "tweetup place <id> <place>",
                 "Change the place. Everyone who answered is told.", place_examples, true},
    command_spec{"tweetup limit", "tweetup limit <id> <n|none>",
                 "Cap the seats (guests count). Raising it lets the waitlist in.", limit_examples,
                 true},
    command_spec{"tweetup cancel", "tweetup cancel <id>",
                 "Call it off. Everyone who answered is told.", cancel_examples, true},
    command_spec{"tweetup tz", "tweetup tz <IANA zone>",
                 "Set the time zone this channel's times are read in (moderators).", tz_examples},
    command_spec{"tweetup reminders", "tweetup reminders <offsets|off|default>",
                 "Set when this channel's reminders go out before the start (moderators).",
                 reminders_examples},
    command_spec{"tweetup status", "tweetup status",
                 "Show the reminders and announcements waiting to go out here (moderators).",
                 status_examples},
    command_spec{"tweetup calendar", "tweetup calendar",
                 "Get the link to this channel's tweetups as a calendar your app can subscribe to.",
                 calendar_examples},
    command_spec{"help", "help [command]", "List the commands, or explain one.", help_examples},
};

}  // namespace

std::span<const command_spec> command_specs() {
  return specs;
}

const command_spec* find_command_spec(std::string_view name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace tweetup

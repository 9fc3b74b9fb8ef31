// An INTERACTION_CREATE (protocols.md R8) as the typed command it stands for, so the core
// handles a slash command or a button tap exactly as if the user had typed it. Pure; never
// throws.
//
// `text` is the command in the bot's prefix syntax (prefix "!" shown):
//
//   /tweetup ...                          text
//   create place:P when:W                 !tweetup P W    (!tweetup W P when P's first words
//                                                          would read as a subcommand, e.g.
//                                                          place "info 3")
//   list                                  !tweetups
//   join id:N                             !join N
//   join id:N guests:G                    !join N +G
//   maybe id:N                            !maybe N
//   leave id:N                            !leave N
//   info id:N                             !tweetup info N
//   move id:N when:W                      !tweetup move N W
//   place id:N place:P                    !tweetup place N P
//   limit id:N seats:S                    !tweetup limit N S
//   limit id:N                            !tweetup limit N none
//   cancel id:N                           !tweetup cancel N
//   tz zone:Z                             !tweetup tz Z   (spaces inside Z become "_":
//                                                          "America/New York" is
//                                                          America/New_York)
//   reminders offsets:O                   !tweetup reminders O
//   status                                !tweetup status
//   calendar                              !tweetup calendar
//   help                                  !help
//   help command:C                        !help C         (a leading "/" dropped)
//
//   button custom_id                      text
//   rsvp:yes:N                            !join N
//   rsvp:maybe:N                          !maybe N
//   rsvp:no:N                             !leave N
//
// String options come from users: CR, LF, tabs and every other control character (C0, DEL, C1,
// U+2028, U+2029) become spaces, and the ends are trimmed. Integer options are written in
// decimal; one missing or not an integer is left out. Without an id the text is the bare
// command ("!tweetup limit", not "!tweetup limit 8" with the seats taken for the id), which the
// core answers by asking for the number. Every text is checked against the core's parser: when
// an odd value would make the line read as another command (an id of -3 turning "info" into a
// create), the text is the bare command too.
//
// `text` is empty when the interaction is not one of ours: another command name or type, a
// subcommand /tweetup does not have, an unknown custom_id, any other interaction type. Options a
// subcommand does not have are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/user_ref.hpp"

namespace tweetup {

struct interaction {
  enum class type {
    command,  // 2 APPLICATION_COMMAND
    button,   // 3 MESSAGE_COMPONENT
    other,    // PING, autocomplete, modal submit, anything newer
  };

  type kind = type::other;
  std::string id;
  std::string token;  // a credential for 15 minutes (R8): never log it
  std::string application_id;
  std::string channel_id;
  std::string guild_id;  // empty in DMs
  // From member.user in a guild, user in a DM; name is global_name, else username.
  user_ref user;
  // member.permissions: the member's computed permissions in the channel (R3: a decimal string);
  // nullopt in DMs or when absent or malformed.
  std::optional<std::uint64_t> permissions;
  std::string message_id;  // buttons: the message the button is on
  std::string custom_id;   // buttons
  std::string text;        // see the table above; empty when not ours
  // For logs and metrics, from a fixed set: "tweetup create" ... "tweetup help",
  // "tweetup other", "command other", "button yes", "button maybe", "button no",
  // "button other", "other". Never holds user text.
  std::string name;
};

// `raw_json` is the dispatch's `d`. nullopt when it is not JSON, not an object, or lacks a
// string id, string token or integer type, or (for a command or a button) the user.
std::optional<interaction> parse_interaction(std::string_view raw_json, std::string_view prefix);

}  // namespace tweetup

// The numbers Discord's API uses for interaction, command and option types (R8, R9), named once
// for every piece that reads or writes them.
#pragma once

namespace tweetup::discord_api {

// DDOCS interactions/receiving-and-responding.mdx §Interaction Type.
inline constexpr int application_command = 2;
inline constexpr int message_component = 3;
// DDOCS interactions/application-commands.mdx §Application Command Types.
inline constexpr int chat_input = 1;
// DDOCS interactions/application-commands.mdx §Application Command Option Type.
inline constexpr int sub_command = 1;
inline constexpr int string_option = 3;
inline constexpr int integer_option = 4;

}  // namespace tweetup::discord_api

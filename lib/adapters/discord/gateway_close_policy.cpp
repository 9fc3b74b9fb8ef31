#include "adapters/discord/gateway_close_policy.hpp"

namespace tweetup {

gateway_close_policy gateway_close_policy::of(std::optional<std::uint16_t> code) {
  using enum step;
  if (!code) return {resume, "connection dropped without a close frame"};
  switch (*code) {
    // A 1000/1001 the server sent on its own still leaves the session resumable (G12 note);
    // if it is not, the Resume gets op 9 false and we identify then.
    case 1000:
    case 1001:
      return {resume, "server closed the connection normally"};
    case 1006:
      return {resume, "connection dropped without a close frame"};
    case 4000:
      return {resume, "4000 unknown error"};
    case 4001:
      return {resume, "4001 unknown opcode: we sent an invalid opcode"};
    case 4002:
      return {resume, "4002 decode error: we sent an invalid or oversized payload"};
    case 4003:
      return {new_session, "4003 not authenticated: we sent a payload before identifying"};
    case 4004:
      return {fatal,
              "4004 authentication failed: the bot token is wrong or was reset; set a valid "
              "TWEETUP_DISCORD_TOKEN"};
    case 4005:
      return {new_session, "4005 already authenticated: we sent more than one Identify"};
    case 4007:
      return {new_session, "4007 invalid seq on resume"};
    case 4008:
      return {resume, "4008 rate limited: we sent more than 120 payloads in 60 s"};
    case 4009:
      return {new_session, "4009 session timed out"};
    case 4010:
      return {fatal, "4010 invalid shard: check the shard id and count in the config"};
    case 4011:
      return {fatal, "4011 sharding required: the bot is in too many guilds for one shard"};
    case 4012:
      return {fatal, "4012 invalid API version: the gateway URL must ask for v=10"};
    case 4013:
      return {fatal, "4013 invalid intents: the intents bitmask is wrong"};
    case 4014:
      return {fatal,
              "4014 disallowed intents: enable the privileged MESSAGE_CONTENT intent for this "
              "bot in the Discord Developer Portal (Bot > Privileged Gateway Intents)"};
    default:
      // Unknown codes resume, as DJS does; a dead session then answers with op 9 false.
      return {resume, "closed with code " + std::to_string(*code)};
  }
}

}  // namespace tweetup

// The core's outbound_message as Discord message bodies (protocols.md R4, R5, L14). Pure and
// stateless; never throws.
//
// Rendering: text pieces go out as they are, mentions as <@id> (a mention whose user id is not a
// snowflake is shown as its text and pings nobody). Every body carries
//   "allowed_mentions": {"parse": [], "users": [<ids mentioned in this body>], "replied_user":
//   false}
// ("users" left out when there are none), so "@everyone" or "<@&role>" in user text pings nobody
// and only the people the core listed are pinged (R5: parse and users are exclusive).
//
// Length: Discord caps content at 2000 characters. We count UTF-16 code units (a character
// outside the Basic Multilingual Plane, such as most emoji, counts 2), which is never less than
// what Discord counts. Longer content is split into several bodies: at a line break if one lies
// in the second half of the part, else at a space there, else at any line break or space, else
// between two characters. A cut never falls inside a UTF-8 sequence or a <@id> token (it may
// fall between the code points of one emoji sequence when the text has no break at all), and the
// whitespace at a cut is dropped. Invalid UTF-8 bytes become U+FFFD.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/outbound_message.hpp"

namespace tweetup {

struct message_payload {
  static constexpr std::size_t max_content_length = 2000;  // R4, in UTF-16 code units
  static constexpr std::size_t max_nonce_length = 25;      // R4
  static constexpr std::size_t max_allowed_users = 100;    // allowed_mentions.users

  // Bodies for POST /channels/{id}/messages (R4) as JSON text, one per part, in sending order;
  // none when the message has no visible content. Each has content and allowed_mentions; with
  // an idempotency_key also "nonce" (see nonce_for) and "enforce_nonce": true, so Discord
  // answers a resend with the message it already created. The first body has
  //   "message_reference": {"message_id": reply_to, "fail_if_not_exists": false}
  // when reply_to is set (a reply that does not ping its author: replied_user is false). The
  // members of `last_extra`, when it is an object, are added to the last body (an
  // announcement's embed and buttons). `max_length` exists for tests; callers use the default.
  static std::vector<std::string> create_message_bodies(
      const outbound_message& message, const nlohmann::json& last_extra = nullptr,
      std::size_t max_length = max_content_length);

  // The same bodies by the general path alone: every message rendered, measured and cut as a
  // long one is. create_message_bodies writes a message that fits in one part straight from its
  // pieces instead; this exists so that tests can hold that fast path to the same bytes.
  static std::vector<std::string> create_message_bodies_general(
      const outbound_message& message, const nlohmann::json& last_extra = nullptr,
      std::size_t max_length = max_content_length);

  // The `data` of an interaction response (callback type 4) and, when the text needs more than
  // one part, of its follow-ups (POST /webhooks/{app}/{token}), in order: content and
  // allowed_mentions as above; no nonce or message_reference, which interactions do not take.
  static std::vector<nlohmann::json> interaction_messages(
      const outbound_message& message, std::size_t max_length = max_content_length);

  // Characters as counted against max_content_length: UTF-16 code units.
  static std::size_t content_length(std::string_view utf8);

  // The nonce of part `part` (0-based) of a message split into `parts` bodies. The key itself
  // when it is made of [A-Za-z0-9_:-] only, with ".<part+1>" appended for a split message, and
  // fits in 25 characters. Otherwise "~" + the 16 lower-case hex digits of the 64-bit FNV-1a
  // hash of the key's bytes (+ the same suffix): stable across runs and platforms. The two forms
  // cannot collide ('~' and '.' are not in the key alphabet). Empty for an empty key.
  static std::string nonce_for(std::string_view idempotency_key, std::size_t part,
                               std::size_t parts);
};

}  // namespace tweetup

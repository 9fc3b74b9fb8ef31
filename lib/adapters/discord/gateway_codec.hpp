// JSON text <-> gateway payloads (protocols.md §1a, G3-G9). Pure and stateless; never throws.
// Malformed input and oversized output come back as an `error` value. A token passed to the
// encoders is copied into the returned text only; the codec keeps nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/discord/gateway_event.hpp"

namespace tweetup {

class gateway_codec {
 public:
  // G3: the gateway closes with 4002 on anything larger.
  static constexpr std::size_t max_payload_bytes = 4096;

  struct error {
    enum class kind {
      not_json,      // not parseable, or not a JSON object
      bad_envelope,  // op missing or not an integer, s/t of the wrong type
      bad_data,      // `d` lacks a field the opcode or event requires, or has the wrong type
      too_large,     // an encoded payload over max_payload_bytes (G3)
    };
    kind what;
    std::string detail;  // for the log; never contains the token
  };

  // G6 "Identify Connection Properties".
  struct connection_properties {
    std::string os = "linux";
    std::string browser = "tweetup";
    std::string device = "tweetup";
  };
  struct shard {
    int id = 0;
    int count = 1;
  };

  using decoded = std::variant<gateway_event, error>;
  using encoded = std::variant<std::string, error>;

  static decoded decode(std::string_view text);

  // G6. `token` is the bare token, without the "Bot " prefix that REST uses.
  static encoded encode_identify(std::string_view token, std::uint32_t intents,
                                 const connection_properties& properties,
                                 std::optional<shard> shard_info);
  // G9.
  static encoded encode_resume(std::string_view token, std::string_view session_id,
                               std::int64_t seq);
  // Op 1; `d` is the last sequence number, or null before the first dispatch (G8).
  static encoded encode_heartbeat(std::optional<std::int64_t> last_sequence);
};

}  // namespace tweetup

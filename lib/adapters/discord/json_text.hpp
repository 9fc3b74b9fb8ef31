// Compact JSON text of a value, for REST bodies. Pure; never throws.
//
// It writes what value.dump(-1, ' ', false, error_handler_t::replace) writes for valid UTF-8
// (keys in the object's order, the same escapes: \b \f \n \r \t \" \\ and \u00xx for the other
// control characters, everything else as it is), at a fraction of the cost: nlohmann's
// serializer runs a UTF-8 state machine and a virtual call per byte, and a reply body went
// through it on every command. An invalid UTF-8 byte becomes U+FFFD, one per byte, where dump()
// may fold a broken sequence into one; bodies are rendered valid before they get here.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tweetup {

std::string json_text(const nlohmann::json& value);

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Bytes that a JSON string holds as they are: printable ASCII other than '"' and '\\'.
inline bool json_plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}
// Appends the escape of an ASCII byte that is not json_plain: \" \\ \b \f \n \r \t or \u00xx.
void append_json_escape(std::string& out, unsigned char c);

}  // namespace tweetup

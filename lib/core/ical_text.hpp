// The text layer of iCalendar (RFC 5545): TEXT escaping (§3.3.11) and content lines, folded
// (§3.1). Pure.
#pragma once

#include <string>
#include <string_view>

namespace tweetup::ical {

// A TEXT value: backslash, semicolon and comma escaped with a backslash, a line break (LF, CR
// or CRLF) written as "\n", every other control character (C0 but TAB, DEL) dropped. Expects
// valid UTF-8: pass user text through displayable() first, which also cleans C1 controls.
std::string escape_text(std::string_view text);

// One content line "NAME:value" (or "NAME;PARAM=x:value"; `name` holds the parameters), ended
// with CRLF and folded so no physical line exceeds 75 octets before its CRLF: continuation
// lines start with one space, and a fold never splits a UTF-8 sequence. `value` must already
// be escaped for its type.
std::string content_line(std::string_view name, std::string_view value);

}  // namespace tweetup::ical

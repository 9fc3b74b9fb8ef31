// Byte-level checks and clean-up for text that came from a user.
#pragma once

#include <string>
#include <string_view>

namespace tweetup {

bool is_valid_utf8(std::string_view text);

// Text as it may be shown on any platform: control characters (CR, LF, NUL, ESC, C1 …) become
// spaces or U+FFFD, invalid UTF-8 becomes U+FFFD, and "@everyone"/"@here" get a zero-width
// space after the "@" so no platform reads them as a mass ping. Everything else is kept.
std::string displayable(std::string_view text);
// displayable(text) appended to `out`.
void append_displayable(std::string& out, std::string_view text);

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// Removes ASCII whitespace at both ends.
std::string_view trim(std::string_view text);

}  // namespace tweetup

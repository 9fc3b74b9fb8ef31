// Byte-level checks and clean-up for text that came from a user.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tweetup {

// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or, when there is none, minus the length of its maximal
// ill-formed subpart, which Unicode §3.9 ("U+FFFD Substitution of Maximal Subparts") replaces
// with one U+FFFD. Never 0, so a loop over it always moves on. Requires i < text.size().
long utf8_sequence_at(std::string_view text, std::size_t i);
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

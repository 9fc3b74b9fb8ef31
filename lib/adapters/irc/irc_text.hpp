// Chat text on its way to IRC: made safe to put in a PRIVMSG, and cut into lines that fit.
// Pure and synchronous; every function runs in time linear in its input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tweetup::irc {

// The byte length of "nick!user@host" to assume while the bot does not know its own (before
// 001, or when the server cloaks the host): more than I5's "long host" of 63 bytes plus a
// nick and user name.
inline constexpr std::size_t default_prefix_budget = 100;
// Twitch cuts a chat message at 500 characters (T3); code points are what we count.
inline constexpr std::size_t twitch_max_code_points = 500;
// "No limit on code points": the byte limit alone applies.
inline constexpr std::size_t no_code_point_limit = static_cast<std::size_t>(-1);

// The text a bot may put in a PRIVMSG, with nothing that could end the line or change how the
// rest displays (I7):
// - removed: every C0 control (NUL, CR, LF, TAB, ESC …), DEL, and the C1 controls
//   U+0080–U+009F; the formatting codes go with their arguments: \x03 colour with its optional
//   "fg[,bg]" of one or two digits each, \x04 hex colour with its optional "RRGGBB[,RRGGBB]";
//   \x02 bold, \x0F reset, \x11 monospace, \x16 reverse, \x1D italic, \x1E strikethrough and
//   \x1F underline are single C0 bytes and go with the rest;
// - invalid UTF-8 becomes U+FFFD, one for each maximal ill-formed subsequence (Unicode §3.9);
// - everything else, valid UTF-8 beyond U+009F included, is kept byte for byte.
// The result is valid UTF-8 with no byte below 0x20, no 0x7F and no C1 control.
std::string strip_for_irc(std::string_view text);

// The longest text, in bytes, that fits one PRIVMSG to `target` as the server relays it:
// ":" prefix " PRIVMSG " target " :" text "\r\n" must be at most 512 bytes (I5), where
// `prefix_budget` is the byte length of the bot's "nick!user@host". 0 when nothing fits.
std::size_t privmsg_text_budget(std::string_view target, std::size_t prefix_budget);

// Cuts chat text into message texts of at most `max_bytes` bytes and `max_code_points` code
// points each.
// - Each line of `text` (ended by LF, CR LF or a lone CR) starts a new message: a multi-line
//   reply stays multi-line.
// - Each line is passed through strip_for_irc(), loses its trailing spaces, and is dropped if
//   nothing is left: no part is empty or blank, none holds a control byte, all are valid UTF-8.
//   So "x\r\nQUIT" can only become the text "QUIT" of a second message, never a command (I7).
// - A line over either limit is cut at the last space that fits (it may sit just past the
//   limit) and directly follows a visible character, and that one space is consumed: the cut's
//   two sides, joined by a single space, give the line back. When no space qualifies, the line
//   is cut after the last whole UTF-8 character that fits, and nothing is consumed; a part
//   that would hold only spaces (a run of spaces longer than a whole part) is dropped instead.
//   So no part ends with a space.
// Returns no parts when `text` has no visible content, when `max_code_points` is 0, or when
// `max_bytes` is below 4 (a 4-byte character would never fit).
std::vector<std::string> split_chat_text(std::string_view text, std::size_t max_bytes,
                                         std::size_t max_code_points = no_code_point_limit);

// split_chat_text() with max_bytes = privmsg_text_budget(target, prefix_budget): the texts of
// PRIVMSGs to `target` (the caller adds "PRIVMSG target :") whose relayed lines fit (I5).
// With a byte budget of at most 498 bytes, a code-point cap of 500 or more never binds, since
// every code point takes at least one byte; Twitch (T3) needs it only with split_chat_text()
// and a byte limit above 500.
std::vector<std::string> split_privmsg(std::string_view target, std::string_view text,
                                       std::size_t prefix_budget,
                                       std::size_t max_code_points = no_code_point_limit);

// Whether `name` is a channel rather than a nick: its first character is one of `chantypes`,
// which defaults to "#&" (MIRC RPL_ISUPPORT "CHANTYPES": assume "#&" when 005 does not publish
// it), and it holds no space, comma or BEL (^G), which MIRC "Channels" excludes, nor NUL, CR
// or LF, which no line can carry.
bool is_channel_name(std::string_view name, std::string_view chantypes = "#&");

}  // namespace tweetup::irc

// One IRC protocol message, and the line codec for it (MIRC "Message Format", IRCv3
// message-tags). Pure and synchronous: no I/O, no state, no exceptions of its own (std::bad_alloc
// aside). Every function runs in time linear in its input, whatever the bytes.
//
// Grammar (MIRC): ['@' tags SPACE] [':' source SPACE] command params, where SPACE is one or
// more 0x20 bytes. Over WebSocket a line carries no CR LF at all (W2); over TCP it ends with one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tweetup::irc {

struct irc_message {
  // A message tag, its value unescaped. A key without '=' and a key with an empty value mean the
  // same (MIRC: "@rose" -> {"rose": ""}), so both are stored with an empty value.
  struct tag {
    std::string key;  // opaque, with its '+' (client-only) and "vendor/" parts as received
    std::string value;
    friend bool operator==(const tag&, const tag&) = default;
  };

  // In wire order. Duplicates are kept as received; tag_value() returns the last one, which is
  // the one IRCv3 says to use.
  std::vector<tag> tags;
  // The source (formerly "prefix") without its ':': "irc.example.com" or "nick!user@host".
  // Empty when the line had none.
  std::string source;
  // ASCII letters, uppercased by the parser ("privmsg" -> "PRIVMSG"), or a three-digit numeric.
  std::string command;
  // Middle parameters and the trailing one alike: once parsed, a trailing parameter is not
  // special (MIRC "Parameters").
  std::vector<std::string> params;

  // The value of the last tag named `key`, or nullopt when there is none.
  std::optional<std::string_view> tag_value(std::string_view key) const;
  // Parameter `index`, or "" when there are fewer parameters.
  std::string_view param(std::size_t index) const;
  // True for a three-digit numeric reply such as "001" or "433".
  bool is_numeric() const;

  // The parts of a "nick!user@host" source. Any part may be missing: "nick@host" has no user,
  // and a server name such as "irc.example.com" comes back whole as the nick, since the
  // grammar cannot tell the two apart.
  std::string_view source_nick() const;
  std::string_view source_user() const;
  std::string_view source_host() const;

  friend bool operator==(const irc_message&, const irc_message&) = default;
};

// The IRC limit on parameters (RFC 1459/2812 grammar): the 15th parameter is the rest of the
// line, so a line with more parameters than this has the extra ones folded into the last.
inline constexpr std::size_t max_irc_params = 15;

// Parses one line, with or without its line ending ("\r\n", or a lone "\n" or "\r", which MIRC
// says to accept from incorrect software). Returns nullopt for an empty line (MIRC: ignore it
// silently) and for a malformed one: a NUL, CR or LF inside the line, no command, a command that
// is neither letters nor three digits, or an empty source after ':'. Tolerates several spaces
// between parts, spaces at either end, and any other byte values (parameters are not decoded
// as UTF-8 here). Tag segments with an empty key ("@;a" or "@=x;a") are dropped.
std::optional<irc_message> parse_irc_line(std::string_view line);

// The wire form of `message`, without CR LF (W2: over WebSocket a message is exactly one line).
// Returns nullopt, rather than throwing, when the message cannot be written so that it parses
// back to itself; the caller decides whether that is a bug to log or user text to drop:
// - a NUL, CR or LF in the source, command or a parameter (line injection), or a NUL in a tag
//   value (tag values get CR and LF escaped as "\r" and "\n", NUL has no escape);
// - an empty tag key, or one holding '=', ';', a space, NUL, CR or LF;
// - a source containing a space;
// - a command that is not ASCII letters or exactly three digits;
// - more than max_irc_params parameters;
// - a parameter other than the last that is empty, starts with ':' or contains a space.
// The last parameter is written as trailing (":text") only when it must be: when it is empty,
// starts with ':' or contains a space. The command is written uppercased. The 512-byte line
// limit is not checked here: split_privmsg() in irc_text.hpp keeps chat text within it.
std::optional<std::string> serialize(const irc_message& message);

// IRCv3 tag-value escaping: ';' -> "\:", space -> "\s", '\' -> "\\", CR -> "\r", LF -> "\n".
std::string escape_tag_value(std::string_view value);
// The reverse. A backslash before any other character stands for that character ("\b" -> "b"),
// and a lone backslash at the end is dropped (IRCv3 message-tags, "Escaping values").
std::string unescape_tag_value(std::string_view escaped);

}  // namespace tweetup::irc

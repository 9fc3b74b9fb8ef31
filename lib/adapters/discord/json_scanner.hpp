// A strict JSON reader that reports what it reads through the member functions of
// nlohmann::json's SAX interface (null, boolean, number_integer, number_unsigned, number_float,
// string, start_object, key, end_object, start_array, end_array), so that one handler serves
// either. Pure; never throws; header-only because the handler is a template parameter.
//
// Why not nlohmann::json::sax_parse: its lexer appends every byte of every token to two buffers
// one at a time, which made it the largest single cost of a gateway frame (tens of thousands of
// instructions for a 600-byte MESSAGE_CREATE). This one copies runs and keeps one string buffer.
//
// It accepts exactly what nlohmann's parser accepts by default (a differential test holds it to
// that): RFC 8259 values with only space, tab, CR and LF around them, a UTF-8 byte order mark at
// the very start, strings of well-formed UTF-8 (RFC 3629) without raw control characters, the
// escapes \" \\ \/ \b \f \n \r \t and \uXXXX (surrogates only in valid pairs), and nothing after
// the value. Numbers are reported the way nlohmann reports them: a non-negative integer as
// unsigned, a negative one as integer, anything with a fraction or exponent, or too large for
// 64 bits, as float with its text; one too large for a double is refused.
//
// A handler may also have `bool key_view(std::string_view)` and `bool string_view_value(
// std::string_view)`; the reader then calls those instead of key() and string(). The view points
// into the input when the literal holds no escape (most keys and values of a gateway frame), so
// nothing is copied; otherwise into the reader's buffer. Either way it lasts until the handler
// returns. Copying every key and string into a std::string was most of a frame's cost.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_checks.hpp"

namespace tweetup::json_scanner {

enum class outcome {
  ok,
  not_json,  // a syntax error, invalid UTF-8 or an invalid escape, or text after the value
  too_deep,  // more than max_depth nested objects and arrays
  stopped,   // a handler call returned false
};

namespace detail {

// The bytes a string literal may hold as they are and that need no UTF-8 check: printable
// ASCII and DEL, but not '"' or '\\'.
inline constexpr auto plain_ascii = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c)
    table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return table;
}();

// The bytes among the eight at `p` that are not plain_ascii, tested at once (a byte-wise "has
// zero" test per class): each such byte's high bit is set in the result. A gateway frame's
// strings are long runs of plain bytes.
inline std::uint64_t not_plain_ascii8(const char* p) {
  constexpr std::uint64_t ones = 0x0101010101010101;
  constexpr std::uint64_t high = 0x8080808080808080;
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  const std::uint64_t quote = w ^ (ones * '"');
  const std::uint64_t backslash = w ^ (ones * '\\');
  // A byte below 0x20 or at or above 0x80 (the first two terms), or '"' or '\\' (a zero byte
  // after the xor). A borrow can also flag a byte above a flagged one, never one below: the
  // lowest flagged byte is exact.
  const std::uint64_t flagged =
      (w - ones * 0x20) | w | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash);
  return flagged & high;
}

// The open containers, innermost last: a bit per level, set for an object. The first 256
// levels sit inline, so the usual frame costs no allocation (a std::vector<bool> cost one per
// frame, and a call per push).
class open_containers {
 public:
  bool empty() const { return depth_ == 0; }
  std::size_t size() const { return depth_; }
  bool back() const { return (word((depth_ - 1) / 64) >> ((depth_ - 1) % 64)) & 1; }
  void push(bool object) {
    const std::size_t w = depth_ / 64;
    if (w >= inline_.size() && w - inline_.size() == spill_.size()) spill_.push_back(0);
    const auto bit = std::uint64_t{1} << (depth_ % 64);
    std::uint64_t& bits = word(w);
    bits = object ? bits | bit : bits & ~bit;
    ++depth_;
  }
  void pop() { --depth_; }

 private:
  std::uint64_t word(std::size_t w) const {
    return w < inline_.size() ? inline_[w] : spill_[w - inline_.size()];
  }
  std::uint64_t& word(std::size_t w) {
    return w < inline_.size() ? inline_[w] : spill_[w - inline_.size()];
  }

  std::array<std::uint64_t, 4> inline_{};
  std::vector<std::uint64_t> spill_;  // levels 256 and deeper; never shrinks
  std::size_t depth_ = 0;
};

template <typename Handler>
concept takes_views = requires(Handler& h, std::string_view v) {
  { h.key_view(v) } -> std::same_as<bool>;
  { h.string_view_value(v) } -> std::same_as<bool>;
};

template <typename Handler>
class reader {
 public:
  reader(std::string_view text, Handler& handler, std::size_t max_depth)
      : p_(text.data()),
        end_(text.data() + text.size()),
        handler_(handler),
        max_depth_(max_depth) {}

  outcome run() {
    if (end_ - p_ >= 3 && p_[0] == '\xEF' && p_[1] == '\xBB' && p_[2] == '\xBF') p_ += 3;
    open_containers open;
    skip_space();
    for (;;) {
      // Here a value is due.
      if (p_ == end_) return outcome::not_json;
      const char c = *p_;
      if (c == '{' || c == '[') {
        if (open.size() >= max_depth_) return outcome::too_deep;
        ++p_;
        const bool object = c == '{';
        const std::size_t unknown = std::numeric_limits<std::size_t>::max();
        if (!(object ? handler_.start_object(unknown) : handler_.start_array(unknown))) {
          return outcome::stopped;
        }
        open.push(object);
        skip_space();
        if (p_ != end_ && *p_ == (object ? '}' : ']')) {
          ++p_;
          open.pop();
          if (!(object ? handler_.end_object() : handler_.end_array())) return outcome::stopped;
        } else {
          if (object) {
            const outcome k = member_key();
            if (k != outcome::ok) return k;
          }
          continue;
        }
      } else {
        const outcome v = scalar();
        if (v != outcome::ok) return v;
      }
      // A value ended: close what it ends, or move to the next element or member.
      for (;;) {
        skip_space();
        if (open.empty()) return p_ == end_ ? outcome::ok : outcome::not_json;
        if (p_ == end_) return outcome::not_json;
        const bool object = open.back();
        if (*p_ == ',') {
          ++p_;
          skip_space();
          if (object) {
            const outcome k = member_key();
            if (k != outcome::ok) return k;
          }
          break;
        }
        if (*p_ != (object ? '}' : ']')) return outcome::not_json;
        ++p_;
        open.pop();
        if (!(object ? handler_.end_object() : handler_.end_array())) return outcome::stopped;
      }
    }
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  // `"key"` and the colon after it; the member's value is due next.
  outcome member_key() {
    if (p_ == end_ || *p_ != '"') return outcome::not_json;
    std::string_view text;
    if (!read_string(text)) return outcome::not_json;
    bool ok = false;
    if constexpr (takes_views<Handler>) {
      ok = handler_.key_view(text);
    } else {
      ok = handler_.key(owned(text));
    }
    if (!ok) return outcome::stopped;
    skip_space();
    if (p_ == end_ || *p_ != ':') return outcome::not_json;
    ++p_;
    skip_space();
    return outcome::ok;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  outcome scalar() {
    bool ok = false;
    switch (*p_) {
      case '"': {
        std::string_view text;
        if (!read_string(text)) return outcome::not_json;
        if constexpr (takes_views<Handler>) {
          ok = handler_.string_view_value(text);
        } else {
          ok = handler_.string(owned(text));
        }
        break;
      }
      case 't':
        if (!literal("true")) return outcome::not_json;
        ok = handler_.boolean(true);
        break;
      case 'f':
        if (!literal("false")) return outcome::not_json;
        ok = handler_.boolean(false);
        break;
      case 'n':
        if (!literal("null")) return outcome::not_json;
        ok = handler_.null();
        break;
      default:
        return number();
    }
    return ok ? outcome::ok : outcome::stopped;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  outcome number() {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !digit(*p_)) return outcome::not_json;
    std::uint64_t magnitude = 0;
    bool overflow = false;
    if (*p_ == '0') {
      ++p_;  // no leading zeros: a digit after this one ends the number, and then fails
    } else {
      while (p_ != end_ && digit(*p_)) {
        const auto d = static_cast<std::uint64_t>(*p_ - '0');
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
        magnitude = magnitude * 10 + d;
        ++p_;
      }
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !digit(*p_)) return outcome::not_json;
      while (p_ != end_ && digit(*p_))
        ++p_;
      integral = false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return outcome::not_json;
      while (p_ != end_ && digit(*p_))
        ++p_;
      integral = false;
    }
    constexpr auto most_negative = std::uint64_t{1} << 63;
    bool ok = false;
    if (integral && !overflow && !negative) {
      ok = handler_.number_unsigned(magnitude);
    } else if (integral && !overflow && magnitude <= most_negative) {
      ok = handler_.number_integer(magnitude == most_negative
                                       ? std::numeric_limits<std::int64_t>::min()
                                       : -static_cast<std::int64_t>(magnitude));
    } else {
      // Rare in what we read; strtod rounds and underflows the way nlohmann's lexer (which
      // calls it too) does, and like nlohmann we refuse a number too large for a double.
      buffer_.assign(start, p_);
      const double value = std::strtod(buffer_.c_str(), nullptr);
      if (!std::isfinite(value)) return outcome::not_json;
      ok = handler_.number_float(value, buffer_);
    }
    return ok ? outcome::ok : outcome::stopped;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u".
  bool hex4(char32_t& unit) {
    if (end_ - p_ < 4) return false;
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      const int v = hex_value(p_[i]);
      if (v < 0) return false;
      unit = unit * 16 + static_cast<char32_t>(v);
    }
    p_ += 4;
    return true;
  }

  void append_utf8(char32_t cp) {
    if (cp < 0x80) {
      buffer_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      buffer_ += static_cast<char>(0xC0 | (cp >> 6));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buffer_ += static_cast<char>(0xE0 | (cp >> 12));
      buffer_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buffer_ += static_cast<char>(0xF0 | (cp >> 18));
      buffer_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buffer_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The std::string& that the nlohmann-style members take: buffer_ itself, or a copy into it.
  std::string& owned(std::string_view text) {
    if (text.data() != buffer_.data()) buffer_.assign(text);
    return buffer_;
  }

  // Moves p_ to the first byte that is not plain_ascii, or to the end.
  void skip_plain_ascii() {
    while (end_ - p_ >= 8) {
      const std::uint64_t flagged = not_plain_ascii8(p_);
      if (flagged != 0) {
        // The lowest flagged byte is the first in memory only on a little-endian machine.
        if constexpr (std::endian::native != std::endian::little) break;
        p_ += std::countr_zero(flagged) / 8;
        return;
      }
      p_ += 8;
    }
    // Most bytes are plain ASCII: one table load each, not four comparisons.
    while (p_ != end_ && plain_ascii[static_cast<unsigned char>(*p_)])
      ++p_;
  }

  // Moves p_ past bytes a string literal may hold as they are: to its end, to a '"', a '\\'
  // or a control character; false on invalid UTF-8.
  bool skip_literal_run() {
    while (p_ != end_) {
      skip_plain_ascii();
      if (p_ == end_) break;
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x80) break;  // '"', '\\' or a control character
      // RFC 3629's ranges, as the core checks every user's text.
      const long size =
          utf8_sequence_at(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), 0);
      if (size < 0) return false;
      p_ += size;
    }
    return true;
  }

  // The string literal at p_ (on its opening quote), unescaped: a view into the input when it
  // holds no escape, else into buffer_.
  bool read_string(std::string_view& text) {
    ++p_;
    const char* start = p_;
    if (!skip_literal_run() || p_ == end_) return false;
    if (*p_ == '"') {
      text = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return true;
    }
    buffer_.assign(start, p_);
    if (!read_escaped_string()) return false;
    text = buffer_;
    return true;
  }

  // The rest of a string literal from an escape or a control character at p_, appended to
  // buffer_ unescaped.
  bool read_escaped_string() {
    for (;;) {
      const char* run = p_;
      if (!skip_literal_run()) return false;
      buffer_.append(run, p_);
      if (p_ == end_) return false;
      const char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') return false;  // a raw control character
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          buffer_ += '"';
          break;
        case '\\':
          buffer_ += '\\';
          break;
        case '/':
          buffer_ += '/';
          break;
        case 'b':
          buffer_ += '\b';
          break;
        case 'f':
          buffer_ += '\f';
          break;
        case 'n':
          buffer_ += '\n';
          break;
        case 'r':
          buffer_ += '\r';
          break;
        case 't':
          buffer_ += '\t';
          break;
        case 'u': {
          char32_t unit = 0;
          if (!hex4(unit)) return false;
          if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a low surrogate alone
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            char32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(unit);
          break;
        }
        default:
          return false;
      }
    }
  }

  const char* p_;
  const char* end_;
  Handler& handler_;
  std::size_t max_depth_;
  std::string buffer_;  // the current string, key or float text; reused
};

}  // namespace detail

// Reads `text` and reports it to `handler`; at most `max_depth` containers deep.
template <typename Handler>
outcome scan(std::string_view text, Handler& handler,
             std::size_t max_depth = std::numeric_limits<std::size_t>::max()) {
  return detail::reader<Handler>(text, handler, max_depth).run();
}

}  // namespace tweetup::json_scanner

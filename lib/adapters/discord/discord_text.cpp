#include "adapters/discord/discord_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

#include "adapters/discord/message_payload.hpp"

namespace tweetup::discord_text {

using namespace std::string_view_literals;

namespace {

std::size_t units(std::string_view utf8) {
  return message_payload::content_length(utf8);
}

}  // namespace

// RFC 3629: overlong forms, surrogates and values past U+10FFFF are refused.
std::size_t decode(std::string_view bytes, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t size = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    size = 2;
    value = lead & 0x1F;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    size = 3;
    value = lead & 0x0F;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    size = 4;
    value = lead & 0x07;
    minimum = 0x10000;
  } else {
    return 0;
  }
  if (bytes.size() < size) return 0;
  for (std::size_t i = 1; i < size; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return size;
}

std::size_t sequence_size(std::string_view text) {
  char32_t ignored = 0;
  return decode(text, ignored);
}

bool is_snowflake(std::string_view id) {
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::chrono::system_clock::time_point> snowflake_time(std::string_view id) {
  // DDOCS reference.mdx §Snowflakes: the first second of 2015, in Unix milliseconds.
  constexpr std::uint64_t discord_epoch_ms = 1420070400000;
  std::uint64_t value = 0;
  if (!is_snowflake(id) ||
      std::from_chars(id.data(), id.data() + id.size(), value).ec != std::errc{}) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point{
      std::chrono::milliseconds{static_cast<std::int64_t>((value >> 22) + discord_epoch_ms)}};
}

bool is_markdown(std::string_view code_point) {
  return code_point.size() == 1 && "\\*_~|><`[]"sv.find(code_point[0]) != std::string_view::npos;
}

std::string fit(std::string_view text, std::size_t budget, bool escape) {
  const auto piece = [&](std::string_view cp) {
    return escape && is_markdown(cp) ? "\\" + std::string(cp) : std::string(cp);
  };
  std::string whole;
  for_each_code_point(text, [&](std::string_view cp) { whole += piece(cp); });
  if (units(whole) <= budget) return whole;
  if (budget == 0) return {};
  std::string out;
  std::size_t used = 0;
  bool full = false;
  for_each_code_point(text, [&](std::string_view cp) {
    if (full) return;
    const std::string next = piece(cp);
    const std::size_t size = units(next);
    if (used + size > budget - 1) {
      full = true;
      return;
    }
    out += next;
    used += size;
  });
  return out + std::string(ellipsis);
}

std::string timestamp(std::chrono::sys_seconds start, std::optional<std::chrono::sys_seconds> end,
                      bool relative) {
  std::string out;
  append_timestamp(out, start, end, relative);
  return out;
}

void append_timestamp(std::string& out, std::chrono::sys_seconds start,
                      std::optional<std::chrono::sys_seconds> end, bool relative) {
  // Written in place: every reply that names a time comes here.
  const auto tag = [&out](std::chrono::sys_seconds t, std::string_view style) {
    char digits[24];
    const auto last = std::to_chars(digits, digits + sizeof digits, t.time_since_epoch().count());
    out += "<t:";
    out.append(digits, last.ptr);
    out += style;
  };
  tag(start, ":F>");
  if (end && *end > start) {
    // Style t shows only a clock time, which reads wrong for an end on a later day.
    const bool same_day = *end - start < std::chrono::hours{24};
    out += " \xE2\x80\x93 ";
    tag(*end, same_day ? ":t>" : ":f>");
  }
  if (relative) {
    out += " (";
    tag(start, ":R>");
    out += ')';
  }
}

}  // namespace tweetup::discord_text

#include "adapters/discord/discord_text.hpp"

#include "adapters/discord/message_payload.hpp"

namespace tweetup::discord_text {

using namespace std::string_view_literals;

namespace {

std::size_t units(std::string_view utf8) {
  return message_payload::content_length(utf8);
}

}  // namespace

std::size_t sequence_size(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t size = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    size = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    size = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    size = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < size || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < size; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return size;
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
  const auto seconds = [](std::chrono::sys_seconds t) {
    return std::to_string(t.time_since_epoch().count());
  };
  std::string out = "<t:" + seconds(start) + ":F>";
  if (end && *end > start) {
    // Style t shows only a clock time, which reads wrong for an end on a later day.
    const bool same_day = *end - start < std::chrono::hours{24};
    out += " \xE2\x80\x93 <t:" + seconds(*end) + (same_day ? ":t>" : ":f>");
  }
  if (relative) out += " (<t:" + seconds(start) + ":R>)";
  return out;
}

}  // namespace tweetup::discord_text

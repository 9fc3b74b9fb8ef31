#include "adapters/discord/json_text.hpp"

#include <charconv>
#include <cstdint>

#include "adapters/discord/discord_text.hpp"

namespace tweetup {

namespace {

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_value(std::string& out, const nlohmann::json& value) {
  using type = nlohmann::json::value_t;
  switch (value.type()) {
    case type::null:
      out += "null";
      return;
    case type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case type::number_integer:
      append_integer(out, value.get<std::int64_t>());
      return;
    case type::number_unsigned:
      append_integer(out, value.get<std::uint64_t>());
      return;
    case type::string:
      append_json_string(out, value.get_ref<const std::string&>());
      return;
    case type::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_value(out, item);
      }
      out += ']';
      return;
    }
    case type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_value(out, item);
      }
      out += '}';
      return;
    }
    default:
      // Floats (their shortest round-trip form is nlohmann's to get right) and the rest, which
      // no body holds today.
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

}  // namespace

void append_json_escape(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t run = at;
    while (run < text.size() && json_plain(static_cast<unsigned char>(text[run])))
      ++run;
    out.append(text.substr(at, run - at));
    at = run;
    if (at == text.size()) break;
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x80) {
      const std::size_t size = discord_text::sequence_size(text.substr(at));
      if (size == 0) {
        out += discord_text::replacement;
        ++at;
      } else {
        out.append(text.substr(at, size));
        at += size;
      }
      continue;
    }
    append_json_escape(out, c);
    ++at;
  }
  out += '"';
}

std::string json_text(const nlohmann::json& value) {
  std::string out;
  out.reserve(256);
  append_value(out, value);
  return out;
}

}  // namespace tweetup

// libFuzzer target for `tweetup parse-command` (../../shared/design.md §9): the command parser and
// the time and place parser, fed the way lib/app/parse_tool.cpp feeds them, plus parse_time on the
// raw bytes. Built and run by scripts/fuzz; see tests/fuzz/CMakeLists.txt.
//
// Input layout: the first `header_size` bytes choose the context, the rest is the chat line.
//   byte 0      the channel zone, zones[byte % size]
//   byte 1      bit 0 set: `now` near a UTC-offset change of the zone (DST, or a change of
//               standard time) in the chosen year; bits 1-7 % 16: the year, 2020 + n
//   bytes 2-5   which change and how far from it (within ±36 h), or, with bit 0 clear, the
//               second of the year
// Shorter inputs read the missing header bytes as 0 and have an empty text.
//
// Invariants (a violation calls __builtin_trap, which libFuzzer reports as a crash):
// - an accepted time is strictly after `now`, and its end, if any, is after its start;
// - every consumed byte range lies within the text that was parsed;
// - a place is non-empty, and valid UTF-8 when the text was;
// - no error message holds a control byte (they are shown to users as is).
//
// TWEETUP_FUZZ_MAX_US=N (environment): trap when one input takes longer than N microseconds.
// Unset by default because the sanitizers slow everything down several times; scripts/fuzz sets it
// to 1000 with TWEETUP_FUZZ_STRICT=1. The slowest input seen is printed at exit either way.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "core/command_parser.hpp"
#include "core/zone_lookup.hpp"
#include "fuzz_oracle.hpp"
#include "timeparse/time_parser.hpp"

namespace {

namespace tp = tweetup::timeparse;

constexpr std::size_t header_size = 6;

// Fixed offsets, DST both ways, half- and quarter-hour offsets, the extremes of the offset range,
// a negative-DST zone (Dublin), a 30-minute DST (Lord Howe) and zones whose rules changed.
constexpr std::array<const char*, 20> zone_names{
    "America/Chicago",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
    "America/St_Johns",
    "Asia/Kathmandu",
    "America/Los_Angeles",
    "America/New_York",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Sao_Paulo",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Asia/Kolkata",
    "Europe/London",
    "America/Santiago",
    "Asia/Tehran",
};

struct fuzz_state {
  std::vector<const date::time_zone*> zones;
  std::optional<std::chrono::microseconds> max_time;  // TWEETUP_FUZZ_MAX_US
  std::chrono::microseconds slowest{0};
  std::size_t slowest_size = 0;
};

fuzz_state& state() {
  static fuzz_state s;
  return s;
}

void print_slowest() {
  std::fprintf(stderr, "parse_command_fuzz: slowest input took %lld us (%zu bytes)\n",
               static_cast<long long>(state().slowest.count()), state().slowest_size);
}

using tweetup::fuzz::check;
using tweetup::fuzz::valid_utf8;

bool has_control_byte(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

void check_time(const tp::parsed_time& time, std::string_view text, const tp::parse_context& ctx) {
  check(time.starts_at > ctx.now);
  if (time.ends_at) check(*time.ends_at > time.starts_at);
  for (const tp::text_range& range : time.consumed) {
    check(range.begin <= range.end && range.end <= text.size());
  }
}

void check_time_result(const tp::time_result& result, std::string_view text,
                       const tp::parse_context& ctx) {
  if (const auto* error = std::get_if<tp::parse_error>(&result)) {
    check(!has_control_byte(error->message));
  } else {
    check_time(std::get<tp::parsed_time>(result), text, ctx);
  }
}

void check_place_and_time(std::string_view arguments, const tp::parse_context& ctx) {
  const tp::command_result result = tp::parse_place_and_time(arguments, ctx);
  if (const auto* error = std::get_if<tp::parse_error>(&result)) {
    check(!has_control_byte(error->message));
    return;
  }
  const auto& planned = std::get<tp::parsed_command>(result);
  check_time(planned.time, arguments, ctx);
  check(!planned.place.empty());
  if (valid_utf8(arguments)) check(valid_utf8(planned.place));
}

// The instants at which the zone's UTC offset (or abbreviation) changes during `year`.
std::vector<std::chrono::sys_seconds> changes_in(const date::time_zone& zone, int year) {
  using date::sys_days;
  const std::chrono::sys_seconds first{sys_days{date::year{year} / 1 / 1}.time_since_epoch()};
  const std::chrono::sys_seconds last{sys_days{date::year{year + 1} / 1 / 1}.time_since_epoch()};
  std::vector<std::chrono::sys_seconds> changes;
  std::chrono::sys_seconds at = first;
  while (changes.size() < 8) {
    const date::sys_info info = zone.get_info(at);
    if (info.end >= last) break;
    changes.push_back(info.end);
    at = info.end;
  }
  return changes;
}

tp::parse_context context_from(const std::uint8_t* header) {
  const fuzz_state& s = state();
  const date::time_zone* zone = s.zones[header[0] % s.zones.size()];
  const int year = 2020 + (header[1] >> 1) % 16;
  const std::uint32_t low = (std::uint32_t{header[2]} << 24) | (std::uint32_t{header[3]} << 16) |
                            (std::uint32_t{header[4]} << 8) | std::uint32_t{header[5]};
  if ((header[1] & 1u) != 0) {
    const auto changes = changes_in(*zone, year);
    if (!changes.empty()) {
      constexpr std::uint32_t window = 36 * 3600;
      const auto change = changes[header[2] % changes.size()];
      const auto offset = static_cast<std::int64_t>(low & 0xFFFFFFu) % (2 * window + 1) - window;
      return {change + std::chrono::seconds{offset}, zone};
    }
  }
  const std::chrono::sys_seconds first{date::sys_days{date::year{year} / 1 / 1}.time_since_epoch()};
  return {first + std::chrono::seconds{low % (365 * 86400)}, zone};
}

void run_one(std::string_view text, const tp::parse_context& ctx) {
  check_time_result(tp::parse_time(text, ctx), text, ctx);

  // As `tweetup parse-command` does: a line for another bot (or none) is parsed whole.
  const auto parsed = tweetup::parse_command(text, "!");
  if (!parsed) {
    check_place_and_time(text, ctx);
    return;
  }
  if (const auto* create = std::get_if<tweetup::create_command>(&*parsed)) {
    check(create->arguments.size() <= text.size());
    if (valid_utf8(text)) check(valid_utf8(create->arguments));
    check_place_and_time(create->arguments, ctx);
  } else if (const auto* move = std::get_if<tweetup::move_command>(&*parsed)) {
    // The bot reads the new time of "!tweetup move 3 <when>" with parse_time.
    check_time_result(tp::parse_time(move->when, ctx), move->when, ctx);
  } else if (const auto* error = std::get_if<tweetup::command_error>(&*parsed)) {
    check(!error->message.empty() && !has_control_byte(error->message));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  fuzz_state& s = state();
  for (const char* name : zone_names) {
    const date::time_zone* zone = tweetup::find_zone(name);
    if (!zone) {
      std::fprintf(stderr, "parse_command_fuzz: the tz database has no zone %s\n", name);
      std::abort();
    }
    s.zones.push_back(zone);
  }
  if (const char* limit = std::getenv("TWEETUP_FUZZ_MAX_US"); limit && *limit) {
    s.max_time = std::chrono::microseconds{std::strtoll(limit, nullptr, 10)};
  }
  // Warm up: the tz database reads a zone's rules from disk on its first use (several ms), for
  // the channel zones and for the zones behind abbreviations in the text alike. That one-time
  // cost per process is not what TWEETUP_FUZZ_MAX_US is about.
  const std::array<std::uint8_t, header_size> header{};
  for (std::size_t z = 0; z < s.zones.size(); ++z) {
    auto warm = header;
    warm[0] = static_cast<std::uint8_t>(z);
    warm[1] = 1;
    for (const char* text : {"!tweetup Cafe tomorrow 3pm", "3pm EST", "3pm EDT", "3pm CST",
                             "3pm PST", "3pm PDT", "3pm CET", "3pm CEST", "3pm JST", "3pm AEDT",
                             "3pm GMT", "3pm UTC", "3pm ET", "3pm CT", "3pm PT", "3pm +05:30"}) {
      run_one(text, context_from(warm.data()));
    }
  }
  std::atexit(print_slowest);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::array<std::uint8_t, header_size> header{};
  for (std::size_t i = 0; i < header_size && i < size; ++i)
    header[i] = data[i];
  const std::string_view text =
      size > header_size
          ? std::string_view(reinterpret_cast<const char*>(data + header_size), size - header_size)
          : std::string_view();

  const tp::parse_context ctx = context_from(header.data());
  const auto started = std::chrono::steady_clock::now();
  run_one(text, ctx);
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);

  fuzz_state& s = state();
  if (took > s.slowest) {
    s.slowest = took;
    s.slowest_size = size;
  }
  if (s.max_time && took > *s.max_time) {
    std::fprintf(stderr, "parse_command_fuzz: one input took %lld us, over the %lld us limit\n",
                 static_cast<long long>(took.count()), static_cast<long long>(s.max_time->count()));
    __builtin_trap();
  }
  return 0;
}

// The 1 ms bound of the time parser ("no input may take more than 1 ms"), checked on the slowest
// inputs we know: every file of the given folders (the libFuzzer corpus) and inputs built to be
// hard (long runs of digits, "1-1-1-1", "at at at", many weekdays, clocks, spans and durations,
// multibyte UTF-8, ...), each at most max_command_bytes long, the size the command parser lets
// through. Each input is timed alone through parse_place_and_time and parse_time, under a few
// zones and instants (one just before a DST change); its time is the best of N runs, so that one
// preemption by another process does not pass for a slow input. Prints the slowest inputs with
// their sizes, how the time of each built form grows from 2,000 to 4,000 bytes (about 2 when the
// scan is linear), and exits 1 when any input's time exceeds the limit.
//
//   timeparse_worst_case [--runs N] [--max-us U] [--top K] [--fuzz-layout] [DIR...]
//
// --fuzz-layout: the files are inputs of tests/fuzz/parse_command_fuzz.cpp, whose first 6 bytes
// choose its context; they are dropped, and the rest is timed under this tool's contexts.
// The bound is meant for an optimised (Release) build; a Debug or sanitized build is several times
// slower, so its smoke test passes a larger --max-us.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/tz.h>

#include "core/command_parser.hpp"
#include "timeparse/iso_format.hpp"
#include "timeparse/time_parser.hpp"

namespace {

namespace tp = tweetup::timeparse;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t fuzz_header_bytes = 6;  // see tests/fuzz/parse_command_fuzz.cpp

struct input {
  std::string label;
  std::string text;
};

struct timing {
  double micros = 0;  // the slowest (API, context) pair, each the best of the runs
  const char* api = "";
};

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (char ch : text.substr(0, limit)) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '.');
  }
  if (text.size() > limit) out += "...";
  return out;
}

// `unit` repeated up to `size` bytes; the last copy may be cut anywhere, even inside a UTF-8
// sequence, which the parser must take like any other bytes.
std::string repeated(std::string_view unit, std::size_t size) {
  std::string out;
  out.reserve(size);
  while (out.size() < size)
    out.append(unit.substr(0, std::min(unit.size(), size - out.size())));
  return out;
}

// A fixed-seed mix of the pieces of time phrases, so that many pieces meet in one input.
std::string mixed(std::size_t size, std::uint64_t seed) {
  static constexpr std::array<std::string_view, 24> pieces{
      "3pm",  "tomorrow",  "at",   "7",      "-",       "9pm",  "friday",
      "next", "dec 3",     "12/3", "in 2",   "hours",   "from", "to",
      "noon", "half past", "EST",  "+05:30", "the 5th", "of",   "2026-12-03T18:00",
      "for",  "ago",       "Cafe"};
  std::string out;
  std::uint64_t state = seed;
  while (out.size() < size) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    out.append(pieces[(state >> 33) % pieces.size()]);
    out.push_back(' ');
  }
  out.resize(size);
  return out;
}

struct form {
  const char* name;
  std::string_view unit;
};

// Each one aims at a matcher or a pass that could look back, look far ahead or try every pair.
constexpr std::array<form, 46> forms{{
    {"digits", "7"},
    {"spaced digits", "7 "},
    {"dashed ones", "1-"},
    {"slashed ones", "1/"},
    {"dotted ones", "1."},
    {"colons", ":"},
    {"colon clocks", "1:11:"},
    {"dashes", "- "},
    {"at at", "at "},
    {"@@", "@"},
    {"from to", "from 1 to 2 "},
    {"from chain", "from 1 to "},
    {"between and", "between 5 and "},
    {"spans", "7-9pm "},
    {"weekdays", "friday monday Sat sun wed "},
    {"next week on", "next week on "},
    {"am pm", "1pm 2am 3 pm 4 a.m. "},
    {"bare hours", "at 7 "},
    {"half past", "half past "},
    {"quarter to", "quarter to 1 "},
    {"word clocks", "six thirty five "},
    {"durations", "in 2 hours and 3 minutes and "},
    {"a couple of", "a couple of "},
    {"for hours", "for 1 hour "},
    {"ago", "2 hours ago "},
    {"months", "dec 3rd, 2026 "},
    {"day first", "the 3rd of december "},
    {"iso", "2026-12-03T18:00Z "},
    {"offsets", "+05:30"},
    {"zones", "UTC+1 EST cet "},
    {"iana", "Europe/Berlin/"},
    {"iana misses", "us/zz europe/xx "},
    {"long iana", "America/Argentina/Buenos_Aires/"},
    {"parts of day", "tomorrow morning in the evening this afternoon "},
    {"tonight", "8 tonight "},
    {"holidays", "christmas eve new year's eve "},
    {"chat spellings", "2moro 2nite 2day "},
    {"ish", "7ish-ish "},
    {"o'clock", "5 o'clock o clock "},
    {"apostrophes", "'"},
    {"utf-8 letters", "\xC3\xA9\xE6\x97\xA5\xF0\x9F\x8E\x89"},
    {"typographic",
     "7\xE2\x80\x93"
     "9pm o\xE2\x80\x99"
     "clock\xC2\xA0"},
    {"controls", std::string_view{"\0\t\x01\x7f 3pm", 9}},
    {"capitals", "Noon Cafe Sunday Bakery Mon Ami "},
    {"mixed phrase", "friday 3pm dec 3 12/3 in 2 hours "},
    {"meals", "lunch dinner at 12 "},
}};

std::vector<input> built_inputs(std::size_t size) {
  std::vector<input> out;
  for (const auto& f : forms)
    out.push_back({f.name, repeated(f.unit, size)});
  out.push_back({"place then time", repeated("a", size - 4) + " 3pm"});
  out.push_back({"time then place", "3pm " + repeated("Starbucks ", size - 4)});
  for (std::uint64_t seed = 1; seed <= 4; ++seed)
    out.push_back({"mix " + std::to_string(seed), mixed(size, seed)});
  return out;
}

std::vector<input> folder_inputs(const std::filesystem::path& dir, bool fuzz_layout,
                                 std::size_t& cut) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<input> out;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (fuzz_layout) text.erase(0, std::min(text.size(), fuzz_header_bytes));
    if (text.size() > tweetup::max_command_bytes) {
      text.resize(tweetup::max_command_bytes);
      ++cut;
    }
    out.push_back({path.filename().string(), std::move(text)});
  }
  return out;
}

class timer {
 public:
  timer(std::vector<tp::parse_context> contexts, int runs)
      : contexts_(std::move(contexts)), runs_(runs) {}

  timing time(const std::string& text) {
    timing worst;
    for (const auto& ctx : contexts_) {
      const double c = best([&] { return accepted(tp::parse_place_and_time(text, ctx)); });
      if (c > worst.micros) worst = {c, "parse_place_and_time"};
      const double t = best([&] { return accepted(tp::parse_time(text, ctx)); });
      if (t > worst.micros) worst = {t, "parse_time"};
    }
    return worst;
  }

  std::size_t accepted_count() const { return accepted_; }

 private:
  template <typename result>
  bool accepted(const result& r) {
    const bool ok = r.index() == 0;
    accepted_ += ok ? 1 : 0;
    return ok;
  }

  template <typename call>
  double best(call one) {
    double fastest = 1e300;
    for (int r = 0; r < runs_; ++r) {
      const auto start = clock_type::now();
      one();
      const std::chrono::duration<double, std::micro> took = clock_type::now() - start;
      fastest = std::min(fastest, took.count());
    }
    return fastest;
  }

  std::vector<tp::parse_context> contexts_;
  int runs_;
  std::size_t accepted_ = 0;
};

tp::parse_context context(const char* zone_name, const char* now) {
  const auto* zone = date::locate_zone(zone_name);
  return {*tp::parse_local_iso(now, *zone), zone};
}

struct result_row {
  std::string label;
  std::size_t size = 0;
  timing t;
  std::string_view text;
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  double max_us = 1000;
  std::size_t top = 12;
  bool fuzz_layout = false;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--max-us" && i + 1 < argc) {
      max_us = std::atof(argv[++i]);
    } else if (arg == "--top" && i + 1 < argc) {
      top = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    } else if (arg == "--fuzz-layout") {
      fuzz_layout = true;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr,
                   "usage: timeparse_worst_case [--runs N] [--max-us U] [--top K] "
                   "[--fuzz-layout] [DIR...]\n");
      return 2;
    } else {
      dirs.push_back(arg);
    }
  }

  // The bench's Saturday morning in Chicago; half an hour before Berlin springs forward; the
  // night Lord Howe falls back by half an hour.
  timer clock{{context("America/Chicago", "2026-11-28T10:15:00"),
               context("Europe/Berlin", "2027-03-28T01:30:00"),
               context("Australia/Lord_Howe", "2027-04-04T01:20:00")},
              runs};

  std::vector<input> inputs;
  std::size_t cut = 0;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      std::fprintf(stderr, "timeparse_worst_case: no folder %s\n", dir.c_str());
      return 2;
    }
    auto found = folder_inputs(dir, fuzz_layout, cut);
    std::printf("%s: %zu files\n", dir.c_str(), found.size());
    for (auto& f : found)
      inputs.push_back({"file " + f.label, std::move(f.text)});
  }
  const std::size_t from_files = inputs.size();
  const auto small = built_inputs(tweetup::max_command_bytes / 2);
  auto large = built_inputs(tweetup::max_command_bytes);
  for (auto& b : large)
    inputs.push_back(std::move(b));

  // One untimed pass loads the tz database and warms the caches, as a running bot would be.
  for (const auto& in : inputs)
    clock.time(in.text);

  std::vector<result_row> rows;
  for (const auto& in : inputs)
    rows.push_back({in.label, in.text.size(), clock.time(in.text), in.text});

  // Linearity: the same form at half the size and at the full size.
  double worst_growth = 0;
  std::string worst_growth_form;
  for (std::size_t k = 0; k < small.size(); ++k) {
    const double a = clock.time(small[k].text).micros;
    const double b = rows[from_files + k].t.micros;
    const double growth = a > 0 ? b / a : 0;
    if (growth > worst_growth) {
      worst_growth = growth;
      worst_growth_form = small[k].label;
    }
  }

  std::sort(rows.begin(), rows.end(),
            [](const result_row& a, const result_row& b) { return a.t.micros > b.t.micros; });
  const auto over =
      std::count_if(rows.begin(), rows.end(), [&](const auto& r) { return r.t.micros > max_us; });
  std::printf(
      "%zu inputs (%zu from files, %zu cut to %zu bytes; %zu built), 2 APIs x 3 contexts, best "
      "of %d runs each\n",
      rows.size(), from_files, cut, tweetup::max_command_bytes, rows.size() - from_files, runs);
  std::printf("slowest:\n");
  for (std::size_t k = 0; k < std::min(top, rows.size()); ++k) {
    const auto& r = rows[k];
    std::printf("  %8.1f us  %5zu bytes  %-20s  %-18s  \"%s\"\n", r.t.micros, r.size, r.t.api,
                r.label.c_str(), printable(r.text, 32).c_str());
  }
  std::printf("growth from %zu to %zu bytes: at most %.1fx (%s); linear is 2x\n",
              tweetup::max_command_bytes / 2, tweetup::max_command_bytes, worst_growth,
              worst_growth_form.c_str());
  std::printf("bound %.0f us: %s (%ld over)\n", max_us, over == 0 ? "held" : "EXCEEDED",
              static_cast<long>(over));
#ifndef NDEBUG
  std::printf("(an unoptimised build, with assertions: the 1 ms bound is meant for Release)\n");
#endif
  return over == 0 ? 0 : 1;
}

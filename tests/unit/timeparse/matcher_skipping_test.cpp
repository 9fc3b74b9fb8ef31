// Matcher skipping in phrase_scanner.cpp is an optimisation only: a token runs just the matchers
// that its word can begin, by opener lists kept by hand next to the matchers. Here the lists are
// checked against the matchers themselves: over a large corpus, a scan that skips and a scan that
// runs every matcher at every token must find the same pieces, and parse_time and
// parse_place_and_time must give the same answers either way.
//
// The corpus: every string literal of the table tests (time_parser_test.cpp) and of the timeparse
// benchmarks, every input of the parse_command fuzz corpus, the property test's days and times
// (with places), random edits of all of these, every word of the pool and every mark in front of
// every shape of phrase ending, every zone name of the tz database, and random word salads. The
// word pool is every vocabulary entry plus every literal of phrase_scanner.cpp and vocabulary.cpp
// (all the words the matchers test with word_is() or low(i) ==), read from the sources when the
// test runs, so a word a matcher learns joins the pool with no edit here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/tz.h>

#include "timeparse/iso_format.hpp"
#include "timeparse/phrase.hpp"
#include "timeparse/phrase_scanner.hpp"
#include "timeparse/scratch_arena.hpp"
#include "timeparse/time_parser.hpp"
#include "timeparse/tokenizer.hpp"
#include "timeparse/vocabulary.hpp"

namespace tp = tweetup::timeparse;

namespace {

// --- reading the sources ------------------------------------------------------------------------

std::string read_source(const std::filesystem::path& relative) {
  const auto path = std::filesystem::path{TWEETUP_SOURCE_DIR} / relative;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Decodes the escape sequence whose first character (after the backslash) is at `k`, appending
// its byte to `out`. Returns the index after it.
std::size_t unescape(std::string_view s, std::size_t k, std::string& out) {
  const char c = s[k];
  if (c == 'x') {
    unsigned value = 0;
    for (++k; k < s.size() && std::isxdigit(static_cast<unsigned char>(s[k])) != 0; ++k) {
      value = value * 16 + static_cast<unsigned>(hex_value(s[k]));
    }
    out.push_back(static_cast<char>(value & 0xFF));
    return k;
  }
  if (c >= '0' && c <= '7') {
    unsigned value = 0;
    for (int digits = 0; digits < 3 && k < s.size() && s[k] >= '0' && s[k] <= '7'; ++digits) {
      value = value * 8 + static_cast<unsigned>(s[k++] - '0');
    }
    out.push_back(static_cast<char>(value & 0xFF));
    return k;
  }
  switch (c) {
    case 'n':
      out.push_back('\n');
      break;
    case 't':
      out.push_back('\t');
      break;
    case 'r':
      out.push_back('\r');
      break;
    case 'a':
      out.push_back('\a');
      break;
    case 'b':
      out.push_back('\b');
      break;
    case 'f':
      out.push_back('\f');
      break;
    case 'v':
      out.push_back('\v');
      break;
    default:  // \\ \" \' \?
      out.push_back(c);
  }
  return k + 1;
}

// The string literals of C++ source, escapes decoded and adjacent literals joined ("7 o\xE2"
// "clock" is one). Comments and character literals are skipped; a quote right after a letter or
// digit is a digit separator (100'000). Raw strings are not read (the files read have none).
std::vector<std::string> string_literals(std::string_view src) {
  std::vector<std::string> out;
  const std::size_t n = src.size();
  std::size_t k = 0;
  while (k < n) {
    const char c = src[k];
    if (c == '/' && k + 1 < n && src[k + 1] == '/') {
      k = src.find('\n', k);
      if (k == std::string_view::npos) break;
      continue;
    }
    if (c == '/' && k + 1 < n && src[k + 1] == '*') {
      k = src.find("*/", k + 2);
      if (k == std::string_view::npos) break;
      k += 2;
      continue;
    }
    if (c == '\'') {
      if (k > 0 && std::isalnum(static_cast<unsigned char>(src[k - 1])) != 0) {
        ++k;
        continue;
      }
      for (++k; k < n && src[k] != '\''; ++k) {
        if (src[k] == '\\') ++k;
      }
      ++k;
      continue;
    }
    if (c != '"') {
      ++k;
      continue;
    }
    std::string literal;
    while (k < n && src[k] == '"') {
      ++k;
      while (k < n && src[k] != '"') {
        if (src[k] == '\\' && k + 1 < n) {
          k = unescape(src, k + 1, literal);
        } else {
          literal.push_back(src[k++]);
        }
      }
      ++k;
      while (k < n && std::isspace(static_cast<unsigned char>(src[k])) != 0)
        ++k;
    }
    out.push_back(std::move(literal));
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t k = 0;
  while (k < text.size()) {
    const std::size_t end = std::min(text.find(' ', k), text.size());
    if (end > k) words.emplace_back(text.substr(k, end - k));
    k = end + 1;
  }
  return words;
}

// --- comparing answers ------------------------------------------------------------------------

bool same(const tp::clock_time& a, const tp::clock_time& b) {
  return a.hour == b.hour && a.minute == b.minute && a.second == b.second && a.mer == b.mer &&
         a.twenty_four == b.twenty_four && a.midnight == b.midnight;
}

// Every field of piece (phrase.hpp); the size check in the first test case asks for a new field
// to be added here and to describe().
bool same(const tp::piece& a, const tp::piece& b) {
  return a.kind == b.kind && a.first == b.first && a.last == b.last && a.weak == b.weak &&
         a.numeric_date == b.numeric_date && a.abbreviation == b.abbreviation &&
         a.holiday == b.holiday && a.nth == b.nth && a.easter == b.easter &&
         same(a.clock, b.clock) && same(a.end_clock, b.end_clock) && a.year == b.year &&
         a.month == b.month && a.day == b.day && a.date_order == b.date_order &&
         a.weekday == b.weekday && a.mode == b.mode && a.days == b.days && a.months == b.months &&
         a.exact == b.exact && a.part == b.part && a.tonight == b.tonight &&
         a.this_day == b.this_day && a.zone.tz == b.zone.tz && a.zone.offset == b.zone.offset &&
         a.what == b.what;
}

void describe(std::ostream& out, const tp::clock_time& c) {
  out << c.hour << ':' << c.minute << ':' << c.second << " mer " << static_cast<int>(c.mer)
      << (c.twenty_four ? " 24h" : "") << (c.midnight ? " midnight" : "");
}

void describe(std::ostream& out, const tp::piece& p) {
  out << "kind " << static_cast<int>(p.kind) << " tokens [" << p.first << ", " << p.last << ")"
      << (p.weak ? " weak" : "") << (p.numeric_date ? " numeric_date" : "")
      << (p.abbreviation ? " abbreviation" : "") << (p.holiday ? " holiday" : "")
      << (p.easter ? " easter" : "") << " nth " << p.nth << " clock ";
  describe(out, p.clock);
  out << " end ";
  describe(out, p.end_clock);
  out << " date " << p.year << '-' << p.month << '-' << p.day << " order "
      << (p.date_order ? static_cast<int>(*p.date_order) : -1) << " weekday " << p.weekday
      << " mode " << static_cast<int>(p.mode) << " days " << p.days << " months " << p.months
      << " exact " << p.exact.count() << " part " << static_cast<int>(p.part)
      << (p.tonight ? " tonight" : "") << (p.this_day ? " this_day" : "") << " zone "
      << (p.zone.tz != nullptr ? p.zone.tz->name() : "-") << ' ' << p.zone.offset.count()
      << " what '" << p.what << "'\n";
}

std::string describe(const tp::piece_list& pieces) {
  std::ostringstream out;
  for (const auto& p : pieces)
    describe(out, p);
  return out.str();
}

bool same(const tp::parsed_time& a, const tp::parsed_time& b) {
  return a.starts_at == b.starts_at && a.ends_at == b.ends_at && a.assumptions == b.assumptions &&
         a.consumed == b.consumed;
}

bool same(const tp::parse_error& a, const tp::parse_error& b) {
  return a.kind == b.kind && a.message == b.message;
}

bool same(const tp::time_result& a, const tp::time_result& b) {
  if (a.index() != b.index()) return false;
  if (const auto* t = std::get_if<tp::parsed_time>(&a)) {
    return same(*t, std::get<tp::parsed_time>(b));
  }
  return same(std::get<tp::parse_error>(a), std::get<tp::parse_error>(b));
}

bool same(const tp::command_result& a, const tp::command_result& b) {
  if (a.index() != b.index()) return false;
  if (const auto* c = std::get_if<tp::parsed_command>(&a)) {
    const auto& d = std::get<tp::parsed_command>(b);
    return same(c->time, d.time) && c->place == d.place;
  }
  return same(std::get<tp::parse_error>(a), std::get<tp::parse_error>(b));
}

void describe(std::ostream& out, const tp::parsed_time& t) {
  out << "starts " << t.starts_at.time_since_epoch().count() << " ends "
      << (t.ends_at ? t.ends_at->time_since_epoch().count() : -1) << " assumptions";
  for (const auto a : t.assumptions)
    out << ' ' << static_cast<int>(a);
  out << " consumed";
  for (const auto& r : t.consumed)
    out << " [" << r.begin << ", " << r.end << ")";
}

void describe(std::ostream& out, const tp::parse_error& e) {
  out << "error " << static_cast<int>(e.kind) << ": " << e.message;
}

std::string describe(const tp::time_result& r) {
  std::ostringstream out;
  std::visit([&](const auto& v) { describe(out, v); }, r);
  return out.str();
}

std::string describe(const tp::command_result& r) {
  std::ostringstream out;
  if (const auto* c = std::get_if<tp::parsed_command>(&r)) {
    describe(out, c->time);
    out << " place '" << c->place << "'";
  } else {
    describe(out, std::get<tp::parse_error>(r));
  }
  return out.str();
}

// Control bytes and bytes >= 0x80 as \xNN, so that a failing text prints readably.
std::string printable(std::string_view text) {
  constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(digits[b >> 4]);
      out.push_back(digits[b & 15]);
    }
  }
  return out;
}

// Runs each text both ways and counts the differences; the first few fail a CHECK that shows
// both answers.
class comparer {
 public:
  // The pieces only.
  void scan(std::string_view text) {
    ++scans_;
    tp::scratch_arena arena;
    const auto tokens = tp::tokenize(text, arena);
    const auto skipping = tp::scan_pieces(text, tokens, arena, tp::scan_options{true});
    const auto every = tp::scan_pieces(text, tokens, arena, tp::scan_options{false});
    const bool equal =
        std::equal(skipping.begin(), skipping.end(), every.begin(), every.end(),
                   [](const tp::piece& a, const tp::piece& b) { return same(a, b); });
    if (!equal) report(text, "pieces", describe(skipping), describe(every));
  }

  // The pieces, and the answers of both entry points in `ctx`.
  void parse(std::string_view text, const tp::parse_context& ctx) {
    scan(text);
    ++parses_;
    const auto time_skipping = tp::parse_time(text, ctx, tp::scan_options{true});
    const auto time_every = tp::parse_time(text, ctx, tp::scan_options{false});
    if (!same(time_skipping, time_every)) {
      report(text, "parse_time", describe(time_skipping), describe(time_every));
    }
    const auto command_skipping = tp::parse_place_and_time(text, ctx, tp::scan_options{true});
    const auto command_every = tp::parse_place_and_time(text, ctx, tp::scan_options{false});
    if (!same(command_skipping, command_every)) {
      report(text, "parse_place_and_time", describe(command_skipping), describe(command_every));
    }
  }

  std::size_t scans() const { return scans_; }
  std::size_t parses() const { return parses_; }
  std::size_t mismatches() const { return mismatches_; }

 private:
  void report(std::string_view text, const char* what, const std::string& with_skipping,
              const std::string& every_matcher) {
    if (++mismatches_ > 10) return;
    const std::string input = printable(text);
    const std::string compared{what};
    CAPTURE(input);
    CAPTURE(compared);
    CHECK(with_skipping == every_matcher);
  }

  std::size_t scans_ = 0;
  std::size_t parses_ = 0;
  std::size_t mismatches_ = 0;
};

// --- building the corpus ------------------------------------------------------------------------

// A fixed-seed generator, so that a failure comes back on every run.
struct random_source {
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  std::size_t below(std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % n);
  }
  template <typename T>
  const T& pick(const std::vector<T>& from) {
    return from[below(from.size())];
  }
};

tp::parse_context context(const char* now, const char* zone) {
  const auto* tz = date::locate_zone(zone);
  const auto at = tp::parse_local_iso(now, *tz);
  REQUIRE(at);
  return {*at, tz};
}

// Numbers and marks that begin or continue pieces, next to the pool's words: split at spaces.
constexpr std::string_view number_and_mark_atoms =
    "0 1 2 3 4 5 6 7 8 9 10 11 12 13 15 17 19 20 23 24 25 30 31 45 59 60 90 00 05 07 09 1930 0530 "
    "100 999 2020 2026 2027 7pm 7:30 19:00 3/4 12.12. 7-9 + - @ : / . , ( ) ' ! ? ; & # _ "
    "\xE2\x80\x94 \xE2\x80\x93 \xE2\x80\x99";

// Everything the matchers could test: the vocabulary's words, and every literal of the scanner
// and of the vocabulary split at spaces (the words of word_is(), low(i) == and the word lists).
std::vector<std::string> word_pool() {
  std::set<std::string> words;
  for (const auto& e : tp::vocabulary())
    words.emplace(e.word);
  for (const char* file : {"lib/timeparse/phrase_scanner.cpp", "lib/timeparse/vocabulary.cpp"}) {
    for (const auto& literal : string_literals(read_source(file))) {
      for (auto& w : split_words(literal))
        words.insert(std::move(w));
    }
  }
  return {words.begin(), words.end()};
}

std::string lowercase(std::string_view text) {
  std::string out{text};
  for (auto& ch : out)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// What the matchers can tell apart in words [from, to): a word that none of them tests (no
// vocabulary entry, not in `pool`) reads as "x", every digit as "9", and each weekday, month or
// zone abbreviation as any other.
std::string shape_of(const std::vector<std::string>& words, std::size_t from, std::size_t to,
                     const std::vector<std::string>& pool) {
  std::string key;
  for (std::size_t k = from; k < to; ++k) {
    std::string w = lowercase(words[k]);
    const auto* e = tp::find_word(w);
    if (e != nullptr && e->weekday >= 0) {
      w = "<weekday>";
    } else if (e != nullptr && e->month != 0) {
      w = "<month>";
    } else if (e != nullptr && e->zone >= 0 && w != "utc" && w != "gmt" && w != "z") {
      w = "<zone>";
    } else if (std::any_of(w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      std::replace_if(
          w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; }, '9');
    } else if (!std::binary_search(pool.begin(), pool.end(), w)) {
      w = "x";
    }
    key += w;
    key += ' ';
  }
  return key;
}

// A text read as a command and as a time: the place may come before or after the time.
void with_places(comparer& c, const std::string& text, const tp::parse_context& ctx) {
  c.parse(text, ctx);
  c.parse("Starbucks " + text, ctx);
  c.parse(text + " at Noon Cafe", ctx);
}

// One random edit: a word replaced or inserted from the pool, a word dropped, two words run
// together, or the case changed.
std::string edited(const std::string& text, const std::vector<std::string>& atoms,
                   random_source& random) {
  auto words = split_words(text);
  if (words.empty()) return random.pick(atoms);
  const std::size_t at = random.below(words.size());
  switch (random.below(6)) {
    case 0:
      words[at] = random.pick(atoms);
      break;
    case 1:
      words.insert(words.begin() + static_cast<std::ptrdiff_t>(at), random.pick(atoms));
      break;
    case 2:
      words.push_back(random.pick(atoms));
      break;
    case 3:
      if (words.size() > 1) words.erase(words.begin() + static_cast<std::ptrdiff_t>(at));
      break;
    case 4:
      if (at + 1 < words.size()) {
        words[at] += words[at + 1];
        words.erase(words.begin() + static_cast<std::ptrdiff_t>(at) + 1);
      }
      break;
    default:
      for (auto& ch : words[at])
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

// Between two atoms of a salad: mostly a space, sometimes nothing (a tight token), sometimes a
// mark.
const std::vector<std::string> separators{" ",  " ",   " ", " ", "",  "",
                                          ", ", " - ", "-", "/", ":", "."};

std::string capitalized(std::string word) {
  if (!word.empty()) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  return word;
}

}  // namespace

TEST_CASE("the corpus reaches every word the matchers test") {
  const auto pool = word_pool();
  CHECK(pool.size() > 280);
  // Words only the scanner's code knows (no vocabulary entry), and words of each opener list:
  // if these are missing, the sources were not read as intended.
  for (const char* w : {"o'clock", "hence", "ish", "uhr", "thru", "eve", "year's", "overmorrow",
                        "2moro", "halloween", "quarter", "within", "couple", "previous", "between",
                        "America/New_York", "t", "h", "now"}) {
    CAPTURE(w);
    CHECK(std::binary_search(pool.begin(), pool.end(), std::string{w}));
  }
  const auto table = string_literals(read_source("tests/unit/timeparse/time_parser_test.cpp"));
  CHECK(table.size() > 500);
  CHECK(std::find(table.begin(), table.end(),
                  "7 o\xE2\x80\x99"
                  "clock") != table.end());
  CHECK(std::find(table.begin(), table.end(), "the day after tomorrow") != table.end());
  // same() and describe() compare every field of piece; a new field changes its size and must
  // be added to both.
  CHECK_MESSAGE(sizeof(tp::piece) == 160, "piece changed: compare its new fields in same()");
}

TEST_CASE("skipping matchers by first word never changes a scan or an answer") {
  const std::vector<tp::parse_context> contexts{
      context("2026-11-28T10:15:00", "America/Chicago"),
      context("2026-03-29T01:45:00", "Europe/Berlin"),
      context("2026-12-31T23:30:00", "Australia/Sydney"),
  };
  std::size_t turn = 0;
  auto next_context = [&]() -> const tp::parse_context& {
    return contexts[turn++ % contexts.size()];
  };
  comparer c;
  random_source random;

  // The tables and the benchmarks' phrase parts, whole, with places, and edited.
  std::vector<std::string> phrases;
  for (const char* file : {"tests/unit/timeparse/time_parser_test.cpp", "bench/timeparse_bench.cpp",
                           "bench/timeparse_worst_case.cpp"}) {
    for (auto& literal : string_literals(read_source(file))) {
      if (literal.size() <= 200) phrases.push_back(std::move(literal));
    }
  }
  std::sort(phrases.begin(), phrases.end());
  phrases.erase(std::unique(phrases.begin(), phrases.end()), phrases.end());
  REQUIRE(phrases.size() > 500);
  for (const auto& p : phrases)
    with_places(c, p, next_context());

  // The fuzz corpus: the chat line after the fuzz target's header of six bytes, and all of it.
  std::size_t fuzz_inputs = 0;
  const auto fuzz_dir =
      std::filesystem::path{TWEETUP_SOURCE_DIR} / "tests/fuzz/corpus/parse_command";
  for (const auto& entry : std::filesystem::directory_iterator(fuzz_dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string line = bytes.size() > 6 ? bytes.substr(6) : std::string{};
    constexpr std::string_view keyword = "!tweetup ";
    if (line.compare(0, keyword.size(), keyword) == 0) line.erase(0, keyword.size());
    c.parse(bytes, next_context());
    with_places(c, line, next_context());
    ++fuzz_inputs;
  }
  CHECK(fuzz_inputs > 20);

  // The property test's phrases: a day, then a time.
  const std::vector<std::string> days{"",
                                      "tomorrow ",
                                      "friday ",
                                      "this sunday ",
                                      "next monday ",
                                      "dec 31 ",
                                      "the 1st ",
                                      "12/3 ",
                                      "in 2 days at ",
                                      "the day after tomorrow ",
                                      "on the 5th of december ",
                                      "new year's eve ",
                                      "this weekend ",
                                      "2moro ",
                                      "monday of next week "};
  const std::vector<std::string> times{"",
                                       "at 7",
                                       "3pm",
                                       "00:00",
                                       "23:59",
                                       "noon",
                                       "midnight",
                                       "02:30",
                                       "1:30am",
                                       "half past 1",
                                       "7-9pm",
                                       "8 tonight",
                                       "3pm CET",
                                       "9am PT",
                                       "quarter to 12",
                                       "12am",
                                       "12pm",
                                       "11:59 pm",
                                       "at 12",
                                       "in 90 min",
                                       "from 6 to 8pm",
                                       "between 5 and 7",
                                       "around 9ish",
                                       "six thirty pm",
                                       "7 o'clock",
                                       "19h30",
                                       "3pm Europe/Berlin",
                                       "in half an hour",
                                       "for 2 hours"};
  for (const auto& d : days) {
    for (const auto& t : times)
      c.parse(d + t, next_context());
  }

  const std::vector<std::string> pool = word_pool();
  std::vector<std::string> atoms = pool;
  for (auto& atom : split_words(number_and_mark_atoms))
    atoms.push_back(std::move(atom));

  // Random edits of the phrases.
  for (const auto& p : phrases) {
    for (int k = 0; k < 10; ++k)
      c.parse(edited(p, atoms, random), next_context());
  }

  // Every word, number and mark in front of every kind of phrase ending: the first four words
  // of each phrase without its first zero, one or two words, so that "within" meets "2 hours",
  // "couple" meets "of hours" and "@" meets "7-9pm". Endings of one shape (shape_of) are tried
  // once.
  std::map<std::string, std::string> endings{{"", ""}};
  for (const auto& p : phrases) {
    const auto w = split_words(p);
    for (std::size_t drop = 0; drop < 3 && drop < w.size(); ++drop) {
      const std::size_t end = std::min(w.size(), drop + 4);
      std::string ending;
      for (std::size_t k = drop; k < end; ++k)
        ending += (ending.empty() ? "" : " ") + w[k];
      endings.emplace(shape_of(w, drop, end, pool), std::move(ending));
    }
  }
  CHECK(endings.size() > 400);
  for (const auto& first : atoms) {
    c.parse(first, next_context());
    const bool mark = std::isalnum(static_cast<unsigned char>(first.back())) == 0;
    for (const auto& [shape, ending] : endings) {
      c.scan(first + " " + ending);
      if (mark) c.scan(first + ending);  // "@7", "+15min"
    }
  }

  // Every zone the database names (the OS database also lists its links as zones), before a time
  // and after a day: "antarctica/casey" begins an IANA name only when the name is one.
  for (const auto& zone : date::get_tzdb().zones) {
    const std::string name{zone.name()};
    c.scan(name + " 3pm");
    c.scan("tomorrow " + lowercase(name) + " at 7");
  }

  // Word salads from the whole pool, numbers and marks, in any case.
  for (int k = 0; k < 12'000; ++k) {
    std::string salad;
    const std::size_t length = 1 + random.below(7);
    for (std::size_t n = 0; n < length; ++n) {
      if (n > 0) salad += random.pick(separators);
      const auto& atom = random.pick(atoms);
      salad += random.below(5) == 0 ? capitalized(atom) : atom;
    }
    if (k % 3 == 0) {
      c.parse(salad, next_context());
    } else {
      c.scan(salad);
    }
  }

  MESSAGE("compared " << c.scans() << " scans and " << c.parses() << " parses of each kind");
  CHECK(c.parses() > 15'000);
  CHECK(c.mismatches() == 0);
}

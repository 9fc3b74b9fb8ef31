#include "timeparse/time_parser.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "timeparse/phrase.hpp"
#include "timeparse/phrase_scanner.hpp"
#include "timeparse/resolver.hpp"
#include "timeparse/tokenizer.hpp"
#include "timeparse/vocabulary.hpp"

namespace tweetup::timeparse {
namespace {

// Words and marks that may sit between two pieces of one phrase: "friday, dec 3 at 7pm". The
// words ("at", "on", "of", "the", "and", "around", "about", "by", "from", "starting", "in") are
// marked in the vocabulary; the marks are these.
bool joining(const token& t) {
  if (t.kind == token_kind::word) return t.entry != nullptr && t.entry->joins;
  if (t.kind != token_kind::punct || t.lower.size() != 1) return false;
  const char c = t.lower[0];
  return c == ',' || c == '-' || c == '@' || c == '.';
}

// Rule 14: the connecting words ("at", "on", marked in the vocabulary) and marks next to the
// time that go with it: separators such as "Joe's | 3pm", "Joe's / sat 10am", "Joe's -> 3pm",
// and bullets ("Joe's • 3pm", "Joe's · 3pm").
bool connecting(const token& t) {
  // "At 3pm" connects; "Sharp" in "7pm Sharp Edge Brewery" is a name's.
  if (t.kind == token_kind::word) {
    return t.entry != nullptr && t.entry->connects && (!t.capitalized || t.lower.size() == 2);
  }
  if (t.kind != token_kind::punct) return false;
  if (t.lower == "\xE2\x80\xA2" || t.lower == "\xC2\xB7") return true;
  if (t.lower.size() != 1) return false;
  const char c = t.lower[0];
  return c == '@' || c == ',' || c == '-' || c == ';' || c == ':' || c == '|' || c == '/' ||
         c == '>' || c == '=';
}

struct cluster {
  std::size_t first_piece = 0;  // [first_piece, last_piece) of the pieces
  std::size_t last_piece = 0;
  std::size_t first_token = 0;  // [first_token, last_token) of the tokens
  std::size_t last_token = 0;
  int score = 0;
  bool weak_only = true;  // every piece could be part of a name ("Sunday", "Noon", "4/12")
  bool marginal = true;   // only an abbreviation like "sat" or "sun", which are common words
  bool has_clock = false;
  // Holds a piece that apart_when_weak() says stands alone: "18-20 tomorrow 9pm".
  bool apart = false;
  // Holds elapsed time ("in 30 mins"): a clock after it is no part of it ("at 10 Downing St").
  bool elapsed = false;
};

int piece_score(const piece& p) {
  switch (p.kind) {
    case piece_kind::clock:
    case piece_kind::span:
    case piece_kind::invalid:
    case piece_kind::past:
      return p.weak ? 1 : 3;
    case piece_kind::duration:
      return 3;
    case piece_kind::month_day:
      return p.numeric_date ? 2 : 3;
    case piece_kind::day_of_month:
    case piece_kind::day_offset:
      return 2;
    case piece_kind::weekday:
      return p.weak ? 1 : 2;
    case piece_kind::part_of_day:
      return p.weak ? 1 : 2;
    case piece_kind::for_duration:
    case piece_kind::zone:
      return 0;
  }
  return 0;
}

bool gap_joins(const token_list& tokens, std::size_t from, std::size_t to) {
  if (to - from > 3) return false;
  for (std::size_t k = from; k < to; ++k) {
    if (!joining(tokens[k])) return false;
  }
  return true;
}

using cluster_list = scratch_arena::vector<cluster>;

bool is_plain_word(const token& t) {
  if (t.kind == token_kind::number) return true;
  if (t.kind != token_kind::word) return false;
  // Only words the vocabulary knows can join a phrase or be "this" or "next".
  return t.entry == nullptr || (!t.entry->joins && t.lower != "this" && t.lower != "next");
}

bool is_at(const token& t);

// The piece's first token past a leading "at" ("at 5 Guys": the 5).
std::size_t past_at(const token_list& tokens, const piece& p) {
  return is_at(tokens[p.first]) && p.first + 1 < p.last ? p.first + 1 : p.first;
}

// A capitalized weak piece followed by a plain word starts a name even right after a time:
// in "tomorrow 7:30pm Mon Ami Gabi", "Mon" opens the place rather than ending the time, and so
// does "Noon" in "7pm at Noon Cafe".
bool starts_name(const token_list& tokens, const piece& p) {
  const std::size_t word = past_at(tokens, p);
  return p.weak && tokens[word].capitalized && p.last < tokens.size() &&
         tokens[p.last].kind == token_kind::word && is_plain_word(tokens[p.last]);
}

// A capital in the piece or right after it: "at 10 Downing St", "at Seven Eleven", "at
// 7-Eleven", "5 O'Clock Somewhere Bar".
bool looks_like_a_name(const token_list& tokens, const piece& p) {
  for (std::size_t k = p.first; k < p.last; ++k) {
    if (tokens[k].capitalized) return true;
  }
  if (p.last >= tokens.size() || !tokens[p.last].capitalized) return false;
  // "6pm and 8pm Sunday": a day, month or zone after the clock is more of the time.
  const word_entry* e = tokens[p.last].entry;
  return e == nullptr || (e->weekday < 0 && e->month == 0 && e->zone < 0);
}

bool is_clock(const piece& p) {
  return p.kind == piece_kind::clock || p.kind == piece_kind::span;
}

// A weak clock written as a name: a capitalized word after it ("at 5 Guys"), or two in it ("at
// Seven Eleven"). One capital alone may be a time said with emphasis ("tomorrow at Seven").
bool written_as_name(const token_list& tokens, const piece& p) {
  if (!p.weak) return false;
  // Only a bare hour in one or two digits: "noon Blue Bottle" and "0700 Dunkin" are the time.
  const std::size_t hour = past_at(tokens, p);
  if (p.last == hour + 1 && tokens[hour].kind == token_kind::number && tokens[hour].digits <= 2 &&
      p.last < tokens.size() && tokens[p.last].kind == token_kind::word &&
      tokens[p.last].capitalized && tokens[p.last].entry == nullptr) {
    return true;
  }
  int capitals = 0;
  for (std::size_t k = p.first; k < p.last; ++k)
    capitals += tokens[k].capitalized ? 1 : 0;
  return capitals >= 2;
}

// A capitalized weekday that ends a name and has another day after it: "Ruby Tuesday friday
// 6pm", "Man Friday on sunday", "Fat Tuesday tomorrow", or after a clock that goes with that
// day: "Ruby Tuesday at 6pm tomorrow", "TGI Friday at 7 tonight". It is no piece of the time.
// Before a date it may be that date's day: "Drinks Friday Dec 4".
bool day_in_name(const token_list& tokens, const piece_list& pieces, std::size_t i) {
  const piece& p = pieces[i];
  if (p.kind != piece_kind::weekday || !p.weak || p.first == 0 || i + 1 == pieces.size()) {
    return false;
  }
  const token& before = tokens[p.first - 1];
  if (!tokens[p.first].capitalized || !before.capitalized || !is_plain_word(before)) return false;
  std::size_t next = p.last;
  if (next < tokens.size() && tokens[next].lower == "on") ++next;
  std::size_t j = i + 1;
  if (pieces[j].first == next && is_clock(pieces[j])) {
    while (j + 1 < pieces.size() && is_clock(pieces[j]) &&
           gap_joins(tokens, pieces[j].last, pieces[j + 1].first)) {
      ++j;
    }
    next = pieces[j].first;
  }
  const piece_kind kind = pieces[j].kind;
  const auto word = tokens[pieces[j].first].lower;
  return pieces[j].first == next &&
         (kind == piece_kind::weekday || kind == piece_kind::day_offset || word == "tonight" ||
          word == "tonite");
}

// Numbers that are often no time at all, read as one when nothing else gives the time: a span of
// bare numbers ("18-20", perhaps a house number), four digits ("0830", perhaps a code) or a pair
// that can be no date ("50/50"). They form a cluster of their own, so that a time or a day
// beside them is read apart from them.
bool apart_when_weak(const token_list& tokens, const piece& p) {
  if (!p.weak) return false;
  return p.kind == piece_kind::span || p.kind == piece_kind::invalid ||
         (p.kind == piece_kind::clock && tokens[p.first].digits == 4);
}

cluster_list group(const token_list& tokens, const piece_list& pieces, scratch_arena& arena) {
  // Each list below is sized once: a regrowth in the arena is wasted room and another call.
  cluster_list out(arena.make<cluster>());
  out.reserve(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& p = pieces[i];
    if (day_in_name(tokens, pieces, i)) continue;
    // A second clock written like a name is not more of the same time: in "3pm at 10
    // Downing St" or "7pm at Seven Eleven" it is the start of the place.
    // A zone right after it ("Friday UTC") is more of the time, not the rest of a name; a
    // weak piece there may be ("Tuesday Morning parking lot").
    const bool zone_follows = i + 1 < pieces.size() && pieces[i + 1].first == p.last &&
                              pieces[i + 1].kind == piece_kind::zone;
    // Nor is a clock after a weak one, which may be a name's ("at Seven Eleven 3pm"), nor one
    // written as a name after a day ("tomorrow at 5 Guys").
    const bool after_weak_clock =
        is_clock(p) && !p.weak && i > 0 && is_clock(pieces[i - 1]) && pieces[i - 1].weak;
    const bool named_clock = is_clock(p) && written_as_name(tokens, p);
    if (out.empty() || (starts_name(tokens, p) && !zone_follows) ||
        !gap_joins(tokens, out.back().last_token, p.first) || out.back().apart ||
        apart_when_weak(tokens, p) || (is_clock(p) && out.back().elapsed) ||
        (is_clock(p) && out.back().has_clock && looks_like_a_name(tokens, p)) ||
        (after_weak_clock && out.back().has_clock) || named_clock) {
      cluster c;
      c.first_piece = i;
      c.first_token = p.first;
      out.push_back(c);
    }
    auto& c = out.back();
    if (is_clock(p)) c.has_clock = true;
    c.apart = apart_when_weak(tokens, p);
    c.last_piece = i + 1;
    c.last_token = p.last;
    if (p.kind == piece_kind::duration && p.exact.count() != 0) c.elapsed = true;
    c.score += piece_score(p);
    const bool name_part = p.weak || p.numeric_date || p.kind == piece_kind::zone ||
                           p.kind == piece_kind::for_duration;
    if (!name_part) c.weak_only = false;
    if (!p.abbreviation && piece_score(p) > 0) c.marginal = false;
  }
  return out;
}

// A cluster of day words alone, perhaps with a zone: "Friday", "Tuesday Morning", "monday
// night", "Friday UTC".
bool day_words_only(const piece_list& pieces, const cluster& c) {
  for (std::size_t i = c.first_piece; i < c.last_piece; ++i) {
    const piece_kind kind = pieces[i].kind;
    if (kind != piece_kind::weekday && kind != piece_kind::part_of_day &&
        kind != piece_kind::zone) {
      return false;
    }
  }
  return true;
}

// Marks that open a word written apart: "(friday)", "*friday*", "[fri]", "\"friday\"".
bool opening_mark(const token& t) {
  if (t.kind != token_kind::punct) return false;
  const auto m = t.lower;
  return m == "(" || m == "[" || m == "*" || m == "_" || m == "\"" || m == "'" ||
         m == "\xE2\x80\x9C" || m == "\xE2\x80\x98";
}

// Token k begins a word of its own: first, after a space, or after opening marks that are.
bool stands_apart(const token_list& tokens, std::size_t k) {
  while (k > 0 && !tokens[k].space_before && opening_mark(tokens[k - 1]))
    --k;
  return k == 0 || tokens[k].space_before;
}

// A weekday (with perhaps its part of the day) standing apart, not glued into a longer token
// ("menu?day=friday"). A part of the day alone ("Quiz night at the Crown", "Good morning")
// is too common a word to join a time from elsewhere.
bool weekday_apart(const token_list& tokens, const piece_list& pieces, const cluster& c) {
  return day_words_only(pieces, c) && pieces[c.first_piece].kind == piece_kind::weekday &&
         stands_apart(tokens, c.first_token);
}

// Words that make the day after them a name when they open the text: "Black Friday sale".
bool one_of_day_names(std::string_view word) {
  static constexpr std::array<std::string_view, 10> day_name_words{
      "black", "cyber", "good", "holy", "ash", "palm", "super", "first", "wine", "ruby"};
  return std::find(day_name_words.begin(), day_name_words.end(), word) != day_name_words.end();
}

// A day word belongs to a name only when the words around it are written as one: "Sunday
// Bakery", "Tuesday Morning parking lot" (whose "Morning" follows a capitalized day word). In
// "Friday drinks 6pm" or "sunday brunch 11am" the word after it is an ordinary word, and the
// day is the date.
bool named_like_a_name(const token_list& tokens, const cluster& c, const token* before,
                       const token& after) {
  int capitals = 0;
  for (std::size_t k = c.first_token; k < c.last_token; ++k)
    capitals += tokens[k].capitalized ? 1 : 0;
  if (capitals == 0) return false;
  // "the Sunday market", "Joe's Black Friday sale", "Black Friday sale": a capitalized word
  // before the day, unless it only opens the text ("Drinks Friday after work"), where any word
  // is capitalized, and is not one that makes a day a name (one_of_day_names).
  if (capitals >= 2 || after.capitalized) return true;
  if (before == nullptr || before->kind != token_kind::word) return false;
  const bool name_before =
      tokens[c.first_token].capitalized &&
      (before->lower == "the" ||
       (before->capitalized && (c.first_token >= 2 || one_of_day_names(before->lower))));
  const bool day_word_before =
      before->capitalized && before->entry != nullptr &&
      (before->entry->weekday >= 0 || before->entry->part != day_part::none);
  return name_before || day_word_before;
}

// Rule 14: "Noon Cafe", "Sunday Bakery", "Mon Ami Gabi", "5 O'Clock Somewhere Bar" and
// "Shop 4/12 Market St" hold time-like words that belong to the name.
bool inside_name(const token_list& tokens, const piece_list& pieces, const cluster& c) {
  if (!c.weak_only) return false;
  const token* before = c.first_token > 0 ? &tokens[c.first_token - 1] : nullptr;
  const token* after = c.last_token < tokens.size() ? &tokens[c.last_token] : nullptr;
  if (after == nullptr || after->kind != token_kind::word || !is_plain_word(*after)) {
    return false;
  }
  if (day_words_only(pieces, c)) return named_like_a_name(tokens, c, before, *after);
  // Four digits read as a time ("0700") or opening a dotted date are seldom a name's ("friday
  // 0700 Dunkin"); those that number a place were never read as a time.
  if (tokens[c.first_token].digits == 4) return false;
  bool capitalized = false;
  for (std::size_t k = c.first_token; k < c.last_token; ++k)
    capitalized = capitalized || tokens[k].capitalized;
  // After "at", a time written in lowercase is the time: "lunch at noon Chipotle".
  if (is_at(tokens[c.first_token]) && !capitalized) return false;
  if (before != nullptr && is_plain_word(*before)) return true;
  if (before != nullptr && before->kind == token_kind::word && !is_plain_word(*before)) {
    return false;
  }
  return capitalized;
}

bool lowercase_words(const token_list& tokens, const cluster& c) {
  for (std::size_t k = c.first_token; k < c.last_token; ++k) {
    if (tokens[k].kind != token_kind::word || tokens[k].capitalized) return false;
  }
  return true;
}

// An abbreviated day ("sat", "wed") is a common word, so it joins a time from elsewhere only
// where a day is expected: opening the command or after "on", and not written as a name ("Sun
// Valley Diner", "Mon Ami Gabi"). "wed lunch 12:30pm Panera", "sat coffee @ 10am Blue Bottle".
bool leading_day(const token_list& tokens, const piece_list& pieces, const cluster& c) {
  if (!weekday_apart(tokens, pieces, c)) return false;
  const token* before = c.first_token > 0 ? &tokens[c.first_token - 1] : nullptr;
  if (before != nullptr && before->lower != "on") return false;
  if (c.last_token >= tokens.size()) return true;
  return !named_like_a_name(tokens, c, before, tokens[c.last_token]);
}

// Pieces at the end of the main cluster that the time could not take, followed by more of a
// name, open that name: "tomorrow at 6pm at mon ami gabi", "friday 9pm at Tonight Bar", "3pm
// at 5 o'clock somewhere bar". They go back to the place. At the end of the text they are a
// repetition ("Starbucks 3pm, 15:00") and stay with the time.
const cluster* without_name_after(const token_list& tokens, const piece_list& pieces,
                                  const cluster& c, std::size_t added_end, scratch_arena& arena) {
  if (added_end == c.last_piece || added_end == c.first_piece || c.last_token >= tokens.size() ||
      tokens[c.last_token].kind != token_kind::word || !is_plain_word(tokens[c.last_token])) {
    return &c;
  }
  auto* trimmed = new (arena.allocate(sizeof(cluster), alignof(cluster))) cluster(c);
  trimmed->last_piece = added_end;
  trimmed->last_token = pieces[added_end - 1].last;
  return trimmed;
}

// "9:30 Club 8pm": a bare H:MM right before a capitalized word the vocabulary does not know
// reads as the start of a name when the text gives another time, with am/pm or in 24-hour
// form. Alone, or said again that way ("7:30 Starbucks, 7:30pm"), it is the time.
bool clock_opens_name(const token_list& tokens, const piece_list& pieces, const cluster& c) {
  if (c.last_piece != c.first_piece + 1) return false;
  const piece& p = pieces[c.first_piece];
  if (p.kind != piece_kind::clock || p.clock.day_hour() || c.last_token >= tokens.size()) {
    return false;
  }
  const std::size_t k = past_at(tokens, p);
  const bool colon =
      k + 1 < p.last && tokens[k].kind == token_kind::number && tokens[k + 1].lower == ":";
  const token& after = tokens[c.last_token];
  if (!colon || after.kind != token_kind::word || !after.capitalized || after.entry != nullptr) {
    return false;
  }
  return std::any_of(pieces.begin(), pieces.end(), [&p](const piece& other) {
    return is_clock(other) && other.clock.day_hour() &&
           (other.clock.hour % 12 != p.clock.hour % 12 || other.clock.minute != p.clock.minute);
  });
}

struct selection {
  phrase merged;
  scratch_arena::vector<const cluster*> chosen;
};

std::optional<selection> select(const token_list& tokens, const piece_list& pieces,
                                const cluster_list& clusters, scratch_arena& arena) {
  scratch_arena::vector<const cluster*> candidates(arena.make<const cluster*>());
  candidates.reserve(clusters.size());
  bool clock = false;
  for (const auto& c : clusters) {
    if (c.score > 0 && !inside_name(tokens, pieces, c) && !clock_opens_name(tokens, pieces, c)) {
      candidates.push_back(&c);
      clock = clock || c.has_clock;
    }
  }
  // A time in lowercase words between two words may be a name's ("noon cafe 7pm"), but not when
  // the text has no other time of day: "fri lunch noon Chipotle".
  if (!clock) {
    for (const auto& c : clusters) {
      if (c.score > 0 && c.has_clock && lowercase_words(tokens, c) &&
          inside_name(tokens, pieces, c)) {
        candidates.insert(std::upper_bound(candidates.begin(), candidates.end(), &c), &c);
      }
    }
  }
  if (candidates.empty()) return std::nullopt;
  // Strongest first; on a tie the earlier one, so "3pm ... 5pm" reads the first time given.
  // Candidates are in text order, so ordering ties by position is a stable sort without the
  // temporary buffer that std::stable_sort allocates.
  std::sort(candidates.begin(), candidates.end(), [](const cluster* a, const cluster* b) {
    return a->score != b->score ? a->score > b->score : a < b;
  });
  selection s{{}, scratch_arena::vector<const cluster*>(arena.make<const cluster*>())};
  s.chosen.reserve(clusters.size());
  for (const cluster* c : candidates) {
    const bool primary = s.chosen.empty();
    if (primary) {
      // The main cluster always joins; a repeated piece ("3pm, 15:00") is ignored.
      std::size_t added_end = c->first_piece;
      for (std::size_t i = c->first_piece; i < c->last_piece; ++i) {
        if (s.merged.add(pieces[i], true)) added_end = i + 1;
      }
      s.chosen.push_back(without_name_after(tokens, pieces, *c, added_end, arena));
      continue;
    }
    // A weak piece that is not the main one joins it only when it is a day written in full:
    // "Friday drinks 6pm". "Noon" or "4/12" there more likely belong to something else, and so
    // does "sat" unless it leads (leading_day).
    // So does a weak clock when the phrase has no time of day yet: "Sunday lunch at Joe's noon".
    // Not one written as a name, though: "tomorrow at 5 Guys", "tomorrow at Seven Eleven".
    const bool wanted_clock = !s.merged.clock && is_clock(pieces[c->first_piece]) &&
                              !written_as_name(tokens, pieces[c->first_piece]);
    if (c->score < 2 &&
        (c->marginal ? !leading_day(tokens, pieces, *c)
                     : c->weak_only && !weekday_apart(tokens, pieces, *c) && !wanted_clock)) {
      continue;
    }
    phrase trial = s.merged;
    bool fits = true;
    for (std::size_t i = c->first_piece; i < c->last_piece; ++i) {
      // A second cluster that contradicts the first is not part of the phrase.
      if (!trial.add(pieces[i], false)) fits = false;
    }
    if (!fits) continue;
    s.merged = trial;
    s.chosen.push_back(c);
  }
  // Clusters that hold only a zone ("Europe/Berlin") join the phrase without being one.
  for (const auto& c : clusters) {
    if (c.score != 0 || std::find(s.chosen.begin(), s.chosen.end(), &c) != s.chosen.end()) {
      continue;
    }
    phrase trial = s.merged;
    bool fits = true;
    for (std::size_t i = c.first_piece; i < c.last_piece && fits; ++i) {
      fits = trial.add(pieces[i]);
    }
    if (fits) {
      s.merged = trial;
      s.chosen.push_back(&c);
    }
  }
  std::sort(s.chosen.begin(), s.chosen.end(),
            [](const cluster* a, const cluster* b) { return a->first_token < b->first_token; });
  if (!s.merged.has_time()) return std::nullopt;
  return s;
}

// "lunch tomorrow at 12:30", "dinner at 7": the meal says which half of the day a bare hour is.
// The meal words ("lunch", "brunch", "dinner", ...) are marked in the vocabulary.
day_part meal_named(const token_list& tokens) {
  for (const auto& t : tokens) {
    if (t.entry != nullptr && t.entry->meal != day_part::none) return t.entry->meal;
  }
  return day_part::none;
}

parse_error no_time(bool command) {
  return {error_kind::no_time, command ? "I couldn't find a time in that. Try: !tweetup "
                                         "Starbucks Alabaster 3pm"
                                       : "I couldn't find a time in that. Try: tomorrow 3pm"};
}

using range_list = scratch_arena::vector<text_range>;

time_result parse(std::string_view text, const parse_context& ctx, bool command,
                  scan_options options, scratch_arena& arena, token_list& tokens,
                  range_list& token_ranges) {
  tokens = tokenize(text, arena);
  const auto pieces = scan_pieces(text, tokens, arena, options);
  const auto clusters = group(tokens, pieces, arena);
  auto picked = select(tokens, pieces, clusters, arena);
  if (!picked) return no_time(command);
  // A meal only says how to read a bare hour ("at 7", not "7pm" or "19:00"); a part of the day
  // says it better.
  const auto& clock = picked->merged.clock;
  if (clock && !clock->midnight && clock->mer == meridiem::none && !clock->twenty_four &&
      picked->merged.part == day_part::none) {
    picked->merged.meal = meal_named(tokens);
  }
  auto result = resolve(picked->merged, ctx);
  auto* p = std::get_if<parsed_time>(&result);
  if (p == nullptr) return result;
  token_ranges.reserve(picked->chosen.size());
  for (const cluster* c : picked->chosen) {
    token_ranges.push_back({c->first_token, c->last_token});
    p->consumed.push_back({tokens[c->first_token].begin, tokens[c->last_token - 1].end});
  }
  return result;
}

// Separators left dangling at the ends once the time is cut out. '@' and '.' are not among
// them: a lone "@" is a connecting word (removed as a token above), while "@everyone" or
// "Main St." must be stored exactly as typed.
bool trimmed_char(char c) {
  return c == ' ' || c == ',' || c == ';' || c == ':' || c == '-';
}

// "@alice", "@everyone": an "@" written onto a word names someone.
bool mention_at(const token* tokens, std::size_t count, std::size_t k) {
  return tokens[k].lower == "@" && k + 1 < count && !tokens[k + 1].space_before &&
         tokens[k + 1].kind == token_kind::word;
}

// "at" or "@", which may introduce the place: "!tweetup at Starbucks 7pm".
bool is_at(const token& t) {
  const auto w = t.lower;
  if (t.kind == token_kind::word) return w.size() == 2 && w[0] == 'a' && w[1] == 't';
  return t.kind == token_kind::punct && w.size() == 1 && w[0] == '@';
}

std::string build_place(std::string_view text, const token_list& token_vector,
                        const range_list& token_ranges, scratch_arena& arena) {
  const token* tokens = token_vector.data();
  const std::size_t count = token_vector.size();
  auto* removed = static_cast<unsigned char*>(arena.allocate(count, 1));
  std::fill_n(removed, count, 0);
  for (const auto& r : token_ranges) {
    for (std::size_t k = r.begin; k < r.end; ++k)
      removed[k] = 1;
  }
  // Emphasis or code marks wrapped around the time: "**3pm**", "*tomorrow*", "`3pm`".
  auto emphasis = [&](std::size_t k) {
    const auto m = tokens[k].lower;
    return tokens[k].kind == token_kind::punct && (m == "*" || m == "_" || m == "~" || m == "`");
  };
  for (const auto& r : token_ranges) {
    std::size_t b = r.begin;
    while (b > 0 && !tokens[b].space_before && emphasis(b - 1))
      --b;
    std::size_t e = r.end;
    while (e < count && !tokens[e].space_before && emphasis(e))
      ++e;
    if (b == r.begin || e == r.end) continue;
    std::fill(removed + b, removed + r.begin, 1);
    std::fill(removed + r.end, removed + e, 1);
  }
  for (const auto& r : token_ranges) {
    for (std::size_t k = r.begin; k > 0 && connecting(tokens[k - 1]); --k) {
      removed[k - 1] = 1;
    }
    // "3pm!", "3pm?!", "7pm sharp!": marks written onto the time go with it.
    // A mention after the time ("3pm @everyone") keeps its "@": only a lone one connects.
    for (std::size_t k = r.end; k < count; ++k) {
      const bool mark =
          !tokens[k].space_before && (tokens[k].lower == "!" || tokens[k].lower == "?");
      if (!mark && !(connecting(tokens[k]) && !mention_at(tokens, count, k))) break;
      removed[k] = 1;
    }
  }
  // Brackets left holding nothing: "Olive Garden (friday 7pm)".
  for (std::size_t k = 0; k < count; ++k) {
    const auto open = tokens[k].lower;
    if (removed[k] || tokens[k].kind != token_kind::punct || (open != "(" && open != "[")) continue;
    std::size_t j = k + 1;
    while (j < count && removed[j])
      ++j;
    if (j == k + 1 || j == count || tokens[j].lower != (open == "(" ? ")" : "]")) continue;
    removed[k] = 1;
    removed[j] = 1;
  }
  for (std::size_t k = 0; k < count; ++k) {
    const bool introduces = is_at(tokens[k]) && k + 1 < count && tokens[k + 1].space_before;
    if (!removed[k] && !introduces) break;
    removed[k] = 1;
  }
  // The place is put together in the arena (it is never longer than the text) and copied out
  // once, trimmed: a short place then needs no heap at all. Kept tokens that follow each other
  // in the text, apart by nothing or by one space, read as typed: each such run is one copy.
  char* place = static_cast<char*>(arena.allocate(text.size() + 1, 1));
  std::size_t e = 0;
  std::optional<std::size_t> previous;
  std::size_t run_begin = 0;
  std::size_t run_end = 0;
  auto flush = [&] {
    text.copy(place + e, run_end - run_begin, run_begin);
    e += run_end - run_begin;
  };
  for (std::size_t k = 0; k < count; ++k) {
    if (removed[k]) continue;
    const token& t = tokens[k];
    if (!previous) {
      run_begin = t.begin;
    } else if (*previous + 1 == k &&
               (!t.space_before || (t.begin == run_end + 1 && text[run_end] == ' '))) {
      // Continues the run: the text between is what the place would hold anyway.
    } else {
      flush();
      if (t.space_before || *previous + 1 != k) place[e++] = ' ';
      run_begin = t.begin;
    }
    run_end = t.end;
    previous = k;
  }
  if (previous) flush();
  while (e > 0 && trimmed_char(place[e - 1]))
    --e;
  std::size_t b = 0;
  while (b < e && trimmed_char(place[b]))
    ++b;
  return std::string(place + b, e - b);
}

// Scratch memory for one parse: a typical command fits in the arena's own block, so a parse
// allocates only for its answer. Longer inputs spill over to the heap.
class scratch {
 public:
  scratch() : tokens_(arena_.make<token>()), ranges_(arena_.make<text_range>()) {}
  scratch_arena& arena() { return arena_; }
  token_list& tokens() { return tokens_; }
  range_list& ranges() { return ranges_; }

 private:
  scratch_arena arena_;
  token_list tokens_;
  range_list ranges_;
};

}  // namespace

time_result parse_time(std::string_view text, const parse_context& ctx) {
  return parse_time(text, ctx, scan_options{});
}

time_result parse_time(std::string_view text, const parse_context& ctx, scan_options options) {
  scratch s;
  return parse(text, ctx, false, options, s.arena(), s.tokens(), s.ranges());
}

command_result parse_place_and_time(std::string_view text, const parse_context& ctx) {
  return parse_place_and_time(text, ctx, scan_options{});
}

command_result parse_place_and_time(std::string_view text, const parse_context& ctx,
                                    scan_options options) {
  scratch s;
  auto result = parse(text, ctx, true, options, s.arena(), s.tokens(), s.ranges());
  if (auto* error = std::get_if<parse_error>(&result)) return *error;
  parsed_command command{std::get<parsed_time>(std::move(result)), {}};
  command.place = build_place(text, s.tokens(), s.ranges(), s.arena());
  if (command.place.empty()) {
    return parse_error{error_kind::no_place,
                       "Where is it? Put the place before or after the time, e.g. !tweetup "
                       "Starbucks Alabaster 3pm"};
  }
  return command;
}

}  // namespace tweetup::timeparse

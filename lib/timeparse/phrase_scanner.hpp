// Finds the pieces of time phrases in a token stream: clock times, dates, weekdays, durations,
// zones. Each piece records the tokens it covers; grouping pieces into one phrase is the caller's.
#pragma once

#include <string_view>
#include <vector>

#include "timeparse/phrase.hpp"
#include "timeparse/time_parser.hpp"
#include "timeparse/tokenizer.hpp"

namespace tweetup::timeparse {

using piece_list = scratch_arena::vector<piece>;

// How the scanner chooses the matchers it tries at a token. The default is the only one the bot
// uses; the other exists for tests.
struct scan_options {
  // On: a token runs only the matchers that its word (or number, or mark) can begin, by the
  // scanner's opener lists. Off: every matcher runs at every token. Both find the very same
  // pieces, by the lists' contract, which tests/unit/timeparse/matcher_skipping_test.cpp checks;
  // off is only slower.
  bool skip_matchers = true;
};

// Linear: every matcher looks at a bounded number of tokens from its start position. The list
// comes from `arena`.
piece_list scan_pieces(std::string_view text, const token_list& tokens, scratch_arena& arena,
                       scan_options options = {});

// parse_time and parse_place_and_time of time_parser.hpp (defined in time_parser.cpp, same
// contract), with the scanner's options passed down: for tests that compare the two ways of
// scanning on whole answers.
time_result parse_time(std::string_view text, const parse_context& ctx, scan_options options);
command_result parse_place_and_time(std::string_view text, const parse_context& ctx,
                                    scan_options options);

}  // namespace tweetup::timeparse

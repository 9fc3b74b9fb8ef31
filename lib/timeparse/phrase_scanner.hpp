// Finds the pieces of time phrases in a token stream: clock times, dates, weekdays, durations,
// zones. Each piece records the tokens it covers; grouping pieces into one phrase is the caller's.
#pragma once

#include <string_view>
#include <vector>

#include "timeparse/phrase.hpp"
#include "timeparse/tokenizer.hpp"

namespace tweetup::timeparse {

using piece_list = scratch_arena::vector<piece>;

// Linear: every matcher looks at a bounded number of tokens from its start position. The list
// comes from `arena`.
piece_list scan_pieces(std::string_view text, const token_list& tokens, scratch_arena& arena);

}  // namespace tweetup::timeparse

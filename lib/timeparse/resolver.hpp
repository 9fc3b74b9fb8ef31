// Turns a merged phrase into one future instant, following the conventions of
// shared/time-conventions.md (next occurrence, bare hours, DST gaps and folds, date-only defaults).
#pragma once

#include "timeparse/phrase.hpp"
#include "timeparse/time_parser.hpp"

namespace tweetup::timeparse {

// `consumed` of the answer is left empty; the caller knows which tokens made the phrase.
time_result resolve(const phrase& ph, const parse_context& ctx);

}  // namespace tweetup::timeparse

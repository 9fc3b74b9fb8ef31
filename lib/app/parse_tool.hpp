// `tweetup parse-time` and `tweetup parse-command`: the time parser as a command-line tool, for
// tests and for measuring (../shared/time-conventions.md, "CLI contract").
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace tweetup {

struct parse_tool_options {
  bool command = false;            // parse-command rather than parse-time
  std::optional<std::string> now;  // local wall time in `tz`, "YYYY-MM-DDTHH:MM:SS"; default: now
  std::string tz = "UTC";
  std::string text;
  bool batch = false;  // read JSON lines {"text","now","tz"} from `in`
  std::string prefix = "!";
};

// Single mode: prints the answer on `out` and returns 0, or a reason on `err` and returns 1
// (2 for a bad --now or --tz). Batch mode: one JSON line per input line, in order, then 0.
int run_parse_tool(const parse_tool_options& options, std::istream& in, std::ostream& out,
                   std::ostream& err);

}  // namespace tweetup

#include "core/duration_text.hpp"

#include <doctest/doctest.h>

using namespace tweetup;
using namespace std::chrono_literals;

TEST_CASE("duration_text: parse_offset reads unit groups") {
  CHECK(parse_offset("24h") == std::chrono::seconds{86400});
  CHECK(parse_offset("15m") == std::chrono::seconds{900});
  CHECK(parse_offset("90s") == std::chrono::seconds{90});
  CHECK(parse_offset("2d") == std::chrono::seconds{172800});
  CHECK(parse_offset("1h30m") == std::chrono::seconds{5400});
  CHECK(parse_offset("1H30M") == std::chrono::seconds{5400});
  CHECK(parse_offset("1d2h3m4s") == std::chrono::seconds{86400 + 7200 + 180 + 4});
  CHECK(parse_offset("0h5m") == std::chrono::seconds{300});
  CHECK(parse_offset("365d") == std::chrono::seconds{31536000});  // exactly the limit
  CHECK(parse_offset("8760h") == std::chrono::seconds{31536000});
}

TEST_CASE("duration_text: parse_offset rejects") {
  for (const char* bad :
       {"", "h", "10", "0m", "0h0m", "10x", "m10", "1h30", "1h 30m", " 1h", "1h ", "-5m", "+5m",
        "1.5h", "366d", "8761h", "31536001s", "99999999999999999999s", "9223372036854775807s"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_offset(bad).has_value());
  }
}

TEST_CASE("duration_text: format_offset writes the shortest form") {
  CHECK(format_offset(5400s) == "1h30m");
  CHECK(format_offset(86400s) == "1d");
  CHECK(format_offset(900s) == "15m");
  CHECK(format_offset(90s) == "1m30s");
  CHECK(format_offset(90061s) == "1d1h1m1s");
  CHECK(format_offset(3600s) == "1h");
  CHECK(format_offset(0s) == "0s");
}

TEST_CASE("duration_text: round trips") {
  for (const auto offset : {1s, 59s, 60s, 61s, 900s, 3600s, 5400s, 86399s, 86400s, 90061s,
                            std::chrono::seconds{31536000}}) {
    CAPTURE(offset.count());
    CHECK(parse_offset(format_offset(offset)) == offset);
  }
  for (const char* text : {"24h", "15m", "1h30m", "2d", "90s"}) {
    CAPTURE(text);
    const auto parsed = parse_offset(text);
    REQUIRE(parsed.has_value());
    CHECK(parse_offset(format_offset(*parsed)) == parsed);
  }
  CHECK(format_offset(*parse_offset("24h")) == "1d");
  CHECK(format_offset(*parse_offset("90m")) == "1h30m");
}

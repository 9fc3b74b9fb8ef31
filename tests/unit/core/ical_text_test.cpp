#include "core/ical_text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/text_checks.hpp"

using namespace tweetup;

namespace {

std::vector<std::string> physical_lines(const std::string& folded) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < folded.size()) {
    const auto end = folded.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    lines.push_back(folded.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// RFC 5545 §3.1 unfolding: a CRLF followed by one space goes, with the space.
std::string unfold(const std::string& folded) {
  std::string out;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    out += folded[i];
  }
  return out;
}

std::size_t sequence_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Checks every promise of content_line for `name:value`.
void check_folded(const std::string& name, const std::string& value) {
  const std::string folded = ical::content_line(name, value);
  CAPTURE(folded);
  REQUIRE(folded.ends_with("\r\n"));
  CHECK(unfold(folded) == name + ":" + value + "\r\n");
  const auto lines = physical_lines(folded);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    CAPTURE(i);
    CHECK(line.size() <= 75);
    CHECK(line.find('\n') == std::string::npos);
    if (i > 0) CHECK(line.starts_with(" "));
    // No UTF-8 sequence is split: each physical line is valid on its own.
    CHECK(is_valid_utf8(line));
    // And the lines are as full as they can be: the next character would not have fitted.
    if (i + 1 < lines.size()) {
      const auto next_lead = static_cast<unsigned char>(lines[i + 1][1]);
      CHECK(line.size() + sequence_length(next_lead) > 75);
    }
  }
}

}  // namespace

TEST_CASE("ical escape_text: backslash, semicolon, comma and line breaks") {
  CHECK(ical::escape_text("plain text") == "plain text");
  CHECK(ical::escape_text(R"(a\b;c,d)") == R"(a\\b\;c\,d)");
  CHECK(ical::escape_text("one\ntwo") == R"(one\ntwo)");
  CHECK(ical::escape_text("one\r\ntwo\rthree") == R"(one\ntwo\nthree)");
  CHECK(ical::escape_text("tab\tkept") == "tab\tkept");
  // A colon needs no escape in TEXT (§3.3.11), and non-ASCII passes as it is.
  CHECK(ical::escape_text("Café: Zürich — 東京") == "Café: Zürich — 東京");
}

TEST_CASE("ical escape_text: control characters are dropped") {
  CHECK(ical::escape_text(std::string("a\0b", 3)) == "ab");
  CHECK(ical::escape_text("a\x1b[31mred\x7f") == "a[31mred");
  CHECK(ical::escape_text("\x01\x02\x1f") == "");
}

TEST_CASE("ical content_line: short lines are one line with CRLF") {
  CHECK(ical::content_line("SUMMARY", "hi") == "SUMMARY:hi\r\n");
  CHECK(ical::content_line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H") ==
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n");
}

TEST_CASE("ical content_line: folds at exactly 75 octets") {
  const std::string name = "SUMMARY";  // 8 octets with the colon
  const std::string exactly(75 - 8, 'a');
  CHECK(ical::content_line(name, exactly) == name + ":" + exactly + "\r\n");
  const std::string one_more(76 - 8, 'a');
  CHECK(ical::content_line(name, one_more) == name + ":" + exactly + "\r\n a\r\n");
  // The continuation holds 74 octets after its space.
  const std::string two_lines(75 - 8 + 74, 'b');
  CHECK(ical::content_line(name, two_lines) ==
        name + ":" + std::string(67, 'b') + "\r\n " + std::string(74, 'b') + "\r\n");
  const std::string three_lines(75 - 8 + 75, 'c');
  CHECK(ical::content_line(name, three_lines) ==
        name + ":" + std::string(67, 'c') + "\r\n " + std::string(74, 'c') + "\r\n c\r\n");
}

TEST_CASE("ical content_line: a fold never splits a UTF-8 sequence") {
  // "€" is 3 octets (E2 82 AC). With 66 'a' after "SUMMARY:", it would take octets 75 to 77:
  // the first line ends before it, at 74 octets.
  const std::string value = std::string(66, 'a') + "€x";
  CHECK(ical::content_line("SUMMARY", value) == "SUMMARY:" + std::string(66, 'a') + "\r\n €x\r\n");
  // Two 'a' less and it ends the first line exactly at 75 octets.
  const std::string fits = std::string(64, 'a') + "€x";
  CHECK(ical::content_line("SUMMARY", fits) == "SUMMARY:" + std::string(64, 'a') + "€\r\n x\r\n");
  const std::string one_over = std::string(65, 'a') + "€x";
  CHECK(ical::content_line("SUMMARY", one_over) ==
        "SUMMARY:" + std::string(65, 'a') + "\r\n €x\r\n");
}

TEST_CASE("ical content_line: every alignment of 1- to 4-octet characters") {
  const std::vector<std::string> characters{"a", "é", "€", "東", "😀", "\\,"};
  for (std::size_t shift = 0; shift < 8; ++shift) {
    for (const auto& c : characters) {
      std::string value(shift, 'x');
      for (int i = 0; i < 90; ++i)
        value += characters[(i * 7 + shift) % characters.size()] + c;
      CAPTURE(shift);
      CAPTURE(c);
      check_folded("DESCRIPTION", value);
    }
  }
}

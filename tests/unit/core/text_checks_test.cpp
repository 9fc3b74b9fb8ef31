#include "core/text_checks.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace tweetup;

namespace {
const std::string fffd = "\xEF\xBF\xBD";
const std::string zwsp = "\xE2\x80\x8B";

// displayable as it was written before runs of plain ASCII were copied at once: one UTF-8
// sequence at a time (its length: the shortest valid prefix).
std::string reference_displayable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    std::size_t length = 0;
    for (std::size_t n = 1; n <= 4 && n <= text.size() && length == 0; ++n) {
      if (is_valid_utf8(text.substr(0, n))) length = n;
    }
    if (length == 0) {
      out += fffd;
      text.remove_prefix(1);
      continue;
    }
    const std::string_view sequence = text.substr(0, length);
    const auto lead = static_cast<unsigned char>(sequence[0]);
    const bool c1_control =
        length == 2 && lead == 0xC2 && static_cast<unsigned char>(sequence[1]) < 0xA0;
    const auto follows = [&](std::string_view word) {
      return text.size() > word.size() && iequals(text.substr(1, word.size()), word);
    };
    if (sequence == "\r" || sequence == "\n" || sequence == "\t") {
      out += ' ';
    } else if ((length == 1 && (lead < 0x20 || lead == 0x7F)) || c1_control) {
      out += fffd;
    } else if (sequence == "@" && (follows("everyone") || follows("here"))) {
      out += '@';
      out += zwsp;
    } else {
      out += sequence;
    }
    text.remove_prefix(length);
  }
  return out;
}

}  // namespace

TEST_CASE("text_checks: is_valid_utf8 accepts well-formed text") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII"));
  CHECK(is_valid_utf8("Straße"));
  CHECK(is_valid_utf8("\xC2\x80"));                   // U+0080, smallest 2-byte
  CHECK(is_valid_utf8("\xE0\xA0\x80"));               // U+0800, smallest 3-byte
  CHECK(is_valid_utf8("\xED\x9F\xBF"));               // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xEE\x80\x80"));               // U+E000, just above them
  CHECK(is_valid_utf8("\xF0\x90\x80\x80"));           // U+10000, smallest 4-byte
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF, the largest
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80 emoji"));     // 😀
  CHECK(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8 (callers check it)
}

TEST_CASE("text_checks: is_valid_utf8 rejects malformed text") {
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong 3-byte
  CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // overlong 3-byte, top
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong 4-byte
  CHECK_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong 4-byte, top
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800
  CHECK_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("\xFE"));
  CHECK_FALSE(is_valid_utf8("\x80"));          // lone continuation
  CHECK_FALSE(is_valid_utf8("abc\xC3"));       // truncated at the end
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));      // truncated 3-byte
  CHECK_FALSE(is_valid_utf8("\xF0\x9F\x98"));  // truncated 4-byte
  CHECK_FALSE(is_valid_utf8("\xC3 x"));        // lead byte followed by ASCII
  CHECK_FALSE(is_valid_utf8("\xE2\x28\xA1"));  // bad second byte
  CHECK_FALSE(is_valid_utf8("\xE2\x82\x28"));  // bad third byte
}

TEST_CASE("text_checks: displayable turns line breaks and tabs into spaces") {
  CHECK(displayable("a\r\nb\tc\nd") == "a  b c d");
  CHECK(displayable("\r\nQUIT") == "  QUIT");
}

TEST_CASE("text_checks: displayable replaces other control characters") {
  CHECK(displayable(std::string_view("a\0b", 3)) == "a" + fffd + "b");
  CHECK(displayable("\x1B[31mred") == fffd + "[31mred");
  CHECK(displayable("x\x7Fy") == "x" + fffd + "y");
  CHECK(displayable("\x01\x1F") == fffd + fffd);
  CHECK(displayable("a\xC2\x85"
                    "b") == "a" + fffd + "b");   // NEL, a C1 control
  CHECK(displayable("\xC2\x9F") == fffd);        // last C1 control
  CHECK(displayable("\xC2\xA0") == "\xC2\xA0");  // no-break space is kept
}

TEST_CASE("text_checks: displayable replaces invalid bytes") {
  CHECK(displayable("a\xFF"
                    "b") == "a" + fffd + "b");
  CHECK(displayable("\xC0\xAF") == fffd + fffd);  // each byte of an overlong
  CHECK(displayable("\xED\xA0\x80") == fffd + fffd + fffd);
  CHECK(displayable("end\xE2\x82") == "end" + fffd + fffd);
  CHECK(is_valid_utf8(displayable("\xF4\x90\x80\x80\xC3")));
}

TEST_CASE("text_checks: displayable neutralises mass mentions") {
  CHECK(displayable("@everyone") == "@" + zwsp + "everyone");
  CHECK(displayable("hi @here now") == "hi @" + zwsp + "here now");
  CHECK(displayable("@EveryOne") == "@" + zwsp + "EveryOne");
  CHECK(displayable("@@here") == "@@" + zwsp + "here");
  CHECK(displayable("@alice") == "@alice");
  CHECK(displayable("@") == "@");
  CHECK(displayable("@ever") == "@ever");
  CHECK(displayable("@everyone").find("@everyone") == std::string::npos);
}

TEST_CASE("text_checks: displayable keeps normal text") {
  CHECK(displayable("") == "");
  CHECK(displayable("Starbucks Alabaster") == "Starbucks Alabaster");
  CHECK(displayable("Straße des 17. Juni") == "Straße des 17. Juni");
  CHECK(displayable("Café 😀 東京 🇩🇪") == "Café 😀 東京 🇩🇪");
  CHECK(displayable("'; DROP TABLE events; --") == "'; DROP TABLE events; --");
  CHECK(displayable("<@&123>") == "<@&123>");
}

TEST_CASE("text_checks: iequals and trim") {
  CHECK(iequals("Europe/Berlin", "europe/BERLIN"));
  CHECK_FALSE(iequals("abc", "abd"));
  CHECK_FALSE(iequals("abc", "abcd"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("Straße", "STRASSE"));
  CHECK(trim("  \t a b \r\n") == "a b");
  CHECK(trim(" \n ") == "");
  CHECK(trim("x") == "x");
}

TEST_CASE("text_checks: displayable agrees with the one-sequence-at-a-time reference") {
  const std::vector<std::string> pieces = {"Cafe",
                                           " ",
                                           "@",
                                           "everyone",
                                           "EveryOne",
                                           "here",
                                           "@here",
                                           "@everyon",
                                           "\r",
                                           "\n",
                                           "\t",
                                           "\x01",
                                           "\x7F",
                                           "\xC2\x85",
                                           "\xC2\xA0",
                                           "Stra\xC3\x9F"
                                           "e",
                                           "\xE2\x80\x8B",
                                           "\xF0\x9F\x98\x80",
                                           "\xFF",
                                           "\xC0\xAF",
                                           "\xED\xA0\x80",
                                           "\xE2\x82",
                                           "~",
                                           std::string(1, '\0')};
  std::mt19937 random(5);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(0, 8);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = count(random); n > 0; --n)
      text += pieces[pick(random)];
    INFO(text);
    REQUIRE(displayable(text) == reference_displayable(text));
    std::string appended = "@";
    append_displayable(appended, text);
    REQUIRE(appended == "@" + reference_displayable(text));
  }
}

TEST_CASE("text_checks: utf8_sequence_at measures a sequence or its maximal ill-formed subpart") {
  CHECK(utf8_sequence_at("a", 0) == 1);
  CHECK(utf8_sequence_at("x\xC3\xA9", 1) == 2);         // é, from the middle of the text
  CHECK(utf8_sequence_at("\xE6\x97\xA5", 0) == 3);      // 日
  CHECK(utf8_sequence_at("\xF0\x9F\x98\x80", 0) == 4);  // 😀
  // Ill-formed: minus the bytes one U+FFFD stands for (Unicode §3.9).
  CHECK(utf8_sequence_at("\xFF", 0) == -1);
  CHECK(utf8_sequence_at("\x80", 0) == -1);              // lone continuation
  CHECK(utf8_sequence_at("\xC0\xAF", 0) == -1);          // C0 never starts a sequence
  CHECK(utf8_sequence_at("\xE6\x97", 0) == -2);          // truncated 日
  CHECK(utf8_sequence_at("\xE6\x97x", 0) == -2);         // interrupted 日
  CHECK(utf8_sequence_at("\xED\xA0\x80", 0) == -1);      // a surrogate stops after its lead
  CHECK(utf8_sequence_at("\xF0\x9F\x98", 0) == -3);      // truncated 😀
  CHECK(utf8_sequence_at("\xF4\x90\x80\x80", 0) == -1);  // above U+10FFFF
}

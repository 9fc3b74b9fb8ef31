#include "core/outbound_message.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tweetup;

namespace {

const moment at{std::chrono::sys_seconds{std::chrono::seconds{1795882500}}, std::nullopt, true};

// Every field of every piece, so two messages compare piece by piece.
std::string shape(const outbound_message& m) {
  std::string text;
  for (const auto& piece : m.pieces) {
    text += "[" + piece.text;
    if (piece.mention) text += "|@" + piece.mention->id;
    if (piece.when) text += "|t" + std::to_string(piece.when->start.time_since_epoch().count());
    text += "]";
  }
  return text;
}

outbound_message sample() {
  outbound_message m;
  m.add_text("You're going to ")
      .add_text(std::string("#1 Cafe, "))
      .add_when("Sat 28 Nov, 3:00 PM CST", at)
      .add_text(std::string(". Now "))
      .add_text("2 going.")
      .add_mention({"u-1", "ann"})
      .add_text(std::string(" and "));
  return m;
}

}  // namespace

TEST_CASE("outbound_message: text pieces merge whichever overload adds them") {
  CHECK(shape(sample()) ==
        "[You're going to #1 Cafe, ][Sat 28 Nov, 3:00 PM CST|t1795882500][. Now 2 going.]"
        "[@ann|@u-1][ and ]");
}

TEST_CASE("outbound_message: appending a temporary gives what appending a copy gives") {
  for (const bool starts_with_text : {false, true}) {
    outbound_message copied, moved;
    if (starts_with_text) {
      copied.add_text("Hi ");
      moved.add_text("Hi ");
    }
    const outbound_message other = sample();
    copied.append(other);
    moved.append(sample());
    CHECK(shape(moved) == shape(copied));
    CHECK(moved.plain_text() == copied.plain_text());
  }
  // Two adjacent text pieces put there by hand still merge, as append(const&) merges them.
  outbound_message by_hand;
  by_hand.pieces.push_back({"a", std::nullopt, std::nullopt});
  by_hand.pieces.push_back({"b", std::nullopt, std::nullopt});
  outbound_message target;
  target.append(std::move(by_hand));
  CHECK(shape(target) == "[ab]");
}

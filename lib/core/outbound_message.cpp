#include "core/outbound_message.hpp"

#include <algorithm>

#include "core/text_checks.hpp"

namespace tweetup {

namespace {

// Adjacent text pieces are merged so adapters see few, whole pieces.
bool ends_in_text(const std::vector<message_piece>& pieces) {
  return !pieces.empty() && !pieces.back().mention && !pieces.back().when;
}

}  // namespace

outbound_message& outbound_message::add_text(std::string_view text) {
  if (ends_in_text(pieces)) {
    pieces.back().text.append(text);
  } else {
    pieces.push_back({std::string(text), std::nullopt, std::nullopt});
  }
  return *this;
}

outbound_message& outbound_message::add_text(std::string&& text) {
  if (ends_in_text(pieces)) {
    pieces.back().text.append(text);
  } else {
    pieces.push_back({std::move(text), std::nullopt, std::nullopt});
  }
  return *this;
}

outbound_message& outbound_message::add_mention(const user_ref& user) {
  // A name may be "everyone".
  pieces.push_back({displayable("@" + user.name), user, std::nullopt});
  return *this;
}

outbound_message& outbound_message::add_when(std::string text, const moment& when) {
  pieces.push_back({std::move(text), std::nullopt, when});
  return *this;
}

outbound_message& outbound_message::append(const outbound_message& other) {
  for (const auto& piece : other.pieces) {
    if (piece.mention || piece.when) {
      pieces.push_back(piece);
    } else {
      add_text(piece.text);
    }
  }
  return *this;
}

outbound_message& outbound_message::append(outbound_message&& other) {
  if (pieces.empty()) pieces.reserve(other.pieces.size());
  for (auto& piece : other.pieces) {
    if (piece.mention || piece.when) {
      pieces.push_back(std::move(piece));
    } else {
      add_text(std::move(piece.text));
    }
  }
  other.pieces.clear();
  return *this;
}

std::vector<user_ref> outbound_message::mentions() const {
  std::vector<user_ref> users;
  for (const auto& piece : pieces) {
    if (piece.mention && std::find(users.begin(), users.end(), *piece.mention) == users.end()) {
      users.push_back(*piece.mention);
    }
  }
  return users;
}

std::string outbound_message::plain_text() const {
  std::string text;
  for (const auto& piece : pieces)
    text += piece.text;
  return text;
}

}  // namespace tweetup

#include "adapters/discord/created_message_id.hpp"

#include <cstddef>
#include <cstdint>

#include "adapters/discord/json_scanner.hpp"

namespace tweetup {

namespace {

// Follows the depth and the last key of the top level and of the top-level `interaction`
// object; keeps the strings found at the two places that matter.
class id_sax {
 public:
  std::string id;
  std::string response_message_id;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(std::int64_t) { return true; }
  bool number_unsigned(std::uint64_t) { return true; }
  bool number_float(double, const std::string&) { return true; }

  bool string_view_value(std::string_view v) {
    if (depth_ == 1 && top_key_ == top_key::id) {
      id.assign(v);
      return false;  // found: nothing after it can change the answer
    }
    if (depth_ == 2 && in_interaction_ && response_key_) response_message_id.assign(v);
    return true;
  }

  bool key_view(std::string_view k) {
    if (depth_ == 1) {
      top_key_ = k == "id"            ? top_key::id
                 : k == "interaction" ? top_key::interaction
                                      : top_key::other;
    } else if (depth_ == 2 && in_interaction_) {
      response_key_ = k == "response_message_id";
    }
    return true;
  }

  bool start_object(std::size_t) {
    ++depth_;
    if (depth_ == 2 && top_key_ == top_key::interaction) in_interaction_ = true;
    return true;
  }
  bool end_object() {
    if (depth_ == 2) in_interaction_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }

 private:
  enum class top_key : std::uint8_t { other, id, interaction };
  std::size_t depth_ = 0;
  top_key top_key_ = top_key::other;
  bool in_interaction_ = false;
  bool response_key_ = false;
};

}  // namespace

std::string created_message_id(std::string_view body) {
  id_sax sax;
  const auto read = json_scanner::scan(body, sax);
  if (read == json_scanner::outcome::stopped) return sax.id;
  if (read != json_scanner::outcome::ok) return {};
  return sax.response_message_id;
}

}  // namespace tweetup

// The id of a created or edited message, read from a REST response, and held to what reading
// the whole body with nlohmann::json gives.
#include "adapters/discord/created_message_id.hpp"

#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

using tweetup::created_message_id;
using json = nlohmann::json;

namespace {

// The whole-document reading this replaced: a top-level string `id`, else the string
// `interaction.response_message_id`, else nothing.
std::string by_nlohmann(const std::string& body) {
  const json response = json::parse(body, nullptr, false);
  if (!response.is_object()) return {};
  if (const auto id = response.find("id"); id != response.end() && id->is_string()) {
    return id->get<std::string>();
  }
  const auto about = response.find("interaction");
  if (about == response.end() || !about->is_object()) return {};
  const auto id = about->find("response_message_id");
  return id != about->end() && id->is_string() ? id->get<std::string>() : std::string{};
}

const char* const bodies[] = {
    // A created message: its embed and buttons come first here, with ids of their own.
    R"({"type":0,"channel_id":"100","embeds":[{"title":"Cafe","fields":[{"name":"id","value":"x"}]}],)"
    R"("components":[{"type":1,"components":[{"type":2,"custom_id":"tweetup:join:1","id":"7"}]}],)"
    R"("referenced_message":{"id":"41","content":"!tweetup"},"id":"1300000000000000001"})",
    // An interaction callback with_response=true: the message's id is under `interaction`.
    R"({"interaction":{"id":"55","type":2,"response_message_id":"1300000000000000002",)"
    R"("response_message_loading":false},"resource":{"type":4,"message":{"id":"1300000000000000002"}}})",
    // Both: the top-level id wins, whichever comes first.
    R"({"interaction":{"response_message_id":"2"},"id":"1"})",
    R"({"id":"1","interaction":{"response_message_id":"2"}})",
    // An escaped id.
    R"({"id":"\u0031\u0032"})",
    // Not a string, or not at the top: nothing (or the interaction's).
    R"({"id":1300000000000000001})",
    R"({"id":{"id":"3"},"interaction":{"response_message_id":"4"}})",
    R"({"message":{"id":"5"}})",
    R"({"interaction":{"message":{"response_message_id":"6"}}})",
    R"({"interaction":"response_message_id","x":{"response_message_id":"7"}})",
    R"({"interaction":{"response_message_id":8}})",
    R"([{"id":"9"}])",
    R"("id")",
    // Not JSON.
    "",
    "<html>502 Bad Gateway</html>",
    R"({"interaction":{"response_message_id":"10"})",
    R"({"interaction":{"response_message_id":"10"}} trailing)",
};

}  // namespace

TEST_CASE("created_message_id: the message's id, or the interaction response's") {
  CHECK(created_message_id(bodies[0]) == "1300000000000000001");
  CHECK(created_message_id(bodies[1]) == "1300000000000000002");
  CHECK(created_message_id(bodies[2]) == "1");
  CHECK(created_message_id(bodies[3]) == "1");
  CHECK(created_message_id(bodies[4]) == "12");
  CHECK(created_message_id(bodies[6]) == "4");
  CHECK(created_message_id(bodies[7]).empty());
  CHECK(created_message_id("not json").empty());
}

TEST_CASE("created_message_id: agrees with reading the whole body with nlohmann::json") {
  for (const char* body : bodies) {
    CAPTURE(body);
    CHECK(created_message_id(body) == by_nlohmann(body));
  }
}

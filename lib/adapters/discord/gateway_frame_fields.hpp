// The few members of a gateway frame that gateway_codec reads, taken in one SAX pass over the
// JSON text. Building a document of the whole frame (a node per value, a string per key, all
// freed again) was most of the cost of decoding a MESSAGE_CREATE; the decoders read a dozen
// members. Each member keeps the JSON type it had, so the codec's checks and messages stay those
// of a document read. Plain data; `read` is pure and never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tweetup {

struct gateway_frame_fields {
  enum class json_type : std::uint8_t {
    absent,  // the key was not there
    null,
    boolean,
    integer,           // negative (nlohmann reports non-negative integers as unsigned)
    unsigned_integer,  // non-negative
    floating,
    string,
    object,
    array,
  };

  // One member as the last occurrence of its key left it: a document parse also keeps the last
  // of duplicated keys. Only the part that `type` names is meaningful.
  struct field {
    json_type type = json_type::absent;
    bool boolean = false;
    std::int64_t integer = 0;
    std::uint64_t unsigned_integer = 0;
    std::string text;

    bool is(json_type wanted) const { return type == wanted; }
    bool absent_or_null() const { return type == json_type::absent || type == json_type::null; }
    // An integer that fits int64; floats and larger numbers are none.
    std::optional<std::int64_t> int64() const;
    // Moves the text out when the member is a string.
    std::optional<std::string> take_string();
  };

  // `d` and, inside it, what the HELLO, READY and MESSAGE_CREATE decoders read. `user`,
  // `application`, `author` and `member` hold only the type of those objects; the members read
  // from them follow each.
  struct data_fields {
    field heartbeat_interval;
    field session_id, resume_gateway_url;
    field user, user_id;
    field application, application_id;
    field id, channel_id, content, guild_id;
    field author, author_id, author_username, author_global_name, author_bot;
    field member, member_roles, member_permissions;
    std::vector<std::string> member_role_ids;  // the string elements of member.roles, in order
    bool member_roles_all_strings = true;
  };

  enum class outcome {
    ok,
    not_json,  // a syntax error, invalid UTF-8 in a string, or trailing text
    too_deep,  // nested deeper than max_depth (checked as it parses, so before any later error)
  };

  // Discord's payloads nest a handful of levels. Refusing deeper input keeps a hostile or corrupt
  // frame from costing deep recursion anywhere later (the document fallback's dump, fuzzing).
  static constexpr int max_depth = 64;

  json_type root = json_type::absent;
  field op, s, t, d;
  data_fields data;

  // Fills a default-constructed object from `text`. Members of `d` are captured whatever `t`
  // says, since `t` may follow `d`. After anything but outcome::ok the members are unspecified.
  outcome read(std::string_view text);
};

}  // namespace tweetup

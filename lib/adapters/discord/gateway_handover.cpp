#include "adapters/discord/gateway_handover.hpp"

#include <array>
#include <cstdint>
#include <type_traits>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

namespace tweetup {

namespace {

using json = nlohmann::json;

// Bumped when the layout changes; an older or newer layout is not used (the next start
// identifies, which is always safe).
constexpr int layout_version = 1;

template <class T>
bool read(const json& object, const char* key, T& into) {
  const auto it = object.find(key);
  if (it == object.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
  } else {
    if (!it->is_number_integer()) return false;
  }
  into = it->get<T>();
  return true;
}

}  // namespace

std::string gateway_handover::tag_of(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size < 8) {
    return {};
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string tag;
  for (unsigned int i = 0; i < 8; ++i) {
    tag += hex[digest[i] >> 4];
    tag += hex[digest[i] & 15];
  }
  return tag;
}

std::string gateway_handover::encode() const {
  json out = {{"v", layout_version},
              {"token_tag", token_tag},
              {"saved_at", saved_at.time_since_epoch().count()},
              {"application_id", application_id},
              {"shards", json::array()}};
  for (const auto& s : shards) {
    out["shards"].push_back({{"id", s.id},
                             {"count", s.count},
                             {"session_id", s.point.session_id},
                             {"resume_url", s.point.resume_url},
                             {"seq", s.point.sequence}});
  }
  json guild_list = json::parse(guilds, nullptr, false);
  out["guilds"] = guild_list.is_array() ? std::move(guild_list) : json::array();
  return out.dump();
}

std::optional<gateway_handover> gateway_handover::decode(std::string_view text) {
  const json in = json::parse(text, nullptr, false);
  if (!in.is_object()) return std::nullopt;
  int version = 0;
  std::int64_t saved = 0;
  gateway_handover h;
  if (!read(in, "v", version) || version != layout_version || !read(in, "token_tag", h.token_tag) ||
      !read(in, "saved_at", saved) || !read(in, "application_id", h.application_id)) {
    return std::nullopt;
  }
  h.saved_at = std::chrono::sys_seconds{std::chrono::seconds{saved}};
  const auto shards = in.find("shards");
  if (shards == in.end() || !shards->is_array()) return std::nullopt;
  for (const json& s : *shards) {
    shard one;
    if (!s.is_object() || !read(s, "id", one.id) || !read(s, "count", one.count) ||
        !read(s, "session_id", one.point.session_id) ||
        !read(s, "resume_url", one.point.resume_url) || !read(s, "seq", one.point.sequence) ||
        one.count < 1 || one.id < 0 || one.id >= one.count || one.point.session_id.empty() ||
        one.point.resume_url.empty() || one.point.sequence < 0) {
      return std::nullopt;
    }
    h.shards.push_back(std::move(one));
  }
  const auto guilds = in.find("guilds");
  if (guilds != in.end() && guilds->is_array()) h.guilds = guilds->dump();
  return h;
}

bool gateway_handover::usable(std::string_view tag, std::chrono::sys_seconds now) const {
  return !token_tag.empty() && token_tag == tag && saved_at <= now && now - saved_at <= max_age;
}

std::optional<gateway_session::resume_point> gateway_handover::session_of(int id, int count) const {
  for (const auto& s : shards) {
    if (s.id == id && s.count == count) return s.point;
  }
  return std::nullopt;
}

}  // namespace tweetup

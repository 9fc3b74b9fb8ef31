#include "adapters/discord/guild_roles.hpp"

#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

namespace tweetup {

namespace {

using json = nlohmann::json;

std::optional<std::string> text_of(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::optional<std::uint64_t> guild_roles::parse_permissions(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty()) return std::nullopt;
  return value;
}

bool guild_roles::grants_moderation(std::uint64_t permissions) {
  return (permissions & (administrator | manage_guild | manage_events)) != 0;
}

void guild_roles::on_dispatch(std::string_view name, std::string_view raw) {
  const json d = json::parse(raw, nullptr, false);
  if (!d.is_object()) return;
  if (name == "GUILD_CREATE" || name == "GUILD_UPDATE") {
    learn_guild(d);
  } else if (name == "GUILD_DELETE") {
    // `unavailable: true` is an outage: the guild comes back with a GUILD_CREATE. Otherwise the
    // bot left or was removed.
    const auto id = text_of(d, "id");
    const auto unavailable = d.find("unavailable");
    if (id && !(unavailable != d.end() && unavailable->is_boolean() && unavailable->get<bool>())) {
      guilds_.erase(*id);
    }
  } else if (name == "GUILD_ROLE_CREATE" || name == "GUILD_ROLE_UPDATE") {
    const auto guild_id = text_of(d, "guild_id");
    const auto role = d.find("role");
    if (!guild_id || role == d.end() || !role->is_object()) return;
    const auto it = guilds_.find(*guild_id);
    const auto role_id = text_of(*role, "id");
    const auto bits = text_of(*role, "permissions");
    if (it == guilds_.end() || !role_id || !bits) return;
    if (const auto value = parse_permissions(*bits)) it->second.roles[*role_id] = *value;
  } else if (name == "GUILD_ROLE_DELETE") {
    const auto guild_id = text_of(d, "guild_id");
    const auto role_id = text_of(d, "role_id");
    if (!guild_id || !role_id) return;
    if (const auto it = guilds_.find(*guild_id); it != guilds_.end())
      it->second.roles.erase(*role_id);
  }
}

void guild_roles::learn_guild(const json& d) {
  const auto id = text_of(d, "id");
  if (!id) return;
  guild g;
  g.owner_id = text_of(d, "owner_id").value_or("");
  if (const auto roles = d.find("roles"); roles != d.end() && roles->is_array()) {
    for (const json& role : *roles) {
      if (!role.is_object()) continue;
      const auto role_id = text_of(role, "id");
      const auto bits = text_of(role, "permissions");
      if (!role_id || !bits) continue;
      if (const auto value = parse_permissions(*bits)) g.roles[*role_id] = *value;
    }
  }
  guilds_[*id] = std::move(g);
}

std::string guild_roles::snapshot() const {
  // Ordered by id, so that the same knowledge always gives the same text.
  std::map<std::string_view, const guild*> by_id;
  for (const auto& [id, g] : guilds_)
    by_id.emplace(id, &g);
  json out = json::array();
  for (const auto& [id, g] : by_id) {
    json roles = json::array();
    const std::map<std::string_view, std::uint64_t> sorted(g->roles.begin(), g->roles.end());
    for (const auto& [role_id, bits] : sorted)
      roles.push_back({{"id", role_id}, {"permissions", std::to_string(bits)}});
    out.push_back({{"id", id}, {"owner_id", g->owner_id}, {"roles", std::move(roles)}});
  }
  return out.dump();
}

void guild_roles::restore(std::string_view snapshot) {
  const json in = json::parse(snapshot, nullptr, false);
  if (!in.is_array()) return;
  for (const json& one : in) {
    if (one.is_object()) learn_guild(one);
  }
}

bool guild_roles::moderates(const std::string& guild_id, const std::string& user_id,
                            const std::vector<std::string>& role_ids) const {
  const auto it = guilds_.find(guild_id);
  if (it == guilds_.end()) return false;
  const guild& g = it->second;
  if (!g.owner_id.empty() && g.owner_id == user_id) return true;
  // The @everyone role has the guild's id and applies to every member.
  std::uint64_t permissions = 0;
  if (const auto everyone = g.roles.find(guild_id); everyone != g.roles.end()) {
    permissions |= everyone->second;
  }
  for (const auto& role_id : role_ids) {
    if (const auto role = g.roles.find(role_id); role != g.roles.end()) permissions |= role->second;
  }
  return grants_moderation(permissions);
}

}  // namespace tweetup

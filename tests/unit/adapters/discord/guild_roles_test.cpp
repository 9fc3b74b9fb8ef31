#include <doctest/doctest.h>

#include "adapters/discord/guild_roles.hpp"

using tweetup::guild_roles;

namespace {

// A guild as GUILD_CREATE describes it: @everyone (id = guild id) may do nothing special, the
// "mods" role may manage events, "admins" are administrators, "fans" may manage messages only.
constexpr const char* guild_create = R"({
  "id": "100", "owner_id": "1", "name": "Meetups",
  "roles": [
    {"id": "100", "name": "@everyone", "permissions": "104324673"},
    {"id": "200", "name": "mods", "permissions": "8589934592"},
    {"id": "300", "name": "admins", "permissions": "8"},
    {"id": "400", "name": "fans", "permissions": "8192"},
    {"id": "500", "name": "managers", "permissions": "32"},
    {"id": "600", "name": "broken", "permissions": 8}
  ]})";

}  // namespace

TEST_CASE("moderators are the owner and members with event, guild or admin rights") {
  guild_roles roles;
  roles.on_dispatch("GUILD_CREATE", guild_create);
  CHECK(roles.guilds() == 1);
  CHECK(roles.moderates("100", "1", {}));             // the owner, with no roles at all
  CHECK_FALSE(roles.moderates("100", "2", {}));       // @everyone alone
  CHECK(roles.moderates("100", "2", {"200"}));        // MANAGE_EVENTS (1 << 33)
  CHECK(roles.moderates("100", "2", {"300"}));        // ADMINISTRATOR
  CHECK(roles.moderates("100", "2", {"500"}));        // MANAGE_GUILD
  CHECK_FALSE(roles.moderates("100", "2", {"400"}));  // MANAGE_MESSAGES is not enough
  CHECK_FALSE(roles.moderates("100", "2", {"600"}));  // permissions must be a string (R3)
  CHECK_FALSE(roles.moderates("100", "2", {"999"}));  // an unknown role grants nothing
  CHECK_FALSE(roles.moderates("777", "1", {"300"}));  // an unknown guild grants nothing
}

TEST_CASE("role and guild events keep the rights current") {
  guild_roles roles;
  roles.on_dispatch("GUILD_CREATE", guild_create);
  roles.on_dispatch("GUILD_ROLE_UPDATE",
                    R"({"guild_id": "100", "role": {"id": "400", "permissions": "8589942784"}})");
  CHECK(roles.moderates("100", "2", {"400"}));
  roles.on_dispatch("GUILD_ROLE_DELETE", R"({"guild_id": "100", "role_id": "400"})");
  CHECK_FALSE(roles.moderates("100", "2", {"400"}));
  roles.on_dispatch("GUILD_ROLE_CREATE",
                    R"({"guild_id": "100", "role": {"id": "800", "permissions": "32"}})");
  CHECK(roles.moderates("100", "2", {"800"}));
  roles.on_dispatch("GUILD_UPDATE", R"({"id": "100", "owner_id": "2", "roles": []})");
  CHECK(roles.moderates("100", "2", {}));
  CHECK_FALSE(roles.moderates("100", "1", {}));
  // An outage keeps what we know; leaving the guild forgets it.
  roles.on_dispatch("GUILD_DELETE", R"({"id": "100", "unavailable": true})");
  CHECK(roles.guilds() == 1);
  roles.on_dispatch("GUILD_DELETE", R"({"id": "100"})");
  CHECK(roles.guilds() == 0);
}

TEST_CASE("malformed guild dispatches change nothing") {
  guild_roles roles;
  roles.on_dispatch("GUILD_CREATE", guild_create);
  for (const char* raw : {"", "not json", "[]", R"({"id": 100})", R"({"guild_id": "100"})",
                          R"({"guild_id": "100", "role": "x"})"}) {
    roles.on_dispatch("GUILD_ROLE_UPDATE", raw);
    roles.on_dispatch("GUILD_CREATE", raw);
    roles.on_dispatch("GUILD_ROLE_DELETE", raw);
  }
  CHECK(roles.guilds() == 1);
  CHECK(roles.moderates("100", "2", {"200"}));
  CHECK(guild_roles::parse_permissions("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(guild_roles::parse_permissions("18446744073709551616"));
  CHECK_FALSE(guild_roles::parse_permissions("-1"));
  CHECK_FALSE(guild_roles::parse_permissions("12a"));
  CHECK_FALSE(guild_roles::parse_permissions(""));
}

TEST_CASE("a snapshot restored elsewhere grants the same rights") {
  guild_roles roles;
  roles.on_dispatch("GUILD_CREATE", guild_create);
  roles.on_dispatch("GUILD_CREATE", R"({"id":"101","owner_id":"7","roles":[]})");
  roles.on_dispatch("GUILD_ROLE_UPDATE",
                    R"({"guild_id":"100","role":{"id":"400","permissions":"8"}})");
  guild_roles restored;
  restored.restore(roles.snapshot());
  CHECK(restored.guilds() == 2);
  CHECK(restored.moderates("100", "1", {}));
  CHECK(restored.moderates("100", "2", {"200"}));
  CHECK(restored.moderates("100", "2", {"400"}));  // the update is in it
  CHECK_FALSE(restored.moderates("100", "2", {}));
  CHECK_FALSE(restored.moderates("100", "2", {"600"}));  // dropped as malformed, as before
  CHECK(restored.moderates("101", "7", {}));
  CHECK(restored.snapshot() == roles.snapshot());
  // Nothing usable in it: nothing learned, nothing thrown.
  guild_roles empty;
  empty.restore("");
  empty.restore("{\"id\":\"100\"}");
  empty.restore("[1, \"x\", {\"owner_id\":\"1\"}]");
  CHECK(empty.guilds() == 0);
  CHECK(empty.snapshot() == "[]");
}

#include "adapters/discord/rest_route.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "adapters/discord/discord_text.hpp"

namespace tweetup {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

}  // namespace

rest_route make_route(std::string_view method, std::string path) {
  rest_route route;
  route.method.reserve(method.size());
  for (const unsigned char c : method)
    route.method.push_back(static_cast<char>(std::toupper(c)));

  // The query never selects a different limit (R11 keys are route + major parameters).
  std::string_view bare = path;
  if (const auto query = bare.find('?'); query != std::string_view::npos) {
    bare = bare.substr(0, query);
  }
  const auto segments = split_path(bare);

  std::string keyed;
  std::string templated;
  std::vector<std::string_view> majors;
  auto add = [&](std::string_view literal, std::string_view placeholder, bool major) {
    keyed += '/';
    templated += '/';
    if (major) {
      keyed += literal;
      majors.push_back(literal);
    } else {
      keyed += placeholder.empty() ? literal : placeholder;
    }
    templated += placeholder.empty() ? literal : placeholder;
  };

  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string_view segment = segments[i];
    const std::string_view previous = i > 0 ? segments[i - 1] : std::string_view{};
    const std::string_view before = i > 1 ? segments[i - 2] : std::string_view{};
    if (previous == "channels" && discord_text::is_snowflake(segment)) {
      add(segment, "{channel_id}", true);
    } else if (previous == "guilds" && discord_text::is_snowflake(segment)) {
      add(segment, "{guild_id}", true);
    } else if (previous == "webhooks" && discord_text::is_snowflake(segment)) {
      add(segment, "{webhook_id}", true);
      route.is_webhook = true;
    } else if (before == "webhooks" && discord_text::is_snowflake(previous)) {
      // The webhook token is part of the major parameter (DPY Route.major_parameters); for an
      // interaction follow-up that makes every interaction its own limit.
      add(segment, "{webhook_token}", true);
    } else if (previous == "interactions" && discord_text::is_snowflake(segment)) {
      // Each interaction is answered once; keying callbacks per interaction keeps one slow
      // callback from holding up another user's within its 3 s window (R8).
      add(segment, "{interaction_id}", true);
    } else if (before == "interactions" && discord_text::is_snowflake(previous)) {
      add(segment, "{interaction_token}", true);
    } else if (previous == "reactions") {
      add(segment, "{emoji}", false);
    } else if (discord_text::is_snowflake(segment)) {
      add(segment, "{id}", false);
    } else {
      add(segment, {}, false);
    }
  }

  if (!segments.empty() && segments.front() == "interactions") route.counts_toward_global = false;
  if (!segments.empty() && segments.front() != "webhooks") route.is_webhook = false;

  route.limiter_key = route.method + ' ' + keyed;
  route.route_template = route.method + ' ' + templated;
  for (std::size_t i = 0; i < majors.size(); ++i) {
    if (i > 0) route.major_parameters += '/';
    route.major_parameters += majors[i];
  }
  route.path = std::move(path);
  return route;
}

}  // namespace tweetup

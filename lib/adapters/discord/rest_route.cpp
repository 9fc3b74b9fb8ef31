#include "adapters/discord/rest_route.hpp"

#include <cctype>

#include "adapters/discord/discord_text.hpp"

namespace tweetup {

namespace {

// What one path segment becomes in the keys.
struct segment_role {
  std::string_view placeholder;  // empty: the segment stays literal in the template
  bool major = false;            // literal in limiter_key, and one of the major parameters
  bool webhook_id = false;
};

segment_role role_of(std::string_view segment, std::string_view previous, std::string_view before) {
  if (previous == "channels" && discord_text::is_snowflake(segment)) {
    return {"{channel_id}", true};
  }
  if (previous == "guilds" && discord_text::is_snowflake(segment)) return {"{guild_id}", true};
  if (previous == "webhooks" && discord_text::is_snowflake(segment)) {
    return {"{webhook_id}", true, true};
  }
  if (before == "webhooks" && discord_text::is_snowflake(previous)) {
    // The webhook token is part of the major parameter (DPY Route.major_parameters); for an
    // interaction follow-up that makes every interaction its own limit.
    return {"{webhook_token}", true};
  }
  if (previous == "interactions" && discord_text::is_snowflake(segment)) {
    // Each interaction is answered once; keying callbacks per interaction keeps one slow
    // callback from holding up another user's within its 3 s window (R8).
    return {"{interaction_id}", true};
  }
  if (before == "interactions" && discord_text::is_snowflake(previous)) {
    return {"{interaction_token}", true};
  }
  if (previous == "reactions") return {"{emoji}", false};
  if (discord_text::is_snowflake(segment)) return {"{id}", false};
  return {};
}

// Calls visit(segment, role) for each non-empty segment of `path`, in order.
template <typename Visit>
void for_each_segment(std::string_view path, Visit visit) {
  std::string_view previous, before;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) {
      const std::string_view segment = path.substr(start, end - start);
      visit(segment, role_of(segment, previous, before));
      before = previous;
      previous = segment;
    }
    start = end + 1;
  }
}

}  // namespace

// Every reply makes a route, so the keys are written in place: a first pass measures them, a
// second writes each string once into its exact reservation (no segment list, no temporaries).
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

  std::size_t keyed_size = 0, templated_size = 0, majors_size = 0, majors = 0;
  std::string_view first;
  bool webhook_id = false;
  for_each_segment(bare, [&](std::string_view segment, const segment_role& role) {
    if (first.empty()) first = segment;
    const std::string_view shown = role.placeholder.empty() ? segment : role.placeholder;
    keyed_size += 1 + (role.major ? segment.size() : shown.size());
    templated_size += 1 + shown.size();
    if (role.major) majors_size += (majors++ > 0 ? 1 : 0) + segment.size();
    webhook_id = webhook_id || role.webhook_id;
  });

  route.limiter_key.reserve(route.method.size() + 1 + keyed_size);
  route.route_template.reserve(route.method.size() + 1 + templated_size);
  route.major_parameters.reserve(majors_size);
  route.limiter_key.append(route.method).push_back(' ');
  route.route_template.append(route.method).push_back(' ');
  for_each_segment(bare, [&](std::string_view segment, const segment_role& role) {
    const std::string_view shown = role.placeholder.empty() ? segment : role.placeholder;
    route.limiter_key.push_back('/');
    route.limiter_key.append(role.major ? segment : shown);
    route.route_template.push_back('/');
    route.route_template.append(shown);
    if (role.major) {
      if (!route.major_parameters.empty()) route.major_parameters.push_back('/');
      route.major_parameters.append(segment);
    }
  });

  route.counts_toward_global = first != "interactions";
  route.is_webhook = webhook_id && first == "webhooks";
  route.path = std::move(path);
  return route;
}

}  // namespace tweetup

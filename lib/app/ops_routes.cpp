#include "app/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "core/calendar_feed.hpp"
#include "core/store_error.hpp"

namespace tweetup {
namespace {

constexpr std::string_view calendar_prefix = "/calendar/";
constexpr std::string_view calendar_suffix = ".ics";

http_server_reply plain(unsigned status, std::string body) {
  http_server_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers.push_back({"Cache-Control", "no-store"});
  return reply;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The decoded path of an origin-form target, or nullopt when the target is not one or holds a
// broken percent-escape (RFC 3986 §2.1). Beast has already refused spaces and control
// characters in the request line.
std::optional<std::string> decoded_path(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.find('#') != std::string_view::npos) return std::nullopt;
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 2 >= path.size()) return std::nullopt;
    const int high = hex_value(path[i + 1]);
    const int low = hex_value(path[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

enum class route { none, healthz, metrics, calendar };

http_server_reply health(const ops_sources& sources) {
  const health_report report = sources.health();
  http_server_reply reply = plain(report.ok() ? 200 : 503, health_json(report));
  reply.content_type = "application/json";
  return reply;
}

http_server_reply metrics(const ops_sources& sources) {
  http_server_reply reply = plain(200, sources.metrics());
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return reply;
}

http_server_reply calendar(const ops_sources& sources, std::string_view key) {
  if (!is_calendar_key(key)) return plain(404, "no such calendar\n");
  std::optional<std::string> text;
  try {
    text = sources.calendar(key);
  } catch (const store_error&) {
    // Temporary: the database is locked or failing, which /healthz reports. Calendar apps
    // retry a 503 later instead of dropping the subscription.
    return plain(503, "the calendar is unavailable for now; try again later\n");
  }
  if (!text) return plain(404, "no such calendar\n");
  http_server_reply reply = plain(200, std::move(*text));
  reply.content_type = "text/calendar; charset=utf-8";
  return reply;
}

}  // namespace

std::string health_json(const health_report& report) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::object();
  for (const auto& c : report.checks)
    checks[c.name] = {{"ok", c.ok}, {"detail", c.detail}};
  const nlohmann::ordered_json body = {{"status", report.ok() ? "ok" : "failing"},
                                       {"failing", report.failing()},
                                       {"checks", checks}};
  // Replaced, not thrown on: a detail may carry an OS error text in another encoding.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

http_server_reply route_ops_request(const ops_sources& sources,
                                    const http_server_request& request) {
  const auto path = decoded_path(request.target);
  if (!path) return plain(400, "bad request target\n");

  route which = route::none;
  std::string_view key;
  if (*path == "/healthz") {
    which = route::healthz;
  } else if (*path == "/metrics") {
    which = route::metrics;
  } else if (std::string_view p = *path;
             p.starts_with(calendar_prefix) && p.ends_with(calendar_suffix) &&
             p.size() >= calendar_prefix.size() + calendar_suffix.size()) {
    which = route::calendar;
    key = p.substr(calendar_prefix.size(),
                   p.size() - calendar_prefix.size() - calendar_suffix.size());
  }
  const bool available = (which == route::healthz && sources.health) ||
                         (which == route::metrics && sources.metrics) ||
                         (which == route::calendar && sources.calendar);
  if (!available) return plain(404, "not found\n");
  if (request.method != "GET" && request.method != "HEAD") {
    http_server_reply reply = plain(405, "method not allowed\n");
    reply.headers.push_back({"Allow", "GET, HEAD"});
    return reply;
  }
  switch (which) {
    case route::healthz:
      return health(sources);
    case route::metrics:
      return metrics(sources);
    case route::calendar:
      return calendar(sources, key);
    case route::none:
      break;
  }
  return plain(404, "not found\n");
}

}  // namespace tweetup

// The routing table of the HTTP ops endpoint: pure, no I/O. The server (http_server) hands each
// request here and sends back what it returns.
//
//   GET|HEAD /healthz              200 when every check passes, else 503; JSON naming each check
//   GET|HEAD /metrics              200, Prometheus text exposition format 0.0.4
//   GET|HEAD /calendar/<key>.ics   200 text/calendar, or 404 for an unknown key
//
// - A route whose source is not set answers 404, as does any other path.
// - Another method on a known path answers 405 with "Allow: GET, HEAD".
// - The target must be origin-form ("/path[?query]", RFC 9112 §3.2.1) with valid
//   percent-escapes; otherwise 400. The path is percent-decoded before matching. A query is
//   ignored: nothing here takes parameters, and calendar clients and scrapers add their own
//   cache-busting ones.
// - A calendar key must look like one (32 lowercase hex characters) before the calendar source
//   is asked; otherwise 404.
// Every answer carries "Cache-Control: no-store": each describes the bot at that moment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/transport/http_server.hpp"
#include "app/health_report.hpp"

namespace tweetup {

struct ops_sources {
  std::function<health_report()> health;
  // The whole exposition text.
  std::function<std::string()> metrics;
  // The .ics text of the channel with this key, or nullopt when no channel has it.
  std::function<std::optional<std::string>(std::string_view key)> calendar;
};

http_server_reply route_ops_request(const ops_sources& sources, const http_server_request& request);

// {"status":"ok"|"failing","failing":[names],"checks":{name:{"ok":bool,"detail":text}}}
std::string health_json(const health_report& report);

}  // namespace tweetup

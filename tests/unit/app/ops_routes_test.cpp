// The ops endpoint's routing table, request by request: no sockets, the sources are lambdas.
#include "app/ops_routes.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace tweetup;

namespace {

const std::string known_key = "0123456789abcdef0123456789abcdef";

struct counted_sources {
  int health_calls = 0;
  int metrics_calls = 0;
  std::vector<std::string> calendar_keys;
  health_report report = build_health_report({"irc", true, {}, std::nullopt, true, {}});
  ops_sources sources;

  counted_sources() {
    sources.health = [this] {
      ++health_calls;
      return report;
    };
    sources.metrics = [this] {
      ++metrics_calls;
      return std::string("tweetup_up 1\n");
    };
    sources.calendar = [this](std::string_view key) -> std::optional<std::string> {
      calendar_keys.emplace_back(key);
      if (key == known_key) return std::string("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
      return std::nullopt;
    };
  }
};

http_server_reply get(const ops_sources& s, const std::string& target,
                      const std::string& method = "GET") {
  return route_ops_request(s, {method, target, method == "HEAD"});
}

const std::string* header(const http_server_reply& r, const std::string& name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("ops routes: /healthz is 200 with JSON when every check passes") {
  counted_sources s;
  const auto r = get(s.sources, "/healthz");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  REQUIRE(header(r, "Cache-Control"));
  CHECK(*header(r, "Cache-Control") == "no-store");
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["status"] == "ok");
  CHECK(body["failing"] == nlohmann::json::array());
  CHECK(body["checks"]["adapter"]["ok"] == true);
  CHECK(body["checks"]["adapter"]["detail"] == "irc connected");
  CHECK(body["checks"]["database"]["ok"] == true);
  CHECK(body["checks"]["scheduler"]["ok"] == true);
  CHECK(s.health_calls == 1);
}

TEST_CASE("ops routes: /healthz is 503 and names every failing check") {
  counted_sources s;
  s.report = build_health_report({"irc",
                                  false,
                                  {},
                                  std::string("attempt to write a readonly database"),
                                  true,
                                  std::chrono::seconds(5)});
  const auto r = get(s.sources, "/healthz");
  CHECK(r.status == 503);
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["status"] == "failing");
  CHECK(body["failing"] == nlohmann::json::array({"adapter", "database"}));
  CHECK(body["checks"]["adapter"]["detail"] == "irc not connected");
  CHECK(body["checks"]["database"]["detail"] ==
        "not writable: attempt to write a readonly database");
  CHECK(body["checks"]["scheduler"]["ok"] == true);
}

TEST_CASE("ops routes: HEAD answers like GET (the server drops the body)") {
  counted_sources s;
  const auto g = get(s.sources, "/healthz");
  const auto h = get(s.sources, "/healthz", "HEAD");
  CHECK(h.status == g.status);
  CHECK(h.content_type == g.content_type);
  CHECK(h.body == g.body);
  CHECK(get(s.sources, "/metrics", "HEAD").status == 200);
}

TEST_CASE("ops routes: /metrics in the Prometheus text format") {
  counted_sources s;
  const auto r = get(s.sources, "/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(r.body == "tweetup_up 1\n");
}

TEST_CASE("ops routes: a calendar by key, 404 for an unknown or malformed key") {
  counted_sources s;
  const auto r = get(s.sources, "/calendar/" + known_key + ".ics");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/calendar; charset=utf-8");
  CHECK(r.body.starts_with("BEGIN:VCALENDAR"));

  CHECK(get(s.sources, "/calendar/ffffffffffffffffffffffffffffffff.ics").status == 404);
  REQUIRE(s.calendar_keys.size() == 2);
  CHECK(s.calendar_keys[1] == "ffffffffffffffffffffffffffffffff");

  // Shapes that cannot be a key never reach the source.
  for (const std::string& bad : std::vector<std::string>{
           "/calendar/0123456789ABCDEF0123456789ABCDEF.ics", "/calendar/0123456789abcdef.ics",
           "/calendar/" + known_key + "0.ics", "/calendar/" + known_key, "/calendar/.ics",
           "/calendar/", "/calendar/0123456789abcdef0123456789abcdeg.ics",
           "/calendar/../" + known_key + ".ics", "/calendar/" + known_key + ".ics/",
           "/calendar/" + known_key + ".ICS"}) {
    CAPTURE(bad);
    CHECK(get(s.sources, bad).status == 404);
  }
  CHECK(s.calendar_keys.size() == 2);
}

TEST_CASE("ops routes: a source that is not set, or another path, is 404") {
  ops_sources none;
  CHECK(get(none, "/healthz").status == 404);
  CHECK(get(none, "/metrics").status == 404);
  CHECK(get(none, "/calendar/" + known_key + ".ics").status == 404);
  counted_sources s;
  for (const char* path : {"/", "/healthz/", "/Healthz", "/metrics/x", "/healthzz", "/calendar",
                           "//healthz", "/index.html"}) {
    CAPTURE(path);
    CHECK(get(s.sources, path).status == 404);
  }
  CHECK(s.health_calls == 0);
  CHECK(s.metrics_calls == 0);
}

TEST_CASE("ops routes: other methods on known paths are 405 with Allow") {
  counted_sources s;
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "BREW"}) {
    CAPTURE(method);
    const auto r = get(s.sources, "/healthz", method);
    CHECK(r.status == 405);
    REQUIRE(header(r, "Allow"));
    CHECK(*header(r, "Allow") == "GET, HEAD");
  }
  CHECK(get(s.sources, "/calendar/" + known_key + ".ics", "POST").status == 405);
  CHECK(get(s.sources, "/nowhere", "POST").status == 404);
  CHECK(s.health_calls == 0);
  CHECK(s.calendar_keys.empty());
}

TEST_CASE("ops routes: targets that are not origin-form or have broken escapes are 400") {
  counted_sources s;
  for (const char* target : {"*", "http://127.0.0.1:8080/healthz", "healthz", "", "/health%zz",
                             "/healthz%", "/healthz%4", "/heal#thz"}) {
    CAPTURE(target);
    CHECK(get(s.sources, target).status == 400);
  }
  CHECK(s.health_calls == 0);
}

TEST_CASE("ops routes: the path is percent-decoded and a query is ignored") {
  counted_sources s;
  CHECK(get(s.sources, "/health%7a").status == 200);
  CHECK(get(s.sources, "/healthz?verbose=1").status == 200);
  CHECK(get(s.sources, "/metrics?").status == 200);
  CHECK(get(s.sources, "/calendar/" + known_key + ".ics?t=1700000000").status == 200);
  CHECK(get(s.sources, "/calendar/" + known_key + "%2Eics").status == 200);
  // An encoded query mark is part of the path, not a query.
  CHECK(get(s.sources, "/healthz%3Fx").status == 404);
}

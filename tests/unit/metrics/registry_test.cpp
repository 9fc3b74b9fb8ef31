#include "metrics/registry.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "metrics/exposition_text.hpp"

using namespace tweetup::metrics;

TEST_CASE("a small registry renders exactly, sorted by name and then by label values") {
  registry r;
  auto& sent = r.add_counter("demo_sent_total", "Messages sent.", {"adapter"});
  auto& queue = r.add_gauge("demo_queue_length", "Messages waiting.");
  sent.with({"irc"}).inc(2);
  sent.with({"discord"}).inc();
  queue.get().set(7.5);
  CHECK(r.render() ==
        "# HELP demo_queue_length Messages waiting.\n"
        "# TYPE demo_queue_length gauge\n"
        "demo_queue_length 7.5\n"
        "# HELP demo_sent_total Messages sent.\n"
        "# TYPE demo_sent_total counter\n"
        "demo_sent_total{adapter=\"discord\"} 1\n"
        "demo_sent_total{adapter=\"irc\"} 2\n");
}

TEST_CASE("a family without series shows only HELP and TYPE") {
  registry r;
  r.add_counter("demo_total", "Nothing yet.", {"kind"});
  CHECK(r.render() == "# HELP demo_total Nothing yet.\n# TYPE demo_total counter\n");
}

TEST_CASE("label values and help text are escaped as the text format requires") {
  registry r;
  auto& f = r.add_counter("demo_total", "A \\ backslash,\na new line and \"quotes\".", {"text"});
  f.with({"say \"hi\"\\n\nbye"}).inc();
  CHECK(r.render() ==
        "# HELP demo_total A \\\\ backslash,\\na new line and \"quotes\".\n"
        "# TYPE demo_total counter\n"
        "demo_total{text=\"say \\\"hi\\\"\\\\n\\nbye\"} 1\n");
}

TEST_CASE("several labels render in the family's order, each series once") {
  registry r;
  auto& f = r.add_counter("demo_commands_total", "Commands.", {"command", "outcome"});
  f.with({"join", "ok"}).inc();
  f.with({"join", "ok"}).inc();  // the same series, not a second one
  f.with({"join", "rejected"}).inc();
  CHECK(&f.with({"join", "ok"}) == &f.with({"join", "ok"}));
  CHECK(f.size() == 2);
  CHECK(r.render() ==
        "# HELP demo_commands_total Commands.\n"
        "# TYPE demo_commands_total counter\n"
        "demo_commands_total{command=\"join\",outcome=\"ok\"} 2\n"
        "demo_commands_total{command=\"join\",outcome=\"rejected\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative, with +Inf, sum and count") {
  registry r;
  auto& h = r.add_histogram("demo_seconds", "Durations.", {0.001, 0.01, 0.1});
  auto& s = h.get();
  s.observe(0.0005);  // first bucket
  s.observe(0.001);   // a value on a bound belongs to that bucket (le: less or equal)
  s.observe(0.05);    // third
  s.observe(2);       // only +Inf
  CHECK(r.render() ==
        "# HELP demo_seconds Durations.\n"
        "# TYPE demo_seconds histogram\n"
        "demo_seconds_bucket{le=\"0.001\"} 2\n"
        "demo_seconds_bucket{le=\"0.01\"} 2\n"
        "demo_seconds_bucket{le=\"0.1\"} 3\n"
        "demo_seconds_bucket{le=\"+Inf\"} 4\n"
        "demo_seconds_sum 2.0515\n"
        "demo_seconds_count 4\n");
}

TEST_CASE("a labelled histogram puts le after its own labels") {
  registry r;
  auto& h = r.add_histogram("demo_seconds", "Durations.", {1}, {"op"});
  h.with({"read"}).observe(0.5);
  const std::string text = r.render();
  CHECK(text.find("demo_seconds_bucket{op=\"read\",le=\"1\"} 1\n") != std::string::npos);
  CHECK(text.find("demo_seconds_bucket{op=\"read\",le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(text.find("demo_seconds_sum{op=\"read\"} 0.5\n") != std::string::npos);
  CHECK(text.find("demo_seconds_count{op=\"read\"} 1\n") != std::string::npos);
}

TEST_CASE("gauge sources are read at render time and unbound with their binding") {
  registry r;
  auto& g = r.add_gauge("demo_pending", "Pending.");
  g.get().set(1);
  int pending = 5;
  {
    const auto binding = g.get().bind([&pending] { return std::optional<double>(pending); });
    pending = 6;
    CHECK(r.render().find("demo_pending 6\n") != std::string::npos);
    {
      // A source that cannot tell gives no sample rather than a made-up one.
      const auto unknown = g.get().bind([] { return std::optional<double>(); });
      CHECK(r.render() == "# HELP demo_pending Pending.\n# TYPE demo_pending gauge\n");
    }
  }
  CHECK(g.get().value() == 1);  // both bindings gone: back to the set value
}

TEST_CASE("an older binding does not remove a newer source") {
  gauge g;
  auto first = g.bind([] { return std::optional<double>(1); });
  const auto second = g.bind([] { return std::optional<double>(2); });
  first = gauge::source_binding();
  CHECK(g.value() == 2);
}

TEST_CASE("registering a name again returns the same family, or throws on a mismatch") {
  registry r;
  auto& a = r.add_counter("demo_total", "Help.", {"x"});
  CHECK(&r.add_counter("demo_total", "Help.", {"x"}) == &a);
  CHECK_THROWS_AS(r.add_counter("demo_total", "Help.", {"y"}), std::logic_error);
  CHECK_THROWS_AS(r.add_gauge("demo_total", "Help.", {"x"}), std::logic_error);
  r.add_histogram("demo_seconds", "Help.", {1, 2});
  CHECK_THROWS_AS(r.add_histogram("demo_seconds", "Help.", {1, 3}), std::logic_error);
}

TEST_CASE("names, labels and buckets that Prometheus would refuse are refused") {
  registry r;
  CHECK_THROWS_AS(r.add_counter("demo", "A counter without _total."), std::invalid_argument);
  CHECK_THROWS_AS(r.add_gauge("9lives", "Starts with a digit."), std::invalid_argument);
  CHECK_THROWS_AS(r.add_gauge("demo-gauge", "A dash."), std::invalid_argument);
  CHECK_THROWS_AS(r.add_gauge("demo_gauge", "Reserved label.", {"__name"}), std::invalid_argument);
  CHECK_THROWS_AS(r.add_gauge("demo_gauge", "Label twice.", {"a", "a"}), std::invalid_argument);
  CHECK_THROWS_AS(r.add_histogram("demo_seconds", "le is taken.", {1}, {"le"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(r.add_histogram("demo_seconds", "No buckets.", {}), std::invalid_argument);
  CHECK_THROWS_AS(r.add_histogram("demo_seconds", "Not increasing.", {1, 1}),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      r.add_histogram("demo_seconds", "Infinite.", {1, std::numeric_limits<double>::infinity()}),
      std::invalid_argument);
  CHECK(r.render().empty());
  CHECK(exposition_text::valid_metric_name("tweetup:rate_5m"));
}

TEST_CASE("special and small values render as Prometheus reads them") {
  std::string out;
  exposition_text::append_value(out, std::numeric_limits<double>::infinity());
  out += ' ';
  exposition_text::append_value(out, -std::numeric_limits<double>::infinity());
  out += ' ';
  exposition_text::append_value(out, std::nan(""));
  out += ' ';
  exposition_text::append_value(out, 0.00025);
  out += ' ';
  exposition_text::append_value(out, 1e-05);
  out += ' ';
  exposition_text::append_value(out, 123456789.0);
  CHECK(out == "+Inf -Inf NaN 0.00025 1e-05 123456789");
}

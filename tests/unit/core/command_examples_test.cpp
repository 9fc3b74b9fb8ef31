// The requirement: every example of the command table, run in table order on an empty
// channel, succeeds (design.md §9).
#include <doctest/doctest.h>

#include "core/command_spec.hpp"
#include "unit/core/service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;

namespace {

const char* status_name(command_status s) {
  switch (s) {
    case command_status::ignored:
      return "ignored";
    case command_status::ok:
      return "ok";
    case command_status::rejected:
      return "rejected";
    case command_status::failed:
      return "failed";
  }
  return "?";
}

}  // namespace

TEST_CASE("command_specs: every example succeeds, in table order, on an empty channel") {
  service_fixture f;  // now = 2026-11-28T10:15:00 America/Chicago
  int run = 0;
  for (const auto& spec : command_specs()) {
    REQUIRE_FALSE(spec.examples.empty());
    for (const auto example : spec.examples) {
      const std::string text = "!" + std::string(example);
      const user_ref& author = spec.name == "tweetup" ? alice : mod;
      const auto o = f.send(text, author);
      ++run;
      INFO(text, " by ", author.name, " → ", status_name(o.status), ": ", text_of(o));
      CHECK(o.status == command_status::ok);
      CHECK(o.command == std::string(spec.name));
      CHECK_FALSE(o.messages.empty());
    }
  }
  CHECK(run == 21);

  // The examples left the channel in the state they describe.
  const auto first = f.store.find_event(f.channel, 1);
  REQUIRE(first.has_value());
  CHECK(first->place == "Starbucks on Main St");
  CHECK(first->starts_at == utc(2026, 11, 29, 22, 0));  // moved to tomorrow 4pm
  CHECK_FALSE(first->capacity.has_value());             // limit 8, then none
  const auto third = f.store.find_event(f.channel, 3);
  REQUIRE(third.has_value());
  CHECK(third->status == event_status::cancelled);
  CHECK(f.store.load_channel(f.channel).zone == "America/Chicago");
  CHECK_FALSE(f.store.load_channel(f.channel).reminders.has_value());  // 2h 10m, then default
}

TEST_CASE("command_specs: the table") {
  const auto specs = command_specs();
  REQUIRE(specs.size() == 15);
  CHECK(specs.front().name == "tweetup");
  CHECK(specs.back().name == "help");
  for (const auto& spec : specs) {
    CAPTURE(spec.name);
    CHECK(find_command_spec(spec.name) == &spec);
    CHECK_FALSE(spec.usage.empty());
    CHECK_FALSE(spec.summary.empty());
    const bool changes_events = spec.name == "tweetup move" || spec.name == "tweetup place" ||
                                spec.name == "tweetup limit" || spec.name == "tweetup cancel";
    CHECK(spec.organizer_only == changes_events);
  }
  CHECK(find_command_spec("dance") == nullptr);
}

#include "core/gathering_service.hpp"

#include <variant>

#include <date/tz.h>
#include <fmt/compile.h>
#include <fmt/format.h>

#include "core/attendance.hpp"
#include "core/command_parser.hpp"
#include "core/command_spec.hpp"
#include "core/duration_text.hpp"
#include "core/event_card.hpp"
#include "core/job_plan.hpp"
#include "core/replies.hpp"
#include "core/text_checks.hpp"
#include "core/time_text.hpp"
#include "core/zone_lookup.hpp"
#include "timeparse/time_parser.hpp"

namespace tweetup {
namespace {

// Long enough for any real venue with its street; short enough to keep lists readable.
constexpr std::size_t max_place_bytes = 300;

const date::time_zone& zone_or_utc(std::string_view name) {
  const date::time_zone* zone = find_zone(name);
  return zone ? *zone : *date::locate_zone("UTC");
}

std::string_view command_name(const command& c) {
  struct namer {
    std::string_view operator()(const create_command&) const { return "tweetup"; }
    std::string_view operator()(const list_command&) const { return "tweetups"; }
    std::string_view operator()(const join_command&) const { return "join"; }
    std::string_view operator()(const maybe_command&) const { return "maybe"; }
    std::string_view operator()(const leave_command&) const { return "leave"; }
    std::string_view operator()(const info_command&) const { return "tweetup info"; }
    std::string_view operator()(const cancel_command&) const { return "tweetup cancel"; }
    std::string_view operator()(const move_command&) const { return "tweetup move"; }
    std::string_view operator()(const place_command&) const { return "tweetup place"; }
    std::string_view operator()(const limit_command&) const { return "tweetup limit"; }
    std::string_view operator()(const tz_command&) const { return "tweetup tz"; }
    std::string_view operator()(const reminders_command&) const { return "tweetup reminders"; }
    std::string_view operator()(const status_command&) const { return "tweetup status"; }
    std::string_view operator()(const calendar_command&) const { return "tweetup calendar"; }
    std::string_view operator()(const help_command&) const { return "help"; }
    std::string_view operator()(const command_error& e) const { return e.name; }
  };
  return std::visit(namer{}, c);
}

// A rejection that ends the handling of a command: thrown inside a transaction so the store
// rolls back anything already written, then turned into one friendly reply.
struct rejection {
  std::string message;
};

// The one reply of a command that changed nothing; any replies drafted before are dropped.
outbound_message lone_reply(const inbound_message& message, const std::string& text) {
  outbound_message m;
  m.channel = message.channel;
  m.reply_to = message.message_id;
  m.idempotency_key = fmt::format("reply:{}:{}:{}:error", message.channel.platform,
                                  message.channel.channel, message.message_id);
  m.add_text(text);
  return m;
}

// A command the store failed: the operator's detail, and one apologetic reply instead of any
// drafted ones.
void turn_into_failure(command_outcome& outcome, const inbound_message& message,
                       const store_error& error) {
  outcome.status = command_status::failed;
  outcome.failure_detail = error.what();
  outcome.messages.clear();
  outcome.messages.push_back(lone_reply(message, replies::storage_trouble(error.failure())));
}

}  // namespace

// The state of handling one message: who asked, when, and the replies so far.
class gathering_service::run {
 public:
  run(gathering_service& service, const inbound_message& message, std::chrono::sys_seconds now)
      : store_(service.store_), options_(service.options_), message_(message), now_(now) {}

  void operator()(const create_command& c) {
    store_.transact([&] {
      const date::time_zone& zone = channel_zone();
      const auto parsed = timeparse::parse_place_and_time(c.arguments, {now_, &zone});
      if (const auto* error = std::get_if<timeparse::parse_error>(&parsed)) {
        throw rejection{displayable(error->message)};
      }
      const auto& request = std::get<timeparse::parsed_command>(parsed);
      if (request.place.size() > max_place_bytes) {
        throw rejection{fmt::format("That place name is too long ({} bytes; the limit is {}).",
                                    request.place.size(), max_place_bytes)};
      }
      event e;
      e.channel = message_.channel;
      e.organizer = message_.author;
      e.place = request.place;
      e.starts_at = request.time.starts_at;
      e.ends_at = request.time.ends_at;
      e.zone = zone.name();
      e.created_at = now_;
      e = store_.insert_event(std::move(e));
      replan(e);
      attendance a(e.id, e.capacity, {});
      for (const auto& r : a.join(message_.author, 0).changed)
        store_.save_rsvp(r);

      outbound_message text;
      text.add_text(fmt::format("Tweetup {}, ", replies::title(e)))
          .add_when(replies::when(view(e, zone)), replies::when_moment(e))
          .add_text(".");
      const std::string assumed = replies::assumptions(request.time.assumptions, zone.name());
      if (!assumed.empty()) text.add_text(" " + assumed);
      text.add_text(
          fmt::format(" You're going; others join with {}join {}", options_.prefix, e.number));
      reply(text);
      messages_.back().card = make_card(e, a, now_, event_card::use::announce);
    });
  }

  void operator()(const list_command&) {
    const auto events = store_.upcoming_events(message_.channel, now_);
    if (events.empty()) {
      reply(
          fmt::format("No tweetups planned here yet. Start one: {}tweetup Starbucks Alabaster 3pm",
                      options_.prefix));
      return;
    }
    constexpr std::size_t shown = 10;
    std::string text = "Upcoming tweetups:";
    for (std::size_t i = 0; i < events.size() && i < shown; ++i) {
      const event& e = events[i];
      text += '\n';
      text += replies::list_line(view(e, zone_or_utc(e.zone)), partial_attendance_of(e));
    }
    if (events.size() > shown) text += fmt::format("\n…and {} more.", events.size() - shown);
    reply(text);
  }

  void operator()(const join_command& c) {
    rsvp_to(c.number, [&](attendance& a) { return a.join(message_.author, c.guests); });
  }
  void operator()(const maybe_command& c) {
    rsvp_to(c.number, [&](attendance& a) { return a.maybe(message_.author); });
  }
  void operator()(const leave_command& c) {
    rsvp_to(c.number, [&](attendance& a) { return a.leave(message_.author); });
  }

  void operator()(const info_command& c) {
    const event e = existing(c.number);
    const attendance a = attendance_of(e);
    reply(replies::details(view(e, zone_or_utc(e.zone)), a));
    messages_.back().card = make_card(e, a, now_, event_card::use::announce);
  }

  void operator()(const cancel_command& c) {
    store_.transact([&] {
      event e = changeable(c.number, "cancel");
      e.status = event_status::cancelled;
      ++e.revision;
      store_.update_event(e);
      store_.replace_pending_jobs(e.id, {});
      jobs_changed_ = true;
      const auto& zone = zone_or_utc(e.zone);
      outbound_message text;
      text.add_text(fmt::format("Tweetup {} on ", replies::title(e)))
          .add_when(format_span(e.starts_at, e.ends_at, zone, now_), replies::span_moment(e))
          .add_text(" is cancelled.");
      reply_to_attendees(e, text);
    });
  }

  void operator()(const move_command& c) {
    store_.transact([&] {
      event e = changeable(c.number, "move");
      const auto& zone = zone_or_utc(e.zone);
      const auto parsed = timeparse::parse_time(c.when, {now_, &zone});
      if (const auto* error = std::get_if<timeparse::parse_error>(&parsed)) {
        throw rejection{displayable(error->message)};
      }
      const auto& time = std::get<timeparse::parsed_time>(parsed);
      if (time.starts_at == e.starts_at && (!time.ends_at || time.ends_at == e.ends_at)) {
        throw rejection{fmt::format("#{} is already at that time.", e.number)};
      }
      const std::string before = format_span(e.starts_at, e.ends_at, zone, now_);
      const moment was = replies::span_moment(e);
      // A new span replaces the old one; otherwise the event keeps its length.
      if (time.ends_at) {
        e.ends_at = time.ends_at;
      } else if (e.ends_at) {
        e.ends_at = time.starts_at + (*e.ends_at - e.starts_at);
      }
      e.starts_at = time.starts_at;
      ++e.revision;
      store_.update_event(e);
      replan(e);
      outbound_message text;
      text.add_text(fmt::format("Tweetup {} moved to ", replies::title(e)))
          .add_when(replies::when(view(e, zone)), replies::when_moment(e))
          .add_text(" (was ")
          .add_when(before, was)
          .add_text(").");
      const std::string assumed = replies::assumptions(time.assumptions, zone.name());
      if (!assumed.empty()) text.add_text(" " + assumed);
      reply_to_attendees(e, text);
    });
  }

  void operator()(const place_command& c) {
    if (c.place.size() > max_place_bytes) {
      throw rejection{fmt::format("That place name is too long ({} bytes; the limit is {}).",
                                  c.place.size(), max_place_bytes)};
    }
    store_.transact([&] {
      event e = changeable(c.number, "change the place of");
      if (e.place == c.place) throw rejection{fmt::format("#{} is already there.", e.number)};
      const std::string before = displayable(e.place);
      e.place = c.place;
      ++e.revision;
      store_.update_event(e);
      outbound_message text;
      text.add_text(fmt::format("Tweetup #{} moved to {} (was {}), ", e.number,
                                displayable(e.place), before))
          .add_when(replies::when(view(e, zone_or_utc(e.zone))), replies::when_moment(e))
          .add_text(".");
      reply_to_attendees(e, text);
    });
  }

  void operator()(const limit_command& c) {
    store_.transact([&] {
      event e = changeable(c.number, "change the limit of");
      attendance a = partial_attendance_of(e);
      const rsvp_change change = a.set_capacity(c.capacity);
      for (const auto& r : change.changed)
        store_.save_rsvp(r);
      e.capacity = c.capacity;
      store_.update_event(e);
      std::string text =
          c.capacity ? fmt::format("#{} now has {} seat{}: {}.", e.number, *c.capacity,
                                   *c.capacity == 1 ? "" : "s", replies::counts(a))
                     : fmt::format("#{} has no limit now: {}.", e.number, replies::counts(a));
      if (c.capacity && a.seats_taken() > *c.capacity) {
        text += " Nobody was removed; new joins wait until there is room.";
      }
      reply(text);
      messages_.back().card = make_card(e, a, now_, event_card::use::update);
      announce_promotions(e, change);
    });
  }

  void operator()(const tz_command& c) {
    if (!message_.author_is_moderator) {
      throw rejection{"Only a channel moderator can set the channel's time zone."};
    }
    const date::time_zone* zone = find_zone(c.zone);
    if (!zone) {
      throw rejection{fmt::format(
          "I don't know that time zone. Use an IANA name. Example: {}tweetup tz Europe/Berlin",
          options_.prefix)};
    }
    store_.transact([&] {
      channel_settings settings = store_.load_channel(message_.channel);
      settings.channel = message_.channel;
      settings.zone = zone->name();
      store_.save_channel(settings);
    });
    reply(
        fmt::format("This channel's times are now read in {} (it is {} there). Tweetups "
                    "already planned keep their time.",
                    zone->name(), format_clock(now_, *zone)));
  }

  void operator()(const reminders_command& c) {
    if (!message_.author_is_moderator) {
      throw rejection{"Only a channel moderator can set this channel's reminders."};
    }
    int replanned = 0;
    store_.transact([&] {
      channel_settings settings = store_.load_channel(message_.channel);
      settings.channel = message_.channel;
      settings.reminders = c.use_default
                               ? std::nullopt
                               : std::optional<std::vector<std::chrono::seconds>>(c.offsets);
      store_.save_channel(settings);
      for (const event& e : store_.upcoming_events(message_.channel, now_)) {
        replan(e);
        ++replanned;
      }
    });
    const auto& offsets = c.use_default ? options_.reminders : c.offsets;
    std::string text = offsets.empty() ? "Reminders are off in this channel."
                                       : "Reminders here now go out " + offsets_text(offsets) +
                                             " before each tweetup";
    if (c.use_default && !offsets.empty()) text += " (the default)";
    if (!offsets.empty()) text += ".";
    if (replanned > 0) {
      text +=
          fmt::format(" {} upcoming tweetup{} re-planned.", replanned, replanned == 1 ? "" : "s");
    }
    reply(text);
  }

  void operator()(const status_command&) {
    if (!message_.author_is_moderator) {
      throw rejection{"Only a channel moderator can see what is waiting to go out."};
    }
    const auto jobs = store_.pending_jobs(message_.channel);
    if (jobs.empty()) {
      reply("Nothing is waiting to go out in this channel.");
      return;
    }
    constexpr std::size_t shown = 20;
    std::string text = "Waiting to go out here:";
    for (std::size_t i = 0; i < jobs.size() && i < shown; ++i) {
      const job& j = jobs[i];
      const auto e = store_.find_event_by_id(j.event_id);
      if (!e) continue;
      text += fmt::format("\n#{} {} — {} ({})", e->number, job_text(j),
                          format_when(j.due_at, zone_or_utc(e->zone), now_),
                          format_relative(now_, j.due_at));
    }
    if (jobs.size() > shown) text += fmt::format("\n…and {} more.", jobs.size() - shown);
    reply(text);
  }

  void operator()(const calendar_command&) {
    if (options_.public_url.empty()) {
      reply(
          "This bot has no calendar feed switched on. Its operator can turn it on by setting "
          "http.public_url to the address where people reach the bot's web endpoint.");
      return;
    }
    std::string key;
    store_.transact([&] { key = store_.calendar_key(message_.channel); });
    reply(fmt::format(
        "This channel's tweetups as a calendar: {}/calendar/{}.ics — subscribe to it by URL in "
        "your calendar app and it stays up to date, cancellations included.",
        options_.public_url, key));
  }

  void operator()(const help_command& c) {
    const std::string& p = options_.prefix;
    if (c.topic.empty()) {
      std::string text = "Commands:";
      for (const auto& spec : command_specs()) {
        text += fmt::format("\n{}{} — {}", p, spec.usage, spec.summary);
      }
      text += fmt::format("\nMore on one: {}help join", p);
      reply(text);
      return;
    }
    const command_spec* spec = find_command_spec(c.topic);
    if (!spec) spec = find_command_spec("tweetup " + c.topic);
    if (!spec) {
      throw rejection{fmt::format("There's no command by that name. See {}help for the list.", p)};
    }
    std::string text = fmt::format("{}{} — {}", p, spec->usage, spec->summary);
    if (spec->organizer_only) text += " Only the organizer or a channel moderator may do this.";
    for (const auto example : spec->examples)
      text += fmt::format("\nExample: {}{}", p, example);
    reply(text);
  }

  void operator()(const command_error& c) { throw rejection{c.message}; }

  std::vector<outbound_message> take_messages() { return std::move(messages_); }
  bool jobs_changed() const { return jobs_changed_; }

 private:
  replies::event_view view(const event& e, const date::time_zone& zone) const {
    return {e, zone, now_};
  }

  const date::time_zone& channel_zone() {
    const channel_settings settings = store_.load_channel(message_.channel);
    return zone_or_utc(settings.zone.empty() ? options_.default_zone : settings.zone);
  }

  // Every RSVP: for what names people (info, the mentions of a change).
  attendance attendance_of(const event& e) {
    return attendance(e.id, e.capacity, store_.rsvps_of(e.id));
  }

  // The tallies, the waitlist and the author's own RSVP: enough to decide the author's RSVP and
  // to word counts and cards, at the cost of the waitlist rather than of every RSVP.
  attendance partial_attendance_of(const event& e) {
    return attendance(e.capacity, store_.rsvp_slice_of(e.id, message_.author.id));
  }

  event existing(int number) {
    auto found = store_.find_event(message_.channel, number);
    if (!found) {
      throw rejection{
          fmt::format("There's no tweetup #{} in this channel. See {}tweetups for the list.",
                      number, options_.prefix)};
    }
    return std::move(*found);
  }

  // An event the author may change (organizer or moderator) and that can still change.
  event changeable(int number, std::string_view verb) {
    event e = existing(number);
    if (e.organizer.id != message_.author.id && !message_.author_is_moderator) {
      throw rejection{fmt::format("Only the organizer ({}) or a channel moderator can {} #{}.",
                                  displayable(e.organizer.name), verb, e.number)};
    }
    refuse_if_closed(e);
    return e;
  }

  void refuse_if_closed(const event& e) const {
    if (e.status == event_status::cancelled) {
      throw rejection{fmt::format("Tweetup #{} was cancelled. Plan a new one with {}tweetup.",
                                  e.number, options_.prefix)};
    }
    if (!e.is_open(now_)) throw rejection{fmt::format("Tweetup #{} is over.", e.number)};
  }

  template <typename Decide>
  void rsvp_to(int number, Decide decide) {
    store_.transact([&] {
      const event e = existing(number);
      refuse_if_closed(e);
      attendance a = partial_attendance_of(e);
      const rsvp_change change = decide(a);
      for (const auto& r : change.changed)
        store_.save_rsvp(r);
      reply(rsvp_text(e, a, change));
      messages_.back().card = make_card(e, a, now_, event_card::use::update);
      announce_promotions(e, change);
    });
  }

  outbound_message rsvp_text(const event& e, const attendance& a, const rsvp_change& change) {
    const std::string t = replies::title(e);
    const std::string& p = options_.prefix;
    const rsvp* mine = a.find(message_.author.id);
    const int guests = mine ? mine->guests : 0;
    const std::string party = guests > 0 ? fmt::format(" with +{}", guests) : "";
    const std::string now_counts = replies::counts(a);
    switch (change.outcome) {
      case rsvp_outcome::going: {
        // The reply to nearly every RSVP: its formats are compiled (FMT_COMPILE).
        outbound_message text;
        text.add_text(fmt::format(FMT_COMPILE("You're going to {}{}, "), t, party))
            .add_when(replies::when(view(e, zone_or_utc(e.zone))), replies::when_moment(e))
            .add_text(fmt::format(FMT_COMPILE(". Now {}."), now_counts));
        return text;
      }
      case rsvp_outcome::waitlisted:
        return words(
            fmt::format("{} is full, so you're on the waitlist{}, number {}. I'll tell you "
                        "when a spot opens.",
                        t, party, a.waitlist_position(message_.author.id)));
      case rsvp_outcome::guests_changed:
        return words(
            mine && mine->status == rsvp_status::waitlisted
                ? fmt::format("Updated: you're waiting for {}{}, number {}.", t, party,
                              a.waitlist_position(message_.author.id))
                : fmt::format("Updated: you're going to {}{}. Now {}.", t, party, now_counts));
      case rsvp_outcome::maybe:
        return words(fmt::format("Marked you as maybe for {}. Now {}.", t, now_counts));
      case rsvp_outcome::declined:
        return words(fmt::format("Got it, you're not going to {}. Now {}.", t, now_counts));
      case rsvp_outcome::already_going:
        throw rejection{fmt::format("You're already going to {}{}. To change guests: {}join {} +2",
                                    t, party, p, e.number)};
      case rsvp_outcome::already_waitlisted:
        throw rejection{fmt::format("You're already on the waitlist for {}, number {}.", t,
                                    a.waitlist_position(message_.author.id))};
      case rsvp_outcome::already_maybe:
        throw rejection{
            fmt::format("You're already a maybe for {}. Decided? {}join {}", t, p, e.number)};
      case rsvp_outcome::not_joined:
        throw rejection{fmt::format("You weren't on the list for {}, so nothing changed.", t)};
      case rsvp_outcome::no_room_for_guests:
        throw rejection{
            fmt::format("There isn't room for that many guests at {}: {}.", t, now_counts)};
    }
    return {};
  }

  // Each promoted party is owed a notice: a durable job, due at once, written in this
  // transaction, so it is sent even if the process dies right after the commit.
  void announce_promotions(const event& e, const rsvp_change& change) {
    for (const auto& r : change.promoted) {
      store_.add_job(job{0, e.id, job_kind::promotion, std::chrono::seconds{0}, now_,
                         job_state::pending, r.user});
      jobs_changed_ = true;
    }
  }

  // Re-plans the event's jobs with the channel's reminder offsets.
  void replan(const event& e) {
    const channel_settings settings = store_.load_channel(e.channel);
    const auto& offsets = settings.reminders ? *settings.reminders : options_.reminders;
    store_.replace_pending_jobs(
        e.id, plan_jobs(e, {offsets, options_.reannounce_at, &zone_or_utc(e.zone)}, now_));
    jobs_changed_ = true;
  }

  static std::string offsets_text(const std::vector<std::chrono::seconds>& offsets) {
    std::string text;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      if (i > 0) text += i + 1 == offsets.size() ? " and " : ", ";
      text += describe_offset(offsets[i]);
    }
    return text;
  }

  static std::string job_text(const job& j) {
    switch (j.kind) {
      case job_kind::reminder:
        return "reminder, " + describe_offset(j.offset) + " before";
      case job_kind::starting:
        return "starting now";
      case job_kind::past:
        return "marked over";
      case job_kind::reannounce:
        return "morning re-announcement";
      case job_kind::promotion:
        return "waitlist notice to " + displayable(j.user.name);
    }
    return "job";
  }

  // The reply to the author, mentioning everyone else who answered going, maybe or waitlist.
  void reply_to_attendees(const event& e, const outbound_message& text) {
    outbound_message m = message(reply_key());
    m.reply_to = message_.message_id;
    m.append(text);
    const attendance a = attendance_of(e);
    m.card = make_card(e, a, now_, event_card::use::update);
    for (const auto& r : a.all()) {
      if (r.status == rsvp_status::declined || r.user.id == message_.author.id) continue;
      m.add_text(" ").add_mention(r.user);
    }
    messages_.push_back(std::move(m));
  }

  void reply(const std::string& text) { reply(words(text)); }

  void reply(const outbound_message& text) { reply(outbound_message(text)); }

  void reply(outbound_message&& text) {
    outbound_message& m = messages_.emplace_back(message(reply_key()));
    m.reply_to = message_.message_id;
    m.append(std::move(text));
  }

  static outbound_message words(const std::string& text) {
    outbound_message m;
    m.add_text(text);
    return m;
  }

  // "reply:discord:<channel>:<message>:<n>": made for every reply, so appended in place.
  std::string reply_key() const {
    const std::string n = std::to_string(messages_.size());
    std::string key;
    key.reserve(9 + message_.channel.platform.size() + message_.channel.channel.size() +
                message_.message_id.size() + n.size());
    key.append("reply:")
        .append(message_.channel.platform)
        .append(":")
        .append(message_.channel.channel)
        .append(":")
        .append(message_.message_id)
        .append(":")
        .append(n);
    return key;
  }

  outbound_message message(std::string key) const {
    outbound_message m;
    m.channel = message_.channel;
    m.idempotency_key = std::move(key);
    return m;
  }

  event_store& store_;
  const service_options& options_;
  const inbound_message& message_;
  std::chrono::sys_seconds now_;
  std::vector<outbound_message> messages_;
  bool jobs_changed_ = false;
};

gathering_service::gathering_service(event_store& store, service_options options)
    : store_(store), options_(std::move(options)) {}

command_outcome gathering_service::handle(const inbound_message& message,
                                          std::chrono::sys_seconds now) {
  const auto parsed = parse_command(message.text, options_.prefix);
  if (!parsed) return {};
  command_outcome outcome;
  outcome.command = std::string(command_name(*parsed));
  outcome.uses_store = !std::holds_alternative<help_command>(*parsed);
  run handling(*this, message, now);
  try {
    std::visit(handling, *parsed);
    outcome.status = command_status::ok;
    outcome.messages = handling.take_messages();
    outcome.jobs_changed = handling.jobs_changed();
    return outcome;
  } catch (const rejection& r) {
    outcome.status = command_status::rejected;
    outcome.messages.push_back(lone_reply(message, r.message));
  } catch (const store_error& e) {
    turn_into_failure(outcome, message, e);
  }
  return outcome;
}

command_outcome gathering_service::commit_failed(const inbound_message& message,
                                                 command_outcome handled,
                                                 const store_error& error) {
  if (handled.status == command_status::ok && handled.uses_store)
    turn_into_failure(handled, message, error);
  return handled;
}

}  // namespace tweetup

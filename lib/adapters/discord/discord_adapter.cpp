#include "adapters/discord/discord_adapter.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <variant>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "adapters/discord/created_message_id.hpp"
#include "adapters/discord/discord_text.hpp"
#include "adapters/discord/event_embed.hpp"
#include "adapters/discord/json_text.hpp"
#include "adapters/discord/message_payload.hpp"
#include "adapters/discord/scheduled_event.hpp"
#include "adapters/discord/slash_command.hpp"
#include "async/supervise.hpp"
#include "core/store_error.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;

// Announcements remembered for in-place updates; older ones keep their last counts.
constexpr std::size_t max_cards = 2000;
// R8: flags for a message only the person who acted can see.
constexpr int ephemeral = 1 << 6;
// The adapter_memory key of the gateway_handover.
constexpr std::string_view handover_key = "discord.gateway";

rest_client_options rest_options(const discord_adapter_options& o) {
  rest_client_options r;
  r.api_base = o.api_base;
  r.token = o.token;
  r.user_agent = o.user_agent;
  r.ca_file = o.ca_file;
  r.limits.global_per_second = o.global_rate_limit;
  return r;
}

json card_body(const event_card& card) {
  return {{"embeds", json::array({event_embed::embed(card)})},
          {"components", event_embed::components(card)},
          {"allowed_mentions", {{"parse", json::array()}}}};
}

bool shows_card(const std::optional<event_card>& card) {
  return card && card->role == event_card::use::announce && card->open;
}

// R8's 3 s run from when Discord made the interaction, not from when it was read: one read late
// (reads paused for backpressure, or replayed after a resume) has less time left, and must be
// deferred sooner. The id tells when it was made, by the system clock; an age that a clock
// set wrong would make negative or absurd is not believed.
std::chrono::steady_clock::time_point made_at(std::string_view interaction_id) {
  const auto now = std::chrono::steady_clock::now();
  const auto made = discord_text::snowflake_time(interaction_id);
  if (!made) return now;
  const auto age = std::chrono::system_clock::now() - *made;
  if (age <= std::chrono::system_clock::duration::zero() || age > std::chrono::minutes(15)) {
    return now;
  }
  return now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(age);
}

// 400 with code 40060: the interaction was answered already. For a callback that REST retried
// after a 5xx or a lost answer, that answer was ours: the first try reached Discord.
bool already_acknowledged(const rest_result& r) {
  return r.status == 400 && discord_error_code(r.body) == 40060;
}

// How one message's parts ended, for its on_settled: once every part has an answer, the
// least certain of them. A 4xx is for good (no access to the channel, a body Discord will never
// take); no answer, a 5xx or a 401 (the bot halts its calls) may go again, and the nonce keeps
// the parts that did arrive from doubling.
class delivery_tally {
 public:
  delivery_tally(std::size_t parts, std::function<void(delivery)> done)
      : left_(parts), done_(std::move(done)) {}
  void part(const rest_result& r) {
    const bool for_good = r.status >= 400 && r.status < 500 && r.status != 401 && r.status != 429;
    const delivery how = r.ok()     ? delivery::delivered
                         : for_good ? delivery::refused
                                    : delivery::unknown;
    if (static_cast<int>(how) > static_cast<int>(worst_)) worst_ = how;
    if (--left_ == 0) done_(worst_);
  }

 private:
  std::size_t left_;
  delivery worst_ = delivery::delivered;
  std::function<void(delivery)> done_;
};

}  // namespace

discord_adapter::discord_adapter(async::executor ex, discord_adapter_options options)
    : ex_(ex),
      options_(std::move(options)),
      rest_(ex, rest_options(options_)),
      backpressure_(options_.backpressure),
      answers_wait_(ex) {
  rest_.on_load_change([this] { apply_backpressure(); });
}

discord_adapter::~discord_adapter() = default;

bool discord_adapter::connected() const {
  return !shards_.empty() &&
         std::all_of(shards_.begin(), shards_.end(), [](const auto& s) { return s->ready(); });
}

std::string discord_adapter::connection_detail() const {
  if (shards_.size() < 2) return {};
  const auto up =
      std::count_if(shards_.begin(), shards_.end(), [](const auto& s) { return s->ready(); });
  return std::to_string(up) + " of " + std::to_string(shards_.size()) + " shards";
}

std::string discord_adapter::application_id() const {
  if (!options_.application_id.empty()) return options_.application_id;
  for (const auto& shard : shards_) {
    if (!shard->application_id().empty()) return shard->application_id();
  }
  return handed_application_id_;
}

void discord_adapter::set_unanswered(std::size_t count) {
  unanswered_ = count;
  if (count == 0) answers_wait_.cancel();
  apply_backpressure();
}

async::task<void> discord_adapter::await_answers(clock::time_point deadline) {
  while (unanswered_ > 0 && clock::now() < deadline) {
    answers_wait_.expires_at(deadline);
    auto [ec] = co_await answers_wait_.async_wait(async::nothrow);
    (void)ec;  // cut short by set_unanswered(0), or the deadline: the loop looks again
  }
}

void discord_adapter::apply_backpressure() {
  if (!backpressure_.update({rest_.queued() + unanswered_, rest_.queued_bytes()})) return;
  layer_log("discord")->debug(
      "gateway reads {}: {} REST calls ({} bytes) queued, {} commands unanswered",
      backpressure_.paused() ? "paused" : "resumed", rest_.queued(), rest_.queued_bytes(),
      unanswered_);
  for (auto& shard : shards_)
    shard->pause_reading(backpressure_.paused());
}

void discord_adapter::stop() {
  if (stopping_) return;
  stopping_ = true;
  layer_log("discord")->info("discord adapter stopping");
  // Cards waiting out their refresh interval get their last counts now, while REST drains.
  for (auto* wait : refresh_waits_)
    wait->cancel();
  stop_shards(nullptr, hand_over());
}

void discord_adapter::stop_shards(const gateway_client* except, bool keep_sessions) {
  for (auto* wait : start_waits_)
    wait->cancel();
  wake_identify_waits();
  for (auto& shard : shards_) {
    if (shard.get() != except) shard->stop(keep_sessions);
  }
}

void discord_adapter::take_handover() {
  if (options_.memory == nullptr) return;
  auto log = layer_log("discord");
  std::optional<std::string> text;
  try {
    text = options_.memory->recall(handover_key);
    // Used once: a process that resumes, then dies without handing over, must not let the one
    // after it replay the same events again. (If the forget is lost with the machine's power,
    // so are the commits of whatever the events replayed meanwhile: their WAL frames come after
    // it, and the sync that makes any of them durable makes the forget durable first.)
    if (text) options_.memory->forget(handover_key);
  } catch (const store_error& e) {
    log->warn("cannot read the gateway session the last process left ({}); identifying anew",
              e.what());
    return;
  }
  if (!text) return;
  auto handover = gateway_handover::decode(*text);
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  // Hashed only here and in hand_over: the first SHA-256 loads OpenSSL's providers, about 2 MiB
  // a bot that talks plain HTTP to a local emulator would otherwise carry all its life.
  const std::string tag = gateway_handover::tag_of(options_.token);
  if (!handover || !handover->usable(tag, now)) {
    log->info("not resuming the last process's gateway session ({}); identifying anew",
              !handover                    ? "unreadable"
              : handover->token_tag != tag ? "another bot token"
                                           : "too old");
    return;
  }
  log->info("resuming the gateway session{} the last process left {} s ago",
            handover->shards.size() > 1 ? "s" : "", (now - handover->saved_at).count());
  roles_.restore(handover->guilds);
  handed_application_id_ = handover->application_id;
  handover_ = std::move(handover);
}

bool discord_adapter::hand_over() {
  // A shard stopped for good (a refused token, intents not granted) has nothing to hand over.
  if (options_.memory == nullptr || !options_.resume_after_restart || shards_.empty() ||
      halting_shards_ || !shard_fatal_.empty()) {
    return false;
  }
  gateway_handover h;
  h.token_tag = gateway_handover::tag_of(options_.token);
  h.saved_at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  h.application_id = application_id();
  const int count = static_cast<int>(shards_.size());
  for (int id = 0; id < count; ++id) {
    if (auto point = shards_[static_cast<std::size_t>(id)]->resumable())
      h.shards.push_back({id, count, std::move(*point)});
  }
  if (h.shards.empty() || h.token_tag.empty()) return false;
  h.guilds = roles_.snapshot();
  auto log = layer_log("discord");
  try {
    options_.memory->remember(handover_key, h.encode());
  } catch (const store_error& e) {
    // Nobody will resume it: end the session properly instead.
    log->warn("cannot leave the gateway session for the next start ({}); ending it", e.what());
    return false;
  }
  log->info("left {} gateway session{} for the next start to resume", h.shards.size(),
            h.shards.size() > 1 ? "s" : "");
  return true;
}

async::task<std::string> discord_adapter::gateway_url() {
  auto log = layer_log("discord");
  std::chrono::milliseconds delay{1000};
  while (!stopping_) {
    auto r = co_await rest_.request("GET", "/gateway/bot");
    if (r.ok()) {
      const auto body = json::parse(r.body, nullptr, false);
      const auto url = body.is_object() ? body.find("url") : body.end();
      if (body.is_object() && url != body.end() && url->is_string()) {
        start_limit_ = session_start_limit::from_gateway_bot(r.body);
        recommended_shards_ = recommended_shards(r.body);
        co_return url->get<std::string>();
      }
      log->warn("GET /gateway/bot answered without a url; will retry");
    } else if (r.status == 401 || rest_.halted()) {
      failure_ = "Discord refused the bot token (401); check TWEETUP_DISCORD_TOKEN";
      log->critical("{}", failure_);
      co_return std::string{};
    }
    // L10: never spin on a failing network.
    boost::asio::steady_timer timer(ex_);
    timer.expires_after(delay);
    auto [ec] = co_await timer.async_wait(async::nothrow);
    (void)ec;
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(60));
  }
  co_return std::string{};
}

async::task<void> discord_adapter::await_identify_turn(int shard) {
  while (!stopping_ && !halting_shards_) {
    const auto retry = identify_gate_.take(shard, clock::now());
    if (!retry) break;
    // Woken early by a release in the bucket (wake_identify_waits) or by stop().
    boost::asio::steady_timer wait(ex_, *retry);
    identify_waits_.insert(&wait);
    auto [ec] = co_await wait.async_wait(async::nothrow);
    (void)ec;
    identify_waits_.erase(&wait);
  }
  co_await await_session_start();
}

void discord_adapter::wake_identify_waits() {
  for (auto* wait : identify_waits_)
    wait->cancel();
}

async::task<void> discord_adapter::await_session_start() {
  auto log = layer_log("discord");
  while (!stopping_ && !halting_shards_) {
    std::optional<session_start_limit> limit;
    if (start_limit_ && start_limit_uses_ > 0) {
      --start_limit_uses_;
      limit = start_limit_;
      // This Identify takes one: the next shard of the round sees one fewer left.
      if (start_limit_->remaining > 0) --start_limit_->remaining;
    } else {
      start_limit_.reset();
      const auto r = co_await rest_.request("GET", "/gateway/bot");
      if (r.ok()) limit = session_start_limit::from_gateway_bot(r.body);
    }
    // Unknown (the call failed, or the answer had no limit): identify, as Discord then decides.
    if (!limit) co_return;
    const auto wait = limit->wait_before_identify();
    if (wait.count() == 0) co_return;
    log->warn(
        "Discord allows no more session starts now ({} used of {}); waiting {} s for the limit "
        "to reset before identifying, as one more would make Discord reset the bot token",
        limit->total - limit->remaining, limit->total,
        std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    start_limit_uses_ = 0;  // after the wait, ask Discord again
    boost::asio::steady_timer timer(ex_, wait);
    start_waits_.insert(&timer);
    auto [ec] = co_await timer.async_wait(async::nothrow);
    (void)ec;  // expired, or cut short by stop()
    start_waits_.erase(&timer);
  }
}

async::task<void> discord_adapter::run(message_handler on_message) {
  handler_ = &on_message;
  shard_events_ = [this](gateway_event& e) { on_event(e); };
  auto log = layer_log("discord");
  std::string url = co_await gateway_url();
  int count = shard_count(options_.shards, recommended_shards_);
  if (!url.empty() && !stopping_) take_handover();
  while (!url.empty() && !stopping_) {
    co_await run_shards(url, count);
    if (shard_fatal_.empty() || stopping_) break;
    if (shard_fatal_code_ == 4011 && options_.shards == 0) {
      // Discord moved the bot past what this many shards may hold: start over with more.
      const int before = count;
      url = co_await gateway_url();
      count = reshard_count(before, recommended_shards_);
      log->warn("Discord requires more shards (4011); restarting the gateway with {} instead of {}",
                count, before);
      continue;
    }
    failure_ = shard_fatal_;
    if (shard_fatal_code_ == 4011) {
      failure_ += " (discord.shards is " + std::to_string(options_.shards) +
                  "; raise it, or set it to \"auto\")";
    }
    log->critical("the Discord adapter stops: {}", failure_);
    break;
  }
  options_.token.clear();  // kept until now for new shards
  handler_ = nullptr;
  // Replies already queued still leave, within the shutdown budget (design.md §5), and so do
  // those of the commands the app is still committing: they were taken in, so they are owed.
  const auto deadline = clock::now() + options_.flush_timeout;
  co_await await_answers(deadline);
  const auto flushed = co_await rest_.flush(deadline);
  if (unanswered_ > 0) log->warn("{} commands were still unanswered at shutdown", unanswered_);
  if (!flushed) log->warn("{} REST calls still queued at shutdown were dropped", rest_.queued());
  rest_.stop();
  log->info(
      "discord adapter finished; REST queue peak {} calls ({} bytes), gateway reads paused {} "
      "times",
      rest_.peak_queued(), rest_.peak_queued_bytes(), backpressure_.pauses());
}

async::task<void> discord_adapter::run_shards(const std::string& url, int count) {
  shards_.clear();
  shard_fatal_.clear();
  shard_fatal_code_.reset();
  halting_shards_ = false;
  identify_gate_.set_max_concurrency(start_limit_ ? start_limit_->max_concurrency : 1);
  start_limit_uses_ = count;  // the limit that came with the URL serves the first round
  for (int id = 0; id < count; ++id) {
    gateway_client_options g;
    g.token = options_.token;
    g.gateway_url = url;
    g.intents = options_.intents;
    g.compress = options_.compress;
    g.ca_file = options_.ca_file;
    // One shard identifies as none, as a bot that never heard of shards does.
    if (count > 1) g.shard = gateway_codec::shard{id, count};
    g.before_identify = [this, id] { return await_identify_turn(id); };
    g.identify_sent = [this, id] {
      identify_gate_.sent(id, clock::now());
      wake_identify_waits();
    };
    g.identify_abandoned = [this, id] {
      identify_gate_.abandoned(id);
      wake_identify_waits();
    };
    if (handover_) g.resume_from = handover_->session_of(id, count);
    shards_.push_back(std::make_unique<gateway_client>(ex_, std::move(g)));
    shards_.back()->pause_reading(backpressure_.paused());
  }
  handover_.reset();  // a later round (more shards after 4011) starts new sessions
  if (count > 1) layer_log("discord")->info("running {} gateway shards", count);
  boost::asio::steady_timer done(ex_, clock::time_point::max());
  shards_done_ = &done;
  shards_running_ = shards_.size();
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    async::supervise(ex_, run_shard(i), "discord gateway shard", [this] {
      if (--shards_running_ == 0 && shards_done_ != nullptr) shards_done_->cancel();
    });
  }
  while (shards_running_ > 0) {
    auto [ec] = co_await done.async_wait(async::nothrow);
    (void)ec;
  }
  shards_done_ = nullptr;
}

async::task<void> discord_adapter::run_shard(std::size_t index) {
  gateway_client& shard = *shards_[index];
  const std::string fatal = co_await shard.run(shard_events_);
  if (fatal.empty() || !shard_fatal_.empty()) co_return;
  // One shard down for good leaves its guilds unserved: stop the rest, and let run() decide.
  shard_fatal_ = fatal;
  shard_fatal_code_ = shard.fatal_close_code();
  // Shards waiting for their turn to identify give up now rather than when it comes.
  halting_shards_ = true;
  stop_shards(&shard);
}

void discord_adapter::on_event(gateway_event& event) {
  if (auto* m = std::get_if<gateway_event::message_create>(&event.data)) {
    on_message_create(*m);
  } else if (auto* i = std::get_if<gateway_event::interaction_create>(&event.data)) {
    on_interaction(i->raw);
  } else if (auto* other = std::get_if<gateway_event::other_dispatch>(&event.data)) {
    if (!other->raw.empty() && event.t) roles_.on_dispatch(*event.t, other->raw);
  } else if ((std::holds_alternative<gateway_event::ready>(event.data) ||
              std::holds_alternative<gateway_event::resumed>(event.data)) &&
             !commands_checked_) {
    // Once per process, after its first session is up: a resumed one has no READY.
    commands_checked_ = true;
    async::supervise(ex_, register_commands(), "discord command registration");
  }
}

void discord_adapter::on_message_create(gateway_event::message_create& m) {
  // Bots answering bots loop forever; our own messages come back to us as well.
  if (m.author.bot || handler_ == nullptr || stopping_) return;
  ++stats_.messages_in;
  inbound_message in;
  if (m.guild_id) {
    static const std::vector<std::string> no_roles;
    in.author_is_moderator =
        roles_.moderates(*m.guild_id, m.author.id, m.member ? m.member->roles : no_roles);
    if (const auto known = channel_guild_.find(m.channel_id);
        known == channel_guild_.end() || known->second != *m.guild_id) {
      channel_guild_.insert_or_assign(m.channel_id, std::move(*m.guild_id));
    }
  }
  // The event is this message's only holder: its strings move.
  in.channel = {"discord", std::move(m.channel_id)};
  in.author = {std::move(m.author.id), m.author.global_name ? std::move(*m.author.global_name)
                                                            : std::move(m.author.username)};
  in.text = std::move(m.content);
  in.message_id = std::move(m.id);
  (*handler_)(std::move(in));
}

void discord_adapter::on_interaction(const std::string& raw) {
  if (handler_ == nullptr || stopping_) return;
  auto parsed = parse_interaction(raw, options_.prefix);
  if (!parsed) {
    layer_log("discord")->warn("malformed INTERACTION_CREATE ignored");
    return;
  }
  ++stats_.interactions_in;
  if (!parsed->guild_id.empty()) channel_guild_[parsed->channel_id] = parsed->guild_id;
  const auto made = made_at(parsed->id);  // before the id moves into p
  pending_interaction p{std::move(*parsed), made, {}, {}};
  p.message_id = "interaction:" + p.what.id;
  if (p.what.text.empty()) {
    // Not ours to run (another command, a stale button), but every interaction is answered.
    outbound_message sorry;
    sorry.add_text("I can't do that one. Try /tweetup help.");
    p.replies.push_back(std::move(sorry));
    start_answer(std::move(p));
    return;
  }
  inbound_message in;
  in.channel = {"discord", p.what.channel_id};
  in.author = p.what.user;
  in.text = p.what.text;
  in.message_id = p.message_id;
  // Interactions carry the member's permissions, channel overwrites included (R8).
  in.author_is_moderator = !p.what.guild_id.empty() && p.what.permissions &&
                           guild_roles::grants_moderation(*p.what.permissions);
  in.replies_inline = true;  // post() collects the replies into current_ (see below)
  current_ = std::move(p);
  (*handler_)(std::move(in));
  pending_interaction done = std::move(*current_);
  current_.reset();
  start_answer(std::move(done));
}

// What to send for one interaction, decided before any I/O: the coroutine below only sends it.
struct discord_adapter::answer_plan {
  std::string callback;       // POST body of the initial response
  std::string original_edit;  // after a deferral: PATCH body of @original; empty otherwise
  std::vector<std::string> followups;
  std::optional<event_card> changed;    // the event's card after the change, if any
  std::optional<event_card> announced;  // the card the response itself shows, if any
};

discord_adapter::answer_plan discord_adapter::plan_answer(const pending_interaction& p) const {
  answer_plan plan;
  std::vector<json> parts;
  for (const auto& reply : p.replies) {
    for (auto& part : message_payload::interaction_messages(reply))
      parts.push_back(std::move(part));
    if (reply.card && reply.card->role == event_card::use::update) plan.changed = reply.card;
    if (shows_card(reply.card)) plan.announced = reply.card;
  }
  if (p.what.kind == interaction::type::button) {
    // The tap's confirmation is for the person who tapped; the card shows everyone the counts.
    for (auto& part : parts)
      part["flags"] = ephemeral;
    plan.callback = json_text(plan.changed ? json{{"type", 7}, {"data", card_body(*plan.changed)}}
                                           : json{{"type", 6}});
  } else {
    if (parts.empty()) {
      parts.push_back({{"content", "Done."}, {"allowed_mentions", {{"parse", json::array()}}}});
    }
    json first = std::move(parts.front());
    parts.erase(parts.begin());
    if (plan.announced) {
      first["embeds"] = json::array({event_embed::embed(*plan.announced)});
      first["components"] = event_embed::components(*plan.announced);
    }
    if (clock::now() - p.received > options_.defer_after) {
      // Too slow for a direct answer: acknowledge now, then fill in the original response.
      plan.callback = json_text(json{{"type", 5}});
      plan.original_edit = json_text(first);
    } else {
      plan.callback = json_text(json{{"type", 4}, {"data", first}});
    }
  }
  for (const auto& part : parts)
    plan.followups.push_back(json_text(part));
  return plan;
}

// The card a command's answer shows, made by that answer (a button's answer only updates one).
std::optional<discord_adapter::card_key> discord_adapter::card_made_by(const interaction& in,
                                                                       const answer_plan& plan) {
  if (in.kind == interaction::type::button || !plan.announced) return std::nullopt;
  return card_key{in.channel_id, plan.announced->number};
}

void discord_adapter::start_answer(pending_interaction p) {
  answer_plan plan = plan_answer(p);
  // A change that comes before the new card's id is known waits for it, from now on (the
  // coroutine starts on a later turn).
  if (const auto key = card_made_by(p.what, plan)) card_in_making(*key);
  async::supervise(ex_, answer(std::move(p), std::move(plan)), "discord interaction");
}

// Sends the callback and, after a deferral, fills in @original. Returns the id of the message
// the answer made (empty when none, or when it is not known), or nothing when the answer failed.
async::task<std::optional<std::string>> discord_adapter::send_answer(const interaction& in,
                                                                     const answer_plan& plan,
                                                                     const std::string& webhook) {
  // with_response: the answer names the message it created, so its card can be refreshed.
  std::string callback = "/interactions/" + in.id + "/" + in.token + "/callback";
  if (in.kind != interaction::type::button) callback += "?with_response=true";
  const auto r = co_await rest_.request("POST", callback, plan.callback);
  // Acknowledged by an earlier try whose answer was lost: the rest of the answer still goes,
  // but the message the callback made must be asked for.
  const bool acknowledged_before = !r.ok() && already_acknowledged(r);
  if (!r.ok() && !acknowledged_before) co_return std::nullopt;
  if (!plan.original_edit.empty()) {
    const auto edit =
        co_await rest_.request("PATCH", webhook + "/messages/@original", plan.original_edit);
    if (!edit.ok()) co_return std::nullopt;
    co_return created_message_id(edit.body);
  }
  if (acknowledged_before && plan.announced) {
    const auto original = co_await rest_.request("GET", webhook + "/messages/@original", "");
    co_return original.ok() ? created_message_id(original.body) : std::string{};
  }
  co_return created_message_id(r.body);
}

async::task<void> discord_adapter::answer(pending_interaction p, answer_plan plan) {
  const interaction& in = p.what;
  const std::string webhook = "/webhooks/" + in.application_id + "/" + in.token;
  const auto original_id = co_await send_answer(in, plan, webhook);
  if (const auto key = card_made_by(in, plan)) {  // held by start_answer
    card_made(*key, original_id.value_or(std::string{}));
  }
  if (!original_id) co_return;
  if (in.kind == interaction::type::button) {
    if (plan.changed) {
      ++stats_.cards_updated;
      remember_card(in.channel_id, plan.changed->number, in.message_id);
    }
  } else {
    if (plan.announced && options_.scheduled_events) {
      sync_scheduled_event(in.channel_id, *plan.announced);
    }
    if (plan.changed && !stopping_) {
      outbound_message refresh;
      refresh.channel = {"discord", in.channel_id};
      refresh.card = plan.changed;
      post_to_channel(std::move(refresh));
    }
  }
  // Follow-ups share the webhook's queue, so they arrive in order after the callback.
  for (const auto& body : plan.followups) {
    ++stats_.messages_out;
    // A webhook's message has no nonce: after a doubtful failure it is not sent again.
    rest_.submit("POST", webhook, body, {}, rest_client::repeat::only_if_unsent);
  }
}

void discord_adapter::post(outbound_message message) {
  if (current_ && message.reply_to == current_->message_id) {
    current_->replies.push_back(std::move(message));
    return;
  }
  post_to_channel(std::move(message));
}

void discord_adapter::post_to_channel(outbound_message message) {
  // Only the card moves out of the message below, so the channel is not copied.
  const std::string& channel = message.channel.channel;
  std::string path;
  path.reserve(channel.size() + 19);
  path.append("/channels/").append(channel).append("/messages");
  const bool announce = shows_card(message.card);
  const json card = announce ? json{{"embeds", json::array({event_embed::embed(*message.card)})},
                                    {"components", event_embed::components(*message.card)}}
                             : json{};
  auto bodies = message_payload::create_message_bodies(message, card);
  std::shared_ptr<delivery_tally> tally;
  if (message.on_settled) {
    if (bodies.empty())
      message.on_settled(delivery::delivered);  // nothing to say
    else
      tally = std::make_shared<delivery_tally>(bodies.size(), std::move(message.on_settled));
  }
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    ++stats_.messages_out;
    rest_client::completion done;
    if (announce && i + 1 == bodies.size()) {
      card_key key{channel, message.card->number};
      card_in_making(key);
      done = [this, key = std::move(key)](const rest_result& r) {
        card_made(key, r.ok() ? created_message_id(r.body) : std::string{});
      };
    }
    if (tally) {
      done = [tally, then = std::move(done)](const rest_result& r) {
        if (then) then(r);
        tally->part(r);
      };
    }
    // The last body takes the path itself; nearly every message has only one.
    rest_.submit("POST", i + 1 == bodies.size() ? std::move(path) : path, std::move(bodies[i]),
                 std::move(done));
  }
  if (message.card && options_.scheduled_events) sync_scheduled_event(channel, *message.card);
  // Last, so that the card moves instead of being copied: nearly every RSVP comes here.
  if (message.card && message.card->role == event_card::use::update) {
    refresh_card(channel, std::move(*message.card));
  }
}

// A change refreshes the card already shown for the event, wherever this process saw it. When
// the announcement is still being posted, the newest change waits for its id.
void discord_adapter::refresh_card(const std::string& channel, event_card card) {
  card_key key{channel, card.number};
  if (const auto making = announcing_.find(key); making != announcing_.end()) {
    making->second.newest = std::move(card);
    return;
  }
  queue_refresh(std::move(key), std::move(card));
}

void discord_adapter::queue_refresh(card_key key, event_card card) {
  if (cards_.find(key) == cards_.end()) return;
  // A burst of RSVPs to one tweetup makes one PATCH per turn of the queue, with the newest
  // counts, instead of one per RSVP.
  refreshes_.insert_or_assign(key, std::move(card));
  if (refreshing_.insert(key).second) {
    async::supervise(ex_, run_refresh(key), "discord card refresh");
  }
}

// The interval plus up to half of it again, fixed per card: cards that a burst refreshed
// together would otherwise all refresh again in the same instant, once a second.
discord_adapter::clock::duration discord_adapter::refresh_gap(const card_key& key) const {
  const std::size_t spread =
      (std::hash<std::string>{}(key.first) ^ std::size_t(key.second) * 31) % 512;
  return options_.card_refresh_interval + options_.card_refresh_interval * spread / 1024;
}

async::task<void> discord_adapter::run_refresh(card_key key) {
  for (;;) {
    auto shown = cards_.find(key);
    const auto due =
        shown == cards_.end() ? clock::time_point{} : shown->second.refreshed_at + refresh_gap(key);
    if (!stopping_ && due > clock::now()) {
      // Within the interval of the last refresh: wait, and send the newest change after it.
      boost::asio::steady_timer wait(ex_, due);
      refresh_waits_.insert(&wait);
      co_await wait.async_wait(async::nothrow);
      refresh_waits_.erase(&wait);
      shown = cards_.find(key);  // the wait may have seen it evicted
    }
    const auto next = refreshes_.find(key);
    if (next == refreshes_.end() || shown == cards_.end()) {
      if (next != refreshes_.end()) refreshes_.erase(next);
      refreshing_.erase(key);
      co_return;
    }
    const std::string body = json_text(card_body(next->second));
    // Taken now: a change that comes while this PATCH is on its way waits for the next turn.
    refreshes_.erase(next);
    ++stats_.cards_updated;
    shown->second.refreshed_at = clock::now();
    const std::string path = "/channels/" + key.first + "/messages/" + shown->second.message_id;
    const auto r = co_await rest_.request("PATCH", path, body);
    (void)r;  // failures are logged by the REST client; the next change tries again
  }
}

void discord_adapter::card_in_making(const card_key& key) {
  ++announcing_[key].makers;
}

void discord_adapter::card_made(const card_key& key, std::string message_id) {
  const auto making = announcing_.find(key);
  if (making == announcing_.end()) return;
  std::optional<event_card> newest;
  if (--making->second.makers == 0) {
    newest = std::move(making->second.newest);
    announcing_.erase(making);
  } else if (!message_id.empty()) {
    newest = making->second.newest;  // this card shows it now; the next one made will too
  }
  // Without an id this message is no card; an earlier card of the event may still show it.
  if (!message_id.empty()) remember_card(key.first, key.second, std::move(message_id));
  if (newest) queue_refresh(key, std::move(*newest));
}

void discord_adapter::remember_card(const std::string& channel_id, int number,
                                    std::string message_id) {
  card_key key{channel_id, number};
  const auto [it, added] = cards_.try_emplace(key);
  it->second.message_id = std::move(message_id);  // keeps the time of its last refresh
  if (!added) return;
  card_order_.push_back(std::move(key));
  if (card_order_.size() > max_cards) {
    cards_.erase(card_order_.front());
    card_order_.erase(card_order_.begin());
  }
}

async::task<void> discord_adapter::register_commands() {
  auto log = layer_log("discord");
  if (options_.commands == "off") co_return;
  const std::string app = application_id();
  if (app.empty()) {
    log->warn("no application id (discord.application_id, or READY); /tweetup not registered");
    co_return;
  }
  std::vector<std::string> paths;
  if (options_.commands == "global") {
    paths.push_back("/applications/" + app + "/commands");
  } else {
    for (const auto& guild : options_.guild_ids)
      paths.push_back("/applications/" + app + "/guilds/" + guild + "/commands");
    if (paths.empty()) {
      log->warn(
          "discord.commands is guild but discord.guild_ids is empty; /tweetup not "
          "registered");
    }
  }
  const json wanted = slash_command::commands_payload();
  for (const auto& path : paths) {
    if (stopping_) co_return;
    const auto current = co_await rest_.request("GET", path);
    if (current.ok()) {
      const json registered = json::parse(current.body, nullptr, false);
      if (registered.is_array() && slash_command::same_commands(registered, wanted)) {
        log->info("/tweetup is registered and up to date ({})", path);
        continue;
      }
    }
    // R9: a bulk overwrite only when the definition changed; unchanged PUTs are not needed.
    const auto put = co_await rest_.request("PUT", path, json_text(wanted));
    if (put.ok()) log->info("/tweetup registered ({})", path);
  }
}

void discord_adapter::sync_scheduled_event(const std::string& channel, const event_card& card) {
  const auto guild = channel_guild_.find(channel);
  if (guild == channel_guild_.end()) return;  // a DM: no guild, no Events tab
  auto& sync = guild_events_[guild->second];
  sync.todo.push_back({channel, card});
  if (sync.running) return;
  sync.running = true;
  async::supervise(ex_, run_event_sync(guild->second), "discord scheduled events");
}

namespace {

// Our events among those GET /guilds/{id}/scheduled-events returned, by marker.
void index_events(const std::string& body, std::map<std::string, std::string>& found) {
  const json list = json::parse(body, nullptr, false);
  if (!list.is_array()) return;
  for (const auto& event : list) {
    const auto marker = scheduled_event::marker_of(event);
    const auto id = event.find("id");
    if (marker && id != event.end() && id->is_string()) found[*marker] = id->get<std::string>();
  }
}

}  // namespace

async::task<void> discord_adapter::run_event_sync(std::string guild) {
  const std::string path = "/guilds/" + guild + "/scheduled-events";
  for (;;) {
    guild_events& sync = guild_events_[guild];  // std::map: stays put across the awaits
    if (sync.todo.empty() || stopping_) {
      sync.running = false;
      co_return;
    }
    if (!sync.loaded) {
      // After a restart, find the events this bot made before, so none is made twice.
      const auto r = co_await rest_.request("GET", path);
      std::map<std::string, std::string> found;
      if (r.ok()) index_events(r.body, found);
      for (auto& [marker, id] : found)
        sync.events[marker].id = std::move(id);
      sync.loaded = true;
      continue;
    }
    event_change change = std::move(sync.todo.front());
    sync.todo.pop_front();
    const std::string& channel = change.channel;
    const event_card& card = change.card;
    const std::string marker = scheduled_event::marker(channel, card.number);
    const json wanted = scheduled_event::update_body(card);
    const auto known = sync.events.find(marker);
    if (known == sync.events.end()) {
      // Only an announcement of an open tweetup makes one; changes follow it.
      if (card.role != event_card::use::announce || !card.open) continue;
      // Not sent twice on a doubtful failure: Discord would make a second event.
      const auto r = co_await rest_.request("POST", path,
                                            json_text(scheduled_event::create_body(card, channel)),
                                            rest_client::repeat::only_if_unsent);
      const std::string id = r.ok() ? created_message_id(r.body) : std::string{};
      if (!id.empty()) {
        sync.events[marker] = {id, wanted};
      } else if (!change.again && (r.status == 0 || r.status >= 500)) {
        // Perhaps made all the same: read the guild's events again, which finds it by its
        // marker, and only then does this change go once more.
        change.again = true;
        sync.todo.push_front(std::move(change));
        sync.loaded = false;
      }
      continue;
    }
    // Unchanged fields (an RSVP) cost no call; a cancelled event is final.
    if (known->second.id.empty() || known->second.last == wanted ||
        scheduled_event::is_cancel(known->second.last)) {
      continue;
    }
    const std::string id = known->second.id;
    const auto r = co_await rest_.request("PATCH", path + "/" + id, json_text(wanted));
    if (r.ok()) sync.events[marker] = {id, wanted};
  }
}

}  // namespace tweetup

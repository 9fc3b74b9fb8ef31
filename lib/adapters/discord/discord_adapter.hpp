// The Discord adapter: the gateway (gateway_client) for what people say and tap, REST
// (rest_client) for what the bot says (protocols.md §1a, §1b).
//
// - run() asks GET /gateway/bot for the gateway URL (G1), retrying with backoff, then runs the
//   gateway until stop() or a fatal close code; a 401 there ends run() with a clear log line.
// - Sharding (G15): `shards` gateway connections, or with 0 ("auto") as many as Discord
//   recommends, each identifying as [id, count]. Discord sends each guild's events to one shard
//   and DMs to shard 0; every shard feeds the same handler. Identifies wait for their turn in
//   their rate-limit bucket (identify_gate.hpp) and for the session start limit. When Discord
//   closes with 4011 (sharding required) in auto mode, every shard is closed and the gateway
//   starts again with more shards; with a fixed count that is fatal, with advice.
// - MESSAGE_CREATE from people (never from bots, ourselves included) reaches the handler as
//   channel {"discord", channel id}, author {user id, display name}; moderators are the guild's
//   owner and members whose roles grant ADMINISTRATOR, MANAGE_GUILD or MANAGE_EVENTS.
// - INTERACTION_CREATE (the /tweetup slash command, the RSVP buttons) reaches the handler as the
//   equivalent typed command, marked replies_inline; the replies the handler posts for it
//   before it returns become the interaction's answer (R8): the first as the callback, within
//   the 3 s budget, the rest as follow-ups. A tap answers with UPDATE_MESSAGE (the card's new
//   counts) and an ephemeral confirmation.
// - post() renders a message (message_payload: allowed_mentions limited to the people the core
//   named, a nonce from the idempotency key with enforce_nonce, a reply reference that does not
//   ping) and queues it on the channel's REST queue, so replies keep their order. A message that
//   announces an event carries its embed and buttons; one that changes an event also refreshes
//   the announcement this process posted or saw tapped.
// - With `scheduled_events`, each announced tweetup also becomes an EXTERNAL Guild Scheduled
//   Event, moved and cancelled along with it (R10).
// - After READY, /tweetup is registered by bulk overwrite in each configured scope, only when
//   the registered definition differs (R9).
// - Backpressure: while the REST queue, counting the app's unanswered messages as the calls they
//   are about to be (set_unanswered), is over rest_backpressure's high marks, the gateway stops
//   reading frames (heartbeats and sends go on) until the queue is down to the low marks, so a
//   flood of commands waits in the socket and on Discord's side, not as replies in our heap.
// - Restarts lose nothing said meanwhile (gateway_handover.hpp): stop() closes the gateway with
//   a resumable code and leaves each shard's session, with what READY and the guild dispatches
//   taught, in `memory`; the next run() takes it (once) and resumes those sessions, so Discord
//   replays the events it sent since. Without `memory` or `resume_after_restart`, or when
//   nothing is resumable, stop() closes with 1000, which ends the session for Discord too.
// - stop() takes no more messages in; run() then waits up to
//   `flush_timeout`, first for the app to answer the messages it already took (their replies
//   come after their commit and its sync), then for the queued calls to leave.
// Executor: everything runs on the executor given to the constructor; not thread-safe. The
// token goes to the gateway and REST clients only and is never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "adapters/chat_adapter.hpp"
#include "adapters/discord/gateway_client.hpp"
#include "adapters/discord/gateway_handover.hpp"
#include "adapters/discord/guild_roles.hpp"
#include "adapters/discord/identify_gate.hpp"
#include "adapters/discord/interaction.hpp"
#include "adapters/discord/rest_backpressure.hpp"
#include "adapters/discord/rest_client.hpp"
#include "adapters/discord/session_start_limit.hpp"
#include "core/adapter_memory.hpp"

namespace tweetup {

struct discord_adapter_options {
  std::string api_base = "https://discord.com/api/v10";
  std::string token;  // TWEETUP_DISCORD_TOKEN; never logged
  std::string user_agent = "DiscordBot (https://github.com/tweetup/tweetup, 0.1.0)";
  std::string ca_file;
  std::string prefix = "!";        // the core's command prefix, for commands made from taps
  std::string application_id;      // empty: taken from READY
  std::string commands = "guild";  // where /tweetup is registered: guild | global | off
  std::vector<std::string> guild_ids;
  std::uint32_t intents = gateway_session::default_intents;
  std::size_t global_rate_limit = 50;  // REST requests per second for the whole bot (R11)
  bool compress = true;
  int shards = 0;                 // gateway connections (G15); 0: Discord's recommendation
  bool scheduled_events = false;  // mirror tweetups as Guild Scheduled Events (R10)
  std::chrono::milliseconds flush_timeout{4000};
  // An interaction whose answer is not ready this long after it arrived is deferred first
  // (callback type 5 or 6), then completed by editing the original response (R8: 3 s budget).
  std::chrono::milliseconds defer_after{2000};
  // The least time between two refreshes of one card (each card adds its own fixed part of up
  // to half of it, so cards do not all refresh in step). The first change shows at once;
  // changes within the interval wait and go out together with the newest counts, so a busy
  // tweetup costs one PATCH a second instead of one per RSVP (and stays clear of Discord's
  // limits).
  std::chrono::milliseconds card_refresh_interval{1000};
  // When the gateway stops and resumes reading, by the REST calls and bytes queued.
  rest_backpressure::settings backpressure;
  // Where stop() leaves the gateway sessions for the next process; null: nowhere.
  adapter_memory* memory = nullptr;
  bool resume_after_restart = true;
};

class discord_adapter final : public chat_adapter {
 public:
  struct counters {
    std::uint64_t messages_in = 0;
    std::uint64_t interactions_in = 0;
    std::uint64_t messages_out = 0;  // message bodies handed to REST
    std::uint64_t cards_updated = 0;
  };

  discord_adapter(async::executor ex, discord_adapter_options options);
  ~discord_adapter() override;

  void post(outbound_message message) override;
  async::task<void> run(message_handler on_message) override;
  void stop() override;
  std::string_view name() const override { return "discord"; }
  std::string_view failure() const override { return failure_; }
  void set_unanswered(std::size_t count) override;

  // Every shard's gateway session is established (READY or RESUMED on its connection).
  bool connected() const override;
  // "N of M shards" established, when the gateway runs more than one.
  std::string connection_detail() const override;
  const counters& stats() const { return stats_; }
  const rest_client& rest() const { return rest_; }

 private:
  using clock = std::chrono::steady_clock;
  using card_key = std::pair<std::string, int>;  // channel id, event number
  // Cards are looked up four times per RSVP (announcing, shown, refreshes, refreshing): hashed,
  // since ordered lookups compare channel snowflakes that share long prefixes.
  struct card_key_hash {
    std::size_t operator()(const card_key& key) const noexcept {
      return std::hash<std::string>{}(key.first) ^
             (static_cast<std::size_t>(key.second) * 0x9e3779b97f4a7c15ULL);
    }
  };

  // An interaction being handled: the replies the handler posts for it are collected here.
  struct pending_interaction {
    interaction what;
    clock::time_point received;  // when Discord made it, as its id tells (see made_at)
    std::string message_id;      // the id the inbound message carried, which replies point to
    std::vector<outbound_message> replies;
  };

  // G1: the gateway URL, or empty when the token is refused or stop() came first. Keeps the
  // session start limit and the recommended shard count that came with it.
  async::task<std::string> gateway_url();
  // Runs `count` shards on `url` until stop() or a fatal close of one of them, which stops the
  // others; its reason and close code are left in shard_fatal_.
  async::task<void> run_shards(const std::string& url, int count);
  async::task<void> run_shard(std::size_t index);
  // Before each Identify of shard `shard`: waits for its turn in its bucket (G14), then while
  // Discord allows no more session starts.
  async::task<void> await_identify_turn(int shard);
  async::task<void> await_session_start();
  void wake_identify_waits();
  // Stops every shard but `except`; waits for a turn or for session starts end at once.
  // `keep_sessions`: closes resumably (see hand_over).
  void stop_shards(const gateway_client* except = nullptr, bool keep_sessions = false);
  // Takes the handover the last process left (at most once: it is forgotten as it is read) and
  // keeps it in handover_ when this bot may resume it now.
  void take_handover();
  // Leaves the shards' sessions for the next process; false when none was left.
  bool hand_over();
  void on_event(gateway_event& event);
  void on_message_create(gateway_event::message_create& message);
  void on_interaction(const std::string& raw);
  struct answer_plan;
  answer_plan plan_answer(const pending_interaction& p) const;
  static std::optional<card_key> card_made_by(const interaction& in, const answer_plan& plan);
  void start_answer(pending_interaction p);
  async::task<void> answer(pending_interaction p, answer_plan plan);
  async::task<std::optional<std::string>> send_answer(const interaction& in,
                                                      const answer_plan& plan,
                                                      const std::string& webhook);
  async::task<void> register_commands();
  // Scheduled events: changes queue per guild, one worker sends them in order.
  void sync_scheduled_event(const std::string& channel, const event_card& card);
  async::task<void> run_event_sync(std::string guild);
  void post_to_channel(outbound_message message);
  void refresh_card(const std::string& channel, event_card card);
  async::task<void> run_refresh(card_key key);
  clock::duration refresh_gap(const card_key& key) const;
  void remember_card(const std::string& channel_id, int number, std::string message_id);
  // An announcement's id is known only once its message is made: until card_made, changes to
  // its event wait in announcing_. Calls pair up, and several cards of one event may be in
  // making at once (info shows the card too). An empty id (the message was not made) drops
  // what waited only when no other card of the event is still being made.
  void card_in_making(const card_key& key);
  void card_made(const card_key& key, std::string message_id);
  void queue_refresh(card_key key, event_card card);  // refresh_card, past the hold
  std::string application_id() const;
  // Feeds the load (REST's queue and the app's unanswered messages) to backpressure_ and pauses
  // or resumes the gateway's reads.
  void apply_backpressure();
  // Waits until the app has answered every message it took in (set_unanswered says 0), or the
  // deadline: the replies it still owes must find REST open.
  async::task<void> await_answers(clock::time_point deadline);

  async::executor ex_;
  discord_adapter_options options_;
  rest_client rest_;
  rest_backpressure backpressure_;
  std::size_t unanswered_ = 0;
  boost::asio::steady_timer answers_wait_;  // await_answers', cut short at zero
  std::vector<std::unique_ptr<gateway_client>> shards_;
  gateway_client::event_handler shard_events_;  // what every shard delivers to; set by run()
  std::size_t shards_running_ = 0;
  boost::asio::steady_timer* shards_done_ = nullptr;  // run_shards' wait for the last to end
  std::string shard_fatal_;
  std::optional<std::uint16_t> shard_fatal_code_;
  bool halting_shards_ = false;  // one shard stopped for good; the others are being stopped
  identify_gate identify_gate_{identify_spacing};
  std::set<boost::asio::steady_timer*> identify_waits_;  // shards waiting for their turn
  guild_roles roles_;
  std::optional<gateway_handover> handover_;  // from the last process, until shards take it
  std::string handed_application_id_;         // from the handover: no READY tells it
  const message_handler* handler_ = nullptr;  // while run() is active
  std::optional<pending_interaction> current_;
  // Announcement messages by event, so a change can refresh the card in place. Bounded: the
  // oldest entries go first.
  struct shown_card {
    std::string message_id;
    clock::time_point refreshed_at;  // the last PATCH of its counts; epoch: never
  };
  std::unordered_map<card_key, shown_card, card_key_hash> cards_;
  std::vector<card_key> card_order_;
  // Cards waiting to be refreshed, the newest change each; a worker per key sends them.
  std::unordered_map<card_key, event_card, card_key_hash> refreshes_;
  std::unordered_set<card_key, card_key_hash> refreshing_;
  // The workers' waits between refreshes; stop() cuts them short so the last counts go out.
  std::set<boost::asio::steady_timer*> refresh_waits_;
  // Announcements being posted, with the newest change that waits for their id.
  struct in_making {
    int makers = 0;                    // messages showing the card, not yet answered
    std::optional<event_card> newest;  // the last change meanwhile
  };
  std::unordered_map<card_key, in_making, card_key_hash> announcing_;
  // The guild of each channel we heard from (scheduled events live in guilds). Looked up for
  // every message: hashed, since ordered lookups compare long snowflakes that share prefixes.
  std::unordered_map<std::string, std::string> channel_guild_;
  struct synced_event {
    std::string id;
    nlohmann::json last;  // the fields last sent, so unchanged cards cost no call
  };
  struct event_change {
    std::string channel;
    event_card card;
    // Its create failed in a way that may still have made the event: it goes once more, after
    // the guild's events were read again.
    bool again = false;
  };
  struct guild_events {
    bool loaded = false;  // our existing events were read back (after a restart, a failure)
    bool running = false;
    std::deque<event_change> todo;
    std::map<std::string, synced_event> events;  // by scheduled_event::marker
  };
  std::map<std::string, guild_events> guild_events_;
  // The limit GET /gateway/bot gave with the URL, used by the first round of Identifies (one
  // per shard, counted down here); later ones ask again.
  std::optional<session_start_limit> start_limit_;
  int start_limit_uses_ = 0;
  std::optional<int> recommended_shards_;             // from the same answer
  std::set<boost::asio::steady_timer*> start_waits_;  // await_session_start's, for stop()
  counters stats_;
  std::string failure_;
  bool commands_checked_ = false;
  bool stopping_ = false;
};

}  // namespace tweetup

#include "app/application.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "adapters/console/console_adapter.hpp"
#include "adapters/discord/discord_adapter.hpp"
#include "adapters/irc/irc_adapter.hpp"
#include "adapters/transport/http_server.hpp"
#include "app/counting_chat_port.hpp"
#include "app/dispatcher.hpp"
#include "app/health_report.hpp"
#include "app/listen_address.hpp"
#include "app/logging.hpp"
#include "app/ops_routes.hpp"
#include "app/system_clock.hpp"
#include "app/wal_syncer.hpp"
#include "app/write_check_cache.hpp"
#include "async/supervise.hpp"
#include "core/calendar_feed.hpp"
#include "core/gathering_service.hpp"
#include "core/job_runner.hpp"
#include "core/store_error.hpp"
#include "metrics/bot_metrics.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/sqlite_event_store.hpp"

namespace tweetup {

struct application::parts {
  std::unique_ptr<sqlite_event_store> store;
  std::unique_ptr<gathering_service> service;
  system_clock clock;
  std::unique_ptr<chat_adapter> adapter;
  std::unique_ptr<counting_chat_port> port;  // the adapter, counted
  std::unique_ptr<wal_syncer> syncer;  // before the router and the scheduler, which wait on it
  std::unique_ptr<dispatcher> router;
  std::unique_ptr<job_runner> runner;
  std::unique_ptr<scheduler> timer;
  // After the store, so it is unbound before the store it reads closes.
  metrics::gauge::source_binding pending_jobs;
  write_check_cache write_check;
  ops_sources ops;
  // Last, so it goes first: its handler reads the parts above.
  std::unique_ptr<http_server> http;
};

namespace {

health_report current_health(application::parts& p) {
  health_inputs in;
  in.adapter_name = std::string(p.adapter->name());
  in.adapter_connected = p.adapter->connected();
  in.adapter_detail = p.adapter->connection_detail();
  const auto now = std::chrono::steady_clock::now();
  sqlite_event_store* store = p.store.get();
  const wal_syncer* syncer = p.syncer.get();
  in.database_problem = p.write_check.check(now, [store, syncer]() -> std::optional<std::string> {
    if (const auto failure = syncer->failure(); failure)
      return "syncing the write-ahead log failed: " + failure.message();
    try {
      store->check_writable();
      return std::nullopt;
    } catch (const store_error& e) {
      return std::string(e.what());
    }
  });
  in.scheduler_running = p.timer->running();
  in.since_scheduler_woke = now - p.timer->last_woke();
  return build_health_report(in);
}

// Starts the ops endpoint on http.listen; false (after logging why) when it cannot listen.
bool start_ops_endpoint(const async::executor& ex, const std::string& listen,
                        application::parts& p) {
  const auto address = parse_listen_address(listen);  // checked with the config already
  if (!address) {
    app_log()->critical("http.listen \"{}\" is not host:port", listen);
    return false;
  }
  application::parts* parts = &p;
  p.ops.health = [parts] { return current_health(*parts); };
  p.ops.metrics = [] { return metrics::bot_metrics::render(); };
  p.ops.calendar = [parts](std::string_view key) {
    return calendar_feed(*parts->store, key, parts->clock.now());
  };
  const ops_sources* sources = &p.ops;
  p.http = std::make_unique<http_server>(
      ex, [sources](const http_server_request& r) { return route_ops_request(*sources, r); });
  if (const auto ec = p.http->listen(address->host, address->port); ec) {
    app_log()->critical("cannot serve http.listen {}: {}", listen, p.http->last_error_text());
    return false;
  }
  app_log()->info("ops endpoint listening on http://{} (/healthz)", p.http->address());
  return true;
}

}  // namespace

application::application(async::executor ex, config settings)
    : ex_(std::move(ex)), settings_(std::move(settings)) {}

application::~application() = default;

bool application::start() {
  auto p = std::make_unique<parts>();
  try {
    const std::filesystem::path db(settings_.database);
    if (db.has_parent_path() && settings_.database != ":memory:") {
      std::error_code ignored;  // a failure shows up, better worded, when SQLite opens the file
      std::filesystem::create_directories(db.parent_path(), ignored);
    }
    // Commits skip their fsync; the syncer does it off the io thread before replies go out.
    p->store = std::make_unique<sqlite_event_store>(settings_.database,
                                                    sqlite_event_store::commit_sync::by_caller);
  } catch (const store_error& e) {
    app_log()->critical("cannot open the database {}: {}", settings_.database, e.what());
    exit_code_ = 1;
    return false;
  }
  app_log()->info("database {} open (schema {})", settings_.database,
                  sqlite_event_store::schema_version());

  if (settings_.adapter == "irc") {
    irc_adapter_options irc;
    irc.url = settings_.irc.url;
    irc.nick = settings_.irc.nick;
    irc.alt_nicks = settings_.irc.alt_nicks;
    irc.user = settings_.irc.user;
    irc.realname = settings_.irc.realname;
    irc.channels = settings_.irc.channels;
    irc.sasl_user = settings_.irc.sasl_user;
    irc.password = settings_.irc.password.reveal();
    irc.twitch = settings_.irc.twitch;
    irc.send_rate = settings_.irc.send_rate;
    irc.ca_file = settings_.tls.ca_file;
    p->adapter = std::make_unique<irc_adapter>(ex_, std::move(irc));
  } else if (settings_.adapter == "discord") {
    discord_adapter_options discord;
    discord.api_base = settings_.discord.api_base;
    discord.token = settings_.discord.token.reveal();
    discord.user_agent = "DiscordBot (https://github.com/tweetup/tweetup, " TWEETUP_VERSION ")";
    discord.ca_file = settings_.tls.ca_file;
    discord.prefix = settings_.prefix;
    discord.application_id = settings_.discord.application_id;
    discord.commands = settings_.discord.commands;
    discord.guild_ids = settings_.discord.guild_ids;
    discord.scheduled_events = settings_.discord.scheduled_events;
    discord.shards = settings_.discord.shards;
    discord.global_rate_limit = static_cast<std::size_t>(settings_.discord.global_rate_limit);
    discord.memory = p->store.get();
    discord.resume_after_restart = settings_.discord.resume_after_restart;
    p->adapter = std::make_unique<discord_adapter>(ex_, std::move(discord));
  } else {
    console_options console;
    const char* user = std::getenv("USER");
    console.user = user && *user ? user : "you";
    console.banner = ::isatty(0) == 1;
    p->adapter = std::make_unique<console_adapter>(ex_, console);
  }

  service_options options{settings_.prefix, settings_.default_timezone, settings_.reminders,
                          settings_.reannounce.time, settings_.reannounce.max_posts_per_day};
  // The feed path is appended with its own slash, so "https://host/" must not give "//calendar".
  options.public_url = settings_.http.public_url;
  while (!options.public_url.empty() && options.public_url.back() == '/')
    options.public_url.pop_back();
  p->service = std::make_unique<gathering_service>(*p->store, options);
  p->runner = std::make_unique<job_runner>(*p->store, options);
  p->port = std::make_unique<counting_chat_port>(*p->adapter, p->adapter->name());
  // Commits do not sync themselves: the syncer makes them durable before the dispatcher replies
  // and before the scheduler posts a notice (its claim waits for the sync that covers it).
  p->syncer = std::make_unique<wal_syncer>(ex_, p->store->wal_path());
  p->timer = std::make_unique<scheduler>(ex_, *p->runner, *p->port, p->clock, *p->syncer);
  scheduler* timer = p->timer.get();
  p->router = std::make_unique<dispatcher>(ex_, *p->service, *p->store, p->clock, *p->port,
                                           *p->syncer, [timer] { timer->wake(); });
  p->router->on_unanswered(
      [adapter = p->adapter.get()](std::size_t n) { adapter->set_unanswered(n); });
  sqlite_event_store* store = p->store.get();
  p->pending_jobs =
      metrics::bot_metrics::get().jobs_pending.get().bind([store]() -> std::optional<double> {
        try {
          return static_cast<double>(store->count_pending_jobs());
        } catch (const store_error&) {
          // No sample this scrape; a store that fails is logged by the command or job that
          // meets it.
          return std::nullopt;
        }
      });
  if (!settings_.http.listen.empty() && !start_ops_endpoint(ex_, settings_.http.listen, *p)) {
    exit_code_ = 1;
    return false;
  }
  parts_ = std::move(p);

  async::supervise(ex_, parts_->timer->run(), "scheduler");
  dispatcher* router = parts_->router.get();
  async::supervise(
      ex_, parts_->adapter->run([router](inbound_message m) { router->on_message(std::move(m)); }),
      std::string(parts_->adapter->name()) + " adapter", [this] {
        app_log()->info("{} adapter finished; stopping", parts_->adapter->name());
        if (!parts_->adapter->failure().empty()) exit_code_ = 1;
        // Before the scheduler's last run, which may owe a notice: the last replies wait for
        // their sync, so it runs here, blocking once, to keep them ahead of that notice.
        parts_->router->flush();
        parts_->syncer->sync_now();
        parts_->timer->drain_and_stop();
        if (parts_->http) parts_->http->stop();
        if (on_finished_) on_finished_();
      });
  return true;
}

void application::stop() {
  if (!parts_) return;
  if (parts_->http) parts_->http->stop();
  parts_->adapter->stop();  // its end stops the scheduler too (see start)
}

}  // namespace tweetup

#include "app/application.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "adapters/console/console_adapter.hpp"
#include "adapters/discord/discord_adapter.hpp"
#include "adapters/irc/irc_adapter.hpp"
#include "app/dispatcher.hpp"
#include "app/logging.hpp"
#include "app/system_clock.hpp"
#include "async/supervise.hpp"
#include "core/gathering_service.hpp"
#include "core/job_runner.hpp"
#include "core/store_error.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/sqlite_event_store.hpp"

namespace tweetup {

struct application::parts {
  std::unique_ptr<sqlite_event_store> store;
  std::unique_ptr<gathering_service> service;
  system_clock clock;
  std::unique_ptr<chat_adapter> adapter;
  std::unique_ptr<dispatcher> router;
  std::unique_ptr<job_runner> runner;
  std::unique_ptr<scheduler> timer;
};

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
    p->store = std::make_unique<sqlite_event_store>(settings_.database);
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
    discord.global_rate_limit = static_cast<std::size_t>(settings_.discord.global_rate_limit);
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
  p->service = std::make_unique<gathering_service>(*p->store, options);
  p->runner = std::make_unique<job_runner>(*p->store, options);
  p->timer = std::make_unique<scheduler>(ex_, *p->runner, *p->adapter, p->clock);
  scheduler* timer = p->timer.get();
  p->router = std::make_unique<dispatcher>(ex_, *p->service, *p->store, p->clock, *p->adapter,
                                           [timer] { timer->wake(); });
  parts_ = std::move(p);

  async::supervise(ex_, parts_->timer->run(), "scheduler");
  dispatcher* router = parts_->router.get();
  async::supervise(
      ex_, parts_->adapter->run([router](const inbound_message& m) { router->on_message(m); }),
      std::string(parts_->adapter->name()) + " adapter", [this] {
        app_log()->info("{} adapter finished; stopping", parts_->adapter->name());
        if (!parts_->adapter->failure().empty()) exit_code_ = 1;
        parts_->router->flush();  // before the scheduler's last run, which may owe a notice
        parts_->timer->drain_and_stop();
        if (on_finished_) on_finished_();
      });
  return true;
}

void application::stop() {
  if (!parts_) return;
  parts_->adapter->stop();  // its end stops the scheduler too (see start)
}

}  // namespace tweetup

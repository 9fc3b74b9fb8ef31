#include "adapters/discord/gateway_client.hpp"

#include <utility>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "logging/layer_log.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {
namespace asio = async::asio;

namespace {

gateway_session::settings session_settings(const gateway_client_options& o) {
  gateway_session::settings s;
  s.token = o.token;
  s.intents = o.intents;
  s.gateway_url = o.gateway_url;
  if (o.compress) s.query += "&compress=zlib-stream";
  s.identify_spacing = o.identify_spacing;
  s.shard = o.shard;
  s.send_limit = o.send_limit;
  s.send_window = o.send_window;
  s.resume_from = o.resume_from;
  return s;
}

const char* kind_name(gateway_action::send_kind kind) {
  switch (kind) {
    case gateway_action::send_kind::heartbeat:
      return "heartbeat";
    case gateway_action::send_kind::identify:
      return "identify";
    case gateway_action::send_kind::resume:
      return "resume";
    case gateway_action::send_kind::queued:
      return "payload";
  }
  return "payload";
}

}  // namespace

gateway_client::gateway_client(async::executor ex, gateway_client_options options)
    : ex_(ex),
      options_(std::move(options)),
      ws_(ex, tls_options{options_.ca_file, true}),
      session_(session_settings(options_)),
      timer_(ex),
      writer_signal_(ex),
      read_gate_(ex) {
  options_.token.clear();  // the session holds its own copy; keep one copy only
  if (options_.shard) {
    shard_tag_ = " (shard " + std::to_string(options_.shard->id) + " of " +
                 std::to_string(options_.shard->count) + ")";
  }
}

void gateway_client::end_identify_turn(bool sent) {
  if (!std::exchange(identify_turn_, false)) return;
  const auto& done = sent ? options_.identify_sent : options_.identify_abandoned;
  if (done) done();
}

gateway_client::~gateway_client() = default;

bool gateway_client::ready() const {
  return connected_ && session_.current_phase() == gateway_session::phase::established;
}

void gateway_client::plan_disconnect(std::uint16_t code, std::string reason) {
  if (disconnect_planned_ || (!connected_ && !connecting_)) return;
  disconnect_planned_ = true;
  if (connected_) {
    outbox_.push_back({{}, code, std::move(reason)});
    writer_signal_.cancel();
  }
}

void gateway_client::enqueue(std::string payload) {
  execute(session_.enqueue(std::move(payload), clock::now()));
}

void gateway_client::pause_reading(bool paused) {
  if (paused == session_.reading_paused()) return;
  if (paused) ++stats_.read_pauses;
  session_.set_reading_paused(paused);
  if (!paused) read_gate_.cancel();
}

void gateway_client::stop(bool keep_session) {
  if (stopping_) return;
  stopping_ = true;
  stop_close_code_ =
      keep_session ? gateway_session::resumable_close : gateway_session::normal_close;
  layer_log("discord")->info("gateway stopping{}", keep_session ? ", its session kept" : "");
  execute(session_.stop(clock::now(), keep_session));
  plan_disconnect(stop_close_code_, "stopping");
  timer_.interrupt();  // ends idle()
}

void gateway_client::execute(actions batch) {
  // Fetched only for a batch that logs: most batches are a dispatch and a wake-up.
  std::shared_ptr<spdlog::logger> log_ptr;
  const auto log = [&log_ptr] {
    if (!log_ptr) log_ptr = layer_log("discord");
    return log_ptr.get();
  };
  bool delivers = false;
  for (auto& action : batch) {
    if (auto* s = std::get_if<gateway_action::send>(&action.what)) {
      if (!connected_ || disconnect_planned_) continue;
      if (s->kind == gateway_action::send_kind::identify) {
        ++stats_.identifies;
        end_identify_turn(true);
      }
      if (s->kind == gateway_action::send_kind::resume) ++stats_.resumes;
      // Identify and Resume carry the token: log what was sent, never the text.
      log()->debug("gateway >> {} ({} bytes)", kind_name(s->kind), s->payload.size());
      outbox_.push_back({std::move(s->payload), std::nullopt, {}});
      writer_signal_.cancel();
    } else if (auto* c = std::get_if<gateway_action::close>(&action.what)) {
      log()->info("closing the gateway connection ({}): {}", c->code, c->reason);
      plan_disconnect(c->code, std::move(c->reason));
    } else if (auto* k = std::get_if<gateway_action::connect>(&action.what)) {
      need_connect_ = true;
      connect_url_ = std::move(k->url);
      connect_mode_ = k->mode;
      // The session closes before it reconnects; a connect without one still must not leave
      // two sockets, so close with a resumable code (G11).
      plan_disconnect(4000, "reconnecting");
      timer_.interrupt();  // ends idle()
    } else if (auto* w = std::get_if<gateway_action::wake_at>(&action.what)) {
      timer_.set(w->at);
    } else if (auto* d = std::get_if<gateway_action::deliver>(&action.what)) {
      if (auto* r = std::get_if<gateway_event::ready>(&d->event.data)) {
        user_id_ = r->user_id;
        if (!r->application_id.empty()) application_id_ = r->application_id;
        log()->info("gateway ready{}: session established as user {}", shard_tag_, user_id_);
      } else if (std::holds_alternative<gateway_event::resumed>(d->event.data)) {
        log()->info("gateway resumed{}", shard_tag_);
        static metrics::counter& resumes = metrics::bot_metrics::get().gateway_resumes.get();
        resumes.inc();
      }
      delivers = true;
    } else if (auto* r = std::get_if<gateway_action::report>(&action.what)) {
      log()->warn("{}", r->text);
    } else if (auto* f = std::get_if<gateway_action::fatal>(&action.what)) {
      log()->critical("discord gateway stopped for good{}: {}", shard_tag_, f->reason);
      fatal_reason_ = f->reason;
      fatal_close_code_ = f->close_code;
      finished_ = true;
      plan_disconnect(1000, "fatal");
      timer_.interrupt();
    }
  }
  // The handler may post replies and enqueue payloads, which feed the session again: run it
  // after the whole batch, so this batch's wake-up never overrides a newer one. The events stay
  // in the batch, which this call owns, and the handler gets them by reference from there.
  if (handler_ == nullptr || !delivers) return;
  for (auto& action : batch) {
    if (auto* d = std::get_if<gateway_action::deliver>(&action.what)) (*handler_)(d->event);
  }
}

async::task<std::string> gateway_client::run(event_handler on_event) {
  handler_ = &on_event;
  auto log = layer_log("discord");
  execute(session_.start(clock::now()));
  while (!finished_ && !stopping_) {
    if (!need_connect_) {
      co_await idle();
      continue;
    }
    if (connect_mode_ == gateway_action::connect_mode::identify && options_.before_identify) {
      co_await options_.before_identify();
      identify_turn_ = true;
      if (finished_ || stopping_) break;
    }
    need_connect_ = false;
    outbox_.clear();
    disconnect_planned_ = false;
    connecting_ = true;
    inflater_.reset();  // G16: a new context for every connection
    const std::string url = connect_url_;
    log->info("connecting to the gateway at {}{}", url, shard_tag_);
    connect_options o;
    o.max_message_size = std::size_t{8} << 20;
    const auto ec = co_await ws_.connect(url, o);
    connecting_ = false;
    if (stopping_ || finished_ || disconnect_planned_) {
      end_identify_turn(false);
      if (!ec) {
        const auto ignored = co_await ws_.close(stop_close_code_, "stopping");
        (void)ignored;
      }
      continue;
    }
    if (ec) {
      end_identify_turn(false);
      log->warn("cannot connect to the gateway{}: {}; will retry", shard_tag_,
                ws_.last_error_text());
      execute(session_.on_connect_failed(clock::now(), timer_.jitter()));
      continue;
    }
    if (++stats_.connects > 1) {
      static metrics::counter& reconnects =
          metrics::bot_metrics::get().reconnects.with({"discord"});
      reconnects.inc();
    }
    connected_ = true;
    execute(session_.on_connected(clock::now()));
    co_await run_connection();
    connected_ = false;
    outbox_.clear();
    end_identify_turn(false);  // the connection ended before its Identify went out
    if (!disconnect_planned_ && !stopping_ && !finished_) {
      const auto code = ws_.close_code();
      log->warn("gateway connection lost{} ({}); reconnecting", shard_tag_,
                code != 0 ? "close code " + std::to_string(code) : ws_.last_error_text());
      execute(session_.on_closed(code != 0 ? std::optional<std::uint16_t>(code) : std::nullopt,
                                 clock::now(), timer_.jitter()));
    }
  }
  if (ws_.is_open()) {
    const auto ignored = co_await ws_.close(stop_close_code_, "stopping");
    (void)ignored;
  }
  end_identify_turn(false);  // stopped while waiting for the turn or before identifying
  handler_ = nullptr;
  log->info("gateway finished{}", shard_tag_);
  co_return fatal_reason_;
}

async::task<void> gateway_client::run_connection() {
  using namespace asio::experimental::awaitable_operators;
  co_await (reader() || writer() || ticker());
}

void gateway_client::on_frame(const std::string& frame) {
  // The event the session decodes owns copies of what it keeps, so the text can be reused.
  if (!options_.compress) {
    execute(session_.on_frame(frame, clock::now(), timer_.jitter()));
    return;
  }
  auto result = inflater_.feed(frame);
  if (std::holds_alternative<zlib_stream_inflater::incomplete>(result)) return;
  if (auto* problem = std::get_if<zlib_stream_inflater::error>(&result)) {
    if (problem->what == zlib_stream_inflater::error::kind::too_large) {
      layer_log("discord")->warn("gateway message dropped: {}", problem->detail);
      return;
    }
    // A broken stream cannot be resynchronised (the dictionary is lost): drop the connection
    // with a resumable code and let the session resume on a new one.
    layer_log("discord")->warn("corrupt zlib-stream from the gateway: {}", problem->detail);
    plan_disconnect(4000, "corrupt compressed stream");
    execute(session_.on_closed(std::nullopt, clock::now(), timer_.jitter()));
    return;
  }
  auto& text = std::get<std::string>(result);
  execute(session_.on_frame(text, clock::now(), timer_.jitter()));
  inflater_.reuse(std::move(text));
}

async::task<void> gateway_client::reader() {
  for (;;) {
    while (session_.reads_held()) {
      read_gate_.expires_at(clock::time_point::max());
      auto [ec] = co_await read_gate_.async_wait(async::nothrow);
      (void)ec;
      // Cancelled by `||` finishing elsewhere, rather than woken by pause_reading(false).
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return;
    }
    // Not a structured binding: co_await in its initialiser is one of GCC 12's coroutine bugs.
    auto read = co_await ws_.read();
    if (read.first) co_return;
    if (disconnect_planned_) continue;  // stale: the session has moved on
    on_frame(read.second);
    ws_.reuse(std::move(read.second));
  }
}

async::task<void> gateway_client::writer() {
  for (;;) {
    while (outbox_.empty()) {
      writer_signal_.expires_at(clock::time_point::max());
      auto [ec] = co_await writer_signal_.async_wait(async::nothrow);
      (void)ec;
      // Cancelled by `||` finishing elsewhere, rather than woken by a new item.
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return;
    }
    auto item = std::move(outbox_.front());
    outbox_.pop_front();
    if (item.close_code) {
      const auto ec = co_await ws_.close(*item.close_code, std::move(item.close_reason));
      (void)ec;
      co_return;
    }
    const auto ec = co_await ws_.write(std::move(item.text));
    if (ec) co_return;
  }
}

void gateway_client::on_timer() {
  execute(session_.on_timer(clock::now(), timer_.jitter()));
}

async::task<void> gateway_client::ticker() {
  return timer_.run([] { return true; }, [this] { on_timer(); });
}

async::task<void> gateway_client::idle() {
  return timer_.run([this] { return !need_connect_ && !stopping_ && !finished_; },
                    [this] { on_timer(); });
}

}  // namespace tweetup

#include "adapters/irc/irc_adapter.hpp"

#include <algorithm>

#include <utility>
#include <variant>

#include <fmt/format.h>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "logging/layer_log.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {
namespace asio = async::asio;

namespace {

irc::irc_session::settings session_settings(const irc_adapter_options& o) {
  irc::irc_session::settings s;
  s.nick = o.nick;
  s.alt_nicks = o.alt_nicks;
  s.user = o.user;
  s.realname = o.realname;
  s.channels = o.channels;
  s.sasl_user = o.sasl_user;
  s.sasl_password = o.password;
  s.twitch = o.twitch;
  s.send_rate = o.send_rate;
  return s;
}

}  // namespace

irc_adapter::irc_adapter(async::executor ex, irc_adapter_options options)
    : ex_(ex),
      options_(std::move(options)),
      ws_(ex, tls_options{options_.ca_file, true}),
      session_(session_settings(options_)),
      timer_(ex),
      writer_signal_(ex),
      close_guard_(ex),
      write_guard_(ex),
      quit_guard_(ex) {
  const auto started = clock::now().time_since_epoch();
  run_id_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(started).count());
  options_.password.clear();  // the session holds its own copy; keep one copy only
}

irc_adapter::~irc_adapter() = default;

void irc_adapter::log_joins() {
  for (const auto& channel : options_.channels) {
    const bool in = session_.in_channel(channel);
    if (in && joined_.insert(channel).second) {
      layer_log("irc")->info("joined {} as {}", channel, session_.nick());
    } else if (!in && joined_.erase(channel) > 0) {
      layer_log("irc")->info("left {}", channel);
    }
  }
}

bool irc_adapter::connected() const {
  return connected_ && !disconnect_planned_ &&
         session_.current_phase() == irc::irc_session::phase::registered;
}

void irc_adapter::post(outbound_message message) {
  std::string text;
  for (const auto& piece : message.pieces)
    text += piece.mention ? piece.mention->name : piece.text;
  std::string_view target = message.channel.channel;
  // A command sent to part of a channel (STATUSMSG) is answered there: what answers the asker
  // alone. What tells others (it mentions them) or shows the tweetup (a card) goes to all.
  const bool asker_only =
      !message.card && std::none_of(message.pieces.begin(), message.pieces.end(),
                                    [](const auto& p) { return p.mention; });
  if (!message.reply_to.empty() && asker_only) {
    for (const auto& [id, narrower] : statusmsg_replies_) {
      if (id == message.reply_to) target = narrower;
    }
  }
  std::uint64_t receipt = 0;
  if (message.on_settled) {
    receipt = ++last_receipt_;
    receipts_.emplace(receipt, std::move(message.on_settled));
  }
  execute(session_.say(target, text, clock::now(), receipt));
}

void irc_adapter::settle(std::uint64_t receipt, delivery how) {
  if (receipt == 0) return;
  const auto waiting = receipts_.find(receipt);
  if (waiting == receipts_.end()) return;
  auto done = std::move(waiting->second);
  receipts_.erase(waiting);
  done(how);
}

// Lines not yet written when a connection ends are lost with it; a line that was a message's
// last one says so, and the message may go again.
void irc_adapter::clear_outbox() {
  for (const auto& item : outbox_) {
    if (item) settle(item->receipt, delivery::unknown);
  }
  outbox_.clear();
}

void irc_adapter::stop() {
  if (stopping_) return;
  stopping_ = true;
  layer_log("irc")->info("irc adapter stopping");
  // The commands taken in are still being committed: their replies are owed, and so are the
  // lines the throttle holds, and the server's echo of what was sent. They get quit_grace
  // before the QUIT.
  quit_by_ = clock::now() + quit_grace;
  // A write the server is not taking would hold the QUIT behind it past the grace.
  hurry_write(quit_by_);
  look_at_quit(clock::now());
}

void irc_adapter::hurry_write(clock::time_point by) {
  if (!writing_ || by >= write_deadline_) return;
  write_deadline_ = by;
  arm_write_guard();
}

void irc_adapter::end_write_guard() {
  writing_ = false;
  write_guard_armed_ = false;
  write_guard_.cancel();  // no wait may hold the io_context after the adapter is done
}

void irc_adapter::arm_write_guard() {
  write_guard_armed_ = true;
  write_guard_.expires_at(write_deadline_);  // a wait armed before ends as aborted
  write_guard_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // aborted: armed again, or the adapter is going
    write_guard_armed_ = false;
    if (!writing_) return;
    if (clock::now() < write_deadline_) return arm_write_guard();  // a later write's deadline
    layer_log("irc")->warn("the server has not taken our lines in; dropping the connection");
    ws_.cancel();
  });
}

void irc_adapter::set_unanswered(std::size_t count) {
  unanswered_ = count;
  // At 0 the last replies are posted right after this call: look once they are queued.
  if (stopping_ && !quit_sent_) look_at_quit(clock::now());
}

// Posted, never at once: a reply or a line just queued may have company still to come in the
// same turn (the rest of a batch's replies).
void irc_adapter::look_at_quit(clock::time_point at) {
  quit_guard_.expires_at(at);
  quit_guard_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || quit_sent_) return;  // cancelled: by quit(), a newer look, or the adapter's end
    const bool owed = unanswered_ > 0 || session_.queued() > 0 || session_.unconfirmed() > 0;
    if (!owed || !connected() || clock::now() >= quit_by_) return quit();
    look_at_quit(quit_by_);
  });
}

void irc_adapter::quit() {
  if (quit_sent_) return;
  quit_sent_ = true;
  quit_guard_.cancel();
  quit_queued_ = connected_ && !disconnect_planned_;  // else execute() drops the QUIT line
  execute(session_.stop(clock::now()));
  if (connected_ && !disconnect_planned_) {
    disconnect_planned_ = true;
    outbox_.push_back(std::nullopt);
    notify_writer();
  }
  timer_.interrupt();  // ends idle()
}

void irc_adapter::notify_writer() {
  writer_signal_.cancel();
}

void irc_adapter::execute(const actions& batch) {
  std::vector<irc::irc_action::deliver> delivered;
  for (const auto& action : batch) {
    if (const auto* line = std::get_if<irc::irc_action::send_line>(&action.what)) {
      if (connected_ && !disconnect_planned_) {
        outbox_.push_back(*line);
        notify_writer();
      } else {
        settle(line->receipt, delivery::unknown);
      }
    } else if (const auto* sent = std::get_if<irc::irc_action::delivered>(&action.what)) {
      settle(sent->receipt, delivery::delivered);
    } else if (const auto* not_sent = std::get_if<irc::irc_action::not_sent>(&action.what)) {
      settle(not_sent->receipt, not_sent->for_good ? delivery::refused : delivery::unknown);
    } else if (std::holds_alternative<irc::irc_action::connect>(action.what)) {
      need_connect_ = true;
      if ((connected_ || connecting_) && !disconnect_planned_) {
        disconnect_planned_ = true;
        if (connected_) {
          outbox_.push_back(std::nullopt);
          notify_writer();
        }
      }
      timer_.interrupt();  // ends idle()
    } else if (const auto* d = std::get_if<irc::irc_action::disconnect>(&action.what)) {
      layer_log("irc")->info("closing the connection: {}", d->reason);
      // The close waits behind the write in flight; one the server is not taking (no PONG
      // came either, say) gets only as long as a close does.
      hurry_write(clock::now() + close_wait);
      if ((connected_ || connecting_) && !disconnect_planned_) {
        disconnect_planned_ = true;
        if (connected_) {
          outbox_.push_back(std::nullopt);
          notify_writer();
        }
      }
      // A connect in flight would run on until its 10 s timeout, longer than the 5 s shutdown
      // grace (design.md §5): abandon it now; run() then sees disconnect_planned_.
      if (connecting_) ws_.cancel();
    } else if (const auto* w = std::get_if<irc::irc_action::wake_at>(&action.what)) {
      timer_.set(w->at);
    } else if (const auto* m = std::get_if<irc::irc_action::deliver>(&action.what)) {
      delivered.push_back(*m);
    } else if (const auto* r = std::get_if<irc::irc_action::report>(&action.what)) {
      layer_log("irc")->info("{}", r->text);
    } else if (const auto* f = std::get_if<irc::irc_action::fatal>(&action.what)) {
      layer_log("irc")->error("irc session stopped: {}", f->reason);
      finished_ = true;
      failure_ = f->reason;
      if (connected_ && !disconnect_planned_) {
        disconnect_planned_ = true;
        outbox_.push_back(std::nullopt);
        notify_writer();
      }
      if (connecting_) ws_.cancel();
      timer_.interrupt();
    }
  }
  if (stopping_) {
    // The throttle may just have let the last owed line out. Nothing more is taken in.
    if (!quit_sent_) look_at_quit(clock::now());
    return;
  }
  // Handlers may post replies, which feed the session again: do that after the whole batch, so
  // this batch's wake-up never overrides a newer one.
  if (!handler_) return;
  for (auto& m : delivered) {
    inbound_message message;
    message.channel = {"irc", m.channel};
    message.author = {std::move(m.user_id), m.nick};
    message.text = std::move(m.text);
    message.message_id = m.msgid ? *m.msgid : fmt::format("{}-{}", run_id_, next_id_++);
    message.author_is_moderator = m.is_moderator;
    if (!m.reply_target.empty()) {
      // Its replies come after the commit: remembered until then, the last few only.
      if (statusmsg_replies_.size() == max_statusmsg_replies) statusmsg_replies_.pop_front();
      statusmsg_replies_.emplace_back(message.message_id, std::move(m.reply_target));
    }
    (*handler_)(std::move(message));
  }
}

async::task<void> irc_adapter::run(message_handler on_message) {
  handler_ = &on_message;
  auto log = layer_log("irc");
  execute(session_.start(clock::now()));
  while (!finished_ && !stopping_) {
    if (!need_connect_) {
      co_await idle();
      continue;
    }
    need_connect_ = false;
    clear_outbox();
    disconnect_planned_ = false;
    connecting_ = true;
    ++attempt_;
    log->info("connecting to {}", options_.url);
    connect_options o;
    o.subprotocols = {"text.ircv3.net", "binary.ircv3.net"};
    o.origin = options_.origin;
    o.max_message_size = 16 * 1024;
    // InspIRCd writes with Nagle's algorithm on: with echo-message, every reply's echo left the
    // server's next line waiting 40 ms for our delayed ACK (bench/README.md, IRC).
    o.ack_at_once = true;
    const auto ec = co_await ws_.connect(options_.url, o);
    connecting_ = false;
    // W1: with binary.ircv3.net, our lines go out as binary messages too.
    if (!ec) ws_.set_binary(ws_.chosen_subprotocol() == "binary.ircv3.net");
    if (stopping_ || finished_ || disconnect_planned_) {
      if (!ec) co_await close_briefly();
      continue;
    }
    if (ec) {
      // The usual cause of a certificate failure here is a server with a private CA.
      const bool certificate = ws_.last_error_text().find("certificate") != std::string::npos;
      log->warn("cannot connect to {}: {}; will retry{}", options_.url, ws_.last_error_text(),
                certificate ? " (a private CA needs tls.ca_file)" : "");
      execute(session_.on_disconnected(clock::now(), timer_.jitter()));
      continue;
    }
    log->info("connected to {}", options_.url);
    if (++connections_ > 1) {
      static metrics::counter& reconnects = metrics::bot_metrics::get().reconnects.with({"irc"});
      reconnects.inc();
    }
    connected_ = true;
    execute(session_.on_connected(clock::now()));
    co_await run_connection();
    // Beast may still have work in flight on this connection, e.g. the TLS shutdown of a close
    // the server answered by just dropping the socket, which waits out the 10 s timeout and
    // holds the process past stop() (design.md §5: 5 s grace). The connection is over: end it.
    ws_.cancel();
    end_write_guard();  // a write cancelled with the connection may not have said so
    connected_ = false;
    clear_outbox();
    joined_.clear();
    if (!disconnect_planned_ && !stopping_ && !finished_) {
      log->warn("connection to {} lost ({}); reconnecting", options_.url, ws_.last_error_text());
      execute(session_.on_disconnected(clock::now(), timer_.jitter()));
    }
  }
  if (stopping_) quit();  // the connection ended before the QUIT: the session stops all the same
  if (ws_.is_open()) co_await close_briefly();
  end_write_guard();
  handler_ = nullptr;
  if (unanswered_ > 0) log->warn("{} commands were still unanswered at shutdown", unanswered_);
  log->info("irc adapter finished");
}

async::task<void> irc_adapter::run_connection() {
  using namespace asio::experimental::awaitable_operators;
  co_await (reader() || writer() || ticker());
}

async::task<void> irc_adapter::reader() {
  for (;;) {
    auto [ec, text] = co_await ws_.read();
    if (ec) co_return;
    if (disconnect_planned_) continue;  // stale: the session has moved on
    layer_log("irc")->debug("<< {}", text);
    execute(session_.on_line(text, clock::now()));
    log_joins();
  }
}

async::task<void> irc_adapter::writer() {
  for (;;) {
    while (outbox_.empty()) {
      writer_signal_.expires_at(clock::time_point::max());
      auto [ec] = co_await writer_signal_.async_wait(async::nothrow);
      (void)ec;
      // Cancelled by `||` finishing elsewhere, rather than woken by notify_writer().
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return;
    }
    // `||` may have cancelled this coroutine while the last write's completion waited its turn:
    // a write begun now would throw, and the line taken for it would never settle its receipt.
    // Left in the outbox, clear_outbox() settles it.
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
    auto item = std::move(outbox_.front());
    outbox_.pop_front();
    if (!item) {
      if (quit_queued_) {
        // After QUIT the server answers ERROR and closes (RFC 2812 §3.1.7). A close frame sent
        // sooner can make it drop what it has not handled yet, our last lines and the QUIT with
        // them (InspIRCd does so with lines its flood control holds back). So it closes first,
        // given a moment; the reader then ends, and `||` cuts this wait short (or skips it, when
        // the reader ended first: a wait begun after that would throw).
        if (state.cancelled() == asio::cancellation_type::none) {
          boost::asio::steady_timer wait(ex_, after_quit_wait);
          auto [ec] = co_await wait.async_wait(async::nothrow);
          (void)ec;
        }
        if (state.cancelled() != asio::cancellation_type::none) co_return;
      }
      co_await close_briefly();
      co_return;
    }
    if (!item->sensitive) layer_log("irc")->debug(">> {}", item->text);
    writing_ = true;
    const auto now = clock::now();
    // Closing, a write gets as long as a close does: after stop(), until the grace ends, or
    // for the QUIT written at its end, close_wait.
    if (stopping_) {
      write_deadline_ = std::max(quit_by_, now + close_wait);
    } else if (disconnect_planned_) {
      write_deadline_ = now + close_wait;
    } else {
      write_deadline_ = now + write_timeout;
    }
    if (!write_guard_armed_ || write_deadline_ < write_guard_.expiry()) arm_write_guard();
    const auto ec = co_await ws_.write(std::move(item->text));
    writing_ = false;
    settle(item->receipt, ec ? delivery::unknown : delivery::delivered);
    if (ec) co_return;
  }
}

async::task<void> irc_adapter::close_briefly() {
  // The closing handshake waits for the server's close frame, up to the client's 10 s; a
  // server that never sends one must not hold stop() past the 5 s grace (design.md §5).
  close_guard_.expires_after(close_wait);
  close_guard_.async_wait([this, attempt = attempt_](const boost::system::error_code& ec) {
    if (!ec && attempt == attempt_) ws_.cancel();  // never a later connection's
  });
  const auto ec = co_await ws_.close(1000, "closing");
  (void)ec;
  close_guard_.cancel();
}

void irc_adapter::on_timer() {
  execute(session_.on_timer(clock::now(), timer_.jitter()));
}

async::task<void> irc_adapter::ticker() {
  return timer_.run([] { return true; }, [this] { on_timer(); });
}

async::task<void> irc_adapter::idle() {
  return timer_.run([this] { return !need_connect_ && !stopping_ && !finished_; },
                    [this] { on_timer(); });
}

}  // namespace tweetup

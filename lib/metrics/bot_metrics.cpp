#include "metrics/bot_metrics.hpp"

#include "metrics/process_metrics.hpp"

namespace tweetup::metrics {
namespace {

// A commit with synchronous=FULL costs about one fsync (~3 ms on the reference machine); the
// buckets span a cached read-only transaction (0.1 ms) to a stalled disk (1 s).
std::vector<double> transaction_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

bot_metrics make(registry& r) {
  register_process_metrics(r);
  return bot_metrics{
      r.add_counter("tweetup_messages_received_total",
                    "Chat messages that reached the dispatcher, by adapter.", {"adapter"}),
      r.add_counter("tweetup_messages_sent_total",
                    "Messages the bot posted through the chat port (replies, reminders, notices), "
                    "by adapter.",
                    {"adapter"}),
      r.add_counter("tweetup_commands_total",
                    "Commands handled, by command and outcome: ok, rejected (the input or rights "
                    "were wrong) or failed (the store failed).",
                    {"command", "outcome"}),
      r.add_counter("tweetup_reminders_total",
                    "Scheduled messages by kind (reminder, starting, reannounce, promotion) and "
                    "result: sent on time, sent late as a catch-up after downtime, or dropped.",
                    {"kind", "result"}),
      r.add_counter(
          "tweetup_reconnects_total",
          "Connections to the chat platform made after the first one (reconnects), by adapter.",
          {"adapter"}),
      r.add_counter("tweetup_gateway_resumes_total",
                    "Discord gateway sessions resumed (RESUMED received) after a reconnect."),
      r.add_counter("tweetup_rest_rate_limited_total",
                    "Discord REST responses with status 429, by scope: user, global or shared "
                    "(X-RateLimit-Scope), unknown when Discord named none, or cloudflare.",
                    {"scope"}),
      r.add_gauge("tweetup_jobs_pending",
                  "Reminders, re-announcements and notices planned and not yet sent."),
      r.add_histogram("tweetup_db_transaction_seconds",
                      "Duration of SQLite transactions, commit included, in seconds.",
                      transaction_buckets()),
  };
}

}  // namespace

bot_metrics& bot_metrics::get() {
  static bot_metrics instance = [] {
    bot_metrics made = make(registry::process());
    // Families without labels show a zero from the start rather than nothing.
    made.gateway_resumes.get();
    made.db_transaction_seconds.get();
    return made;
  }();
  return instance;
}

std::string bot_metrics::render() {
  get();
  return registry::process().render();
}

}  // namespace tweetup::metrics

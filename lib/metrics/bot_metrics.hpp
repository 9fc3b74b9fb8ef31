// The bot's metric families, all named in this one place (README "Metrics" lists them), in the
// process registry. Components take the families they record from bot_metrics::get() and keep
// the children they increment (see family.hpp).
//
// Recording happens outside the core, which stays pure: the dispatcher and a counting chat port
// (app), the scheduler, the SQLite store and the adapters record; what only the core knows (a
// reminder sent late) comes back in the core's results.
//
// Threading: none; the io thread only (see registry.hpp).
#pragma once

#include <string>

#include "metrics/registry.hpp"

namespace tweetup::metrics {

struct bot_metrics {
  // Registers every family (and the process_* gauges) in registry::process() on first use.
  static bot_metrics& get();
  // The text of GET /metrics: every family of the process registry.
  static std::string render();

  counter_family& messages_received;  // {adapter}
  counter_family& messages_sent;      // {adapter}
  counter_family& commands;           // {command, outcome}: ok, rejected, failed
  counter_family& reminders;          // {kind, result}: sent, late, dropped
  counter_family& reconnects;         // {adapter}
  counter_family& gateway_resumes;
  counter_family& rest_rate_limited;  // {scope}
  gauge_family& jobs_pending;
  histogram_family& db_transaction_seconds;
};

}  // namespace tweetup::metrics

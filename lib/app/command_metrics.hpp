// What the dispatcher counts: tweetup_messages_received_total{adapter} for every inbound message,
// and tweetup_commands_total{command,outcome} for each one that was a command (ok, rejected or
// failed; ignored messages are not commands).
//
// Every command of the table is looked up once, at construction, with its three outcomes, so the
// series exist at zero from the start and counting a command is one hash lookup and one add. A
// name outside the table (none today) counts as "other", so no input can add series.
// Threading: the io thread only (see metrics/registry.hpp).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/command_outcome.hpp"
#include "core/inbound_message.hpp"
#include "metrics/counter.hpp"

namespace tweetup {

class command_metrics {
 public:
  command_metrics();

  void count(const inbound_message& message, const command_outcome& outcome);

 private:
  using by_outcome = std::array<metrics::counter*, 3>;  // ok, rejected, failed

  // A bot serves one adapter, so one cached series covers every message.
  std::string platform_;
  metrics::counter* received_ = nullptr;
  // Keys view the command table's static names.
  std::unordered_map<std::string_view, by_outcome> commands_;
  by_outcome other_{};
};

}  // namespace tweetup

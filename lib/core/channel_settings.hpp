// Per-channel preferences that outlive any one event.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/channel_ref.hpp"

namespace tweetup {

struct channel_settings {
  channel_ref channel;
  std::string zone;  // IANA zone; empty means "use the configured default"
  // Reminder offsets set with `!tweetup reminders`; nullopt means the configured default, an
  // empty list means no reminders.
  std::optional<std::vector<std::chrono::seconds>> reminders;
};

}  // namespace tweetup

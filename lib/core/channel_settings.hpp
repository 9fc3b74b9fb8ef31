// Per-channel preferences that outlive any one event.
#pragma once

#include <string>

#include "core/channel_ref.hpp"

namespace tweetup {

struct channel_settings {
  channel_ref channel;
  std::string zone;  // IANA zone; empty means "use the configured default"
};

}  // namespace tweetup

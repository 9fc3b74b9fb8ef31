// What to do after the gateway connection closed, by close code (protocols.md G12, L4).
// Pure; the table lives in gateway_close_policy.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tweetup {

struct gateway_close_policy {
  enum class step {
    resume,       // reconnect at resume_gateway_url and Resume, if there is a session (G9)
    new_session,  // forget the session; reconnect at the cached gateway URL and Identify
    fatal,        // stop reconnecting: only a person can fix this (L4)
  };
  step next = step::resume;
  std::string reason;  // for the log; for fatal codes, what the operator must do

  // `code` is the server's close code, or nullopt when the connection ended without a close
  // frame (1006 / EOF), which G9 treats as resumable.
  static gateway_close_policy of(std::optional<std::uint16_t> code);
};

}  // namespace tweetup

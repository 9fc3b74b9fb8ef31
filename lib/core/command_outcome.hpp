// What handling one chat message came to: the replies, plus what the shell needs to log and count.
#pragma once

#include <string>
#include <vector>

#include "core/outbound_message.hpp"

namespace tweetup {

enum class command_status {
  ignored,   // not a command for us: no reply at all
  ok,        // done (and committed, when it changed anything)
  rejected,  // the user's input or rights were wrong: one friendly reply, nothing changed
  failed,    // the store failed: one apologetic reply, nothing changed
};

struct command_outcome {
  std::string command;  // the table name ("join", "tweetup move"); empty when ignored
  command_status status = command_status::ignored;
  std::vector<outbound_message> messages;  // to post, in order, only after the commit
  std::string failure_detail;  // for the operator's log when status is failed; never shown
  // The command wrote jobs (planned, moved or dropped them, or owed someone a promotion notice),
  // so the scheduler must look at the plan again. Most RSVPs write none.
  bool jobs_changed = false;
  // The answer rests on stored state (read or written). Only `help`'s does not: it stays true
  // when the batch's commit or sync fails, where every other success becomes an apology.
  bool uses_store = true;
};

}  // namespace tweetup

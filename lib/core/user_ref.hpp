// A person on a chat platform.
#pragma once

#include <compare>
#include <string>

namespace tweetup {

struct user_ref {
  std::string id;    // stable platform id; the key for RSVPs and permissions
  std::string name;  // display name at the time we last saw them; only for wording
  friend bool operator==(const user_ref& a, const user_ref& b) { return a.id == b.id; }
};

}  // namespace tweetup

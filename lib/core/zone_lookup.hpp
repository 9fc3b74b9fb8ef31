// Finds an IANA zone by name, forgiving letter case ("europe/berlin").
#pragma once

#include <string_view>

namespace date {
class time_zone;
}

namespace tweetup {

// The zone, or nullptr when the tz database has no zone or link of that name.
const date::time_zone* find_zone(std::string_view name);

}  // namespace tweetup

#include "core/zone_lookup.hpp"

#include <exception>
#include <string>

#include <date/tz.h>

#include "core/text_checks.hpp"

namespace tweetup {

namespace {

const date::time_zone* search(std::string_view name) {
  // IANA names are short ASCII; anything else is not worth a database look-up.
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos) return nullptr;
  for (char c : name) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+';
    if (!allowed) return nullptr;
  }
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    // Not an exact match: fall through to a case-insensitive search.
  }
  for (const auto& zone : date::get_tzdb().zones) {
    if (iequals(zone.name(), name)) return &zone;
  }
  return nullptr;
}

}  // namespace

const date::time_zone* find_zone(std::string_view name) {
  // Every command looks its channel's zone up, and most channels share one or two: the last
  // zone found answers again without a search of the database's 600 names (which never
  // change while the process runs). Per thread, so the lookup stays safe to call anywhere.
  thread_local std::string last_name;
  thread_local const date::time_zone* last_zone = nullptr;
  if (last_zone != nullptr && name == last_name) return last_zone;
  const date::time_zone* found = search(name);
  if (found != nullptr) {
    last_name.assign(name);
    last_zone = found;
  }
  return found;
}

}  // namespace tweetup

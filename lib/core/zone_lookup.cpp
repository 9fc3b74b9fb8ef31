#include "core/zone_lookup.hpp"

#include <exception>
#include <string>

#include <date/tz.h>

#include "core/text_checks.hpp"

namespace tweetup {

const date::time_zone* find_zone(std::string_view name) {
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

}  // namespace tweetup

#include "app/health_report.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tweetup {

bool health_report::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const health_check& c) { return c.ok; });
}

std::vector<std::string> health_report::failing() const {
  std::vector<std::string> names;
  for (const auto& c : checks) {
    if (!c.ok) names.push_back(c.name);
  }
  return names;
}

health_report build_health_report(const health_inputs& in) {
  health_report report;
  std::string adapter =
      fmt::format("{} {}", in.adapter_name, in.adapter_connected ? "connected" : "not connected");
  if (!in.adapter_detail.empty()) adapter += " (" + in.adapter_detail + ")";
  report.checks.push_back({"adapter", in.adapter_connected, std::move(adapter)});
  report.checks.push_back(
      {"database", !in.database_problem,
       in.database_problem ? "not writable: " + *in.database_problem : std::string("writable")});
  const auto woke =
      std::chrono::duration_cast<std::chrono::seconds>(in.since_scheduler_woke).count();
  if (!in.scheduler_running) {
    report.checks.push_back({"scheduler", false, "not running"});
  } else if (in.since_scheduler_woke > scheduler_alive_within) {
    report.checks.push_back({"scheduler", false,
                             fmt::format("stalled: last woke {} s ago (limit {} s)", woke,
                                         scheduler_alive_within.count())});
  } else {
    report.checks.push_back({"scheduler", true, fmt::format("last woke {} s ago", woke)});
  }
  return report;
}

}  // namespace tweetup

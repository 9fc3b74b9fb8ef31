#include "metrics/process_metrics.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>

namespace tweetup::metrics {

std::optional<double> resident_memory_bytes() {
  // statm: size resident shared text lib data dt, in pages (proc(5)).
  std::ifstream statm("/proc/self/statm");
  long long size_pages = 0;
  long long resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (page_size <= 0) return std::nullopt;
  return static_cast<double>(resident_pages) * static_cast<double>(page_size);
}

void register_process_metrics(registry& into) {
  auto& rss = into.add_gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  auto& started = into.add_gauge("process_start_time_seconds",
                                 "Start time of the process since the Unix epoch in seconds.");
  if (started.size() > 0) return;  // registered before: keep the first start time and source
  started.get().set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  rss.get().set_source(&resident_memory_bytes);
}

}  // namespace tweetup::metrics

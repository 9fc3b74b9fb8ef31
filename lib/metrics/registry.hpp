// A set of metric families, rendered together in Prometheus' text exposition format 0.0.4
// (what GET /metrics answers; serve it with `content_type`).
//
// One process-wide registry, registry::process(), rather than one injected into every
// component: the metrics cut across every layer (dispatcher, scheduler, store, adapters), and
// threading a registry through their constructors would change every signature and test for a
// concern none of them decides anything by. Components register their families there and keep
// the children they increment. Tests read values through the families (counter::value(),
// family::find()) and compare before and after, since other tests in the same process may count
// too; a test that needs exact text builds its own registry.
//
// Registering is idempotent: asking again for a name returns the family made before, if its kind,
// labels (and buckets) match; otherwise that is a programming error and std::logic_error is
// thrown. Invalid names, a counter name without the `_total` suffix, a histogram label `le`, or
// bucket bounds that are not finite and strictly increasing throw std::invalid_argument.
//
// Threading: none. The bot is single-threaded (one io thread), so there are no atomics or
// locks; render on the same thread that counts. Lifetime: families and series live as long as
// the registry; the process registry lives until exit.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/family.hpp"

namespace tweetup::metrics {

class registry {
 public:
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

  // The one registry of the process.
  static registry& process();

  registry() = default;
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  counter_family& add_counter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  gauge_family& add_gauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  histogram_family& add_histogram(std::string name, std::string help, std::vector<double> bounds,
                                  std::vector<std::string> label_names = {});

  // Every family, sorted by name, each with HELP, TYPE and its series sorted by label values.
  // A family with no series yet shows only its HELP and TYPE lines.
  std::string render() const;

 private:
  template <typename Series>
  family<Series>& add(std::string name, std::string help, metric_kind kind,
                      std::vector<std::string> label_names, std::vector<double> bounds);

  std::map<std::string, std::unique_ptr<family_base>, std::less<>> families_;
};

}  // namespace tweetup::metrics

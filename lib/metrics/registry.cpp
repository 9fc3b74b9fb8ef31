#include "metrics/registry.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "metrics/exposition_text.hpp"

namespace tweetup::metrics {
namespace {

std::string_view kind_name(metric_kind kind) {
  switch (kind) {
    case metric_kind::counter:
      return "counter";
    case metric_kind::gauge:
      return "gauge";
    case metric_kind::histogram:
      return "histogram";
  }
  return "untyped";
}

void check_new_family(const std::string& name, metric_kind kind,
                      const std::vector<std::string>& label_names,
                      const std::vector<double>& bounds) {
  if (!exposition_text::valid_metric_name(name)) {
    throw std::invalid_argument(fmt::format("invalid metric name '{}'", name));
  }
  if (kind == metric_kind::counter && !name.ends_with("_total")) {
    throw std::invalid_argument(fmt::format("counter '{}' must end in _total", name));
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& label = label_names[i];
    if (!exposition_text::valid_label_name(label)) {
      throw std::invalid_argument(fmt::format("invalid label name '{}' in {}", label, name));
    }
    if (kind == metric_kind::histogram && label == "le") {
      throw std::invalid_argument(fmt::format("histogram {} may not have a label 'le'", name));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == label) {
        throw std::invalid_argument(fmt::format("label '{}' twice in {}", label, name));
      }
    }
  }
  if (kind == metric_kind::histogram) {
    if (bounds.empty()) {
      throw std::invalid_argument(fmt::format("histogram {} needs bucket bounds", name));
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
        throw std::invalid_argument(fmt::format(
            "histogram {}: bucket bounds must be finite and strictly increasing", name));
      }
    }
  }
}

}  // namespace

registry& registry::process() {
  // Never destroyed: components may still count during static destruction at exit.
  static registry* const instance = new registry;
  return *instance;
}

template <typename Series>
family<Series>& registry::add(std::string name, std::string help, metric_kind kind,
                              std::vector<std::string> label_names, std::vector<double> bounds) {
  if (const auto found = families_.find(name); found != families_.end()) {
    auto* existing = dynamic_cast<family<Series>*>(found->second.get());
    if (existing == nullptr || existing->kind() != kind || existing->label_names() != label_names ||
        existing->bounds() != bounds) {
      throw std::logic_error(
          fmt::format("metric {} registered twice with different kinds, labels or buckets", name));
    }
    return *existing;
  }
  check_new_family(name, kind, label_names, bounds);
  auto made = std::make_unique<family<Series>>(name, std::move(help), kind, std::move(label_names),
                                               std::move(bounds));
  auto& result = *made;
  families_.emplace(std::move(name), std::move(made));
  return result;
}

counter_family& registry::add_counter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return add<counter>(std::move(name), std::move(help), metric_kind::counter,
                      std::move(label_names), {});
}

gauge_family& registry::add_gauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  return add<gauge>(std::move(name), std::move(help), metric_kind::gauge, std::move(label_names),
                    {});
}

histogram_family& registry::add_histogram(std::string name, std::string help,
                                          std::vector<double> bounds,
                                          std::vector<std::string> label_names) {
  return add<histogram>(std::move(name), std::move(help), metric_kind::histogram,
                        std::move(label_names), std::move(bounds));
}

std::string registry::render() const {
  std::string out;
  out.reserve(families_.size() * 256);
  for (const auto& [name, f] : families_) {
    out += "# HELP ";
    out += name;
    out += ' ';
    exposition_text::append_help(out, f->help());
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += kind_name(f->kind());
    out += '\n';
    f->render_samples(out);
  }
  return out;
}

}  // namespace tweetup::metrics

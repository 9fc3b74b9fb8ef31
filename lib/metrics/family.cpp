#include "metrics/family.hpp"

#include <fmt/format.h>

#include "metrics/exposition_text.hpp"

namespace tweetup::metrics {

template <>
void family<counter>::render_samples(std::string& out) const {
  for (const auto& [values, series] : children_) {
    out += name();
    exposition_text::append_labels(out, label_names(), values);
    fmt::format_to(std::back_inserter(out), " {}\n", series->value());
  }
}

template <>
void family<gauge>::render_samples(std::string& out) const {
  for (const auto& [values, series] : children_) {
    const auto value = series->value();
    if (!value) continue;  // its source cannot tell now: no sample rather than a made-up one
    out += name();
    exposition_text::append_labels(out, label_names(), values);
    out += ' ';
    exposition_text::append_value(out, *value);
    out += '\n';
  }
}

template <>
void family<histogram>::render_samples(std::string& out) const {
  std::string bound;
  for (const auto& [values, series] : children_) {
    std::uint64_t cumulative = 0;
    const auto& counts = series->bucket_counts();
    for (std::size_t i = 0; i < counts.size(); ++i) {
      cumulative += counts[i];
      bound.clear();
      if (i < bounds_.size()) {
        exposition_text::append_value(bound, bounds_[i]);
      } else {
        bound = "+Inf";
      }
      out += name();
      out += "_bucket";
      exposition_text::append_labels(out, label_names(), values, "le", bound);
      fmt::format_to(std::back_inserter(out), " {}\n", cumulative);
    }
    out += name();
    out += "_sum";
    exposition_text::append_labels(out, label_names(), values);
    out += ' ';
    exposition_text::append_value(out, series->sum());
    out += '\n';
    out += name();
    out += "_count";
    exposition_text::append_labels(out, label_names(), values);
    fmt::format_to(std::back_inserter(out), " {}\n", series->count());
  }
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

}  // namespace tweetup::metrics

// A metric family: one name, help text and list of label names, and its series (children), one
// per distinct list of label values.
//
// with() finds or creates a child. It allocates and searches, so call it once and keep the
// reference: a child's address never changes while its registry lives, and an increment through
// the kept reference is one add. Children render sorted by their label values.
//
// Threading: none (one io thread, see counter.hpp).
#pragma once

#include <cassert>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace tweetup::metrics {

enum class metric_kind { counter, gauge, histogram };

// What the registry needs of every family, whatever its series type.
class family_base {
 public:
  family_base(std::string name, std::string help, metric_kind kind,
              std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        kind_(kind),
        label_names_(std::move(label_names)) {}
  virtual ~family_base() = default;
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  metric_kind kind() const { return kind_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends the samples (not HELP or TYPE) in the text exposition format 0.0.4.
  virtual void render_samples(std::string& out) const = 0;
  virtual std::size_t size() const = 0;

 private:
  std::string name_;
  std::string help_;
  metric_kind kind_;
  std::vector<std::string> label_names_;
};

template <typename Series>
class family : public family_base {
 public:
  using label_values = std::vector<std::string>;

  // Families are made by a registry, which checks the name, labels and bounds first.
  family(std::string name, std::string help, metric_kind kind, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : family_base(std::move(name), std::move(help), kind, std::move(labels)),
        bounds_(std::move(bounds)) {}

  // The series with these label values, in the order of label_names(); created at zero on first
  // use. Giving the wrong number of values is a programming error (assert).
  Series& with(std::initializer_list<std::string_view> values) {
    assert(values.size() == label_names().size());
    label_values key(values.begin(), values.end());
    auto found = children_.find(key);
    if (found == children_.end()) {
      found = children_.emplace(std::move(key), make_series()).first;
    }
    return *found->second;
  }
  // The one series of a family without labels.
  Series& get() { return with({}); }

  // The series with these label values, if one was created; for tests and readers.
  const Series* find(std::initializer_list<std::string_view> values) const {
    const auto found = children_.find(label_values(values.begin(), values.end()));
    return found == children_.end() ? nullptr : found->second.get();
  }

  const std::vector<double>& bounds() const { return bounds_; }
  void render_samples(std::string& out) const override;
  std::size_t size() const override { return children_.size(); }

 private:
  std::unique_ptr<Series> make_series() const {
    if constexpr (std::is_same_v<Series, histogram>) {
      return std::make_unique<Series>(std::span<const double>(bounds_));
    } else {
      return std::make_unique<Series>();
    }
  }

  std::vector<double> bounds_;  // histograms only
  std::map<label_values, std::unique_ptr<Series>> children_;
};

using counter_family = family<counter>;
using gauge_family = family<gauge>;
using histogram_family = family<histogram>;

// Each kind renders its own samples (family.cpp).
template <>
void family<counter>::render_samples(std::string& out) const;
template <>
void family<gauge>::render_samples(std::string& out) const;
template <>
void family<histogram>::render_samples(std::string& out) const;

extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

}  // namespace tweetup::metrics

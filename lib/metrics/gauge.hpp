// One gauge series: a value that goes up and down. Either set by the code that knows it, or bound
// to a source function that is asked at render time (pending jobs, memory), so nothing has to
// keep it up to date.
//
// Threading: none (one io thread, see counter.hpp).
// Lifetime: owned by its family; its address is stable. A source is bound through a
// source_binding, which unbinds it when it goes away, so a gauge never calls into an object that
// has been destroyed (e.g. a store that closed before the registry rendered).
#pragma once

#include <functional>
#include <optional>

namespace tweetup::metrics {

class gauge {
 public:
  // Returns the current value, or nothing when it cannot be known now (then no sample is shown).
  using source = std::function<std::optional<double>()>;

  // Unbinds the source on destruction. Move-only; a default one binds nothing.
  class source_binding {
   public:
    source_binding() = default;
    source_binding(gauge* bound, unsigned generation) : bound_(bound), generation_(generation) {}
    source_binding(source_binding&& other) noexcept
        : bound_(other.bound_), generation_(other.generation_) {
      other.bound_ = nullptr;
    }
    source_binding& operator=(source_binding&& other) noexcept {
      if (this != &other) {
        release();
        bound_ = other.bound_;
        generation_ = other.generation_;
        other.bound_ = nullptr;
      }
      return *this;
    }
    source_binding(const source_binding&) = delete;
    source_binding& operator=(const source_binding&) = delete;
    ~source_binding() { release(); }

   private:
    void release() {
      // A later bind() replaced this source: that one is not ours to remove.
      if (bound_ && bound_->generation_ == generation_) bound_->source_ = nullptr;
      bound_ = nullptr;
    }
    gauge* bound_ = nullptr;
    unsigned generation_ = 0;
  };

  void set(double value) { value_ = value; }
  void inc(double by = 1) { value_ += by; }
  void dec(double by = 1) { value_ -= by; }

  // From now on the value is `fn()`, until the returned binding is destroyed; then the last
  // set() value shows again. A later bind replaces the source, and the older binding then
  // unbinds nothing. The gauge must outlive the binding (registries live for the process).
  [[nodiscard]] source_binding bind(source fn) {
    source_ = std::move(fn);
    return source_binding(this, ++generation_);
  }

  // A source for good, for one that lives as long as the gauge (a free function).
  void set_source(source fn) {
    source_ = std::move(fn);
    ++generation_;
  }

  // The value a render would show now.
  std::optional<double> value() const { return source_ ? source_() : std::optional(value_); }

 private:
  double value_ = 0;
  source source_;
  unsigned generation_ = 0;
};

}  // namespace tweetup::metrics

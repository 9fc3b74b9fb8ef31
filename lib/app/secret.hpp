// A secret value (a token, a password) that cannot be logged by accident: formatting it with
// fmt or spdlog prints "***". Read it only where it goes on the wire, with reveal().
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace tweetup {

class secret {
 public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

}  // namespace tweetup

template <>
struct fmt::formatter<tweetup::secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const tweetup::secret&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};

#include "adapters/discord/session_start_limit.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace tweetup {

namespace {

using json = nlohmann::json;

// An integer member within [low, high]; nullopt otherwise (absent, a string, a float, 1e99).
std::optional<long long> whole(const json& object, const char* name, long long low,
                               long long high) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  const long long value = it->get<long long>();
  if (value < low || value > high) return std::nullopt;
  return value;
}

}  // namespace

std::optional<session_start_limit> session_start_limit::from_gateway_bot(std::string_view body) {
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  const auto limit = parsed.find("session_start_limit");
  if (limit == parsed.end() || !limit->is_object()) return std::nullopt;
  constexpr long long most = 1'000'000'000;  // far above any real figure; keeps int arithmetic
  const auto total = whole(*limit, "total", 0, most);
  const auto remaining = whole(*limit, "remaining", 0, most);
  // A day is the documented window; a week bounds a wait that a bad answer could ask for.
  const auto reset_after = whole(*limit, "reset_after", 0, 7LL * 24 * 3600 * 1000);
  if (!total || !remaining || !reset_after) return std::nullopt;
  session_start_limit out;
  out.total = static_cast<int>(*total);
  out.remaining = static_cast<int>(*remaining);
  out.reset_after = std::chrono::milliseconds(*reset_after);
  out.max_concurrency = static_cast<int>(whole(*limit, "max_concurrency", 1, most).value_or(1));
  return out;
}

std::optional<int> recommended_shards(std::string_view gateway_bot_body) {
  const json parsed = json::parse(gateway_bot_body, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  // Far above any real count (Discord's largest bots run tens of thousands); keeps int safe.
  const auto shards = whole(parsed, "shards", 1, 1'000'000);
  if (!shards) return std::nullopt;
  return static_cast<int>(*shards);
}

std::chrono::milliseconds session_start_limit::wait_before_identify() const {
  if (remaining > 0) return std::chrono::milliseconds(0);
  return reset_after + std::chrono::seconds(1);
}

}  // namespace tweetup

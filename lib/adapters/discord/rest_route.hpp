// A REST request's identity for rate limiting (protocols.md R8, R11). Pure.
//
// Discord keys its rate limits by route and "major parameter" (channel id, guild id, webhook id
// + token): requests to the same endpoint on two channels count against two limits, while
// requests that differ only in a message id share one. make_route works this out from the
// method and path, so callers never spell keys by hand.
//
// limiter_key and major_parameters may contain a webhook or interaction token: keep them in
// memory, and log route_template, which has every id and token replaced by a placeholder.
#pragma once

#include <string>
#include <string_view>

namespace tweetup {

struct rest_route {
  std::string method;  // upper case: "GET", "POST", "PATCH", ...
  std::string path;    // relative to api_base, as given: "/channels/1/messages?limit=5"
  // Method + path (query dropped) with the major parameters literal and every other id, token
  // or emoji a placeholder: "PATCH /channels/1/messages/{id}".
  std::string limiter_key;
  // Method + path with every id and token a placeholder: "PATCH
  // /channels/{channel_id}/messages/{id}". A bucket hash (X-RateLimit-Bucket) is learned per
  // template; safe to log.
  std::string route_template;
  // The major parameters joined by '/': "1" for a channel, "5/<token>" for a webhook, "" for none.
  std::string major_parameters;
  // R8: interaction callbacks are not subject to the global 50/s limit.
  bool counts_toward_global = true;
  // A /webhooks/{id}/... route; one that answers 404 is dropped for good (R11).
  bool is_webhook = false;

  bool operator==(const rest_route&) const = default;
};

// `path` starts with '/'; ids are Discord snowflakes (all digits). Never fails: an unusual path
// just keeps its unusual segments literal.
rest_route make_route(std::string_view method, std::string path);

}  // namespace tweetup

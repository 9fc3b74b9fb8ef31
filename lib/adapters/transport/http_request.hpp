// An HTTP request for http_client::send(), which checks it (see there) and adds the framing.
#pragma once

#include <string>
#include <vector>

#include "adapters/transport/http_header.hpp"

namespace tweetup {

struct http_request {
  // "GET", "POST", "PATCH", "PUT", "DELETE", … (case-sensitive, RFC 9110 §9.1).
  std::string method;
  // Path and query, e.g. "/api/v10/channels/1/messages".
  std::string target;
  // Sent in this order. The client sets Host and Content-Length itself and keeps the
  // connection alive, so these (and Connection, Transfer-Encoding) must not appear here.
  std::vector<http_header> headers;
  // Sent with Content-Length when not empty, or when the method is POST, PUT or PATCH (then
  // "Content-Length: 0", which some servers require).
  std::string body;
};

}  // namespace tweetup

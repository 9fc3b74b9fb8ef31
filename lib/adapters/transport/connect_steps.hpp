// Internal to lib/adapters/transport: the steps from a parsed URL to an open byte stream that
// websocket_client and http_client share (resolve, TCP connect, TLS handshake with SNI and
// host name verification), each bounded by one deadline.
//
// Executor: the streams' and the resolver's. Lifetime: `stream` and `tls` (and `error_text`)
// are owned by the caller and must outlive the returned task; the resolver is shared so that
// its timeout handler may outlive the task. To abort an attempt, cancel the resolver and close
// the stream's socket; the task then ends with an error.
//
// Errors: a boost::system::error_code; on failure *error_text holds words for a log line
// (what failed, with whom, and the error's message). Running out of time gives
// beast::error::timeout. Plain connections are refused with errc::permission_denied, before
// any traffic, unless the host is loopback (parsed_url::plain_allowed); a host name that
// resolves to any address that is not loopback is refused too.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "adapters/transport/net_stream.hpp"
#include "adapters/transport/parsed_url.hpp"
#include "adapters/transport/tls_client_context.hpp"
#include "async/asio.hpp"

namespace tweetup::transport_detail {

using clock_type = std::chrono::steady_clock;

// Resolves `u`, checks the loopback rule and connects `stream` (new, plain), all before
// `deadline`.
async::task<boost::system::error_code> open_plain(
    std::shared_ptr<boost::asio::ip::tcp::resolver> resolver, net_stream* stream, parsed_url u,
    clock_type::time_point deadline, std::string* error_text);

// Resolves `u`, connects `stream` (new), starts TLS on it with tls->native(), sets SNI (host
// names only, RFC 6066 §3) and, when tls->verify(), certificate chain and host name
// verification, then runs the TLS client handshake, all before `deadline`. A TLS context
// whose trust store failed to load fails here with its load_error().
async::task<boost::system::error_code> open_tls(
    std::shared_ptr<boost::asio::ip::tcp::resolver> resolver, net_stream* stream,
    tls_client_context* tls, parsed_url u, clock_type::time_point deadline,
    std::string* error_text);

}  // namespace tweetup::transport_detail

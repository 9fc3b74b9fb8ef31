// A WebSocket client over plain TCP (ws://, loopback only) or TLS (wss://), for the chat adapters
// (IRC over WebSocket, the Discord gateway). Beast and OpenSSL stay inside the .cpp (pimpl), so
// including this header costs no more than Asio's awaitable.
//
// Lifetime and executor: the client owns its socket and TLS context and must outlive every
// coroutine started on it; all of them run on the executor given to the constructor. One
// connection at a time: connect() again after a failure or a close replaces the old stream.
//
// Concurrency contract (Beast's rule): at most one read() and at most one write() in flight at a
// time; read() and write() may overlap each other. close() may be called while a read() is in
// flight (that read then ends with an error), but never while a write() is. cancel() may be
// called at any time.
//
// Errors: every operation returns a boost::system::error_code and never throws for I/O. After a
// failure, last_error_text() says what failed in words fit for a log line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

#include "adapters/transport/tls_options.hpp"
#include "async/asio.hpp"

namespace tweetup {

struct connect_options {
  // Offered in Sec-WebSocket-Protocol, in order of preference. The server may pick none.
  std::vector<std::string> subprotocols;
  // Sent as the Origin header when not empty (InspIRCd rejects handshakes without one).
  std::string origin;
  // Budget for resolve + TCP connect + TLS handshake + WebSocket handshake together; it is also
  // the budget of the closing handshake.
  std::chrono::seconds timeout{10};
  // A larger incoming message fails read() with beast's message_too_big and ends the connection.
  std::size_t max_message_size = std::size_t{1} << 20;
  // Acknowledges what arrives at once rather than after the kernel's delayed ACK: for a
  // server that writes small messages with Nagle's algorithm on and a client that answers on
  // the same connection (IRC; net_stream::set_ack_at_once says why). One system call per read.
  bool ack_at_once = false;
};

class websocket_client {
 public:
  // reuse() keeps no room larger than this, so one big message does not stay allocated.
  static constexpr std::size_t max_reused_bytes = std::size_t{64} << 10;

  // Builds the TLS context now (system trust store plus tls.ca_file); a ca_file that cannot be
  // loaded is reported by the first connect() to a wss:// URL.
  websocket_client(async::executor ex, tls_options tls);
  ~websocket_client();
  websocket_client(const websocket_client&) = delete;
  websocket_client& operator=(const websocket_client&) = delete;

  // Connects to a ws:// or wss:// URL ("wss://host[:port]/path?query"; port 443 or 80 by
  // default). wss:// verifies the certificate chain and the host name, and sends SNI. ws:// is
  // refused (errc::permission_denied, no network traffic) unless the host is loopback
  // (127.0.0.0/8, ::1, localhost). A malformed URL gives errc::invalid_argument; running out of
  // o.timeout gives beast::error::timeout.
  async::task<boost::system::error_code> connect(std::string url, connect_options o);

  // Reads one whole message, text or binary. When the peer closes, the error is
  // beast::websocket::error::closed and close_code() holds the peer's code.
  async::task<std::pair<boost::system::error_code, std::string>> read();
  // Optional: hands back a message read() returned, once the caller is done with it, so that the
  // next read() copies into its storage instead of allocating.
  void reuse(std::string spent);

  // Sends `text` as one text message. The caller keeps at most one write in flight.
  async::task<boost::system::error_code> write(std::string text);

  // Sends a close frame with `code` and `reason` (cut to the protocol's 123 bytes) and waits
  // for the peer's close frame, within connect_options::timeout.
  async::task<boost::system::error_code> close(std::uint16_t code, std::string reason);

  // Abandons the connection at once, without a closing handshake: a connect() in flight ends
  // promptly with asio::error::operation_aborted whatever step it is in (resolve, TCP connect,
  // TLS or WebSocket handshake), and a read(), write() or close() in flight ends with an error.
  // Once none is in flight the stream is dropped, with the timers Beast keeps for it, so
  // nothing of this connection holds the executor's run() any longer. For shutting down; also
  // after a connection ended, before the executor should go idle. connect() may follow.
  void cancel();

  bool is_open() const;
  // The subprotocol the server picked in the last successful handshake; empty when it picked
  // none.
  const std::string& chosen_subprotocol() const;
  // After connect(): write() sends binary messages instead of text ones, as a subprotocol may
  // require (IRCv3 websocket: with binary.ircv3.net both sides send binary). connect() goes
  // back to text.
  void set_binary(bool binary);
  // The close code the peer sent (0 when no close frame has been received).
  std::uint16_t close_code() const;
  // Words for the last failure of connect/read/write/close (empty when none yet).
  const std::string& last_error_text() const;

 private:
  struct impl;
  struct in_flight;
  std::unique_ptr<impl> impl_;
};

}  // namespace tweetup

// Internal to lib/adapters/transport: the one byte stream that the HTTP and WebSocket clients
// run over, a connected TCP socket with or without TLS on it (start_tls). Plain, its
// operations are the socket's own. With TLS, each runs a tls_session step, and when OpenSSL
// wants the socket readable or writable first, waits for that with the socket's async_wait
// and tries again: OpenSSL reads and writes the socket itself, with no buffers in between
// (tls_session.hpp says why not asio::ssl::stream).
//
// It is an Asio AsyncStream, so Beast's websocket::stream runs over it (websocket_client.cpp
// adds its teardown). next_layer() is the socket: closing it ends every operation pending on
// the stream with an error, which is how deadlines and cancel() end them.
//
// Concurrency: at most one read and one write in flight at a time, which may overlap (Beast's
// rule); a handshake alone. Operations that finish at once complete through a post, never
// inside the initiating call. Single-threaded, on the socket's executor.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <utility>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include "adapters/transport/tls_session.hpp"

namespace tweetup::transport_detail {

namespace net_stream_detail {

// Runs a TLS step (a callable returning tls_session::step) until it finishes, waiting on the
// socket for what the step wants between tries. Completes with (error_code, bytes), or with
// (error_code) for a handshake.
template <typename Step, bool WithBytes>
struct tls_op {
  boost::asio::ip::tcp::socket* socket;
  Step step;
  enum class phase { first_try, waited, finished_at_once } now = phase::first_try;
  tls_session::step result{};

  template <typename Self>
  void operator()(Self& self, boost::system::error_code wait_error = {}) {
    if (now == phase::finished_at_once) return complete(self, result.ec, result.bytes);
    if (wait_error) return complete(self, wait_error, 0);  // the socket was closed meanwhile
    // OpenSSL holds the descriptor's number, not the socket: once the socket is closed, that
    // number may already name another connection.
    const tls_session::step s =
        socket->is_open()
            ? step()
            : tls_session::step{tls_session::want::nothing, 0, boost::asio::error::bad_descriptor};
    if (s.next != tls_session::want::nothing) {
      now = phase::waited;
      socket->async_wait(s.next == tls_session::want::read ? boost::asio::socket_base::wait_read
                                                           : boost::asio::socket_base::wait_write,
                         std::move(self));
      return;
    }
    if (now == phase::first_try) {
      // Asio's rule: a handler never runs inside the call that started its operation.
      now = phase::finished_at_once;
      result = s;
      boost::asio::post(std::move(self));
      return;
    }
    complete(self, s.ec, s.bytes);
  }

  template <typename Self>
  static void complete(Self& self, boost::system::error_code ec, std::size_t bytes) {
    if constexpr (WithBytes) {
      self.complete(ec, bytes);
    } else {
      (void)bytes;
      self.complete(ec);
    }
  }
};

struct handshake_step {
  tls_session* tls;
  tls_session::step operator()() const { return tls->handshake(); }
};

struct read_step {
  tls_session* tls;
  boost::asio::mutable_buffer into;
  tls_session::step operator()() const {
    if (into.size() == 0) return {};
    return tls->read(into.data(), into.size());
  }
};

struct write_step {
  tls_session* tls;
  boost::asio::const_buffer from;
  tls_session::step operator()() const {
    if (from.size() == 0) return {};
    return tls->write(from.data(), from.size());
  }
};

}  // namespace net_stream_detail

class net_stream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;

  // The most a TLS write gathers from several buffers into one record: one record's worth.
  static constexpr std::size_t max_gathered = tls_session::max_record;

  explicit net_stream(const executor_type& ex) : socket_(ex) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  // Beast's get_lowest_layer() walks next_layer(): its timeouts close this socket.
  socket_type& next_layer() noexcept { return socket_; }
  socket_type& socket() noexcept { return socket_; }
  const socket_type& socket() const noexcept { return socket_; }
  // The TLS session, or null on a plain stream.
  tls_session* tls() noexcept { return tls_.get(); }

  // Acknowledge what was received at the start of each read rather than after Linux's delayed
  // ACK (TCP_QUICKACK, which the kernel clears again as it pleases, hence every read). For a
  // peer that writes small messages with Nagle's algorithm on, such as an IRC server: once we
  // answer on the socket, Linux delays its ACKs to ride on our next write, and when no write
  // comes (we answered, the server echoed our line), the server holds its next line until the
  // ACK, 40 ms later.
  void set_ack_at_once(bool on) noexcept { ack_at_once_ = on; }

  // Sends close_notify when this is an open TLS stream and the socket takes it at once.
  void send_close_notify() {
    if (tls_ && socket_.is_open()) tls_->send_close_notify();
  }

  // Puts a TLS session with the options of `context` over the connected socket; the handshake
  // comes next (async_handshake), after tls()->expect_peer().
  boost::system::error_code start_tls(SSL_CTX* context) {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return ec;
    tls_ = std::make_unique<tls_session>(context, socket_.native_handle());
    if (tls_->error()) {
      ec = tls_->error();
      tls_.reset();
    }
    return ec;
  }

  // The TLS client handshake; completes with (error_code).
  template <typename Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        net_stream_detail::tls_op<net_stream_detail::handshake_step, false>{
            &socket_, net_stream_detail::handshake_step{tls_.get()}},
        token, socket_);
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& into) {
#ifdef TCP_QUICKACK  // Linux's; elsewhere the ACK stays delayed
          if (ack_at_once_ && socket_.is_open()) {
            const int one = 1;  // a failure only leaves the ACK delayed
            ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
          }
#endif
          if (!tls_) {
            socket_.async_read_some(into, std::move(handler));
            return;
          }
          // One record's plaintext at most per call, like a socket's read_some.
          run_tls(net_stream_detail::read_step{tls_.get(), first(into)}, std::move(handler));
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& from) {
          if (!tls_) {
            socket_.async_write_some(from, std::move(handler));
            return;
          }
          run_tls(net_stream_detail::write_step{tls_.get(), gathered(from)}, std::move(handler));
        },
        token, buffers);
  }

 private:
  // Runs a read or write step on the TLS session until it finishes; `handler` gets (error_code,
  // bytes).
  template <typename Step, typename Handler>
  void run_tls(Step step, Handler handler) {
    boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
        net_stream_detail::tls_op<Step, true>{&socket_, step}, handler, socket_);
  }

  // The first buffer from `it` on that is not empty, or `end`.
  template <typename Iterator>
  static Iterator non_empty(Iterator it, Iterator end) {
    while (it != end && boost::asio::buffer_size(*it) == 0)
      ++it;
    return it;
  }

  template <typename Buffers>
  static boost::asio::mutable_buffer first(const Buffers& buffers) {
    const auto end = boost::asio::buffer_sequence_end(buffers);
    const auto it = non_empty(boost::asio::buffer_sequence_begin(buffers), end);
    return it == end ? boost::asio::mutable_buffer{} : boost::asio::mutable_buffer(*it);
  }

  // What one TLS write sends from `buffers`: the first non-empty buffer when it is the only one
  // (or fills a record alone), else the buffers copied together into one record's worth. A
  // request's head and body, or a WebSocket frame's header and payload, then go out as one
  // record and one send() rather than two. The copy stays put until the next write, as
  // OpenSSL wants for a write it retries.
  template <typename Buffers>
  boost::asio::const_buffer gathered(const Buffers& buffers) {
    const auto end = boost::asio::buffer_sequence_end(buffers);
    auto it = non_empty(boost::asio::buffer_sequence_begin(buffers), end);
    if (it == end) return {};
    const boost::asio::const_buffer head(*it);
    if (non_empty(std::next(it), end) == end || head.size() >= max_gathered) return head;
    scratch_.clear();
    for (; it != end && scratch_.size() < max_gathered; ++it) {
      const boost::asio::const_buffer b(*it);
      const std::size_t take = std::min(b.size(), max_gathered - scratch_.size());
      scratch_.append(static_cast<const char*>(b.data()), take);
    }
    return boost::asio::buffer(scratch_);
  }

  socket_type socket_;
  std::unique_ptr<tls_session> tls_;
  std::string scratch_;  // gathered(): the bytes of a write in flight
  bool ack_at_once_ = false;
};

}  // namespace tweetup::transport_detail

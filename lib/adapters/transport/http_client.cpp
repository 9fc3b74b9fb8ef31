// The pimpl keeps Asio and OpenSSL out of the header. The connections are net_streams opened by
// connect_steps; the responses are read by http_response_reader, not by Beast's parser, which
// cost the Discord path about 20,000 instructions per response with its field allocations and
// the copy out. Exchanges have no timer of their own: a per-operation timer (a timer-queue
// insert and cancel for each write and read, and the cancelled wait run as one more scheduler
// round, as Beast's tcp_stream did) cost more than the read itself; the client's watchdog keeps
// their deadlines instead.
#include "adapters/transport/http_client.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <string_view>
#include <tuple>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/errc.hpp>

#include "adapters/transport/connect_steps.hpp"
#include "adapters/transport/http_response_reader.hpp"
#include "adapters/transport/http_token.hpp"
#include "adapters/transport/parsed_url.hpp"
#include "adapters/transport/tls_client_context.hpp"

namespace tweetup {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using transport_detail::clock_type;
using namespace std::string_view_literals;

// Cloudflare in front of Discord adds a fair number of fields (Beast's default was 8 KiB).
constexpr std::size_t max_response_header = 64 * 1024;

error_code errc_code(boost::system::errc::errc_t e) {
  return boost::system::errc::make_error_code(e);
}

// The bytes that would split a request if a header value held them. A loop, not
// find_first_of, which calls memchr on the three-byte set for every byte; CR, LF and NUL are all
// below 0x0e, so one comparison rules out almost every byte.
bool holds_line_break(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= '\r' && (u == '\r' || u == '\n' || u == 0)) return true;
  }
  return false;
}

// The fields that the client writes itself.
constexpr std::array<std::string_view, 4> client_fields{"Host", "Content-Length", "Connection",
                                                        "Transfer-Encoding"};

bool same_name(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

// Why the client will not send `h`, or empty.
std::string header_problem(const http_header& h) {
  if (!is_http_token(h.name)) return "the header name \"" + h.name + "\" is not an HTTP token";
  if (holds_line_break(h.value)) return "the value of header " + h.name + " holds CR, LF or NUL";
  for (const std::string_view own : client_fields) {
    if (same_name(h.name, own)) return "the header " + h.name + " is set by the client";
  }
  return {};
}

// Why `r` cannot be sent as it is; empty when it can. Checked because build_request writes the
// fields out as they are, and a CR or LF in one would split the request (header injection).
std::string request_problem(const http_request& r) {
  if (!is_http_token(r.method)) return "the method \"" + r.method + "\" is not an HTTP token";
  if (r.target.empty() || r.target.front() != '/') {
    return "the target must start with '/' (origin-form, RFC 9112 §3.2.1)";
  }
  if (std::any_of(r.target.begin(), r.target.end(),
                  [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return "the target holds a space or a control character";
  }
  for (const auto& h : r.headers) {
    if (auto problem = header_problem(h); !problem.empty()) return problem;
  }
  return {};
}

// A request as it goes on the wire: the request line and the fields in one string, the body
// apart so that it is written from where it lies. Serialized by hand, not by Beast's
// serializer: that one walked a field list and a buffer sequence per write, which cost the
// Discord path more CPU than the kernel's whole send (request_problem() has already ruled out
// anything that could split the header).
struct wire_request {
  std::string head;
  std::string body;
  bool is_head = false;  // a HEAD: the response has no body whatever its fields say
};

// `fixed` is http_client_options::fixed_headers as written out once (fixed_header_lines).
wire_request build_request(http_request r, const std::string& host, std::string_view fixed) {
  wire_request out;
  const bool body_expected = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  std::size_t size = r.method.size() + r.target.size() + host.size() + fixed.size() + 64;
  for (const auto& h : r.headers)
    size += h.name.size() + h.value.size() + 4;
  // The literals as string_views: append(const char*) measures each with strlen.
  out.head.reserve(size);
  out.head.append(r.method).append(" "sv).append(r.target).append(" HTTP/1.1\r\n"sv);
  out.head.append("Host: "sv).append(host).append("\r\n"sv);
  out.head.append(fixed);
  for (const auto& h : r.headers)
    out.head.append(h.name).append(": "sv).append(h.value).append("\r\n"sv);
  // Some servers answer 411 to a POST without Content-Length, even with no body.
  if (!r.body.empty() || body_expected) {
    out.head.append("Content-Length: "sv).append(std::to_string(r.body.size())).append("\r\n"sv);
  }
  out.head.append("\r\n"sv);
  out.body = std::move(r.body);
  out.is_head = r.method == "HEAD";
  return out;
}

// The reader's refusals as the Beast error codes of the same names, which send() returned when
// Beast's parser read the responses: callers and their logs keep seeing the same codes.
error_code read_error_code(http_response_reader::error e) {
  using reader_error = http_response_reader::error;
  switch (e) {
    case reader_error::none:
      return {};
    case reader_error::end_of_stream:
      return http::error::end_of_stream;
    case reader_error::partial_message:
      return http::error::partial_message;
    case reader_error::bad_line_ending:
      return http::error::bad_line_ending;
    case reader_error::bad_version:
      return http::error::bad_version;
    case reader_error::bad_status:
      return http::error::bad_status;
    case reader_error::bad_reason:
      return http::error::bad_reason;
    case reader_error::bad_field:
      return http::error::bad_field;
    case reader_error::bad_value:
      return http::error::bad_value;
    case reader_error::header_limit:
      return http::error::header_limit;
    case reader_error::bad_content_length:
      return http::error::bad_content_length;
    case reader_error::multiple_content_length:
      return http::error::multiple_content_length;
    case reader_error::bad_transfer_encoding:
      return http::error::bad_transfer_encoding;
    case reader_error::bad_chunk:
      return http::error::bad_chunk;
    case reader_error::bad_chunk_extension:
      return http::error::bad_chunk_extension;
    case reader_error::body_limit:
      return http::error::body_limit;
  }
  return http::error::bad_value;  // not reached: every enumerator is named above
}

// The ways a server's earlier close of an idle keep-alive connection shows on the next request.
bool closed_by_peer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

// Each connection's read buffer: Discord's answers (a message object and the rate-limit
// headers) are 1–3 KB, so one read usually takes a whole one; bigger ones take more reads. The
// reader copies what it keeps, so the buffer holds nothing between reads.
constexpr std::size_t read_room = 8192;

// One connection to the origin; it is listed in `live` (the client's) while it exists, so that
// close() can reach it whoever holds it.
struct pool_connection {
  pool_connection(const async::executor& ex, std::vector<pool_connection*>* registry)
      : resolver(std::make_shared<tcp::resolver>(ex)), stream(ex), live(registry) {
    live->push_back(this);
  }
  ~pool_connection() { live->erase(std::find(live->begin(), live->end(), this)); }
  pool_connection(const pool_connection&) = delete;
  pool_connection& operator=(const pool_connection&) = delete;

  bool is_open() const { return stream.socket().is_open(); }

  // Ends whatever is pending on it (resolve, connect, handshake, write, read) with an error.
  void abort() {
    resolver->cancel();
    error_code ignored;
    stream.socket().close(ignored);
  }

  std::shared_ptr<tcp::resolver> resolver;
  transport_detail::net_stream stream;
  std::array<char, read_room> buffer;
  clock_type::time_point idle_since{};
  // When the running exchange is overdue; max() while none runs. The watchdog reads it.
  clock_type::time_point deadline = clock_type::time_point::max();
  bool timed_out = false;     // the watchdog closed it: its exchange's errors are a timeout
  std::size_t exchanges = 0;  // complete responses read on it
  std::vector<pool_connection*>* live;
};

// What one request/response exchange on a connection gave.
struct exchange_outcome {
  http_response response;
  bool reusable = false;          // the response allows another request on the connection
  bool nothing_received = false;  // failed before any byte of a response arrived
  std::string error_text;
};

}  // namespace

struct http_client::impl : std::enable_shared_from_this<http_client::impl> {
  // A place in the pool (one of max_connections), with the connection in it if it has one.
  // Giving it back on every path, exceptions and frame destruction included, is the
  // destructor's job.
  struct slot {
    explicit slot(impl* o) : owner(o), epoch(o->epoch) {}
    ~slot() { release(false); }
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    void release(bool reusable) {
      if (!held) return;
      held = false;
      owner->put_back(std::move(connection), reusable && epoch == owner->epoch);
    }

    impl* owner;
    std::uint64_t epoch;
    bool held = false;
    std::unique_ptr<pool_connection> connection;
  };

  // A request waiting for a slot. put_back() hands one over (with a connection or empty) and
  // wakes it by cancelling the timer; close() wakes it with `aborted`.
  struct waiter {
    explicit waiter(impl* o) : owner(o), timer(o->ex, clock_type::time_point::max()) {
      owner->waiters.push_back(this);
    }
    ~waiter() {
      // Still queued only when its frame goes without having been woken (the io_context was
      // destroyed): a woken waiter was taken off already, and a search of the queue for it
      // would cost a scan per request while many wait.
      if (listed) {
        auto& queue = owner->waiters;
        if (const auto it = std::find(queue.begin(), queue.end(), this); it != queue.end()) {
          queue.erase(it);
        }
      }
      // Handed a slot but destroyed before taking it (its frame went with the io_context).
      if (granted) owner->put_back(std::move(connection), false);
    }
    waiter(const waiter&) = delete;
    waiter& operator=(const waiter&) = delete;

    impl* owner;
    asio::steady_timer timer;
    bool listed = true;  // in owner->waiters
    bool granted = false;
    bool aborted = false;
    std::unique_ptr<pool_connection> connection;
  };

  // The watchdog's completion handler. It holds the impl weakly, so that a wait pending when the
  // client goes does not keep the impl alive; `generation` tells a wait that close() cancelled
  // (its handler may run after a new wait was started) from the current one.
  struct watchdog_handler {
    std::weak_ptr<impl> owner;
    std::uint64_t generation;
    void operator()(const error_code& ec) const {
      const auto self = owner.lock();
      if (!self || self->watchdog_generation != generation) return;
      self->watchdog_armed = false;
      if (ec) return;
      self->watch();
    }
  };

  impl(async::executor e, std::string origin_text, tls_options t, http_client_options o)
      : ex(std::move(e)), tls(t), options(o), watchdog(ex) {
    options.max_connections = std::max<std::size_t>(1, options.max_connections);
    auto parsed = parse_url(origin_text);
    if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https") ||
        parsed->target != "/") {
      origin_error = errc_code(boost::system::errc::invalid_argument);
      origin_error_text = "not an http:// or https:// origin (scheme://host[:port], no path): \"" +
                          origin_text + "\"";
      return;
    }
    origin = *parsed;
    if (!origin.plain_allowed()) {
      origin_error = errc_code(boost::system::errc::permission_denied);
      origin_error_text = "refused plain http:// to " + origin.host +
                          ", which is not loopback (127.0.0.0/8, ::1, localhost); use https://";
    }
    host_header = origin.authority();
    where = origin.host + ":" + origin.port;
    for (const auto& h : options.fixed_headers) {
      if (auto problem = header_problem(h); !problem.empty()) {
        origin_error = errc_code(boost::system::errc::invalid_argument);
        origin_error_text = "fixed header refused: " + problem;
        return;
      }
      fixed_header_lines.append(h.name).append(": "sv).append(h.value).append("\r\n"sv);
    }
    // Written out now; the options' copy (credentials, perhaps) is not needed again.
    options.fixed_headers.clear();
  }

  ~impl() {
    // Connections unlist themselves from `live` as they go.
    idle.clear();
  }

  std::pair<error_code, http_response> fail(error_code ec, std::string text) {
    error_text = std::move(text);
    return {ec, http_response{}};
  }

  std::pair<error_code, http_response> aborted() {
    return fail(asio::error::operation_aborted,
                "request to " + where + " aborted (close() or a cancellation)");
  }

  // Returns a slot's connection to the idle list, or drops it; either way the slot goes to the
  // first waiter if there is one.
  void put_back(std::unique_ptr<pool_connection> c, bool reusable) {
    if (reusable && c && c->is_open()) {
      c->idle_since = clock_type::now();
      if (!waiters.empty()) {
        hand_over(std::move(c));
        return;
      }
      idle.push_back(std::move(c));
      return;
    }
    c.reset();
    if (!waiters.empty()) {
      hand_over(nullptr);
      return;
    }
    --slots;
  }

  void hand_over(std::unique_ptr<pool_connection> c) {
    waiter* w = waiters.front();
    waiters.pop_front();
    w->listed = false;
    w->granted = true;
    w->connection = std::move(c);
    w->timer.cancel();
  }

  // Fills `out` with a slot when one is free now: the most recently used idle connection that
  // is fresh enough, else an empty slot while fewer than max_connections exist. Not a
  // coroutine, so the usual case costs no frame; wait_for_slot() is the other case.
  bool try_acquire(slot* out) {
    const auto now = clock_type::now();
    for (auto it = idle.begin(); it != idle.end();) {
      if (now - (*it)->idle_since >= options.idle_timeout || !(*it)->is_open()) {
        it = idle.erase(it);
        --slots;
      } else {
        ++it;
      }
    }
    if (!idle.empty()) {
      out->connection = std::move(idle.back());
      idle.pop_back();
      out->held = true;
      return true;
    }
    if (slots < options.max_connections) {
      ++slots;
      out->held = true;
      return true;
    }
    return false;
  }

  // Waits for the next slot given back (FIFO) and fills `out` with it; operation_aborted when
  // close() or a cancellation ends the wait. `out` belongs to the caller's frame.
  async::task<error_code> wait_for_slot(slot* out) {
    waiter w(this);
    co_await w.timer.async_wait(async::nothrow);
    if (w.granted) {
      w.granted = false;
      out->connection = std::move(w.connection);
      out->held = true;
      co_return error_code{};
    }
    co_return asio::error::operation_aborted;
  }

  // Opens a new connection in the slot `s` (owned by the caller's frame), within one timeout.
  async::task<error_code> open_connection(slot* s, std::string* text) {
    s->connection = std::make_unique<pool_connection>(ex, &live);
    pool_connection* c = s->connection.get();
    const auto deadline = clock_type::now() + options.timeout;
    error_code ec;
    if (origin.secure()) {
      const auto tls_ec = co_await transport_detail::open_tls(c->resolver, &c->stream, &tls, origin,
                                                              deadline, text);
      ec = tls_ec;
    } else {
      const auto tcp_ec =
          co_await transport_detail::open_plain(c->resolver, &c->stream, origin, deadline, text);
      ec = tcp_ec;
    }
    if (ec) s->connection.reset();
    co_return ec;
  }

  // Starts the watchdog for a deadline just written into a connection, unless it waits already.
  // Every exchange has the same budget, so a deadline set now is never earlier than those set
  // before: a watchdog already waiting wakes in time for it, or earlier and waits again.
  void watch_for(clock_type::time_point deadline) {
    if (watchdog_armed) return;
    watchdog_armed = true;
    watchdog.expires_at(deadline);
    watchdog.async_wait(watchdog_handler{weak_from_this(), watchdog_generation});
  }

  // The watchdog woke: closes the connections whose exchange is overdue, which ends their
  // pending write or read with an error that exchange() reports as a timeout, and waits again
  // for the earliest deadline left, if any exchange is still running.
  void watch() {
    const auto now = clock_type::now();
    auto next = clock_type::time_point::max();
    for (pool_connection* c : live) {
      if (c->deadline <= now) {
        c->deadline = clock_type::time_point::max();
        c->timed_out = true;
        c->abort();
      } else {
        next = std::min(next, c->deadline);
      }
    }
    if (next != clock_type::time_point::max()) watch_for(next);
  }

  // Writes `req` and reads one final response on `c`, both within one timeout (the watchdog's).
  // `c` is owned by the caller's slot, `req` and `out` by the caller's frame. The read errors
  // are the reader's refusals as Beast codes (read_error_code), end_of_stream when the peer
  // closed before any byte, partial_message when it closed inside a response, or the stream's
  // own; any error after the watchdog closed the connection is beast::error::timeout.
  async::task<error_code> exchange(pool_connection* c, const wire_request* req,
                                   exchange_outcome* out) {
    transport_detail::net_stream* stream = &c->stream;
    c->timed_out = false;
    c->deadline = clock_type::now() + options.timeout;
    watch_for(c->deadline);
    const std::array<asio::const_buffer, 2> wire{asio::buffer(req->head), asio::buffer(req->body)};
    auto [write_ec, written] = co_await asio::async_write(*stream, wire, async::nothrow);
    if (write_ec) {
      c->deadline = clock_type::time_point::max();
      if (c->timed_out) write_ec = beast::error::timeout;
      out->nothing_received = true;
      out->error_text = "send request to " + where + ": " + write_ec.message();
      co_return write_ec;
    }
    // Interim (1xx) responses are the reader's to skip (RFC 9110 §15.2).
    http_response_reader reader({max_response_header, options.max_response_body}, req->is_head);
    std::size_t extra = 0;  // bytes read after the response
    for (;;) {
      const auto read = co_await stream->async_read_some(asio::buffer(c->buffer), async::nothrow);
      error_code read_ec = std::get<0>(read);
      const std::size_t read_size = std::get<1>(read);
      if (read_size > 0) {
        const auto step = reader.feed(std::string_view(c->buffer.data(), read_size));
        if (step.what == http_response_reader::outcome::done) {
          extra = read_size - step.consumed;
          break;
        }
        if (step.what == http_response_reader::outcome::failed) {
          read_ec = read_error_code(reader.failure());
        }
      }
      // Only a clean end of the stream may end a body; a TLS stream cut without close_notify
      // (stream_truncated) could be an attacker's truncation and stays an error.
      if (read_ec == asio::error::eof) {
        if (reader.finish() == http_response_reader::outcome::done) break;
        read_ec = read_error_code(reader.failure());
      }
      if (read_ec) {
        c->deadline = clock_type::time_point::max();
        if (c->timed_out) read_ec = beast::error::timeout;
        out->nothing_received = !reader.got_some();
        out->error_text = "read response from " + where + ": " + read_ec.message();
        co_return read_ec;
      }
    }
    c->deadline = clock_type::time_point::max();
    // Bytes after the response were not asked for: the connection's framing is not trusted.
    out->reusable = reader.keep_alive() && extra == 0;
    out->response = reader.take();
    co_return error_code{};
  }

  // `keep_alive` is this impl: held by the frame, so that a request still pending when the
  // client is destroyed ends (or is destroyed with the io_context) without touching freed
  // memory. Passed in rather than taken by a wrapper coroutine, which cost a frame per request.
  async::task<std::pair<error_code, http_response>> send(std::shared_ptr<impl> keep_alive,
                                                         http_request request) {
    (void)keep_alive;
    const std::uint64_t my_epoch = epoch;
    if (origin_error) co_return fail(origin_error, origin_error_text);
    if (const auto problem = request_problem(request); !problem.empty()) {
      co_return fail(errc_code(boost::system::errc::invalid_argument),
                     "request not sent: " + problem);
    }
    const wire_request req = build_request(std::move(request), host_header, fixed_header_lines);

    slot s(this);
    if (!try_acquire(&s)) {
      const auto wait_ec = co_await wait_for_slot(&s);
      // A slot handed over just before close() ran is not used for the old epoch's request.
      if (wait_ec || epoch != my_epoch) co_return aborted();
    }
    bool retried = false;
    for (;;) {
      if (!s.connection) {
        std::string text;
        const auto open_ec = co_await open_connection(&s, &text);
        if (epoch != my_epoch) co_return aborted();
        if (open_ec) co_return fail(open_ec, std::move(text));
      }
      pool_connection* c = s.connection.get();
      const bool reused = c->exchanges > 0;
      exchange_outcome outcome;
      const error_code ec = co_await exchange(c, &req, &outcome);
      if (epoch != my_epoch) co_return aborted();
      if (!ec) {
        ++c->exchanges;
        s.release(outcome.reusable);
        co_return std::pair{error_code{}, std::move(outcome.response)};
      }
      // The server closed the connection while it sat idle: the request never reached it.
      if (reused && !retried && outcome.nothing_received && closed_by_peer(ec)) {
        retried = true;
        s.connection.reset();
        continue;
      }
      co_return fail(ec, std::move(outcome.error_text));
    }
  }

  void close() {
    ++epoch;
    // Nothing is left to watch: the wait ends now rather than at its deadline, so that run()
    // may return.
    ++watchdog_generation;
    watchdog_armed = false;
    watchdog.cancel();
    const auto woken = std::move(waiters);
    waiters.clear();
    for (waiter* w : woken) {
      w->listed = false;
      w->aborted = true;
      w->timer.cancel();
    }
    slots -= idle.size();
    idle.clear();
    for (pool_connection* c : live)
      c->abort();
  }

  async::executor ex;
  transport_detail::tls_client_context tls;
  http_client_options options;
  parsed_url origin;
  std::string fixed_header_lines;  // options.fixed_headers, as they go on the wire
  error_code origin_error;         // set: every send() fails with it
  std::string origin_error_text;
  std::string host_header;
  std::string where;  // "host:port", for error texts
  // Every connection in existence (idle, or held by a slot); before `idle`, which it outlives.
  std::vector<pool_connection*> live;
  std::deque<std::unique_ptr<pool_connection>> idle;  // most recently used last
  std::deque<waiter*> waiters;
  std::size_t slots = 0;    // slots held or idle: at most options.max_connections
  std::uint64_t epoch = 0;  // advanced by close(); requests of an older epoch are aborted
  std::string error_text;
  // Closes the connections whose exchange is overdue (watch_for(), watch()).
  asio::steady_timer watchdog;
  bool watchdog_armed = false;
  std::uint64_t watchdog_generation = 0;  // advanced by close(), which cancels the wait
};

http_client::http_client(async::executor ex, std::string origin, tls_options tls,
                         http_client_options o)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(origin), std::move(tls), o)) {}

http_client::~http_client() {
  impl_->close();
}

async::task<std::pair<boost::system::error_code, http_response>> http_client::send(
    http_request request) {
  return impl_->send(impl_, std::move(request));
}

void http_client::close() {
  impl_->close();
}

const std::string& http_client::last_error_text() const {
  return impl_->error_text;
}

std::size_t http_client::open_connections() const {
  return static_cast<std::size_t>(
      std::count_if(impl_->live.begin(), impl_->live.end(),
                    [](const pool_connection* c) { return c->is_open(); }));
}

}  // namespace tweetup

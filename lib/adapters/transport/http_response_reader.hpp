// Reads one HTTP/1.1 response (RFC 9112) from bytes fed as they arrive, whatever the pieces'
// sizes. Pure: no I/O, no Beast, no Asio; http_client feeds it what each read returns.
//
// What it accepts, by the book:
// - the status line "HTTP/1.x SP 3DIGIT SP reason" with a status of 100-599 (§4);
// - field lines "token ':' OWS value OWS", the value with no control character but HTAB; no
//   whitespace before the colon or before the first field (§5.1, §2.2); obs-fold is refused
//   (§5.2); every line ends in CRLF;
// - interim 1xx responses, skipped (their fields are not kept); 101 is final;
// - body framing as in §6.3: none for a HEAD request and for 1xx, 204 and 304; the chunked
//   transfer coding (it must be the only coding: the client sends no TE, so a server may use no
//   other, RFC 9110 §10.1.4), chunk extensions and trailer fields read and dropped; else
//   Content-Length (a repeated or listed value must repeat the same number, RFC 9110 §8.6);
//   else everything up to the end of the stream. Content-Length together with
//   Transfer-Encoding is refused (§6.3 item 3: a smuggling attempt), as is Transfer-Encoding in
//   an HTTP/1.0 response (§6.1).
//
// Limits: the header block of each response (status line, fields, final CRLF) and the trailer
// section each at most limits.max_header bytes; the decoded body at most limits.max_body (a
// Content-Length or chunk size over it fails at once, before its bytes arrive); a chunk-size
// line at most max_chunk_line bytes.
//
// One reader reads one exchange: make a new one for the next request on the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/transport/http_response.hpp"

namespace tweetup {

class http_response_reader {
 public:
  // Why a response was refused. http_client turns these into Beast's error codes of the same
  // names (beast::http::error), which it returned before it read responses itself.
  enum class error {
    none,
    end_of_stream,    // the stream ended before any byte of a response
    partial_message,  // the stream ended inside a response
    bad_line_ending,  // a line not ended by CRLF
    bad_version,      // not "HTTP/1.x" at the start
    bad_status,       // not three digits of 100-599 and a space
    bad_reason,       // a control character in the reason phrase
    bad_field,        // a field name that is not a token, or whitespace before the first field
    bad_value,        // a control character in a field value, or an obs-fold
    header_limit,     // a header block or the trailer section over limits.max_header
    bad_content_length,
    multiple_content_length,  // Content-Length values that differ
    bad_transfer_encoding,    // not just "chunked", or together with Content-Length or HTTP/1.0
    bad_chunk,                // a chunk size that is not hex or overflows, or no CRLF after data
    bad_chunk_extension,      // a control character in a chunk extension, or too long a line
    body_limit,               // a body over limits.max_body
  };

  enum class outcome { need_more, done, failed };

  struct progress {
    outcome what = outcome::need_more;
    // Bytes of the input read. All of them unless `what` is done: then the response ended after
    // this many, and any more belong to something the client did not ask for.
    std::size_t consumed = 0;
  };

  struct limits {
    std::size_t max_header = 64 * 1024;  // at most 4 GiB: fields are 32-bit offsets
    std::size_t max_body = std::size_t{8} << 20;
  };

  static constexpr std::size_t max_chunk_line = 4096;

  // `head_request`: the response answers a HEAD, so it has no body whatever its fields say.
  http_response_reader(limits l, bool head_request);

  // Reads from `bytes`. Once it has said done or failed, feeding it again reads nothing.
  progress feed(std::string_view bytes);
  // The stream ended (the peer closed it): done when the body was delimited by that end, else
  // failed with end_of_stream (nothing received) or partial_message.
  outcome finish();

  error failure() const { return failure_; }
  // Some byte of a response (an interim one included) has been fed.
  bool got_some() const { return got_some_; }
  // After done: the response allows another request on the connection (HTTP/1.1 without
  // "Connection: close", or HTTP/1.0 with "Connection: keep-alive"; never after a body that the
  // end of the stream delimited, nor after 101).
  bool keep_alive() const { return keep_alive_; }
  // After done: the response. Leaves the reader empty.
  http_response take();

 private:
  enum class state {
    start_line,
    fields,
    body_length,
    body_to_eof,
    chunk_line,
    chunk_data,
    chunk_data_cr,
    chunk_data_lf,
    trailers,
    done,
    failed,
  };

  bool refuse(error e);  // fails the reader; returns false
  progress fail(error e);
  bool header_lines(std::string_view* in);
  bool header_line(std::string_view line, std::size_t at);
  bool status_line(std::string_view line);
  bool field_line(std::string_view line, std::size_t at);
  bool end_of_header();
  bool content_length(std::string_view value);
  void transfer_encoding(std::string_view value);
  void connection(std::string_view value);
  bool take_line(std::string_view* in, std::size_t limit, error too_long);
  std::optional<std::string_view> whole_line();
  bool chunk_line();
  bool trailer_line();

  limits limits_;
  bool head_request_;
  state state_ = state::start_line;
  error failure_ = error::none;
  bool got_some_ = false;
  bool keep_alive_ = false;

  // The current response's header block, and where its unfinished line starts.
  std::string head_;
  std::size_t line_at_ = 0;
  std::vector<http_response::field_span> spans_;
  unsigned status_ = 0;
  unsigned minor_version_ = 0;
  // What the framing fields said.
  std::optional<std::uint64_t> content_length_;
  bool transfer_encoding_ = false;  // the field is present
  bool chunked_ = false;            // "chunked" is its final coding
  bool other_coding_ = false;       // some coding is not that final "chunked"
  bool close_ = false;              // Connection: close
  bool keep_alive_token_ = false;   // Connection: keep-alive

  std::string body_;
  std::uint64_t remaining_ = 0;    // of the Content-Length body or the current chunk
  std::string line_;               // a chunk-size or trailer line being read
  std::size_t trailer_bytes_ = 0;  // of the trailer lines read whole
};

}  // namespace tweetup

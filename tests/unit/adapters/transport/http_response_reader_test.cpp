// http_response_reader against a table of responses, each read whole, split in two at every
// position and fed one byte at a time: every way of cutting a response must give the same
// verdict, the same response and the same count of bytes read.
#include <doctest/doctest.h>

#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "adapters/transport/http_response_reader.hpp"

namespace tweetup {
namespace {

using reader = http_response_reader;
using error = reader::error;
using outcome = reader::outcome;
using field_list = std::vector<std::pair<std::string, std::string>>;

const char* name_of(error e) {
  switch (e) {
    case error::none:
      return "none";
    case error::end_of_stream:
      return "end_of_stream";
    case error::partial_message:
      return "partial_message";
    case error::bad_line_ending:
      return "bad_line_ending";
    case error::bad_version:
      return "bad_version";
    case error::bad_status:
      return "bad_status";
    case error::bad_reason:
      return "bad_reason";
    case error::bad_field:
      return "bad_field";
    case error::bad_value:
      return "bad_value";
    case error::header_limit:
      return "header_limit";
    case error::bad_content_length:
      return "bad_content_length";
    case error::multiple_content_length:
      return "multiple_content_length";
    case error::bad_transfer_encoding:
      return "bad_transfer_encoding";
    case error::bad_chunk:
      return "bad_chunk";
    case error::bad_chunk_extension:
      return "bad_chunk_extension";
    case error::body_limit:
      return "body_limit";
  }
  return "?";
}

const char* name_of(outcome o) {
  switch (o) {
    case outcome::need_more:
      return "need_more";
    case outcome::done:
      return "done";
    case outcome::failed:
      return "failed";
  }
  return "?";
}

// What reading gave, in a form that compares and prints.
struct reading {
  outcome what = outcome::need_more;
  error failure = error::none;
  std::size_t consumed = 0;  // of the whole input, when done
  unsigned status = 0;
  std::string body;
  field_list fields;
  bool keep_alive = false;

  bool operator==(const reading&) const = default;
};

std::string describe(const reading& r) {
  std::ostringstream out;
  out << name_of(r.what);
  if (r.what == outcome::failed) out << " " << name_of(r.failure);
  if (r.what == outcome::done) {
    out << " after " << r.consumed << " bytes: " << r.status << (r.keep_alive ? " keep-alive" : "")
        << " body \"" << r.body << "\"";
    for (const auto& [name, value] : r.fields)
      out << " [" << name << ": " << value << "]";
  }
  return out.str();
}

struct reader_case {
  const char* what;
  std::string input;
  reading expected;
  bool eof = false;   // the peer closes the stream after the input
  bool head = false;  // the request was a HEAD
  reader::limits limits{};
  std::size_t left_over = 0;  // bytes after the response's end, not read
};

// A response read whole, with its status, body, fields and keep-alive verdict; how much of the
// input it took is the case's input less its left_over.
reading done(unsigned status, std::string body, field_list fields, bool keep_alive) {
  return {outcome::done, error::none, 0, status, std::move(body), std::move(fields), keep_alive};
}

reading failed(error e) {
  return {outcome::failed, e, 0, 0, {}, {}, false};
}

// Feeds `input` cut at `cuts` (ascending positions inside it), then ends the stream if `eof`.
reading read_cut(const reader_case& c, const std::vector<std::size_t>& cuts) {
  reader r(c.limits, c.head);
  reading out;
  std::size_t at = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(c.input.size());
  for (const std::size_t end : ends) {
    const auto step = r.feed(std::string_view(c.input).substr(at, end - at));
    if (step.what == outcome::failed) return failed(r.failure());
    if (step.what == outcome::done) {
      out.consumed = at + step.consumed;
      out.what = outcome::done;
      break;
    }
    REQUIRE(step.consumed == end - at);  // need_more reads everything it was given
    at = end;
  }
  if (out.what != outcome::done) {
    if (!c.eof) return out;
    if (r.finish() == outcome::failed) return failed(r.failure());
    out.what = outcome::done;
    out.consumed = c.input.size();
  }
  out.keep_alive = r.keep_alive();
  const http_response response = r.take();
  out.status = response.status;
  out.body = response.body;
  for (const auto field : response.fields())
    out.fields.emplace_back(field.name, field.value);
  return out;
}

void check_every_cut(reader_case c) {
  const std::string what = c.what;
  CAPTURE(what);
  if (c.expected.what == outcome::done) c.expected.consumed = c.input.size() - c.left_over;
  const auto whole = read_cut(c, {});
  CHECK_MESSAGE(whole == c.expected,
                "read whole: " << describe(whole) << "\n  expected: " << describe(c.expected));
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < c.input.size(); ++i) {
    const auto split = read_cut(c, {i});
    CHECK_MESSAGE(split == c.expected, "split at " << i << ": " << describe(split));
    bytes.push_back(i);
  }
  const auto one_by_one = read_cut(c, bytes);
  CHECK_MESSAGE(one_by_one == c.expected, "byte by byte: " << describe(one_by_one));
}

reader::limits small_limits(std::size_t header, std::size_t body) {
  return reader::limits{header, body};
}

const std::string ok_head = "HTTP/1.1 200 OK\r\n";

TEST_CASE("well-formed responses are read whole, however they are cut") {
  const std::vector<reader_case> cases{
      {"Content-Length, fields in order, repeated ones kept",
       ok_head + "Content-Type: application/json\r\nX-RateLimit-Limit: 5\r\n"
                 "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
       done(200, "{\"a\":1}",
            {{"Content-Type", "application/json"},
             {"X-RateLimit-Limit", "5"},
             {"Set-Cookie", "a=1"},
             {"Set-Cookie", "b=2"},
             {"Content-Length", "7"}},
            true)},
      {"optional whitespace around values is trimmed; empty values kept",
       ok_head + "X-A:   spaced  value \t\r\nX-Empty:\r\nX-Tab:\tv\r\nContent-Length: 0\r\n\r\n",
       done(200, "",
            {{"X-A", "spaced  value"}, {"X-Empty", ""}, {"X-Tab", "v"}, {"Content-Length", "0"}},
            true)},
      {"an empty reason phrase, and obs-text in a value",
       "HTTP/1.1 404 \r\nX-Latin: caf\xe9\r\nContent-Length: 2\r\n\r\nno",
       done(404, "no", {{"X-Latin", "caf\xe9"}, {"Content-Length", "2"}}, true)},
      {"bytes after the response are not read",
       ok_head + "Content-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n",
       done(200, "abc", {{"Content-Length", "3"}}, true),
       false,
       false,
       {},
       ok_head.size()},
      {"Connection: close ends the connection",
       ok_head + "Connection: close\r\nContent-Length: 1\r\n\r\nx",
       done(200, "x", {{"Connection", "close"}, {"Content-Length", "1"}}, false)},
      {"close within a Connection list, in any case",
       ok_head + "Connection: Keep-Alive, , CLOSE\r\nContent-Length: 0\r\n\r\n",
       done(200, "", {{"Connection", "Keep-Alive, , CLOSE"}, {"Content-Length", "0"}}, false)},
      {"HTTP/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
       done(200, "x", {{"Content-Length", "1"}}, false)},
      {"HTTP/1.0 keeps alive when told to",
       "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
       done(200, "x", {{"Connection", "keep-alive"}, {"Content-Length", "1"}}, true)},
      {"a repeated Content-Length of the same number",
       ok_head + "Content-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc",
       done(200, "abc", {{"Content-Length", "3, 3"}, {"content-length", "3"}}, true)},
      {"interim responses are skipped, their fields with them",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + ok_head +
           "Content-Length: 2\r\n\r\nok",
       done(200, "ok", {{"Content-Length", "2"}}, true)},
      {"101 is final, without a body, and ends HTTP on the connection",
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
       done(101, "", {{"Upgrade", "websocket"}}, false),
       false,
       false,
       {},
       7},
      {"204 has no body whatever its fields say",
       "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
       done(204, "", {{"Content-Length", "5"}}, true)},
      {"304 has no body: what follows is not read",
       "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nHTTP/",
       done(304, "", {{"Content-Length", "5"}}, true),
       false,
       false,
       {},
       5},
      {"chunked, with extensions and trailers dropped",
       ok_head + "Transfer-Encoding: chunked\r\nX-B: 1\r\n\r\n"
                 "5\r\n{\"a\":\r\n7;ext=1 ; q=\"x y\"\r\n\"hello\"\r\n1 ;last\r\n}\r\n"
                 "0\r\nX-Trailer: t\r\nServer-Timing: a;dur=1\r\n\r\n",
       done(200, "{\"a\":\"hello\"}", {{"Transfer-Encoding", "chunked"}, {"X-B", "1"}}, true)},
      {"chunk sizes in either case, with leading zeros",
       ok_head + "transfer-encoding: Chunked\r\n\r\n00A\r\n0123456789\r\n0b\r\nabcdefghijk\r\n"
                 "000\r\n\r\nextra",
       done(200, "0123456789abcdefghijk", {{"transfer-encoding", "Chunked"}}, true),
       false,
       false,
       {},
       5},
      {"chunked with empty list elements around it",
       ok_head + "Transfer-Encoding: , chunked ,\r\n\r\n0\r\n\r\n",
       done(200, "", {{"Transfer-Encoding", ", chunked ,"}}, true)},
      {"no length: the body runs to the end of the stream",
       ok_head + "Content-Type: text/plain\r\n\r\nuntil the end",
       done(200, "until the end", {{"Content-Type", "text/plain"}}, false), true},
      {"no length and no body before the end", ok_head + "\r\n", done(200, "", {}, false), true},
  };
  for (const auto& c : cases)
    check_every_cut(c);
}

TEST_CASE("a HEAD response has no body: Content-Length is that of a GET") {
  reader_case c{"HEAD", ok_head + "Content-Length: 42\r\n\r\n",
                done(200, "", {{"Content-Length", "42"}}, true)};
  c.head = true;
  check_every_cut(c);
  // Without a length it still ends with its header, and the connection stays usable.
  reader_case bare{"HEAD without a length", ok_head + "\r\n", done(200, "", {}, true)};
  bare.head = true;
  check_every_cut(bare);
}

TEST_CASE("malformed responses are refused, however they are cut") {
  const std::vector<reader_case> cases{
      // status line (RFC 9112 §4)
      {"another protocol", "ICY 200 OK\r\n\r\n", failed(error::bad_version)},
      {"HTTP-name is case-sensitive", "http/1.1 200 OK\r\n\r\n", failed(error::bad_version)},
      {"HTTP/2 framing", "HTTP/2 200 OK\r\n\r\n", failed(error::bad_version)},
      {"major version 2", "HTTP/2.0 200 OK\r\n\r\n", failed(error::bad_version)},
      {"no space after the version", "HTTP/1.1\t200 OK\r\n\r\n", failed(error::bad_version)},
      {"two spaces before the status", "HTTP/1.1  200 OK\r\n\r\n", failed(error::bad_status)},
      {"a status that is not three digits", "HTTP/1.1 20x OK\r\n\r\n", failed(error::bad_status)},
      {"a four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", failed(error::bad_status)},
      {"no space after the status", "HTTP/1.1 200\r\n\r\n", failed(error::bad_status)},
      {"a status over 599", "HTTP/1.1 600 Odd\r\n\r\n", failed(error::bad_status)},
      {"a status under 100", "HTTP/1.1 099 Odd\r\n\r\n", failed(error::bad_status)},
      {"a control character in the reason", "HTTP/1.1 200 O\x01K\r\n\r\n",
       failed(error::bad_reason)},
      {"leading empty lines", "\r\nHTTP/1.1 200 OK\r\n\r\n", failed(error::bad_version)},
      // line endings
      {"LF alone after the status line", "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
       failed(error::bad_line_ending)},
      {"LF alone after a field", ok_head + "Content-Length: 0\n\r\n",
       failed(error::bad_line_ending)},
      {"a bare LF as the final line", ok_head + "X: y\r\n\n", failed(error::bad_line_ending)},
      // fields (RFC 9112 §5, RFC 9110 §5.5)
      {"a space in a field name", ok_head + "Bad Name: x\r\n\r\n", failed(error::bad_field)},
      {"whitespace before the colon", ok_head + "Content-Length : 0\r\n\r\n",
       failed(error::bad_field)},
      {"no colon", ok_head + "NoColon\r\n\r\n", failed(error::bad_field)},
      {"an empty name", ok_head + ": x\r\n\r\n", failed(error::bad_field)},
      {"whitespace before the first field", ok_head + " X: y\r\n\r\n", failed(error::bad_field)},
      {"obs-fold", ok_head + "X: a\r\n  b\r\nContent-Length: 0\r\n\r\n", failed(error::bad_value)},
      {"NUL in a value", ok_head + std::string("X: a\0b\r\n\r\n", 10), failed(error::bad_value)},
      {"a bare CR in a value", ok_head + "X: a\rb\r\n\r\n", failed(error::bad_value)},
      {"DEL in a value", ok_head + "X: a\x7f\r\n\r\n", failed(error::bad_value)},
      // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)
      {"not a number", ok_head + "Content-Length: abc\r\n\r\n", failed(error::bad_content_length)},
      {"a sign", ok_head + "Content-Length: +5\r\n\r\n", failed(error::bad_content_length)},
      {"negative", ok_head + "Content-Length: -1\r\n\r\n", failed(error::bad_content_length)},
      {"empty", ok_head + "Content-Length:\r\n\r\n", failed(error::bad_content_length)},
      {"an empty list element", ok_head + "Content-Length: 5,,5\r\n\r\n",
       failed(error::bad_content_length)},
      {"two numbers in one element", ok_head + "Content-Length: 5 5\r\n\r\n",
       failed(error::bad_content_length)},
      {"over 64 bits", ok_head + "Content-Length: 18446744073709551616\r\n\r\n",
       failed(error::bad_content_length)},
      {"different numbers in a list", ok_head + "Content-Length: 5, 6\r\n\r\n",
       failed(error::multiple_content_length)},
      {"different numbers in two fields",
       ok_head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
       failed(error::multiple_content_length)},
      // Transfer-Encoding (RFC 9112 §6.1, §6.3)
      {"Content-Length with Transfer-Encoding",
       ok_head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"a coding the client cannot decode", ok_head + "Transfer-Encoding: gzip\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"chunked not final", ok_head + "Transfer-Encoding: chunked, gzip\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"gzip then chunked, over two fields",
       ok_head + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"chunked twice", ok_head + "Transfer-Encoding: chunked, chunked\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"an empty Transfer-Encoding", ok_head + "Transfer-Encoding:\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      {"Transfer-Encoding in HTTP/1.0",
       "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       failed(error::bad_transfer_encoding)},
      // chunks (RFC 9112 §7.1)
      {"a chunk size that is not hex", ok_head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
       failed(error::bad_chunk)},
      {"an empty chunk size", ok_head + "Transfer-Encoding: chunked\r\n\r\n\r\n",
       failed(error::bad_chunk)},
      {"a chunk size over 64 bits",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
       failed(error::bad_chunk)},
      {"whitespace after the size with no extension",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
       failed(error::bad_chunk)},
      {"no CRLF after chunk data",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
       failed(error::bad_chunk)},
      {"CR without LF after chunk data",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n",
       failed(error::bad_chunk)},
      {"a control character in an extension",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n",
       failed(error::bad_chunk_extension)},
      {"a chunk line over max_chunk_line",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n5;" + std::string(reader::max_chunk_line, 'x') +
           "\r\nhello\r\n0\r\n\r\n",
       failed(error::bad_chunk_extension)},
      {"a chunk line ended by LF alone", ok_head + "Transfer-Encoding: chunked\r\n\r\n5\nhello",
       failed(error::bad_line_ending)},
      {"a trailer that is not a field",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n",
       failed(error::bad_field)},
      {"a control character in a trailer",
       ok_head + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: \x02\r\n\r\n",
       failed(error::bad_value)},
      // the end of the stream inside a response
      {"nothing at all", "", failed(error::end_of_stream), true},
      {"inside the status line", "HTTP/1.1 20", failed(error::partial_message), true},
      {"inside the fields", ok_head + "Content-Le", failed(error::partial_message), true},
      {"after an interim response", "HTTP/1.1 100 Continue\r\n\r\n", failed(error::partial_message),
       true},
      {"inside a Content-Length body", ok_head + "Content-Length: 10\r\n\r\nshort",
       failed(error::partial_message), true},
      {"inside a chunk", ok_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
       failed(error::partial_message), true},
      {"before the last chunk", ok_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
       failed(error::partial_message), true},
      {"inside the trailers", ok_head + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n",
       failed(error::partial_message), true},
  };
  for (const auto& c : cases)
    check_every_cut(c);
}

TEST_CASE("an unfinished response asks for more and reads everything it was given") {
  const std::vector<reader_case> cases{
      {"half a header", ok_head + "Content-", reading{}},
      {"half a body", ok_head + "Content-Length: 4\r\n\r\nab", reading{}},
      {"a body to the end of the stream", ok_head + "\r\nsome", reading{}},
      {"a chunked body", ok_head + "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", reading{}},
  };
  for (const auto& c : cases)
    check_every_cut(c);
}

TEST_CASE("the header limit counts each response's header block") {
  const std::string head =
      ok_head + "X-Pad: " + std::string(20, 'p') + "\r\nContent-Length: 0\r\n\r\n";
  reader_case fits{"exactly at the limit", head, done(200, "", {}, true)};
  fits.limits = small_limits(head.size(), 1024);
  fits.expected = done(200, "", {{"X-Pad", std::string(20, 'p')}, {"Content-Length", "0"}}, true);
  check_every_cut(fits);

  reader_case over{"one byte over", head, failed(error::header_limit)};
  over.limits = small_limits(head.size() - 1, 1024);
  check_every_cut(over);

  // An interim response's header does not count against the final one's.
  const std::string interim = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n";
  reader_case each{"each response has its own limit", interim + head, done(200, "", {}, true)};
  each.limits = small_limits(head.size(), 1024);
  each.expected = done(200, "", {{"X-Pad", std::string(20, 'p')}, {"Content-Length", "0"}}, true);
  check_every_cut(each);

  // A header that never ends fails once it passes the limit, not at the end of the stream.
  reader_case endless{"no end of header", ok_head + std::string(100, 'x'),
                      failed(error::header_limit)};
  endless.limits = small_limits(64, 1024);
  check_every_cut(endless);

  reader_case trailers{
      "trailers count against it too",
      ok_head + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: " + std::string(60, 't') + "\r\n\r\n",
      failed(error::header_limit)};
  trailers.limits = small_limits(64, 1024);
  check_every_cut(trailers);
}

TEST_CASE("the body limit holds for every framing, before the body arrives when it can") {
  reader_case length{"Content-Length over it", ok_head + "Content-Length: 11\r\n\r\n",
                     failed(error::body_limit)};
  length.limits = small_limits(1024, 10);
  check_every_cut(length);

  reader_case at_limit{"Content-Length at it", ok_head + "Content-Length: 10\r\n\r\n0123456789",
                       done(200, "0123456789", {{"Content-Length", "10"}}, true)};
  at_limit.limits = small_limits(1024, 10);
  check_every_cut(at_limit);

  reader_case chunks{"chunks adding up over it",
                     ok_head + "Transfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n",
                     failed(error::body_limit)};
  chunks.limits = small_limits(1024, 10);
  check_every_cut(chunks);

  reader_case huge{"a chunk size near 2^64",
                   ok_head + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\nffffffffffffffff\r\n",
                   failed(error::body_limit)};
  huge.limits = small_limits(1024, 10);
  check_every_cut(huge);

  reader_case to_eof{"a body to the end of the stream over it",
                     ok_head + "\r\n" + std::string(11, 'b'), failed(error::body_limit), true};
  to_eof.limits = small_limits(1024, 10);
  check_every_cut(to_eof);
}

TEST_CASE("got_some, and a reader that has finished reads nothing more") {
  reader r({}, false);
  CHECK_FALSE(r.got_some());
  CHECK(r.feed("").what == outcome::need_more);
  CHECK_FALSE(r.got_some());
  CHECK(r.feed("HTTP/1.1 100 Continue\r\n\r\n").what == outcome::need_more);
  CHECK(r.got_some());
  const auto step = r.feed(ok_head + "Content-Length: 0\r\n\r\nmore");
  CHECK(step.what == outcome::done);
  CHECK(step.consumed == ok_head.size() + 21);
  const auto again = r.feed("HTTP/1.1 200 OK\r\n");
  CHECK(again.what == outcome::done);
  CHECK(again.consumed == 0);
  CHECK(r.finish() == outcome::done);

  reader bad({}, false);
  CHECK(bad.feed("nonsense\r\n").what == outcome::failed);
  CHECK(bad.feed(ok_head).what == outcome::failed);
  CHECK(bad.finish() == outcome::failed);
  CHECK(bad.failure() == error::bad_version);
}

TEST_CASE("the response's fields stay valid when it is moved") {
  reader r({}, false);
  REQUIRE(r.feed(ok_head + "A: 1\r\nb: two\r\nA: 3\r\nContent-Length: 0\r\n\r\n").what ==
          outcome::done);
  http_response first = r.take();
  http_response moved = std::move(first);
  http_response assigned;
  assigned = std::move(moved);
  CHECK(assigned.status == 200);
  CHECK(assigned.header("a") == "1");  // the first of a repeated field
  CHECK(assigned.header("B") == "two");
  CHECK(assigned.header("content-length") == "0");
  CHECK_FALSE(assigned.header("c"));
  CHECK(assigned.field_count() == 4);
  CHECK(assigned.fields().size() == 4);

  // A header block short enough for std::string's in-place buffer, whose bytes move with it.
  http_response small(204, "X:y", {{0, 1, 2, 1}}, "");
  http_response small_moved = std::move(small);
  CHECK(small_moved.header("x") == "y");
  CHECK(http_response{}.field_count() == 0);
  CHECK_FALSE(http_response{}.header("x"));
}

}  // namespace
}  // namespace tweetup

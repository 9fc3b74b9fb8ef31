// libFuzzer target for the HTTP response reader (lib/adapters/transport/http_response_reader),
// which reads whatever a server sends back. Input: one control byte (bit 0: the request was a
// HEAD; bits 1-3: which header and body limits), one byte that seeds where the wire bytes are
// cut, then the wire bytes. The seeds in corpus/http_response start with those two bytes.
//
// Invariants (a violation calls __builtin_trap, which libFuzzer reports as a crash):
// - the verdict, the bytes read and the response are the same whether the bytes come whole or
//   cut into pieces, with and without the end of the stream after them;
// - need_more reads every byte it is given; done reads no more than it was given;
// - a response read is final (100-599, not interim unless 101), within the limits, its field
//   names tokens and its values free of CR, LF, NUL and outer whitespace; it has no body when
//   it answers a HEAD or is 1xx, 204 or 304; and a body ended by the stream's end never leaves
//   the connection for reuse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/transport/http_response_reader.hpp"
#include "fuzz_oracle.hpp"

namespace {

using tweetup::http_response_reader;
using tweetup::fuzz::check;
using outcome = http_response_reader::outcome;

struct reading {
  outcome what = outcome::need_more;
  http_response_reader::error failure = http_response_reader::error::none;
  std::size_t consumed = 0;
  bool by_eof = false;
  bool keep_alive = false;
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> fields;

  bool operator==(const reading&) const = default;
};

// Written here, not taken from lib/: tchar of RFC 9110 §5.6.2.
bool token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

reading read(std::string_view wire, const std::vector<std::size_t>& cuts, bool eof, bool head,
             http_response_reader::limits limits) {
  http_response_reader r(limits, head);
  reading out;
  std::size_t at = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (const std::size_t end : ends) {
    const auto step = r.feed(wire.substr(at, end - at));
    if (step.what == outcome::failed) {
      out.what = outcome::failed;
      out.failure = r.failure();
      return out;
    }
    if (step.what == outcome::done) {
      check(step.consumed <= end - at);
      out.consumed = at + step.consumed;
      out.what = outcome::done;
      break;
    }
    check(step.consumed == end - at);
    at = end;
  }
  if (out.what != outcome::done) {
    if (!eof) return out;
    if (r.finish() == outcome::failed) {
      out.what = outcome::failed;
      out.failure = r.failure();
      check(out.failure != http_response_reader::error::none);
      return out;
    }
    out.what = outcome::done;
    out.consumed = wire.size();
    out.by_eof = true;
  }
  out.keep_alive = r.keep_alive();
  const auto response = r.take();
  out.status = response.status;
  out.body = response.body;
  for (const auto field : response.fields())
    out.fields.emplace_back(field.name, field.value);
  return out;
}

void check_response(const reading& r, bool head, const http_response_reader::limits& limits) {
  if (r.what != outcome::done) return;
  check(r.status >= 100 && r.status <= 599);
  check(r.status >= 200 || r.status == 101);
  check(r.body.size() <= limits.max_body);
  if (head || r.status < 200 || r.status == 204 || r.status == 304) check(r.body.empty());
  if (r.by_eof || r.status == 101) check(!r.keep_alive);
  for (const auto& [name, value] : r.fields) {
    check(token(name));
    check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    if (!value.empty()) {
      check(value.front() != ' ' && value.front() != '\t');
      check(value.back() != ' ' && value.back() != '\t');
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t control = data[0];
  std::uint32_t seed = data[1];
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
  const bool head = (control & 1u) != 0;
  // Small limits too, so that the fuzzer reaches them with short inputs.
  static constexpr std::size_t header_limits[] = {16, 64, 256, 64 * 1024};
  static constexpr std::size_t body_limits[] = {0, 8, 100, std::size_t{8} << 20};
  const http_response_reader::limits limits{header_limits[(control >> 1) & 3u],
                                            body_limits[(control >> 3) & 3u]};

  std::vector<std::size_t> cuts;
  for (std::size_t at = 0;;) {
    seed = seed * 1103515245u + 12345u;
    at += 1 + (seed >> 16) % 64;
    if (at >= wire.size()) break;
    cuts.push_back(at);
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < wire.size() && wire.size() <= 512; ++i)
    every.push_back(i);

  for (const bool eof : {false, true}) {
    const reading whole = read(wire, {}, eof, head, limits);
    check_response(whole, head, limits);
    check(read(wire, cuts, eof, head, limits) == whole);
    if (!every.empty()) check(read(wire, every, eof, head, limits) == whole);
  }
  return 0;
}

#include "adapters/transport/http_response_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "adapters/transport/http_token.hpp"

namespace tweetup {

namespace {

using error = http_response_reader::error;

// What a field value, a reason phrase or a chunk extension may hold: HTAB, SP, VCHAR and
// obs-text, so no control character but HTAB (RFC 9110 §5.5: CR, LF and NUL are dangerous).
constexpr std::array<bool, 256> text_chars = [] {
  std::array<bool, 256> t{};
  t['\t'] = true;
  for (int c = 0x20; c < 0x7f; ++c)
    t[c] = true;
  for (int c = 0x80; c < 0x100; ++c)
    t[c] = true;
  return t;
}();

bool is_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return text_chars[static_cast<unsigned char>(c)]; });
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// ASCII only: names and codings are tokens, so locale rules must not apply.
bool same_token(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != lower[i]) return false;
  }
  return true;
}

// Calls `each` with every element of a comma-separated list (RFC 9110 §5.6.1), trimmed; empty
// elements, which a recipient must accept, are skipped.
template <typename F>
void for_each_element(std::string_view list, F each) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    if (!element.empty()) each(element);
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

http_response_reader::http_response_reader(limits l, bool head_request)
    : limits_(l), head_request_(head_request) {
  // Field spans are 32-bit offsets into the header block.
  limits_.max_header =
      std::min<std::size_t>(limits_.max_header, std::numeric_limits<std::uint32_t>::max());
}

bool http_response_reader::refuse(error e) {
  state_ = state::failed;
  failure_ = e;
  return false;
}

http_response_reader::progress http_response_reader::fail(error e) {
  refuse(e);
  return {outcome::failed, 0};
}

http_response_reader::progress http_response_reader::feed(std::string_view bytes) {
  if (state_ == state::done) return {outcome::done, 0};
  if (state_ == state::failed) return {outcome::failed, 0};
  if (!bytes.empty()) got_some_ = true;
  std::string_view in = bytes;
  const auto finished = [&bytes, &in, this] {
    state_ = state::done;
    return progress{outcome::done, bytes.size() - in.size()};
  };
  // Body bytes of a known count (Content-Length's, or a chunk's): true once all have come.
  const auto take_counted = [&in, this] {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
    body_.append(in.data(), n);
    in.remove_prefix(n);
    remaining_ -= n;
    return remaining_ == 0;
  };
  while (!in.empty()) {
    switch (state_) {
      case state::start_line:
      case state::fields:
        if (!header_lines(&in)) return {outcome::failed, 0};
        if (state_ == state::done) return finished();
        break;
      case state::body_length:
        if (take_counted()) return finished();
        break;
      case state::body_to_eof:
        if (in.size() > limits_.max_body - body_.size()) return fail(error::body_limit);
        body_.append(in);
        in = {};
        break;
      case state::chunk_line:
        if (!take_line(&in, max_chunk_line, error::bad_chunk_extension)) break;
        if (!chunk_line()) return {outcome::failed, 0};
        break;
      case state::chunk_data:
        if (take_counted()) state_ = state::chunk_data_cr;
        break;
      case state::chunk_data_cr:
        if (in.front() != '\r') return fail(error::bad_chunk);
        in.remove_prefix(1);
        state_ = state::chunk_data_lf;
        break;
      case state::chunk_data_lf:
        if (in.front() != '\n') return fail(error::bad_chunk);
        in.remove_prefix(1);
        state_ = state::chunk_line;
        break;
      case state::trailers:
        if (!take_line(&in, limits_.max_header - trailer_bytes_, error::header_limit)) break;
        if (!trailer_line()) return {outcome::failed, 0};
        if (state_ == state::done) return finished();
        break;
      case state::done:
      case state::failed:
        break;  // the cases above return as they enter these states
    }
    if (state_ == state::failed) return {outcome::failed, 0};
  }
  return {outcome::need_more, bytes.size()};
}

http_response_reader::outcome http_response_reader::finish() {
  switch (state_) {
    case state::done:
      return outcome::done;
    case state::failed:
      return outcome::failed;
    case state::body_to_eof:
      state_ = state::done;
      return outcome::done;
    default:
      fail(got_some_ ? error::partial_message : error::end_of_stream);
      return outcome::failed;
  }
}

http_response http_response_reader::take() {
  return http_response(status_, std::move(head_), std::move(spans_), std::move(body_));
}

// Reads header lines from `*in` into head_, which the response keeps. Whole lines are parsed
// where they lie and copied together, in one allocation when the header came in one piece
// (usually); only a line split across feeds is put together in head_ first. Either way the
// lines are parsed the same, so a response split anywhere reads the same.
bool http_response_reader::header_lines(std::string_view* in) {
  if (line_at_ < head_.size()) {
    const void* lf = std::memchr(in->data(), '\n', in->size());
    const std::size_t take =
        lf == nullptr ? in->size() : static_cast<const char*>(lf) - in->data() + 1;
    if (take > limits_.max_header - head_.size()) return refuse(error::header_limit);
    head_.append(in->data(), take);
    in->remove_prefix(take);
    if (lf == nullptr) return true;
    const std::size_t at = std::exchange(line_at_, head_.size());
    return header_line(std::string_view(head_).substr(at), at);
  }
  std::size_t taken = 0;                            // bytes of *in that belong to head_
  std::size_t unfinished = std::string_view::npos;  // where a line without its LF starts
  while (taken < in->size() && (state_ == state::start_line || state_ == state::fields)) {
    const void* lf = std::memchr(in->data() + taken, '\n', in->size() - taken);
    const std::size_t end =
        lf == nullptr ? in->size() : static_cast<const char*>(lf) - in->data() + 1;
    if (end > limits_.max_header - head_.size()) return refuse(error::header_limit);
    if (lf == nullptr) {
      unfinished = taken;
      taken = end;
      break;
    }
    const bool interim_may_end = state_ == state::fields;
    if (!header_line(in->substr(taken, end - taken), head_.size() + taken)) return false;
    taken = end;
    if (interim_may_end && state_ == state::start_line) {
      // An interim response ended (end_of_header emptied head_): its bytes are not kept.
      in->remove_prefix(taken);
      taken = 0;
    }
  }
  head_.append(in->data(), taken);
  in->remove_prefix(taken);
  line_at_ =
      unfinished == std::string_view::npos ? head_.size() : head_.size() - (taken - unfinished);
  return true;
}

// One header line, its LF included, that starts at offset `at` of the header block.
bool http_response_reader::header_line(std::string_view line, std::size_t at) {
  if (line.size() < 2 || line[line.size() - 2] != '\r') return refuse(error::bad_line_ending);
  line.remove_suffix(2);
  if (state_ == state::start_line) return status_line(line);
  if (line.empty()) return end_of_header();
  return field_line(line, at);
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ], RFC 9112 §4.
bool http_response_reader::status_line(std::string_view line) {
  if (line.size() < 9 || !line.starts_with("HTTP/") || line[5] != '1' || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ') {
    return refuse(error::bad_version);
  }
  minor_version_ = static_cast<unsigned>(line[7] - '0');
  if (line.size() < 13 || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
      line[12] != ' ') {
    return refuse(error::bad_status);
  }
  status_ = static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  // RFC 9110 §15: the first digit is the class, 1 to 5.
  if (status_ < 100 || status_ > 599) return refuse(error::bad_status);
  if (!is_text(line.substr(13))) return refuse(error::bad_reason);
  state_ = state::fields;
  return true;
}

// field-line = field-name ":" OWS field-value OWS, RFC 9112 §5; `at` is its offset in head_.
bool http_response_reader::field_line(std::string_view line, std::size_t at) {
  if (is_space(line.front())) {
    // Before the first field it would hide a field (§2.2); after one it is an obs-fold, which
    // this client refuses rather than unfolds (§5.2).
    return refuse(spans_.empty() ? error::bad_field : error::bad_value);
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return refuse(error::bad_field);
  // A space before the colon fails here too: it is not a token character (§5.1).
  const std::string_view name = line.substr(0, colon);
  if (!is_http_token(name)) return refuse(error::bad_field);
  const std::string_view value = trim(line.substr(colon + 1));
  if (!is_text(value)) return refuse(error::bad_value);
  // Discord's answers carry about 25 fields (Cloudflare's included): one allocation for them.
  if (spans_.empty()) spans_.reserve(32);
  spans_.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name.size()),
                    static_cast<std::uint32_t>(at + (value.data() - line.data())),
                    static_cast<std::uint32_t>(value.size())});
  // Only three names matter to the framing; the length test skips the rest cheaply.
  switch (name.size()) {
    case 14:
      if (same_token(name, "content-length")) return content_length(value);
      break;
    case 17:
      if (same_token(name, "transfer-encoding")) transfer_encoding(value);
      break;
    case 10:
      if (same_token(name, "connection")) connection(value);
      break;
    default:
      break;
  }
  return true;
}

// Content-Length = 1*DIGIT. A list of one number repeated, or the field repeated with the same
// number, is that number (RFC 9110 §8.6); different numbers make the framing unknowable.
bool http_response_reader::content_length(std::string_view value) {
  for (;;) {
    const std::size_t comma = value.find(',');
    const std::string_view element = trim(value.substr(0, comma));
    if (element.empty()) return refuse(error::bad_content_length);
    std::uint64_t n = 0;
    for (const char c : element) {
      if (!is_digit(c)) return refuse(error::bad_content_length);
      const auto digit = static_cast<unsigned>(c - '0');
      if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
        return refuse(error::bad_content_length);
      }
      n = n * 10 + digit;
    }
    if (content_length_ && *content_length_ != n) return refuse(error::multiple_content_length);
    content_length_ = n;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// Transfer-Encoding = #transfer-coding. Several fields make one list, in order (RFC 9110 §5.3).
void http_response_reader::transfer_encoding(std::string_view value) {
  transfer_encoding_ = true;
  for_each_element(value, [this](std::string_view coding) {
    // Chunked applied twice, or any coding after it, leaves chunked not final (§6.1, §7).
    if (chunked_) other_coding_ = true;
    if (same_token(coding, "chunked")) {
      chunked_ = true;
    } else {
      other_coding_ = true;
    }
  });
}

void http_response_reader::connection(std::string_view value) {
  for_each_element(value, [this](std::string_view option) {
    if (same_token(option, "close")) close_ = true;
    if (same_token(option, "keep-alive")) keep_alive_token_ = true;
  });
}

bool http_response_reader::end_of_header() {
  if (status_ < 200 && status_ != 101) {
    // An interim response (RFC 9110 §15.2): read the next one in its place.
    head_.clear();
    line_at_ = 0;
    spans_.clear();
    content_length_.reset();
    transfer_encoding_ = chunked_ = other_coding_ = close_ = keep_alive_token_ = false;
    state_ = state::start_line;
    return true;
  }
  if (transfer_encoding_ &&
      (content_length_ || minor_version_ == 0 || other_coding_ || !chunked_)) {
    return refuse(error::bad_transfer_encoding);
  }
  // RFC 9112 §9.3: HTTP/1.1 persists unless told to close; HTTP/1.0 only when told to keep
  // alive. After 101 the connection speaks another protocol.
  keep_alive_ = !close_ && (minor_version_ >= 1 || keep_alive_token_) && status_ != 101;
  // §6.3 item 1: these have no body whatever their fields say (a HEAD response's Content-Length
  // is that of the GET's body).
  if (head_request_ || status_ < 200 || status_ == 204 || status_ == 304) {
    state_ = state::done;
    return true;
  }
  if (chunked_) {
    state_ = state::chunk_line;
    return true;
  }
  if (content_length_) {
    if (*content_length_ > limits_.max_body) return refuse(error::body_limit);
    if (*content_length_ == 0) {
      state_ = state::done;
      return true;
    }
    body_.reserve(static_cast<std::size_t>(*content_length_));
    remaining_ = *content_length_;
    state_ = state::body_length;
    return true;
  }
  // §6.3 item 8: the body ends with the connection.
  keep_alive_ = false;
  state_ = state::body_to_eof;
  return true;
}

// Moves bytes from `*in` to line_ up to and including an LF; true once line_ holds a whole
// line. Fails with `too_long` (and returns false) when line_ would pass `limit` bytes.
bool http_response_reader::take_line(std::string_view* in, std::size_t limit, error too_long) {
  const void* lf = std::memchr(in->data(), '\n', in->size());
  const std::size_t take =
      lf == nullptr ? in->size() : static_cast<const char*>(lf) - in->data() + 1;
  if (take > limit - std::min(limit, line_.size())) return refuse(too_long);
  line_.append(in->data(), take);
  in->remove_prefix(take);
  return lf != nullptr;
}

// The CRLF-ended line in line_, without its CRLF; empties line_ (keeping its capacity) when the
// caller is done with the view.
std::optional<std::string_view> http_response_reader::whole_line() {
  if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
    refuse(error::bad_line_ending);
    return std::nullopt;
  }
  return std::string_view(line_.data(), line_.size() - 2);
}

// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, RFC 9112 §7.1; line_ holds the first
// line.
bool http_response_reader::chunk_line() {
  const auto whole = whole_line();
  if (!whole) return false;
  const std::string_view text = *whole;
  std::uint64_t size = 0;
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    const int digit = hex_value(text[i]);
    if (digit < 0) break;
    if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
      return refuse(error::bad_chunk);
    }
    size = size * 16 + static_cast<unsigned>(digit);
  }
  if (i == 0) return refuse(error::bad_chunk);
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ): dropped, but it
  // must start with ';' and hold no control character.
  std::size_t ext = i;
  while (ext < text.size() && is_space(text[ext]))
    ++ext;
  if (ext < text.size()) {
    if (text[ext] != ';') return refuse(error::bad_chunk);
    if (!is_text(text.substr(ext))) return refuse(error::bad_chunk_extension);
  } else if (ext != i) {
    return refuse(error::bad_chunk);  // whitespace with no extension after it
  }
  line_.clear();
  if (size == 0) {
    state_ = state::trailers;
    return true;
  }
  if (size > limits_.max_body - body_.size()) return refuse(error::body_limit);
  remaining_ = size;
  state_ = state::chunk_data;
  return true;
}

// trailer-section = *( field-line CRLF ) CRLF, RFC 9112 §7.1.2: checked like header fields,
// then dropped (nothing here needs them, and §7.1.2 forbids merging them unasked).
bool http_response_reader::trailer_line() {
  const auto whole = whole_line();
  if (!whole) return false;
  const std::string_view text = *whole;
  if (text.empty()) {
    state_ = state::done;
    return true;
  }
  if (is_space(text.front())) return refuse(error::bad_value);
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || !is_http_token(text.substr(0, colon))) {
    return refuse(error::bad_field);
  }
  if (!is_text(trim(text.substr(colon + 1)))) return refuse(error::bad_value);
  trailer_bytes_ += line_.size();
  line_.clear();
  return true;
}

}  // namespace tweetup

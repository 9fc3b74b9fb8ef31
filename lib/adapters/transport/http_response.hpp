// An HTTP response as http_client::send() read it: the status, every header field in the order
// received (repeated fields included, e.g. Discord's X-RateLimit-* set), and the decoded body
// (chunked transfer coding removed).
//
// The header block is kept as one string, the fields as offsets into it: one allocation for all
// the names and values, where a vector of string pairs took two per field. Offsets rather than
// string_views because moving a std::string that fits its small-string buffer moves its bytes.
// Views returned by header() and fields() point into the response and are valid while it lives
// and is not assigned to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tweetup {

class http_response {
 public:
  // One field as received: the name keeps its case (compare case-insensitively, RFC 9110 §5.1),
  // the value has its leading and trailing whitespace removed.
  struct field {
    std::string_view name;
    std::string_view value;
  };

  // Where one field's name and value lie in the header block.
  struct field_span {
    std::uint32_t name_at = 0;
    std::uint32_t name_size = 0;
    std::uint32_t value_at = 0;
    std::uint32_t value_size = 0;
  };

  // The fields in order, for range-for and the std algorithms (a forward range of `field`
  // values).
  class field_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::forward_iterator_tag;
    using value_type = field;
    using reference = field;
    using pointer = void;
    using difference_type = std::ptrdiff_t;

    field_iterator() = default;
    field_iterator(const http_response* owner, std::size_t index) : owner_(owner), index_(index) {}
    field operator*() const { return owner_->field_at(index_); }
    field_iterator& operator++() {
      ++index_;
      return *this;
    }
    field_iterator operator++(int) {
      auto before = *this;
      ++index_;
      return before;
    }
    bool operator==(const field_iterator& other) const { return index_ == other.index_; }

   private:
    const http_response* owner_ = nullptr;
    std::size_t index_ = 0;
  };

  struct field_range {
    field_iterator b;
    field_iterator e;
    field_iterator begin() const { return b; }
    field_iterator end() const { return e; }
    std::size_t size() const { return static_cast<std::size_t>(std::distance(b, e)); }
  };

  http_response() = default;
  // `head` is the header block as received (status line and field lines); every span must lie
  // inside it.
  http_response(unsigned status_code, std::string head, std::vector<field_span> spans,
                std::string body_text)
      : status(status_code),
        body(std::move(body_text)),
        head_(std::move(head)),
        spans_(std::move(spans)) {}

  unsigned status = 0;
  std::string body;

  // The value of the first field named `name`, compared case-insensitively (RFC 9110 §5.1);
  // nullopt when there is none.
  std::optional<std::string_view> header(std::string_view name) const;

  field_range fields() const {
    return {field_iterator(this, 0), field_iterator(this, spans_.size())};
  }
  std::size_t field_count() const { return spans_.size(); }
  // The field at `index`, which must be below field_count().
  field field_at(std::size_t index) const {
    const field_span& s = spans_[index];
    const std::string_view head(head_);
    return {head.substr(s.name_at, s.name_size), head.substr(s.value_at, s.value_size)};
  }

 private:
  std::string head_;
  std::vector<field_span> spans_;
};

}  // namespace tweetup

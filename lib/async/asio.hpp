// The one place that names Asio for the rest of the project: aliases and completion tokens.
// Boost 1.81 has no default completion token and no bare as_tuple, so every async call names
// one of these (design.md §5).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tweetup::async {

namespace asio = boost::asio;

using executor = asio::any_io_executor;

template <typename T = void>
using task = asio::awaitable<T>;

inline constexpr auto use_awaitable = asio::use_awaitable;
// Awaits to a tuple (error_code, results…) instead of throwing: for I/O whose failure is a
// normal branch.
inline constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

}  // namespace tweetup::async

// The database schema as a list of migrations; migration i takes user_version i to i + 1.
#pragma once

#include <span>
#include <string_view>

namespace tweetup::schema {

std::span<const std::string_view> migrations();

}  // namespace tweetup::schema

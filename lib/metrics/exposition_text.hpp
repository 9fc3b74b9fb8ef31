// The pieces of Prometheus' text exposition format 0.0.4 that need care: escaping and numbers.
// Pure functions; used by the families and the registry, and tested on their own.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace tweetup::metrics::exposition_text {

// A label value between double quotes: backslash, double quote and line feed are escaped.
void append_label_value(std::string& out, std::string_view value);
// HELP text: backslash and line feed are escaped (a double quote is not, per the format).
void append_help(std::string& out, std::string_view help);
// A sample value: "+Inf", "-Inf", "NaN", or the shortest text that reads back as the same double.
void append_value(std::string& out, double value);
// `{a="x",b="y"}` for names and values of equal length, plus `extra_name="extra_value"` last
// when extra_name is not empty (a histogram's `le`); nothing when there is no label at all.
void append_labels(std::string& out, std::span<const std::string> names,
                   std::span<const std::string> values, std::string_view extra_name = {},
                   std::string_view extra_value = {});

// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; label names [a-zA-Z_][a-zA-Z0-9_]* and do not
// start with "__" (reserved by Prometheus).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace tweetup::metrics::exposition_text

// Time phrases per second: the in-process API (parse_place_and_time and parse_time) on one core,
// and the batch CLI (`tweetup parse-command --batch`) as a child process, over a mixed set of
// phrases built from the forms of shared/time-conventions.md. Prints phrases/s (best and median
// of the passes, and by CPU time), the slowest single phrase, and the process's peak RSS.
//
//   timeparse_bench [TWEETUP_BINARY] [--passes N]
//
// Without a binary argument it looks for ../bot/tweetup next to its own directory (the layout of
// a CMake build tree); when that is missing the batch figure is skipped, with a message.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/tz.h>

#include "timeparse/iso_format.hpp"
#include "timeparse/time_parser.hpp"

extern char** environ;

namespace {

namespace tp = tweetup::timeparse;
using clock_type = std::chrono::steady_clock;

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A fixed-seed generator: the phrase set is the same on every run and every machine.
struct lcg {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  std::size_t pick(std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % n);
  }
  template <std::size_t n>
  std::string_view from(const std::array<std::string_view, n>& choices) {
    return choices[pick(n)];
  }
};

constexpr std::array<std::string_view, 24> clocks{
    "3pm",         "15:00",          "7:30pm",     "at 7",  "19h",
    "half past 7", "quarter to 8pm", "six pm",     "noon",  "7 o'clock",
    "at 1930",     "10am",           "9:45 am",    "at 5",  "midnight",
    "20 past 6pm", "8 tonight",      "11 tonight", "07:00", "6 in the afternoon",
    "at seven",    "18:00",          "2:15p",      "12:30"};

constexpr std::array<std::string_view, 22> days{"",
                                                "",
                                                "tomorrow",
                                                "today",
                                                "friday",
                                                "next monday",
                                                "this saturday",
                                                "tue",
                                                "wednesday of next week",
                                                "dec 3",
                                                "December 3rd, 2026",
                                                "12/3",
                                                "13/12",
                                                "the 5th",
                                                "3rd of january",
                                                "day after tomorrow",
                                                "tomorrow morning",
                                                "this afternoon",
                                                "tonight",
                                                "next week",
                                                "sunday",
                                                "Jan 15"};

constexpr std::array<std::string_view, 12> zones{
    "", "", "", "", "EST", "PT", "CET", "UTC", "GMT+1", "+05:30", "JST", "Europe/Berlin"};

// Phrases that stand alone: durations, ISO forms, spans, and the rejects of rules 3, 4 and 5.
constexpr std::array<std::string_view, 32> whole{"in 2 hours",
                                                 "in 30 min",
                                                 "in 1.5 hours",
                                                 "+15min",
                                                 "in 3 days at 6pm",
                                                 "2 hours from now",
                                                 "in an hour and a half",
                                                 "in 24 hours",
                                                 "2026-12-03 10:00",
                                                 "2026-12-03T18:00",
                                                 "2026-12-03T18:00Z",
                                                 "2026-12-03T18:00-05:00",
                                                 "7-9pm",
                                                 "from 6 to 8pm",
                                                 "3pm for 2 hours",
                                                 "between 5 and 7pm",
                                                 "yesterday at 3pm",
                                                 "last friday 6pm",
                                                 "2 hours ago",
                                                 "25pm",
                                                 "feb 30",
                                                 "12:60",
                                                 "asdf",
                                                 "soon",
                                                 "Version: 1.1.30",
                                                 "2020-01-01 10:00",
                                                 "june 31",
                                                 "lunch",
                                                 "friday at midnight",
                                                 "tomorrow evening at 7",
                                                 "18:00+01:00",
                                                 "UTC+02:00 3pm"};

constexpr std::array<std::string_view, 20> places{"Starbucks Alabaster",
                                                  "Noon Cafe",
                                                  "Mon Ami Gabi",
                                                  "TGI Fridays",
                                                  "March Coffee",
                                                  "Sunday Bakery",
                                                  "Cafe 1900",
                                                  "Studio 2026",
                                                  "the pub",
                                                  "Blue Bottle, 4th floor",
                                                  "Platform 9 3/4",
                                                  "Shop 4/12 Market St",
                                                  "5 O'Clock Somewhere Bar",
                                                  "Midnight Diner",
                                                  "Joe's",
                                                  "Central Library",
                                                  "Tuesday Morning parking lot",
                                                  "Starbucks",
                                                  "Caf\xC3\xA9 M\xC3\xBCller",
                                                  "Room 101"};

std::string time_phrase(lcg& g) {
  if (g.pick(4) == 0) return std::string{g.from(whole)};
  std::string s;
  const auto day = g.from(days);
  const auto clock = g.from(clocks);
  const bool day_first = g.pick(3) != 0;
  if (day_first && !day.empty()) s.append(day).append(" ");
  s.append(clock);
  if (!day_first && !day.empty()) s.append(" ").append(day);
  const auto zone = g.from(zones);
  if (!zone.empty()) s.append(" ").append(zone);
  return s;
}

std::string command_phrase(lcg& g, const std::string& time) {
  const auto place = g.from(places);
  switch (g.pick(4)) {
    case 0:
      return time + " at " + std::string{place};
    case 1:
      return std::string{place} + " @ " + time;
    default:
      return std::string{place} + " " + time;
  }
}

struct phrase_set {
  std::vector<std::string> times;
  std::vector<std::string> commands;
};

phrase_set build_phrases(std::size_t count) {
  lcg g;
  phrase_set set;
  for (std::size_t i = 0; i < count; ++i) {
    set.times.push_back(time_phrase(g));
    set.commands.push_back(command_phrase(g, set.times.back()));
  }
  return set;
}

// CPU time of this thread: unlike the wall clock it stops while another process has the core.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct pass_figures {
  double best = 0;
  double median = 0;
  double cpu_best = 0;  // phrases per second of this thread's CPU time, the best pass
  std::size_t accepted = 0;
};

// Runs `parse_one` over every phrase `passes` times; phrases/s of each pass, by the wall clock
// and by CPU time.
template <typename parse_fn>
pass_figures measure(const std::vector<std::string>& phrases, int passes, parse_fn parse_one) {
  std::vector<double> rates;
  double cpu_best = 0;
  std::size_t accepted = 0;
  const auto n = static_cast<double>(phrases.size());
  for (int p = 0; p < passes; ++p) {
    accepted = 0;
    const double cpu_start = thread_cpu_seconds();
    const auto start = clock_type::now();
    for (const auto& text : phrases)
      accepted += parse_one(text) ? 1 : 0;
    const std::chrono::duration<double> elapsed = clock_type::now() - start;
    const double cpu = thread_cpu_seconds() - cpu_start;
    rates.push_back(n / elapsed.count());
    if (cpu > 0) cpu_best = std::max(cpu_best, n / cpu);
  }
  std::sort(rates.begin(), rates.end());
  return {rates.back(), rates[rates.size() / 2], cpu_best, accepted};
}

struct slowest {
  double micros = 0;
  std::string text;
};

// Each phrase timed on its own, `passes` times; a phrase's time is its best, so that one
// preemption by another process does not pass for a slow phrase. Also the worst raw call.
template <typename parse_fn>
std::pair<slowest, double> slowest_phrase(const std::vector<std::string>& phrases, int passes,
                                          parse_fn parse_one) {
  std::vector<double> best(phrases.size(), 1e300);
  double worst_raw = 0;
  for (int p = 0; p < passes; ++p) {
    for (std::size_t i = 0; i < phrases.size(); ++i) {
      const auto start = clock_type::now();
      parse_one(phrases[i]);
      const std::chrono::duration<double, std::micro> took = clock_type::now() - start;
      best[i] = std::min(best[i], took.count());
      worst_raw = std::max(worst_raw, took.count());
    }
  }
  const auto at = std::max_element(best.begin(), best.end()) - best.begin();
  return {{best[static_cast<std::size_t>(at)], phrases[static_cast<std::size_t>(at)]}, worst_raw};
}

std::string json_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::filesystem::path default_binary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return self.parent_path().parent_path() / "bot" / "tweetup";
}

// Runs `binary parse-command --batch` with stdin from `input` and stdout to `output`; the wall
// time, or a negative value when the child could not run or failed.
double run_batch(const std::string& binary, const std::string& input, const std::string& output) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string sub = "parse-command";
  std::string batch = "--batch";
  std::string tz = "--tz=America/Chicago";
  std::array<char*, 5> args{binary.data() == nullptr ? nullptr : const_cast<char*>(binary.c_str()),
                            sub.data(), batch.data(), tz.data(), nullptr};
  const auto start = clock_type::now();
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  const std::chrono::duration<double> elapsed = clock_type::now() - start;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return elapsed.count();
}

std::size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line))
    ++n;
  return n;
}

void batch_figures(const std::string& binary, const std::vector<std::string>& commands,
                   const std::string& now, int passes) {
  if (binary.empty() || !std::filesystem::exists(binary)) {
    std::printf(
        "batch: skipped, no tweetup binary at '%s' (pass its path as the first argument, or "
        "build the tweetup target)\n",
        binary.c_str());
    return;
  }
  const auto dir = std::filesystem::temp_directory_path();
  const std::string stem = "tweetup-timeparse-bench-" + std::to_string(::getpid());
  const std::string input = (dir / (stem + ".jsonl")).string();
  const std::string empty = (dir / (stem + "-empty.jsonl")).string();
  const std::string output = (dir / (stem + ".out")).string();
  {
    std::ofstream lines(input);
    for (const auto& c : commands) {
      lines << "{\"text\":\"!tweetup " << json_escaped(c) << "\",\"now\":\"" << now
            << "\",\"tz\":\"America/Chicago\"}\n";
    }
    std::ofstream none(empty);
  }
  std::vector<double> full;
  std::vector<double> startup;
  for (int p = 0; p < passes; ++p) {
    const double s = run_batch(binary, empty, output);
    const double f = run_batch(binary, input, output);
    if (s < 0 || f < 0) {
      std::printf("batch: '%s parse-command --batch' failed\n", binary.c_str());
      full.clear();
      break;
    }
    startup.push_back(s);
    full.push_back(f);
  }
  const std::size_t answered = full.empty() ? 0 : count_lines(output);
  for (const auto& path : {input, empty, output})
    std::filesystem::remove(path);
  if (full.empty()) return;
  std::sort(full.begin(), full.end());
  std::sort(startup.begin(), startup.end());
  const double n = static_cast<double>(commands.size());
  const double best = full.front();
  const double start_cost = startup.front();
  std::printf(
      "batch parse-command --batch: %.0f phrases/s best, %.0f median, of %d runs (%zu phrases, "
      "%zu answers; process start and tz load %.1f ms, %.0f phrases/s without it)\n",
      n / best, n / full[full.size() / 2], passes, commands.size(), answered, start_cost * 1e3,
      best > start_cost ? n / (best - start_cost) : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  int passes = 15;
  std::size_t count = 2000;
  std::string binary;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--passes" && i + 1 < argc) {
      passes = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--phrases" && i + 1 < argc) {
      count = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    } else {
      binary = arg;
    }
  }
  if (binary.empty()) binary = default_binary().string();

  const auto* zone = date::locate_zone("America/Chicago");
  const std::string now_text = "2026-11-28T10:15:00";
  const tp::parse_context ctx{*tp::parse_local_iso(now_text, *zone), zone};
  const auto set = build_phrases(count);

  auto command = [&](const std::string& text) {
    return std::holds_alternative<tp::parsed_command>(tp::parse_place_and_time(text, ctx));
  };
  auto time = [&](const std::string& text) {
    return std::holds_alternative<tp::parsed_time>(tp::parse_time(text, ctx));
  };
  // One untimed pass loads the tz database and warms the caches, as a running bot would be.
  measure(set.commands, 1, command);

  const auto c = measure(set.commands, passes, command);
  const auto t = measure(set.times, passes, time);
  std::printf(
      "in-process parse_place_and_time: %.0f phrases/s best, %.0f median, of %d passes "
      "(%zu phrases, %zu accepted); by CPU time %.0f/s\n",
      c.best, c.median, passes, set.commands.size(), c.accepted, c.cpu_best);
  std::printf(
      "in-process parse_time:           %.0f phrases/s best, %.0f median, of %d passes "
      "(%zu phrases, %zu accepted); by CPU time %.0f/s\n",
      t.best, t.median, passes, set.times.size(), t.accepted, t.cpu_best);

  const auto [slow, worst_raw] = slowest_phrase(set.commands, std::max(3, passes / 3), command);
  std::printf("slowest phrase: %.2f us (\"%s\"); worst single call seen %.1f us\n", slow.micros,
              slow.text.c_str(), worst_raw);

  // The 1 ms bound on long and hostile inputs is timeparse_worst_case's to check.
  batch_figures(binary, set.commands, now_text, std::max(1, std::min(passes, 5)));
  std::printf("peak RSS: %.1f MiB\n", peak_rss_kib() / 1024.0);
  return 0;
}

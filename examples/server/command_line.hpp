// Reading `--flag value` command lines, for the example server and the benchmark's server: a
// missing value or a bad number is a usage error naming the flag.
//
//   shop::command_line args(argc, argv, usage);   // usage: [[noreturn]] void(const std::string&)
//   while (auto arg = args.next()) {
//     if (*arg == "--port") port = static_cast<std::uint16_t>(args.number(65535));
//     else if (*arg == "--db") db = args.value();
//   }
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace shop {

class command_line {
 public:
  using usage_function = void (*)(const std::string&);  // does not return

  command_line(int argc, char** argv, usage_function usage) : argc_(argc), argv_(argv), usage_(usage) {}

  /// The next flag, or nothing at the end.
  std::optional<std::string_view> next() {
    if (++at_ >= argc_) return std::nullopt;
    return std::string_view(argv_[at_]);
  }

  /// The value of the flag just read.
  std::string value() {
    if (at_ + 1 >= argc_) fail(std::string(argv_[at_]) + " needs a value");
    return argv_[++at_];
  }

  /// The value of the flag just read, a whole number from 0 to `max`.
  unsigned long number(unsigned long max) {
    const std::string flag = argv_[at_];
    const std::string text = value();
    char* end = nullptr;
    const unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text.front() == '-' || n > max)
      fail(flag + " wants a number from 0 to " + std::to_string(max));
    return n;
  }

  /// The value of the flag just read, which must be `a` or `b`: whether it is `a`.
  bool either(std::string_view a, std::string_view b) {
    const std::string flag = argv_[at_];
    const std::string v = value();
    if (v != a && v != b) fail(flag + " is " + std::string(a) + " or " + std::string(b));
    return v == a;
  }

  [[noreturn]] void fail(const std::string& problem) const {
    usage_(problem);
    std::abort();  // usage exits; this only keeps the promise of [[noreturn]]
  }

 private:
  int argc_;
  char** argv_;
  usage_function usage_;
  int at_ = 0;
};

}  // namespace shop

// anonauth/testing/report.hpp: what the conformance kit found, and how its cases check.
//
//   const auto report = aa::testing::check_storage<my_storage>();
//   if (!report.passed()) std::cerr << report;   // one line per broken rule
//
// A case states each rule of the storage contract it checks (docs/writing-a-storage.md) in
// words, so a failure reads as the rule the storage broke, with what it saw and what the rule
// wants. The kit needs no test framework: call it from any (Catch2, GoogleTest, a main).
#pragma once

#include <cstddef>
#include <exception>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::testing {

/// One broken rule.
struct conformance_failure {
  std::string test;    // the case, e.g. "sessions.update_changes_only_what_a_refresh_changes"
  std::string rule;    // the rule of the contract, in words
  std::string detail;  // what the storage did, when the case could say
};

/// The outcome of a run: the cases run, in order, and every broken rule.
class conformance_report {
 public:
  std::vector<std::string> tests;
  std::vector<conformance_failure> failures;

  /// Whether some case ran and no rule was broken.
  [[nodiscard]] bool passed() const noexcept { return !tests.empty() && failures.empty(); }

  friend std::ostream& operator<<(std::ostream& os, const conformance_report& r) {
    os << "anonauth storage conformance: " << r.tests.size() << " cases, " << r.failures.size()
       << (r.failures.size() == 1 ? " broken rule\n" : " broken rules\n");
    for (const auto& f : r.failures) {
      os << "  " << f.test << ": " << f.rule << '\n';
      if (!f.detail.empty()) os << "    " << f.detail << '\n';
    }
    return os;
  }
};

namespace detail {

/// Thrown by checker::require to end a case whose later checks would make no sense.
struct case_stopped {};

/// What a case checks with; every check records its rule when it fails.
class checker {
 public:
  checker(std::string test, std::vector<conformance_failure>& out) : test_(std::move(test)), out_(&out) {}

  bool expect(bool ok, std::string_view rule, std::string detail = {}) {
    if (!ok) out_->push_back(conformance_failure{test_, std::string(rule), std::move(detail)});
    return ok;
  }
  /// Two descriptions that the rule wants equal. Of descriptions of many lines (a snapshot of
  /// the whole storage), the first line that differs is shown.
  bool expect_equal(const std::string& seen, const std::string& wanted, std::string_view rule) {
    if (seen == wanted) return true;
    if (seen.find('\n') == std::string::npos && wanted.find('\n') == std::string::npos)
      return expect(false, rule, "saw " + seen + ", wanted " + wanted);
    std::size_t line = 1, at = 0;
    for (;; ++line) {
      const std::size_t a = seen.find('\n', at), b = wanted.find('\n', at);
      if (a != b || seen.compare(at, a - at, wanted, at, b - at) != 0) {
        auto text = [&](const std::string& s, std::size_t end) {
          return end == std::string::npos && at >= s.size() ? std::string("(nothing)") : s.substr(at, end - at);
        };
        return expect(false, rule,
                      "line " + std::to_string(line) + ": saw " + text(seen, a) + ", wanted " + text(wanted, b));
      }
      at = a + 1;
    }
  }
  /// Like expect, but ends the case when the rule is broken.
  void require(bool ok, std::string_view rule, std::string detail = {}) {
    if (!expect(ok, rule, std::move(detail))) throw case_stopped{};
  }
  /// `fn()` must throw an E (or a type derived from it).
  template <class E, class Fn>
  bool expect_throws(Fn&& fn, std::string_view rule) {
    try {
      std::forward<Fn>(fn)();
    } catch (const E&) {
      return true;
    } catch (const std::exception& e) {
      return expect(false, rule, std::string("threw another exception: ") + e.what());
    } catch (...) {
      return expect(false, rule, "threw something that is no std::exception");
    }
    return expect(false, rule, "threw nothing");
  }
  [[nodiscard]] const std::string& test() const noexcept { return test_; }

 private:
  std::string test_;
  std::vector<conformance_failure>* out_;
};

/// Runs one case on `report`: an exception that escapes it is a broken rule of its own.
template <class Case>
void run_case(conformance_report& report, std::string_view name, std::string_view only, Case&& body) {
  if (!only.empty() && name.substr(0, only.size()) != only) return;
  report.tests.emplace_back(name);
  checker check(std::string(name), report.failures);
  try {
    std::forward<Case>(body)(check);
  } catch (const case_stopped&) {
  } catch (const std::exception& e) {
    check.expect(false, "a case runs without an unexpected exception", std::string("threw: ") + e.what());
  } catch (...) {
    check.expect(false, "a case runs without an unexpected exception", "threw something that is no std::exception");
  }
}

}  // namespace detail
}  // namespace anonauth::testing

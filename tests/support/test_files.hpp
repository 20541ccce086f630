// Files of a test run: one fresh directory per process under the system's temporary directory,
// removed when the process ends.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace test_files {

class run_directory {
 public:
  run_directory()
      : path_(std::filesystem::temp_directory_path() / ("anonauth-tests-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~run_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  run_directory(const run_directory&) = delete;
  run_directory& operator=(const run_directory&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

inline const std::filesystem::path& directory() {
  static run_directory dir;
  return dir.path();
}

/// A path in this run's directory; nothing exists there yet.
inline std::string unique_path(const std::string& name) { return (directory() / name).string(); }

}  // namespace test_files

// A folder for a command's intermediate files: the one the user asked for (kept), or a fresh
// temporary one removed when the command ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace airan::tools {

class WorkFolder {
 public:
  // keep: the folder to use and keep; empty: a new /tmp/<prefix>-XXXXXX, removed at the end.
  // path() is empty when neither could be made.
  WorkFolder(const std::string& keep, const std::string& prefix) : remove_(keep.empty()) {
    namespace fs = std::filesystem;
    if (remove_) {
      std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
      if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    } else {
      std::error_code ec;
      fs::create_directories(keep, ec);
      if (!ec || fs::is_directory(keep)) path_ = keep;
    }
  }
  ~WorkFolder() {
    std::error_code ec;
    if (remove_ && !path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  bool remove_;
  std::filesystem::path path_;
};

}  // namespace airan::tools

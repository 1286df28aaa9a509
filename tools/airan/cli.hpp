// Conventions shared by every `airan` subcommand.
#pragma once

#include <cstdio>
#include <string>

namespace airan::tools {

// Exit codes of every subcommand.
enum ExitCode : int {
  kExitOk = 0,           // success
  kExitCheckFailed = 1,  // ran, but a check failed (a vector mismatched, a target was missed)
  kExitUsage = 2,        // bad usage or input (unknown option, missing file, impossible parameter)
};

// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, long long total);
  ~ProgressBar();
  void update(long long done);
  void finish();

 private:
  std::string label_;
  long long total_;
  bool enabled_;
  int last_percent_ = -1;
};

}  // namespace airan::tools

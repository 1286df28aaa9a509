// `airan version`.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace airan::tools {

std::string version_string();
void add_version_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

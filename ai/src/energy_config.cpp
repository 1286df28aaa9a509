// The built-in energy model and its YAML loader. The values and their sources live in
// data/energy/tr38864.yaml and docs/energy.md; energy_model_test checks that this default and
// the file agree, so a change to one without the other fails.
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "airan/ai/energy_model.hpp"

namespace airan::ai {

EnergyModel default_energy_model() {
  EnergyModel model;
  auto& radio = model.radio;
  radio.active_dl_relative_power = 280.0;
  radio.active_ul_relative_power = 90.0;
  radio.static_relative_power = 60.0;
  radio.antenna_static_share = 0.25;
  radio.prb_exponent = 1.0;
  radio.antenna_exponent = 1.0;
  radio.micro_sleep = {.relative_power = 45.0, .transition_time_ms = 0.0, .transition_energy = 0.0};
  radio.light_sleep = {.relative_power = 20.0, .transition_time_ms = 6.0, .transition_energy = 100.0};
  radio.deep_sleep = {.relative_power = 1.0, .transition_time_ms = 50.0, .transition_energy = 1000.0};
  auto& compute = model.compute;
  compute.fronthaul_us_per_prb_antenna = 0.0926;
  compute.us_per_prb_layer = 2.15;
  compute.us_per_prb_layer_squared = 0.618;
  compute.idle_power_w = 10.0;
  compute.busy_power_w = 15.0;
  model.watts_per_relative_unit = 10.0;
  return model;
}

namespace {

// Reads a map whose keys must be exactly `keys`, each a number, into the given fields.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string prefix) : node_(node), prefix_(std::move(prefix)) {}

  std::optional<std::string> read(const std::vector<std::pair<std::string, double*>>& fields) {
    if (!node_ || !node_.IsMap()) return fmt::format("{}: missing or not a map", name());
    std::set<std::string> known;
    for (const auto& [key, target] : fields) {
      known.insert(key);
      const auto value = node_[key];
      if (!value) return fmt::format("{}: missing", path(key));
      if (!value.IsScalar()) return fmt::format("{}: must be a number", path(key));
      try {
        *target = value.as<double>();
      } catch (const YAML::Exception&) {
        return fmt::format("{}: '{}' is not a number", path(key), value.Scalar());
      }
    }
    return unknown_keys(known);
  }

  // For maps whose children are maps read separately.
  std::optional<std::string> unknown_keys(const std::set<std::string>& known) const {
    for (const auto& entry : node_) {
      const auto key = entry.first.as<std::string>();
      if (!known.contains(key)) return fmt::format("{}: unknown key", path(key));
    }
    return std::nullopt;
  }

 private:
  std::string name() const { return prefix_.empty() ? "top level" : prefix_; }
  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  YAML::Node node_;
  std::string prefix_;
};

std::optional<std::string> read_model(const YAML::Node& root, EnergyModel& model) {
  if (!root || !root.IsMap()) return "top level: must be a map with keys radio, compute, watts_per_relative_unit";
  if (auto e = MapReader(root, "").unknown_keys({"radio", "compute", "watts_per_relative_unit"})) return e;
  const auto conversion = root["watts_per_relative_unit"];
  if (!conversion) return "watts_per_relative_unit: missing";
  try {
    model.watts_per_relative_unit = conversion.as<double>();
  } catch (const YAML::Exception&) {
    return "watts_per_relative_unit: not a number";
  }

  auto& r = model.radio;
  const auto radio = root["radio"];
  if (!radio || !radio.IsMap()) return "radio: missing or not a map";
  const std::set<std::string> radio_scalars = {"active_dl_relative_power", "active_ul_relative_power",
                                               "static_relative_power",    "antenna_static_share",
                                               "prb_exponent",             "antenna_exponent"};
  std::set<std::string> radio_keys = radio_scalars;
  radio_keys.insert({"micro_sleep", "light_sleep", "deep_sleep"});
  if (auto e = MapReader(radio, "radio").unknown_keys(radio_keys)) return e;
  const std::vector<std::pair<std::string, double*>> scalar_fields = {
      {"active_dl_relative_power", &r.active_dl_relative_power},
      {"active_ul_relative_power", &r.active_ul_relative_power},
      {"static_relative_power", &r.static_relative_power},
      {"antenna_static_share", &r.antenna_static_share},
      {"prb_exponent", &r.prb_exponent},
      {"antenna_exponent", &r.antenna_exponent},
  };
  for (const auto& [key, target] : scalar_fields) {
    const auto value = radio[key];
    if (!value) return fmt::format("radio.{}: missing", key);
    try {
      *target = value.as<double>();
    } catch (const YAML::Exception&) {
      return fmt::format("radio.{}: '{}' is not a number", key, value.IsScalar() ? value.Scalar() : "(not a scalar)");
    }
  }
  const std::pair<const char*, SleepStateParams*> sleeps[] = {
      {"micro_sleep", &r.micro_sleep}, {"light_sleep", &r.light_sleep}, {"deep_sleep", &r.deep_sleep}};
  for (const auto& [name, params] : sleeps) {
    MapReader reader(radio[name], fmt::format("radio.{}", name));
    if (auto e = reader.read({{"relative_power", &params->relative_power},
                              {"transition_time_ms", &params->transition_time_ms},
                              {"transition_energy", &params->transition_energy}}))
      return e;
  }

  auto& c = model.compute;
  MapReader compute(root["compute"], "compute");
  if (auto e = compute.read({{"fronthaul_us_per_prb_antenna", &c.fronthaul_us_per_prb_antenna},
                             {"us_per_prb_layer", &c.us_per_prb_layer},
                             {"us_per_prb_layer_squared", &c.us_per_prb_layer_squared},
                             {"idle_power_w", &c.idle_power_w},
                             {"busy_power_w", &c.busy_power_w}}))
    return e;
  return model.validate();
}

}  // namespace

Result<EnergyModel> parse_energy_model(std::string_view yaml_text, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return ErrorMessage{fmt::format("{}: YAML error at line {}: {}", origin, e.mark.line + 1, e.msg)};
  }
  EnergyModel model;
  try {
    if (auto error = read_model(root, model)) return ErrorMessage{fmt::format("{}: {}", origin, *error)};
  } catch (const YAML::Exception& e) {
    // A shape the readers do not expect (e.g. a sequence used as a key).
    return ErrorMessage{fmt::format("{}: unexpected YAML structure at line {}: {}", origin, e.mark.line + 1, e.msg)};
  }
  return model;
}

Result<EnergyModel> load_energy_model(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return ErrorMessage{fmt::format("{}: cannot open", path.string())};
  std::stringstream text;
  text << in.rdbuf();
  return parse_energy_model(text.str(), path.string());
}

}  // namespace airan::ai

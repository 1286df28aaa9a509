#include "airan/io/fronthaul_json.hpp"

#include <array>
#include <fstream>

#include <fmt/format.h>

namespace airan::io {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<const char*, CompressionMethod>, 4> kMethods = {{
    {"none", CompressionMethod::none},
    {"bfp", CompressionMethod::block_floating_point},
    {"block_scaling", CompressionMethod::block_scaling},
    {"mu_law", CompressionMethod::mu_law},
}};

}  // namespace

json fronthaul_to_json(const FronthaulConfig& c) {
  const UdCompHdr& comp = c.uplane.uplink.static_comp;
  const char* method = "none";
  for (const auto& [name, m] : kMethods) {
    if (m == comp.method) method = name;
  }
  json j = {{"numerology", c.numerology},
            {"carrier_prbs", c.carrier_prbs},
            {"eaxc_split", {c.eaxc_split.du_port_bits, c.eaxc_split.band_sector_bits, c.eaxc_split.cc_bits,
                            c.eaxc_split.ru_port_bits}},
            {"eaxc_ids", c.eaxc_ids},
            {"compression", {{"method", method}, {"iq_width", comp.iq_width}, {"dynamic_header", c.uplane.uplink.dynamic}}},
            {"iq_scale", c.iq_scale},
            {"mtu", c.mtu},
            {"vlan", c.frame.vlan ? json(c.frame.vlan->vid) : json(nullptr)},
            {"udp_port", c.frame.transport == FrameTransport::udp_ipv4 ? json(c.frame.udp_destination_port) : json(nullptr)},
            {"ta4_min_us", static_cast<double>(c.window.ta4_min_ns) / 1000.0},
            {"ta4_max_us", static_cast<double>(c.window.ta4_max_ns) / 1000.0},
            {"downlink",
             {{"eaxc_ids", c.downlink_eaxc_ids.empty() ? c.eaxc_ids : c.downlink_eaxc_ids},
              {"t1a_min_up_us", static_cast<double>(c.t1a_min_up_ns) / 1000.0},
              {"t1a_max_up_us", static_cast<double>(c.t1a_max_up_ns) / 1000.0}}}};
  return j;
}

Expected<FronthaulConfig> fronthaul_from_json(const json& j) {
  if (!j.is_object()) return Error{"fronthaul config: not a JSON object"};
  static constexpr std::array<const char*, 12> kKeys = {"numerology", "carrier_prbs", "eaxc_split", "eaxc_ids",
                                                         "compression", "iq_scale", "mtu", "vlan", "udp_port",
                                                         "ta4_min_us", "ta4_max_us", "downlink"};
  for (const auto& [key, value] : j.items()) {
    if (std::find_if(kKeys.begin(), kKeys.end(), [&](const char* k) { return key == k; }) == kKeys.end()) {
      return Error{fmt::format("fronthaul config: unknown key '{}'", key)};
    }
  }
  FronthaulConfig c;
  try {
    c.numerology = j.at("numerology").get<int>();
    c.carrier_prbs = j.at("carrier_prbs").get<int>();
    const auto split = j.value("eaxc_split", std::vector<int>{4, 4, 4, 4});
    if (split.size() != 4) return Error{"fronthaul config: eaxc_split needs 4 widths"};
    c.eaxc_split = {static_cast<std::uint8_t>(split[0]), static_cast<std::uint8_t>(split[1]),
                    static_cast<std::uint8_t>(split[2]), static_cast<std::uint8_t>(split[3])};
    c.eaxc_ids = j.at("eaxc_ids").get<std::vector<std::uint16_t>>();
    const json& comp = j.at("compression");
    const std::string method = comp.at("method").get<std::string>();
    const auto it = std::find_if(kMethods.begin(), kMethods.end(), [&](const auto& m) { return method == m.first; });
    if (it == kMethods.end()) {
      return Error{fmt::format("fronthaul config: compression.method '{}' is not none, bfp, block_scaling or mu_law",
                               method)};
    }
    const int width = comp.value("iq_width", 16);
    const bool dynamic = comp.value("dynamic_header", false);
    for (UplaneCompressionConfig* d : {&c.uplane.uplink, &c.uplane.downlink}) {
      d->dynamic = dynamic;
      d->static_comp = make_ud_comp_hdr(width, it->second);
    }
    c.iq_scale = j.value("iq_scale", 4096.0F);
    c.mtu = j.value("mtu", 9000);
    if (j.contains("vlan") && !j["vlan"].is_null()) c.frame.vlan = VlanTag{0, false, j["vlan"].get<std::uint16_t>()};
    if (j.contains("udp_port") && !j["udp_port"].is_null()) {
      c.frame.transport = FrameTransport::udp_ipv4;
      c.frame.udp_destination_port = j["udp_port"].get<std::uint16_t>();
      c.frame.udp_source_port = c.frame.udp_destination_port;
      c.frame_parse.udp_port = c.frame.udp_destination_port;
    }
    c.window.ta4_min_ns = static_cast<std::int64_t>(j.value("ta4_min_us", 0.0) * 1000.0);
    c.window.ta4_max_ns = static_cast<std::int64_t>(j.value("ta4_max_us", 300.0) * 1000.0);
    if (j.contains("downlink")) {
      const json& dl = j["downlink"];
      if (!dl.is_object()) return Error{"fronthaul config: downlink is not an object"};
      for (const auto& [key, value] : dl.items()) {
        if (key != "eaxc_ids" && key != "t1a_min_up_us" && key != "t1a_max_up_us") {
          return Error{fmt::format("fronthaul config: unknown key 'downlink.{}'", key)};
        }
      }
      c.downlink_eaxc_ids = dl.value("eaxc_ids", std::vector<std::uint16_t>{});
      c.t1a_min_up_ns = static_cast<std::int64_t>(dl.value("t1a_min_up_us", 71.0) * 1000.0);
      c.t1a_max_up_ns = static_cast<std::int64_t>(dl.value("t1a_max_up_us", 428.0) * 1000.0);
    }
  } catch (const json::exception& e) {
    return Error{std::string("fronthaul config: missing or mistyped field: ") + e.what()};
  }
  if (Status s = c.validate(); !s) return Error{"fronthaul config: " + s.message()};
  return c;
}

Expected<FronthaulConfig> load_fronthaul_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("{}: cannot open", path.string())};
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{fmt::format("{}: not valid JSON", path.string())};
  auto config = fronthaul_from_json(j);
  if (!config) return Error{fmt::format("{}: {}", path.string(), config.error().message)};
  return config;
}

Status save_fronthaul_config(const FronthaulConfig& config, const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) return Error{fmt::format("{}: cannot write", path.string())};
  out << fronthaul_to_json(config).dump(2) << '\n';
  return out ? Status::ok() : Status(Error{fmt::format("{}: write failed", path.string())});
}

}  // namespace airan::io

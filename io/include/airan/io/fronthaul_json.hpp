// The fronthaul settings of a cell as JSON: what `airan ru-emu` writes next to a trace
// (TRACE.cell.json) and what `airan replay` needs to read a lab's capture. Layout:
//   {"numerology": 1, "carrier_prbs": 51, "eaxc_split": [4, 4, 4, 4], "eaxc_ids": [0, 1],
//    "compression": {"method": "bfp", "iq_width": 9, "dynamic_header": true},
//    "iq_scale": 4096, "mtu": 9000, "vlan": 100 | null, "udp_port": 0 | null,
//    "ta4_min_us": 0, "ta4_max_us": 300,
//    "downlink": {"eaxc_ids": [0, 1], "t1a_min_up_us": 71, "t1a_max_up_us": 428}}
// downlink (optional): the DL flow of the carrier: its eAxC ids (default: the uplink's) and the
// O-DU transmit window before air time (default 71..428 us).
// method: "none", "bfp", "block_scaling", "mu_law". Unknown keys are an error.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "airan/io/fronthaul.hpp"

namespace airan::io {

nlohmann::json fronthaul_to_json(const FronthaulConfig& config);
Expected<FronthaulConfig> fronthaul_from_json(const nlohmann::json& j);
Expected<FronthaulConfig> load_fronthaul_config(const std::filesystem::path& path);
Status save_fronthaul_config(const FronthaulConfig& config, const std::filesystem::path& path);

}  // namespace airan::io

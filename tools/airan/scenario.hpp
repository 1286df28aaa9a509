// A scenario for `airan ru-emu`: one cell, its O-RAN fronthaul, the UEs that transmit PUSCH
// (uplink) or receive PDSCH (downlink) and the impairments of the uplink fronthaul, read from
// YAML (docs/scenarios.md).
//
// Loading validates everything once; every error names the key path, the value and what is
// allowed ("ues[1].mcs: 40 is outside 0..27 for table qam256"). Unknown keys are errors, so a
// typo cannot silently fall back to a default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy/pdsch/pdsch.hpp"
#include "airan/phy/pusch/pusch_config.hpp"

namespace airan::tools {

struct ScenarioCell {
  int numerology = 1;           // mu: 15 * 2^mu kHz
  int prbs = 0;                 // carrier PRBs (from bandwidth_mhz, or given as prbs)
  std::optional<int> bandwidth_mhz;
  int rx_antennas = 1;          // receive ports of the RU, 1..16 (one eAxC each)
  int tx_antennas = 0;          // downlink eAxCs, 1..16; 0 until parsed: then rx_antennas
  int cell_id = 0;              // physical cell id 0..1007
  std::string tdd_pattern = "U";  // one of D/U/S per slot, repeated; U slots carry PUSCH, D slots PDSCH
};

struct ScenarioFronthaul {
  io::CompressionParams compression{io::CompressionMethod::none, 16};
  std::string compression_name = "none";
  bool dynamic_header = false;
  io::EaxcSplit eaxc_split;
  std::optional<std::uint16_t> vlan;
  std::optional<std::uint16_t> udp_port;  // eCPRI over UDP/IPv4 when set, else over Ethernet
  int mtu = 9000;
  std::optional<float> iq_scale;          // default: see ru_emu.hpp (18 dB headroom)
  double ta3_us = 70.0;                   // packet delay after its symbol's air time at the RU
  double t1a_us = 250.0;                  // the DU sends a downlink symbol this long before its air time
  double jitter_us = 0.0;                 // plus uniform [0, jitter_us)
};

struct ScenarioDmrs {
  int type = 1;
  int additional_position = 1;
  int cdm_groups_without_data = 2;
};

struct ScenarioUe {
  bool downlink = false;  // direction: uplink (PUSCH from the UE) or downlink (PDSCH from the DU)
  int rnti = 1;
  int prb_start = 0;
  int prb_size = 1;
  int mcs = 0;
  phy::McsTable mcs_table = phy::McsTable::qam64;
  int layers = 1;
  ScenarioDmrs dmrs;
  bool transform_precoding = false;
  double snr_db = 20.0;
  std::string channel = "awgn";
  double doppler_hz = 0.0;
  int period_slots = 1;  // scheduled in the slots u of its direction with u % period_slots == slot_offset
  int slot_offset = 0;
};

// Probabilities per packet; a packet gets at most one impairment (their sum is at most 1).
struct ScenarioImpairments {
  double loss = 0.0;
  double duplicate = 0.0;
  double reorder = 0.0;
  double late = 0.0;
  double corrupt = 0.0;
  bool any() const { return loss + duplicate + reorder + late + corrupt > 0.0; }
};

struct Scenario {
  ScenarioCell cell;
  ScenarioFronthaul fronthaul;
  long long slots = 20;
  std::uint64_t seed = 1;
  std::vector<ScenarioUe> ues;
  ScenarioImpairments impairments;
};

// Parses and validates a scenario from YAML text / a file (errors then start with the file name).
Expected<Scenario> parse_scenario(std::string_view yaml);
Expected<Scenario> load_scenario(const std::filesystem::path& path);

// The checks that involve several keys (PRB overlap of UEs sharing a slot, layers vs antennas,
// the PUSCH plan of every UE); parse_scenario runs them. Errors name the key path.
Status validate(const Scenario& scenario);

// True when slot `slot_index` (counted from 0) is an uplink / downlink slot of the TDD pattern.
bool is_uplink_slot(const Scenario& scenario, long long slot_index);
bool is_downlink_slot(const Scenario& scenario, long long slot_index);
bool has_downlink_ues(const Scenario& scenario);
// True when the UE is scheduled in the slot with this number among the slots of its direction
// (counted from 0).
bool ue_transmits(const ScenarioUe& ue, long long direction_slot_number);

// The PUSCH configuration of uplink UE `ue` in slot `slot_in_frame` (BWP = the carrier).
phy::PuschConfig ue_pusch_config(const Scenario& scenario, int ue, int slot_in_frame);
// The PDSCH configuration of downlink UE `ue` (mapping type A over the whole slot, BWP = the
// carrier, DMRS ports 0..layers-1 on downlink eAxCs 0..layers-1).
phy::PdschConfig ue_pdsch_config(const Scenario& scenario, int ue, int slot_in_frame);

// The fronthaul carrier of the cell: eAxC ids 0..rx-1 (ru_port under the split), the given
// compression, framing and iq_scale; the reception window is O-RAN's default 0..300 us. Its
// downlink: eAxC ids 0..tx-1 and the default DU transmit window 71..428 us before air time.
Expected<io::FronthaulConfig> scenario_fronthaul_config(const Scenario& scenario, float iq_scale);

// "none", "bfp9", "bfp14", "bfp<N>", "mu_law<N>", "block_scaling<N>" (N = iqWidth 1..16).
Expected<io::CompressionParams> parse_compression(std::string_view name);

}  // namespace airan::tools

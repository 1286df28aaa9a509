// PhyLink: the MAC's grants through the real chain, slot by slot (mac::SlotLink for
// mac::run_energy_evaluation, used by `airan run --scenario` and the demo).
//
// Uplink slot: per grant the UE's PUSCH (pusch_config_for -> plan, a random TB, kept per HARQ
// process so a retransmission repeats it) -> the UE's channel (phy::make_channel, one per UE and
// layer count, seeded) scaled to the UE's mean SINR -> summed into the cell's receive grid, AWGN of
// unit variance on the granted PRBs -> io::UplanePacker (BFP9) -> frames -> io::SlotAssembler
// (reception window off: the frames carry no radio timing) -> phy::PuschReceiver per grant
// (HARQ soft combining) -> CRC (the receiver's, and the TB compared bit for bit) and the measured
// post-equalisation SINR back to the MAC.
// Downlink slot: per grant the gNB's PDSCH (pdsch_config_for -> plan_pdsch, random TB) ->
// the DU's grid -> the downlink packer and assembler (RU side) -> per UE its layers through the
// UE's channel, scaled, AWGN -> phy::PuschReceiver on the PDSCH plan (the UE) -> CRC and SINR.
//
// SINR: the evaluation's per-UE mean SINR is the post-combining SINR of one layer, so the SNR per
// receive antenna is SINR - 10 log10(receive antennas); with L layers each carries 1/L of the
// power (as ru-emu). The measured SINR of one-layer grants on the TDL channels therefore averages
// near the mean SINR. A grant of one PRB reports no SINR: its DMRS cannot estimate the noise.
//
// Grids, the per-process TBs and soft buffers are sized at start(); plans are cached by shape
// (direction, slot number, RNTI, allocation, MCS, layers, RV: periodic traffic repeats them);
// channels are made on first use of a (UE, direction, layers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/mac/energy_evaluation.hpp"
#include "airan/phy/expected.hpp"

namespace airan::tools {

struct PhyLinkConfig {
  std::string channel = "tdl-a";    // phy::make_channel profile
  double delay_spread_s = 30e-9;
  double max_doppler_hz = 10.0;
  int ue_antennas = 2;              // receive antennas of a UE (downlink); >= the downlink layers
  io::CompressionParams compression{io::CompressionMethod::block_floating_point, 9};
  std::string equalizer = "mmse";   // mmse or zf
  std::string backend = "cpu";      // the gNB's uplink receiver: auto (cuda where a GPU is usable), cpu or cuda
};

// Per-run figures of the PHY (reset by start()).
struct PhyLinkFigures {
  struct Direction {
    std::int64_t tbs = 0, crc_pass = 0;
    std::int64_t sinr_measurements = 0;  // TBs whose SINR was measured (not on one PRB: see phy_link.cpp)
    double sinr_sum_db = 0.0;
    double bler() const { return tbs == 0 ? 0.0 : static_cast<double>(tbs - crc_pass) / static_cast<double>(tbs); }
    double mean_sinr_db() const {
      return sinr_measurements == 0 ? 0.0 : sinr_sum_db / static_cast<double>(sinr_measurements);
    }
  };
  Direction uplink, downlink;
  std::int64_t fronthaul_packets = 0;  // U-plane frames packed and assembled (both directions)
  // Per slot with grants: the DU's PHY time in microseconds (uplink: slot assembly and PUSCH
  // receive; downlink: PDSCH transmit and packing), and the whole emulated slot (UEs and channels too).
  std::vector<double> du_us;
  std::vector<double> slot_us;
};

class PhyLink final : public mac::SlotLink {
 public:
  static Expected<std::unique_ptr<PhyLink>> create(const PhyLinkConfig& config);
  ~PhyLink() override;
  PhyLink(const PhyLink&) = delete;
  PhyLink& operator=(const PhyLink&) = delete;

  Status start(const mac::SlotLinkSetup& setup) override;
  Status carry(const mac::SlotLinkInput& input, std::span<mac::GrantResult> results) override;
  const PhyLinkFigures& figures() const;

 private:
  struct State;
  explicit PhyLink(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace airan::tools

// Link adaptation: SINR or CQI to MCS, and an outer loop (OLLA) that steers the BLER to a target.
//
// SINR -> MCS. Each MCS of a 38.214 table (phy::mcs_lookup) gets the SINR it needs from its
// spectral efficiency SE = Qm * R through an attenuated Shannon bound,
//     SE = alpha * log2(1 + SINR)   =>   SINR_required = 2^(SE / alpha) - 1,
// the model of 3GPP TR 36.942 Annex A.2 with alpha = 0.75 by default (a real receiver needs a few
// dB more than Shannon; alpha folds that gap into one factor). The selected MCS is the highest
// whose required SINR does not exceed the effective SINR (report + OLLA offset). The model is only
// a starting point: the outer loop corrects its bias for the actual receiver and channel.
//
// CQI -> MCS. The CQI tables 38.214 5.2.2.1-2 (64QAM) and 5.2.2.1-3 (256QAM) give a modulation
// and code rate per CQI; the MCS chosen is the highest of the MCS table whose spectral efficiency
// does not exceed that of the CQI (the CQI is the highest efficiency the UE expects at 10% BLER).
//
// Outer loop. The offset rises by step_up on every ACK and falls by
// step_down = step_up * (1 - BLER_target) / BLER_target on every NACK; it stands still on average
// exactly when NACKs are a BLER_target share of the feedback. It is clamped so a long outage
// cannot wind it up without bound.
#pragma once

#include <array>

#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/expected.hpp"

namespace airan::mac {

struct LinkAdaptationConfig {
  double shannon_attenuation = 0.75;  // alpha of the SINR model, (0, 1]
  double bler_target = 0.1;           // (0, 0.5]
  double step_up_db = 0.05;           // OLLA step on ACK, > 0
  double min_offset_db = -20.0;
  double max_offset_db = 10.0;
  double initial_offset_db = 0.0;
  // Rank adaptation: a transmission of L > 1 layers splits the power over the layers
  // (10 log10 L) and loses this much more to the receiver's layer separation (MMSE over a
  // fading channel). SINR reports refer to one layer with all the power; a report measured on
  // an L-layer transmission is converted back by the same loss. 3 dB: the PHY link measured
  // about 6 dB less per layer for 2 layers on 4 antennas (TDL-A), i.e. 3 dB beyond the split.
  double multi_layer_loss_db = 3.0;

  Status validate() const;
  double step_down_db() const { return step_up_db * (1.0 - bler_target) / bler_target; }
  // What each of `layers` layers loses against one layer with all the power.
  double layer_sinr_loss_db(int layers) const;
};

// The SINR each MCS of one table needs, computed once.
class McsSelector {
 public:
  McsSelector() = default;
  static Expected<McsSelector> create(phy::McsTable table, double shannon_attenuation = 0.75);

  phy::McsTable table() const { return table_; }
  // Highest non-reserved MCS whose required SINR <= sinr_db; the lowest MCS when none is.
  int select(double sinr_db) const;
  // Highest non-reserved MCS whose spectral efficiency <= se (the lowest when none is).
  int select_by_spectral_efficiency(double se) const;
  double required_sinr_db(int mcs_index) const { return required_sinr_db_[static_cast<std::size_t>(mcs_index)]; }
  const phy::McsEntry& entry(int mcs_index) const { return entries_[static_cast<std::size_t>(mcs_index)]; }
  int max_mcs() const { return max_mcs_; }

 private:
  phy::McsTable table_ = phy::McsTable::qam64;
  std::array<phy::McsEntry, phy::kMcsIndexCount> entries_{};
  std::array<double, phy::kMcsIndexCount> required_sinr_db_{};
  int max_mcs_ = 0;  // highest non-reserved index
};

enum class CqiTable { table1_qam64, table2_qam256 };  // 38.214 Tables 5.2.2.1-2 and 5.2.2.1-3

// Qm * R of a CQI 1..15; CQI 0 ("out of range") and others are errors.
Expected<double> cqi_spectral_efficiency(CqiTable table, int cqi);
// The MCS of selector's table for a CQI (see above).
Expected<int> cqi_to_mcs(const McsSelector& selector, CqiTable table, int cqi);

// OLLA state of one link (a UE and a direction).
class OuterLoop {
 public:
  OuterLoop() = default;
  explicit OuterLoop(const LinkAdaptationConfig& config) : config_(config), offset_db_(config.initial_offset_db) {}

  void on_ack();
  void on_nack();
  double offset_db() const { return offset_db_; }

 private:
  LinkAdaptationConfig config_;
  double offset_db_ = 0.0;
};

}  // namespace airan::mac

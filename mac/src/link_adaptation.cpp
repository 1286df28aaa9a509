#include "airan/mac/link_adaptation.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace airan::mac {
namespace {

struct CqiEntry {
  int modulation_order;
  int code_rate_x1024;
};

// 38.214 Table 5.2.2.1-2 (CQI 1..15).
constexpr std::array<CqiEntry, 15> kCqiTable1 = {{{2, 78},
                                                  {2, 120},
                                                  {2, 193},
                                                  {2, 308},
                                                  {2, 449},
                                                  {2, 602},
                                                  {4, 378},
                                                  {4, 490},
                                                  {4, 616},
                                                  {6, 466},
                                                  {6, 567},
                                                  {6, 666},
                                                  {6, 772},
                                                  {6, 873},
                                                  {6, 948}}};
// 38.214 Table 5.2.2.1-3 (CQI 1..15).
constexpr std::array<CqiEntry, 15> kCqiTable2 = {{{2, 78},
                                                  {2, 193},
                                                  {2, 449},
                                                  {4, 378},
                                                  {4, 490},
                                                  {4, 616},
                                                  {6, 466},
                                                  {6, 567},
                                                  {6, 666},
                                                  {6, 772},
                                                  {6, 873},
                                                  {8, 711},
                                                  {8, 797},
                                                  {8, 885},
                                                  {8, 948}}};

double linear_to_db(double x) { return 10.0 * std::log10(x); }

}  // namespace

Status LinkAdaptationConfig::validate() const {
  if (!(shannon_attenuation > 0.0 && shannon_attenuation <= 1.0)) {
    return Error{fmt::format("shannon_attenuation={} is outside (0, 1]", shannon_attenuation)};
  }
  if (!(bler_target > 0.0 && bler_target <= 0.5)) {
    return Error{fmt::format("bler_target={} is outside (0, 0.5]", bler_target)};
  }
  if (!(step_up_db > 0.0)) return Error{fmt::format("step_up_db={} must be positive", step_up_db)};
  if (!(min_offset_db <= initial_offset_db && initial_offset_db <= max_offset_db)) {
    return Error{fmt::format("initial_offset_db={} is outside min_offset_db={}..max_offset_db={}", initial_offset_db,
                             min_offset_db, max_offset_db)};
  }
  if (!(multi_layer_loss_db >= 0.0 && multi_layer_loss_db <= 30.0)) {
    return Error{fmt::format("multi_layer_loss_db={} is outside 0..30", multi_layer_loss_db)};
  }
  return Status::ok();
}

double LinkAdaptationConfig::layer_sinr_loss_db(int layers) const {
  return layers <= 1 ? 0.0 : 10.0 * std::log10(static_cast<double>(layers)) + multi_layer_loss_db;
}

Expected<McsSelector> McsSelector::create(phy::McsTable table, double shannon_attenuation) {
  if (!(shannon_attenuation > 0.0 && shannon_attenuation <= 1.0)) {
    return Error{fmt::format("shannon_attenuation={} is outside (0, 1]", shannon_attenuation)};
  }
  McsSelector selector;
  selector.table_ = table;
  for (int i = 0; i < phy::kMcsIndexCount; ++i) {
    auto entry = phy::mcs_lookup(table, i);
    if (!entry) return entry.error();
    selector.entries_[static_cast<std::size_t>(i)] = *entry;
    if (entry->reserved) {
      selector.required_sinr_db_[static_cast<std::size_t>(i)] = INFINITY;
      continue;
    }
    selector.required_sinr_db_[static_cast<std::size_t>(i)] =
        linear_to_db(std::exp2(entry->spectral_efficiency / shannon_attenuation) - 1.0);
    selector.max_mcs_ = i;
  }
  return selector;
}

int McsSelector::select(double sinr_db) const {
  int best = 0;
  for (int i = 0; i <= max_mcs_; ++i) {
    if (!entries_[static_cast<std::size_t>(i)].reserved && required_sinr_db_[static_cast<std::size_t>(i)] <= sinr_db) {
      best = i;
    }
  }
  return best;
}

int McsSelector::select_by_spectral_efficiency(double se) const {
  int best = 0;
  for (int i = 0; i <= max_mcs_; ++i) {
    const phy::McsEntry& e = entries_[static_cast<std::size_t>(i)];
    // 1e-4: the spec prints efficiencies to 4 decimals; equal ones must match.
    if (!e.reserved && e.spectral_efficiency <= se + 1e-4) best = i;
  }
  return best;
}

Expected<double> cqi_spectral_efficiency(CqiTable table, int cqi) {
  if (cqi == 0) return Error{"cqi=0 means out of range: nothing can be sent"};
  if (cqi < 1 || cqi > 15) return Error{fmt::format("cqi={} is outside 0..15", cqi)};
  const CqiEntry& e = (table == CqiTable::table1_qam64 ? kCqiTable1 : kCqiTable2)[static_cast<std::size_t>(cqi - 1)];
  return e.modulation_order * e.code_rate_x1024 / 1024.0;
}

Expected<int> cqi_to_mcs(const McsSelector& selector, CqiTable table, int cqi) {
  auto se = cqi_spectral_efficiency(table, cqi);
  if (!se) return se.error();
  return selector.select_by_spectral_efficiency(*se);
}

void OuterLoop::on_ack() { offset_db_ = std::min(offset_db_ + config_.step_up_db, config_.max_offset_db); }

void OuterLoop::on_nack() { offset_db_ = std::max(offset_db_ - config_.step_down_db(), config_.min_offset_db); }

}  // namespace airan::mac

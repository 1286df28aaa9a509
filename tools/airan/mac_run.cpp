#include "airan/mac_run.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "airan/ai/energy_policy.hpp"
#include "airan/ai/traffic.hpp"
#include "airan/replay.hpp"

namespace airan::tools {
namespace {

using nlohmann::json;

std::string joined(const std::vector<std::string_view>& names) {
  std::string s;
  for (std::string_view n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

double mj_per_slot(const mac::EnergyRunResult& r, double relative) { return r.joules_per_slot(relative) * 1e3; }

json stats_json(const LatencyStats& s) {
  return {{"p50", s.p50}, {"p99", s.p99}, {"p999", s.p999}, {"max", s.max}, {"mean", s.mean}};
}

json direction_json(const PhyLinkFigures::Direction& d) {
  return {{"tbs", d.tbs}, {"crc_pass", d.crc_pass}, {"bler", d.bler()}, {"mean_sinr_db", d.mean_sinr_db()}};
}

json phy_json(const MacRunSide& side) {
  const mac::LinkFigures& l = side.result.link;
  return {{"tbs", l.tbs},
          {"crc_pass", l.crc_pass},
          {"bler", l.bler()},
          {"mean_sinr_db", l.mean_sinr_db()},
          {"uplink", direction_json(side.phy.uplink)},
          {"downlink", direction_json(side.phy.downlink)},
          {"fronthaul_packets", side.phy.fronthaul_packets},
          {"du_us_per_slot", stats_json(latency_stats(side.phy.du_us))},
          {"emulated_us_per_slot", stats_json(latency_stats(side.phy.slot_us))}};
}

std::int64_t total(const mac::EnergyRunResult& r, std::int64_t mac::ClassOutcome::*field) {
  std::int64_t n = 0;
  for (const mac::ClassOutcome& c : r.classes) n += c.*field;
  return n;
}

json mac_json(const mac::EnergyRunResult& r, double saved_pct) {
  json misses = json::object();
  for (int c = 0; c < ai::kTrafficClassCount; ++c) {
    const mac::ClassOutcome& o = r.classes[static_cast<std::size_t>(c)];
    misses[std::string(ai::to_string(static_cast<ai::TrafficClass>(c)))] = o.packets == 0 ? json(nullptr) : json(o.miss_rate());
  }
  return {{"energy_mj_per_slot",
           {{"radio", mj_per_slot(r, r.energy.radio)},
            {"compute", mj_per_slot(r, r.energy.compute)},
            {"total", mj_per_slot(r, r.energy.total())}}},
          {"saved_vs_always_on_pct", saved_pct},
          {"deadline_miss_rate", misses},
          {"packets",
           {{"counted", total(r, &mac::ClassOutcome::packets)},
            {"delivered", total(r, &mac::ClassOutcome::delivered)},
            {"missed", total(r, &mac::ClassOutcome::missed)}}},
          {"embb_throughput_mbps", r.embb_throughput_mbps},
          {"late_deliveries", r.late_deliveries},
          {"ledger_rejections", r.ledger_rejections}};
}

std::string compression_name(const io::CompressionParams& c) {
  switch (c.method) {
    case io::CompressionMethod::none: return fmt::format("none{}", c.iq_width);
    case io::CompressionMethod::block_floating_point: return fmt::format("BFP{}", c.iq_width);
    case io::CompressionMethod::block_scaling: return fmt::format("block-scaling{}", c.iq_width);
    case io::CompressionMethod::mu_law: return fmt::format("mu-law{}", c.iq_width);
  }
  return "?";
}

}  // namespace

Expected<MacRunReport> run_mac_pipeline(const MacRunOptions& o) {
  const auto scenarios = ai::factory_scenario_names();
  if (std::find(scenarios.begin(), scenarios.end(), o.scenario) == scenarios.end())
    return Error{fmt::format("unknown scenario '{}'; valid: {}", o.scenario, joined(scenarios))};
  const ai::PolicyFamily* family = ai::find_energy_policy(o.policy);
  std::vector<std::string_view> per_slot_policies;
  for (const ai::PolicyFamily& f : ai::energy_policy_families())
    if (!f.is_oracle) per_slot_policies.emplace_back(f.name);
  if (family == nullptr || family->is_oracle || family->variants.empty())
    return Error{fmt::format("unknown policy '{}'; valid: {}", o.policy, joined(per_slot_policies))};
  if (!(o.duration_s > 0.0 && o.duration_s <= 60.0))
    return Error{fmt::format("--duration-s {} must be in (0, 60]", o.duration_s)};
  if (o.prbs < 1 || o.prbs > 275) return Error{fmt::format("prbs={} must be within 1..275", o.prbs)};

  MacRunReport report;
  report.options = o;
  mac::EnergyEvaluationConfig& config = report.config;
  config.scenario = o.scenario;
  config.seed = o.seed;
  config.duration_s = o.duration_s;
  config.cell.bwp_size = o.prbs;
  if (Status st = config.validate(); !st) return st.error();
  auto flows = ai::factory_scenario(o.scenario, o.seed);
  if (!flows) return Error{flows.error()};

  auto link = PhyLink::create(o.link);
  if (!link) return link.error();
  const auto run = [&](const ai::PolicyFamily& f, MacRunSide& side) {
    auto policy = f.variants.front().make(flows->flows.size());
    auto r = mac::run_energy_evaluation(config, *policy, {}, nullptr, link->get());
    if (!r) {
      report.invariant_failures.push_back(fmt::format("{}: {}", f.name, r.error().message));
      side.result.policy = f.name;
      return;
    }
    side.result = std::move(*r);
    side.phy = (*link)->figures();
    const mac::EnergyRunResult& x = side.result;
    if (x.late_deliveries != 0)
      report.invariant_failures.push_back(
          fmt::format("{}: {} packets counted delivered after their deadline", f.name, x.late_deliveries));
    if (x.ledger_rejections != 0)
      report.invariant_failures.push_back(fmt::format("{}: the ledger rejected {} slots", f.name, x.ledger_rejections));
    if (std::abs(x.sum_of_slot_charges - x.energy.total()) > 1e-6 * std::max(1.0, x.energy.total()))
      report.invariant_failures.push_back(fmt::format("{}: slot charges sum to {} but the ledger holds {}", f.name,
                                                      x.sum_of_slot_charges, x.energy.total()));
  };
  run(*family, report.policy);
  run(*ai::find_energy_policy("always-on"), report.always_on);
  const double reference = report.always_on.result.energy.total();
  report.saved_vs_always_on_pct = reference > 0.0 ? 100.0 * (1.0 - report.policy.result.energy.total() / reference) : 0.0;
  return report;
}

nlohmann::json to_json(const MacRunReport& r) {
  const mac::CellConfig& cell = r.config.cell;
  auto tdd = mac::TddPattern::create(cell.tdd);
  json j;
  j["command"] = "run";
  j["scenario"] = r.options.scenario;
  j["policy"] = r.policy.result.policy;
  j["parameters"] = r.policy.result.parameters;
  j["seed"] = r.options.seed;
  j["duration_s"] = r.options.duration_s;
  j["slots"] = r.policy.result.slots;
  j["slot_duration_ms"] = r.policy.result.slot_duration_ms;
  j["cell"] = {{"numerology", cell.tdd.numerology},
               {"prbs", cell.bwp_size},
               {"antennas", r.config.antennas},
               {"tdd", tdd ? tdd->to_string() : ""},
               {"channel", fmt::format("{} {:.0f} ns", r.options.link.channel, r.options.link.delay_spread_s * 1e9)},
               {"compression", compression_name(r.options.link.compression)}};
  j["phy"] = phy_json(r.policy);
  j["mac"] = mac_json(r.policy.result, r.saved_vs_always_on_pct);
  j["always_on"] = {{"parameters", r.always_on.result.parameters},
                    {"phy", phy_json(r.always_on)},
                    {"mac", mac_json(r.always_on.result, 0.0)}};
  j["invariant_failures"] = r.invariant_failures;
  return j;
}

std::string format_mac_run(const MacRunReport& r) {
  const mac::EnergyRunResult& p = r.policy.result;
  const mac::EnergyRunResult& a = r.always_on.result;
  const LatencyStats pt = latency_stats(r.policy.phy.du_us);
  const LatencyStats at = latency_stats(r.always_on.phy.du_us);
  std::string out = fmt::format(
      "MAC-driven cell: {} under {} vs always-on, {:.3f} s of air time ({} slots of {} us), {} PRBs, {} antennas,\n"
      "  {} {:.0f} ns per UE, {} fronthaul; the PHY decodes every grant and its CRC drives HARQ\n",
      r.options.scenario, p.policy, r.options.duration_s, p.slots, p.slot_duration_ms * 1e3, r.config.cell.bwp_size,
      r.config.antennas, r.options.link.channel, r.options.link.delay_spread_s * 1e9,
      compression_name(r.options.link.compression));
  const auto row = [&](const std::string& label, const std::string& x, const std::string& y) {
    out += fmt::format("  {:<34}{:>14}{:>14}\n", label, x, y);
  };
  row("", p.policy, "always-on");
  row("PHY  TBs (UL + DL)", fmt::format("{}", p.link.tbs), fmt::format("{}", a.link.tbs));
  row("     CRC pass", fmt::format("{}", p.link.crc_pass), fmt::format("{}", a.link.crc_pass));
  row("     BLER", fmt::format("{:.2e}", p.link.bler()), fmt::format("{:.2e}", a.link.bler()));
  row("     mean SINR (dB, measured)", fmt::format("{:.1f}", p.link.mean_sinr_db()), fmt::format("{:.1f}", a.link.mean_sinr_db()));
  row("     DU PHY time/slot p50 (us)", fmt::format("{:.0f}", pt.p50), fmt::format("{:.0f}", at.p50));
  row("     DU PHY time/slot p99 (us)", fmt::format("{:.0f}", pt.p99), fmt::format("{:.0f}", at.p99));
  row("MAC  energy/slot radio (mJ)", fmt::format("{:.4f}", mj_per_slot(p, p.energy.radio)),
      fmt::format("{:.4f}", mj_per_slot(a, a.energy.radio)));
  row("     energy/slot compute (mJ)", fmt::format("{:.4f}", mj_per_slot(p, p.energy.compute)),
      fmt::format("{:.4f}", mj_per_slot(a, a.energy.compute)));
  row("     energy/slot total (mJ)", fmt::format("{:.4f}", mj_per_slot(p, p.energy.total())),
      fmt::format("{:.4f}", mj_per_slot(a, a.energy.total())));
  row("     saved vs always-on", fmt::format("{:.1f} %", r.saved_vs_always_on_pct), "-");
  row("     packets delivered / counted",
      fmt::format("{}/{}", total(p, &mac::ClassOutcome::delivered), total(p, &mac::ClassOutcome::packets)),
      fmt::format("{}/{}", total(a, &mac::ClassOutcome::delivered), total(a, &mac::ClassOutcome::packets)));
  for (int c = 0; c < ai::kTrafficClassCount; ++c) {
    const mac::ClassOutcome& x = p.classes[static_cast<std::size_t>(c)];
    const mac::ClassOutcome& y = a.classes[static_cast<std::size_t>(c)];
    if (x.packets == 0 && y.packets == 0) continue;
    row(fmt::format("     miss rate {}", ai::to_string(static_cast<ai::TrafficClass>(c))),
        fmt::format("{:.2e}", x.miss_rate()), fmt::format("{:.2e}", y.miss_rate()));
  }
  for (const std::string& f : r.invariant_failures) out += fmt::format("  INVARIANT FAILED: {}\n", f);
  return out;
}

}  // namespace airan::tools

#include "airan/energy_eval.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "airan/cli.hpp"
#include "airan/plots.hpp"

namespace airan::tools {
namespace {

namespace fs = std::filesystem;

constexpr double kMotionControlTarget = 1e-5;

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

// Sums a seed's run into the total over seeds.
void accumulate(mac::EnergyRunResult& into, const mac::EnergyRunResult& run, bool first) {
  if (first) {
    into = run;
    return;
  }
  into.slots += run.slots;
  into.energy.radio += run.energy.radio;
  into.energy.transition += run.energy.transition;
  into.energy.compute += run.energy.compute;
  for (std::size_t c = 0; c < into.classes.size(); ++c) {
    into.classes[c].packets += run.classes[c].packets;
    into.classes[c].delivered += run.classes[c].delivered;
    into.classes[c].missed += run.classes[c].missed;
  }
  into.delivered_bits += run.delivered_bits;
  for (std::size_t s = 0; s < into.slots_in_state.size(); ++s) into.slots_in_state[s] += run.slots_in_state[s];
  into.ledger_rejections += run.ledger_rejections;
  into.late_deliveries += run.late_deliveries;
  into.sum_of_slot_charges += run.sum_of_slot_charges;
}

double mj_per_slot(const mac::EnergyRunResult& r, double relative) { return r.joules_per_slot(relative) * 1e3; }

// Seeds are averaged by summing: rates per second of air time need the per-seed mean.
void finish_average(mac::EnergyRunResult& total, const std::vector<double>& embb, const std::vector<double>& offered) {
  double e = 0.0;
  double o = 0.0;
  for (double x : embb) e += x;
  for (double x : offered) o += x;
  total.embb_throughput_mbps = embb.empty() ? 0.0 : e / static_cast<double>(embb.size());
  total.offered_mbps = offered.empty() ? 0.0 : o / static_cast<double>(offered.size());
}

}  // namespace

Expected<EnergyEvalReport> run_energy_eval(const EnergyEvalOptions& options,
                                           const std::function<void(double)>& progress) {
  EnergyEvalReport report;
  report.options = options;
  const auto known_scenarios = ai::factory_scenario_names();
  std::vector<std::string> scenarios = options.scenarios;
  if (scenarios.empty())
    for (auto n : known_scenarios) scenarios.emplace_back(n);
  for (const std::string& s : scenarios) {
    if (std::find(known_scenarios.begin(), known_scenarios.end(), s) == known_scenarios.end())
      return Error{fmt::format("unknown scenario '{}'; valid: {}", s, joined(known_scenarios))};
  }
  std::vector<std::string> policies = options.policies;
  if (policies.empty())
    for (auto n : ai::energy_policy_names()) policies.emplace_back(n);
  for (const std::string& p : policies) {
    if (ai::find_energy_policy(p) == nullptr)
      return Error{fmt::format("unknown policy '{}'; valid: {}", p, joined(ai::energy_policy_names()))};
  }
  if (options.seeds < 1) return Error{fmt::format("--seeds {} must be >= 1", options.seeds)};

  mac::EnergyEvaluationConfig base;
  base.duration_s = options.duration_s;
  if (!options.energy_model.empty()) {
    auto model = ai::load_energy_model(options.energy_model);
    if (!model) return Error{model.error()};
    base.energy_model = *model;
  }
  if (Status s = base.validate(); !s) return s.error();
  report.config = base;

  // Always-on and the oracle are the references: run them first whatever the order asked.
  std::stable_sort(policies.begin(), policies.end(), [](const std::string& a, const std::string& b) {
    const auto rank = [](const std::string& n) { return n == "always-on" ? 0 : n == "oracle" ? 1 : 2; };
    return rank(a) < rank(b);
  });
  long long runs_total = 0;
  for (const std::string& p : policies) {
    const ai::PolicyFamily* f = ai::find_energy_policy(p);
    runs_total += static_cast<long long>(f->is_oracle ? 1 : f->variants.size());
  }
  runs_total *= static_cast<long long>(scenarios.size()) * options.seeds;
  long long runs_done = 0;

  for (const std::string& scenario : scenarios) {
    ScenarioOutcome outcome;
    outcome.name = scenario;
    // Always-on runs first; its motion-control miss rate is the second half of the target.
    double always_on_miss_rate = 1.0;
    for (const std::string& name : policies) {
      const ai::PolicyFamily& family = *ai::find_energy_policy(name);
      PolicyOutcome po;
      const auto run_variant = [&](const ai::PolicyVariant* variant) -> std::optional<mac::EnergyRunResult> {
        mac::EnergyRunResult total;
        std::vector<double> embb, offered;
        for (int k = 0; k < options.seeds; ++k) {
          mac::EnergyEvaluationConfig config = base;
          config.scenario = scenario;
          config.seed = options.seed + static_cast<std::uint64_t>(k);
          Expected<mac::EnergyRunResult> run = Error{""};
          if (variant == nullptr) {
            run = mac::oracle_energy_bound(config);
          } else {
            auto setup_flows = ai::factory_scenario(scenario, config.seed);
            auto policy = variant->make(setup_flows ? setup_flows->flows.size() : 0);
            run = mac::run_energy_evaluation(config, *policy, [&](double share) {
              if (progress) progress((static_cast<double>(runs_done) + share) / static_cast<double>(runs_total));
            });
          }
          ++runs_done;
          if (progress) progress(static_cast<double>(runs_done) / static_cast<double>(runs_total));
          if (!run) {
            report.invariant_failures.push_back(
                fmt::format("{} / {} ({}), seed {}: {}", scenario, name, variant ? variant->parameters : "",
                            config.seed, run.error().message));
            return std::nullopt;
          }
          const mac::EnergyRunResult& r = *run;
          if (std::abs(r.sum_of_slot_charges - r.energy.total()) > 1e-6 * std::max(1.0, r.energy.total()))
            report.invariant_failures.push_back(fmt::format("{} / {} ({}): slot charges sum to {} but the ledger holds {}",
                                                            scenario, name, r.parameters, r.sum_of_slot_charges,
                                                            r.energy.total()));
          if (r.late_deliveries != 0)
            report.invariant_failures.push_back(fmt::format("{} / {} ({}): {} packets counted delivered after their deadline",
                                                            scenario, name, r.parameters, r.late_deliveries));
          embb.push_back(r.embb_throughput_mbps);
          offered.push_back(r.offered_mbps);
          accumulate(total, r, k == 0);
        }
        finish_average(total, embb, offered);
        return total;
      };

      if (family.is_oracle) {
        auto r = run_variant(nullptr);
        if (!r) continue;
        po.result = *r;
      } else {
        // Tuning: the lowest energy among the variants that hold motion-control misses at or
        // below 1e-5 and no worse than always-on; when none does, the one with the fewest misses.
        std::optional<mac::EnergyRunResult> best;
        bool best_compliant = false;
        for (const ai::PolicyVariant& v : family.variants) {
          auto r = run_variant(&v);
          if (!r) continue;
          TuningEntry t;
          t.parameters = r->parameters;
          t.total_mj_per_slot = mj_per_slot(*r, r->energy.total());
          t.motion_control_miss_rate = r->motion_control_miss_rate();
          t.compliant = t.motion_control_miss_rate <= kMotionControlTarget &&
                        (name == "always-on" || t.motion_control_miss_rate <= always_on_miss_rate);
          po.tuning.push_back(t);
          const bool better =
              !best || (t.compliant && !best_compliant) ||
              (t.compliant == best_compliant &&
               (t.compliant ? r->energy.total() < best->energy.total()
                            : std::make_pair(t.motion_control_miss_rate, r->energy.total()) <
                                  std::make_pair(best->motion_control_miss_rate(), best->energy.total())));
          if (better) {
            best = *r;
            best_compliant = t.compliant;
          }
        }
        if (!best) continue;
        po.result = *best;
        po.result.policy = family.name;
        if (name == "always-on") always_on_miss_rate = best->motion_control_miss_rate();
      }
      outcome.offered_mbps = po.result.offered_mbps;
      outcome.policies.push_back(std::move(po));
    }
    // The references, looked up once every policy has run.
    const PolicyOutcome* always_on = nullptr;
    const PolicyOutcome* oracle = nullptr;
    for (const PolicyOutcome& p : outcome.policies) {
      if (p.result.policy == "always-on") always_on = &p;
      if (p.result.is_oracle) oracle = &p;
    }
    for (PolicyOutcome& p : outcome.policies) {
      if (always_on) {
        p.saved_vs_always_on_pct = 100.0 * (1.0 - p.result.energy.total() / always_on->result.energy.total());
        if (oracle) {
          const double oracle_saving = always_on->result.energy.total() - oracle->result.energy.total();
          p.has_oracle_fraction = oracle_saving > 0.0;
          if (p.has_oracle_fraction)
            p.oracle_fraction = (always_on->result.energy.total() - p.result.energy.total()) / oracle_saving;
        }
      }
      if (oracle && !p.result.is_oracle && p.result.zero_misses() &&
          p.result.energy.total() < oracle->result.energy.total() * (1.0 - 1e-9)) {
        report.invariant_failures.push_back(fmt::format("{} / {}: beat the oracle's bound with zero misses ({} < {})",
                                                        scenario, p.result.policy, p.result.energy.total(),
                                                        oracle->result.energy.total()));
      }
    }
    report.scenarios.push_back(std::move(outcome));
  }
  return report;
}

nlohmann::json to_json(const EnergyEvalReport& report) {
  using nlohmann::json;
  const auto& cell = report.config.cell;
  json j;
  j["command"] = "energy-eval";
  j["seed"] = report.options.seed;
  j["seeds"] = report.options.seeds;
  j["duration_s"] = report.options.duration_s;
  j["energy_model"] = report.options.energy_model.empty() ? "built-in" : report.options.energy_model;
  auto tdd = mac::TddPattern::create(cell.tdd);
  j["cell"] = {{"numerology", cell.tdd.numerology},
               {"slot_duration_ms", 1.0 / (1 << cell.tdd.numerology)},
               {"tdd", tdd ? tdd->to_string() : ""},
               {"prbs", cell.bwp_size},
               {"antennas", report.config.antennas}};
  j["scenarios"] = json::array();
  for (const ScenarioOutcome& s : report.scenarios) {
    json js;
    js["name"] = s.name;
    js["offered_mbps"] = s.offered_mbps;
    js["motion_control_packets"] = s.policies.empty()
                                       ? 0
                                       : s.policies.front().result.classes[static_cast<int>(ai::TrafficClass::motion_control)].packets;
    js["policies"] = json::array();
    for (const PolicyOutcome& p : s.policies) {
      const mac::EnergyRunResult& r = p.result;
      json jp;
      jp["policy"] = r.policy;
      jp["parameters"] = r.parameters;
      jp["energy"] = {{"radio", mj_per_slot(r, r.energy.radio)},
                      {"compute", mj_per_slot(r, r.energy.compute)},
                      {"total", mj_per_slot(r, r.energy.total())},
                      {"per_bit", r.joules_per_bit() * 1e9}};
      jp["saved_vs_always_on_pct"] = p.saved_vs_always_on_pct;
      jp["oracle_fraction"] = p.has_oracle_fraction ? json(p.oracle_fraction) : json(nullptr);
      json misses;
      for (int c = 0; c < ai::kTrafficClassCount; ++c)
        misses[std::string(ai::to_string(static_cast<ai::TrafficClass>(c)))] =
            r.classes[static_cast<std::size_t>(c)].packets == 0 ? json(nullptr)
                                                               : json(r.classes[static_cast<std::size_t>(c)].miss_rate());
      jp["deadline_miss_rate"] = misses;
      jp["embb_throughput_mbps"] = r.embb_throughput_mbps;
      json tuning = json::array();
      for (const TuningEntry& t : p.tuning)
        tuning.push_back({{"parameters", t.parameters},
                          {"total", t.total_mj_per_slot},
                          {"motion_control_miss_rate", t.motion_control_miss_rate},
                          {"compliant", t.compliant}});
      jp["tuning"] = tuning;
      js["policies"].push_back(jp);
    }
    j["scenarios"].push_back(js);
  }
  j["invariant_failures"] = report.invariant_failures;
  return j;
}

std::string format_energy_tables(const EnergyEvalReport& report) {
  std::ostringstream out;
  const auto rate = [](const mac::ClassOutcome& c) {
    if (c.packets == 0) return std::string("-");
    return c.missed == 0 ? std::string("0") : fmt::format("{:.1e}", c.miss_rate());
  };
  for (const ScenarioOutcome& s : report.scenarios) {
    const auto mc_packets = s.policies.empty()
                                ? 0
                                : s.policies.front().result.classes[static_cast<int>(ai::TrafficClass::motion_control)].packets;
    out << fmt::format("\n{}: offered {:.1f} Mbit/s, {} seed(s) x {} s, {} motion-control packets per policy\n", s.name,
                       s.offered_mbps, report.options.seeds, report.options.duration_s, mc_packets);
    out << fmt::format("{:<15} {:>9} {:>9} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}  {}\n",
                       "policy", "radio", "compute", "total", "nJ/bit", "saved", "oracle", "motion", "coop", "control",
                       "video", "e-stop", "eMBB", "eMBB", "parameters");
    out << fmt::format("{:<15} {:>9} {:>9} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}\n", "",
                       "mJ/slot", "mJ/slot", "mJ/slot", "", "%", "%", "miss", "miss", "miss", "miss", "miss", "miss",
                       "Mbit/s");
    for (const PolicyOutcome& p : s.policies) {
      const mac::EnergyRunResult& r = p.result;
      const auto& c = r.classes;
      out << fmt::format("{:<15} {:>9.4f} {:>9.4f} {:>9.4f} {:>8.1f} {:>7.1f} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7.1f}  {}\n",
                         r.policy, mj_per_slot(r, r.energy.radio), mj_per_slot(r, r.energy.compute),
                         mj_per_slot(r, r.energy.total()), r.joules_per_bit() * 1e9, p.saved_vs_always_on_pct,
                         p.has_oracle_fraction ? fmt::format("{:.1f}", 100.0 * p.oracle_fraction) : "-",
                         r.is_oracle ? "-" : rate(c[0]), r.is_oracle ? "-" : rate(c[1]), r.is_oracle ? "-" : rate(c[2]),
                         r.is_oracle ? "-" : rate(c[3]), r.is_oracle ? "-" : rate(c[4]), r.is_oracle ? "-" : rate(c[5]),
                         r.embb_throughput_mbps, r.parameters);
    }
  }
  if (!report.invariant_failures.empty()) {
    out << "\nHARD INVARIANTS FAILED:\n";
    for (const std::string& f : report.invariant_failures) out << "  " << f << "\n";
  }
  return out.str();
}

Status write_energy_plots(const EnergyEvalReport& report, const std::string& folder_name) {
  const fs::path folder(folder_name);
  // Scenarios ordered by offered load; one data block per policy (gnuplot `index`).
  std::vector<const ScenarioOutcome*> by_load;
  for (const ScenarioOutcome& s : report.scenarios) by_load.push_back(&s);
  std::sort(by_load.begin(), by_load.end(), [](auto* a, auto* b) { return a->offered_mbps < b->offered_mbps; });
  std::vector<std::string> names;
  for (const ScenarioOutcome* s : by_load)
    for (const PolicyOutcome& p : s->policies)
      if (std::find(names.begin(), names.end(), p.result.policy) == names.end()) names.push_back(p.result.policy);
  std::string energy_data;
  std::string miss_data;
  for (const std::string& name : names) {
    energy_data += fmt::format("# {}\n", name);
    miss_data += fmt::format("# {}\n", name);
    for (std::size_t i = 0; i < by_load.size(); ++i) {
      for (const PolicyOutcome& p : by_load[i]->policies) {
        if (p.result.policy != name) continue;
        energy_data += fmt::format("{} {} {}\n", by_load[i]->offered_mbps, mj_per_slot(p.result, p.result.energy.total()),
                                   by_load[i]->name);
        if (!p.result.is_oracle) {
          // Zero misses are drawn at 1e-7 (a log axis has no 0); docs/energy.md says so.
          miss_data += fmt::format("{} {} {}\n", i, std::max(1e-7, p.result.motion_control_miss_rate()), by_load[i]->name);
        }
      }
    }
    energy_data += "\n\n";
    miss_data += "\n\n";
  }
  std::string script =
      "set terminal pngcairo size 1000,600\n"
      "set key outside right\n"
      "set grid\n"
      "set output 'energy_vs_load.png'\n"
      "set title 'Energy per slot against offered load (scenarios ordered by load)'\n"
      "set xlabel 'offered load (Mbit/s)'\nset ylabel 'total energy (mJ per slot)'\n"
      "set logscale x\n"
      "plot ";
  for (std::size_t i = 0; i < names.size(); ++i)
    script += fmt::format("{}'energy.dat' index {} using 1:2 with linespoints title '{}'", i ? ", " : "", i, names[i]);
  script +=
      "\nunset logscale x\nset output 'miss_rate.png'\n"
      "set title 'Motion-control deadline-miss rate (0 drawn at 1e-7; target 1e-5 dashed)'\n"
      "set xlabel 'scenario'\nset ylabel 'miss rate'\nset logscale y\nset yrange [5e-8:1]\n";
  script += "set xtics (";
  for (std::size_t i = 0; i < by_load.size(); ++i) script += fmt::format("{}'{}' {}", i ? ", " : "", by_load[i]->name, i);
  script += ")\nset xrange [-0.5:" + std::to_string(static_cast<double>(by_load.size()) - 0.5) + "]\nplot 1e-5 dashtype 2 lc rgb 'red' title 'target'";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "oracle") continue;
    script += fmt::format(", 'miss.dat' index {} using 1:2 with linespoints title '{}'", i, names[i]);
  }
  script += "\n";
  const std::array<std::pair<std::string, std::string>, 3> files = {
      {{"energy.dat", energy_data}, {"miss.dat", miss_data}, {"plots.gp", script}}};
  const std::array<std::string, 2> pngs = {"energy_vs_load.png", "miss_rate.png"};
  return run_gnuplot(folder, files, pngs);
}

void add_energy_eval_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EnergyEvalOptions>();
  auto scenario = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "energy-eval",
      "Energy policies over the factory scenarios through the MAC scheduler: energy, savings, oracle fraction, "
      "deadline misses, eMBB throughput; baselines tuned by sweeping their parameters");
  cmd->add_option("--scenario", *scenario,
                  "factory-10, factory-50, factory-200 or mixed (repeatable; default: all)");
  cmd->add_option("--policies", o->policies, "policies to run (default: all): " + joined(ai::energy_policy_names()))
      ->delimiter(',');
  cmd->add_option("--seeds", o->seeds, "seeds per scenario (seed, seed+1, ...), results summed")->capture_default_str();
  cmd->add_option("--seed", o->seed, "first seed (scenario, traffic and link)")->capture_default_str();
  cmd->add_option("--duration-s", o->duration_s, "air time simulated per run, seconds")->capture_default_str();
  cmd->add_option("--energy-model", o->energy_model, "energy model YAML (default: built-in = data/energy/tr38864.yaml)");
  cmd->add_option("--json", o->json, "write the results as JSON to this file");
  cmd->add_option("--plots", o->plots, "write energy_vs_load.png and miss_rate.png (gnuplot) into this folder");
  cmd->callback([o, scenario, &exit_code] {
    o->scenarios = *scenario;
    long long total = 1000;
    ProgressBar bar("energy-eval", total);
    auto report = run_energy_eval(*o, [&](double share) { bar.update(static_cast<long long>(share * 1000.0)); });
    bar.finish();
    if (!report) {
      std::cerr << "airan energy-eval: " << report.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << format_energy_tables(*report);
    if (!o->json.empty()) {
      std::ofstream out(o->json);
      out << to_json(*report).dump(2) << "\n";
      if (!out) {
        std::cerr << "airan energy-eval: cannot write " << o->json << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (!o->plots.empty()) {
      if (Status s = write_energy_plots(*report, o->plots); !s) {
        std::cerr << "airan energy-eval: " << s.message() << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    exit_code = report->invariant_failures.empty() ? kExitOk : kExitCheckFailed;
  });
}

}  // namespace airan::tools

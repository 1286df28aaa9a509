#include "airan/bench_command.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "airan/cli.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/cpu_features.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/plots.hpp"
#include "airan/replay.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"
#include "airan/ru_emu.hpp"
#include "airan/scenario.hpp"
#include "airan/work_folder.hpp"

namespace airan::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr double kPuschBudgetUs = 1500.0;
constexpr const char* kSchema = "airan-bench/1";
constexpr std::array<const char*, 6> kStages = {"fronthaul", "channel_estimation", "equalization",
                                                "demapping", "decoding",  "slot"};

json stats_json(const LatencyStats& s) {
  return {{"p50", s.p50}, {"p99", s.p99}, {"p999", s.p999}, {"max", s.max}, {"mean", s.mean}};
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

json machine_json() {
  const phy::GpuInfo& gpu = phy::detect_gpu();
  return {{"cpu_model", cpu_model()},
          {"cores", std::thread::hardware_concurrency()},
          {"isa", phy::to_string(phy::best_cpu_isa())},
          {"gpu",
           {{"available", gpu.available},
            {"name", gpu.available ? gpu.name : ""},
            {"compute_capability", gpu.compute_capability},
            {"reason", gpu.reason}}},
          {"versions",
           {{"airan", AIRAN_VERSION},
            {"build_type", AIRAN_BUILD_TYPE},
            {"compiler", __VERSION__},
            {"cuda_architectures", AIRAN_CUDA_ARCHITECTURES_STRING}}}};
}

// One benchmark case: a cell configuration, the UE's layers and MCS.
struct Case {
  BenchCell cell;
  int layers = 1;
  std::string backend = "cpu";
  fs::path trace;
  std::vector<ReplaySlotRecord> slots;  // every repeat's, pooled
  std::vector<double> repeat_p50_us;
  long long tbs = 0, crc_pass = 0, passed_bits = 0;
  double air_seconds = 0;
};

std::string case_scenario_yaml(const Case& c, const BenchOptions& o) {
  return fmt::format(
      "cell: {{numerology: {}, prbs: {}, rx_antennas: {}, cell_id: 1, tdd_pattern: U}}\n"
      "fronthaul: {{compression: bfp9, dynamic_header: true, ta3_us: 70}}\n"
      "slots: {}\nseed: {}\n"
      "ues:\n  - {{rnti: 0x4601, prbs: [0, {}], mcs: {}, mcs_table: {}, layers: {}, snr_db: {}, channel: {}, "
      "doppler_hz: {}}}\n",
      c.cell.numerology, c.cell.prbs, c.cell.antennas, o.slots, o.seed, c.cell.prbs, o.mcs, o.mcs_table, c.layers,
      o.snr_db, o.channel, o.channel == "awgn" ? 0 : 10);
}

double relative_spread(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  return median > 0 ? (*hi - *lo) / median : 0.0;
}

json case_json(const Case& c, const BenchOptions& o) {
  const double slot_us = 1000.0 / (1 << c.cell.numerology);
  json latency = json::object();
  double ReplaySlotRecord::*fields[] = {&ReplaySlotRecord::fronthaul_us, &ReplaySlotRecord::channel_estimation_us,
                                         &ReplaySlotRecord::equalization_us, &ReplaySlotRecord::demapping_us,
                                         &ReplaySlotRecord::decoding_us, &ReplaySlotRecord::processing_us};
  for (std::size_t i = 0; i < kStages.size(); ++i) {
    std::vector<double> v;
    v.reserve(c.slots.size());
    for (const ReplaySlotRecord& r : c.slots) v.push_back(r.*fields[i]);
    latency[kStages[i]] = stats_json(latency_stats(std::move(v)));
  }
  // The slot receiver as a whole (the CUDA backend's only host figure) and the device time.
  std::vector<double> phy, gpu;
  for (const ReplaySlotRecord& r : c.slots) {
    phy.push_back(r.phy_us);
    if (r.gpu_us >= 0) gpu.push_back(r.gpu_us);
  }
  latency["phy"] = stats_json(latency_stats(std::move(phy)));
  if (c.backend == "cuda") latency["gpu"] = stats_json(latency_stats(std::move(gpu)));
  long long within_slot = 0, within_pusch = 0;
  double processing_us = 0;
  for (const ReplaySlotRecord& r : c.slots) {
    within_slot += r.processing_us <= slot_us ? 1 : 0;
    within_pusch += r.processing_us <= kPuschBudgetUs ? 1 : 0;
    processing_us += r.processing_us;
  }
  const double n = std::max<double>(1.0, static_cast<double>(c.slots.size()));
  const double mean = latency["slot"]["mean"].get<double>();
  const double p99 = latency["slot"]["p99"].get<double>();
  const int by_throughput = mean > 0 ? static_cast<int>(std::floor(slot_us / mean)) : 0;
  const int by_latency = p99 > 0 ? static_cast<int>(std::floor(kPuschBudgetUs / p99)) : 0;
  return {{"config", c.cell.name},
          {"backend", c.backend},
          {"numerology", c.cell.numerology},
          {"prbs", c.cell.prbs},
          {"antennas", c.cell.antennas},
          {"layers", c.layers},
          {"mcs", o.mcs},
          {"mcs_table", o.mcs_table},
          {"slots", static_cast<long long>(c.slots.size())},
          {"repeats", o.repeats},
          {"slot_budget_us", slot_us},
          {"pusch_budget_us", kPuschBudgetUs},
          {"latency_us", latency},
          {"repeat_p50_us", c.repeat_p50_us},
          {"noise", relative_spread(c.repeat_p50_us)},
          {"within_slot_budget", static_cast<double>(within_slot) / n},
          {"within_pusch_budget", static_cast<double>(within_pusch) / n},
          {"throughput_mbps", processing_us > 0 ? static_cast<double>(c.passed_bits) / processing_us : 0.0},
          {"air_throughput_mbps", c.air_seconds > 0 ? static_cast<double>(c.passed_bits) / c.air_seconds / 1e6 : 0.0},
          {"tb_crc_pass_rate", c.tbs ? static_cast<double>(c.crc_pass) / static_cast<double>(c.tbs) : 0.0},
          {"capacity_cells_per_core", std::min(by_throughput, by_latency)}};
}

// The fronthaul receive path alone: slots of U-plane frames (random IQ, every PRB of every
// antenna) parsed, decompressed and assembled, as one core does it.
Expected<json> fronthaul_case(const BenchCell& cell, const std::string& compression, std::uint64_t seed) {
  const std::string yaml = fmt::format(
      "cell: {{numerology: {}, prbs: {}, rx_antennas: {}, tdd_pattern: U}}\n"
      "fronthaul: {{compression: {}, dynamic_header: true}}\n"
      "ues: [{{rnti: 1, prbs: [0, 1], mcs: 0}}]\n",
      cell.numerology, cell.prbs, cell.antennas, compression);
  auto scenario = parse_scenario(yaml);
  if (!scenario) return scenario.error();
  auto config = scenario_fronthaul_config(*scenario, 4096.0F);
  if (!config) return config.error();
  config->window.enabled = false;
  auto packer = io::UplanePacker::create(*config);
  if (!packer) return packer.error();

  phy::ResourceGrid grid(cell.antennas, phy::kSymbolsPerSlot, 12 * cell.prbs);
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  std::normal_distribution<float> normal(0.0F, 0.5F);
  for (auto& x : grid.data()) x = {normal(rng), normal(rng)};
  constexpr int kSlots = 40;
  std::vector<std::vector<std::uint8_t>> frames;
  long long bytes = 0;
  for (int s = 0; s < kSlots; ++s) {
    const Status packed = packer->pack_slot(grid, io::slot_time(s, cell.numerology),
                                            [&](std::span<const std::uint8_t> frame, int) {
                                              frames.emplace_back(frame.begin(), frame.end());
                                              bytes += static_cast<long long>(frame.size());
                                            });
    if (!packed) return packed.error();
  }
  std::vector<double> seconds;
  for (int repeat = 0; repeat < 5; ++repeat) {
    auto assembler = io::SlotAssembler::create(*config);
    if (!assembler) return assembler.error();
    long long slots = 0;
    const std::function<void(const io::AssembledSlot&)> on_slot = [&](const io::AssembledSlot&) { ++slots; };
    const auto start = Clock::now();
    for (const auto& f : frames) assembler->on_frame(f, 0, on_slot);
    assembler->flush(on_slot);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    if (slots != kSlots) return Error{fmt::format("fronthaul benchmark: {} slots assembled of {}", slots, kSlots)};
  }
  std::sort(seconds.begin(), seconds.end());
  const double t = seconds[seconds.size() / 2];
  const double gbit_per_s = static_cast<double>(bytes) * 8.0 / t / 1e9;
  return json{{"config", cell.name},
              {"compression", compression},
              {"packets", static_cast<long long>(frames.size())},
              {"packets_per_s", static_cast<double>(frames.size()) / t},
              {"gbit_per_s", gbit_per_s},
              {"us_per_slot", t * 1e6 / kSlots},
              {"share_of_25gbe", gbit_per_s / 25.0},
              {"share_of_100gbe", gbit_per_s / 100.0}};
}

}  // namespace

const std::vector<BenchCell>& bench_cells() {
  static const std::vector<BenchCell> cells = {{"20MHz-2T2R", 1, 51, 2},
                                               {"40MHz-4T4R", 1, 106, 4},
                                               {"100MHz-2T2R", 1, 273, 2},
                                               {"100MHz-4T4R", 1, 273, 4}};
  return cells;
}

Expected<nlohmann::json> run_bench(const BenchOptions& o, const std::function<void(int, int)>& progress) {
  if (o.backend != "cpu" && o.backend != "cuda" && o.backend != "all") {
    return Error{fmt::format("--backend {} is not cpu, cuda or all", o.backend)};
  }
  // The CUDA backend where asked: an error when it cannot run (cuda), a not-measured note (all).
  std::vector<std::string> backends = {"cpu"};
  std::string cuda_unavailable;
  if (o.backend != "cpu") {
    phy::PuschSlotReceiverConfig probe;
    probe.limits = {.max_prbs = 1, .grid_prbs = 1, .max_layers = 1, .max_rx_ports = 1, .max_ues = 1,
                    .max_modulation_order = 2};
    probe.harq_processes = 1;
    if (auto gpu = phy::create_pusch_slot_receiver(phy::PhyBackend::cuda, probe); !gpu) {
      cuda_unavailable = gpu.error().message;
    }
    if (o.backend == "cuda") {
      if (!cuda_unavailable.empty()) return Error{"--backend cuda: " + cuda_unavailable};
      backends = {"cuda"};
    } else if (cuda_unavailable.empty()) {
      backends = {"cpu", "cuda"};
    }
  }
  if (o.slots < 1 || o.slots > 100'000) return Error{fmt::format("--slots {} is outside 1..100000", o.slots)};
  if (o.repeats < 1 || o.repeats > 100) return Error{fmt::format("--repeats {} is outside 1..100", o.repeats)};
  auto table = phy::parse_mcs_table(o.mcs_table);
  if (!table) return Error{fmt::format("--mcs-table {} is not an MCS table name (e.g. qam64, qam256)", o.mcs_table)};
  std::vector<BenchCell> cells;
  if (o.configs.empty()) {
    cells = bench_cells();
  } else {
    for (const std::string& name : o.configs) {
      const auto it = std::find_if(bench_cells().begin(), bench_cells().end(),
                                   [&](const BenchCell& c) { return c.name == name; });
      if (it == bench_cells().end()) {
        std::string known;
        for (const BenchCell& c : bench_cells()) known += (known.empty() ? "" : ", ") + c.name;
        return Error{fmt::format("--config {} is not one of {}", name, known)};
      }
      cells.push_back(*it);
    }
  }
  for (int l : o.layers) {
    if (l < 1 || l > 4) return Error{fmt::format("--layers {} is outside 1..4", l)};
  }

  WorkFolder folder("", "airan-bench");
  if (folder.path().empty()) return Error{"cannot create a temporary folder for the traces"};
  std::vector<Case> cases;
  for (const BenchCell& cell : cells) {
    const std::vector<int> layers = o.layers.empty() ? std::vector<int>{1, 2, 4} : o.layers;
    for (int l : layers) {
      if (l > cell.antennas) continue;
      for (const std::string& backend : backends) {
        Case c;
        c.cell = cell;
        c.layers = l;
        c.backend = backend;
        c.trace = folder.path() / fmt::format("{}-{}l.pcap", cell.name, l);  // shared by the backends
        cases.push_back(std::move(c));
      }
    }
  }
  if (cases.empty()) return Error{"no case: the --layers asked for exceed the antennas of every --config"};

  const int total = static_cast<int>(cases.size()) * (o.repeats + 1);
  int done = 0;
  for (Case& c : cases) {
    if (fs::exists(c.trace)) {  // made for the other backend
      if (progress) progress(++done, total);
      continue;
    }
    auto scenario = parse_scenario(case_scenario_yaml(c, o));
    if (!scenario) return Error{fmt::format("{} with {} layers: {}", c.cell.name, c.layers, scenario.error().message)};
    RuEmuOptions emu;
    emu.output = c.trace;
    if (auto r = run_ru_emu(*scenario, emu); !r) return r.error();
    if (progress) progress(++done, total);
  }
  // Interleaved: every case once, then every case again.
  for (int repeat = 0; repeat < o.repeats; ++repeat) {
    for (Case& c : cases) {
      ReplayOptions r;
      r.trace = c.trace.string();
      r.io = "pcap";
      r.backend = c.backend;
      auto report = run_replay(r);
      if (!report) return Error{fmt::format("{} with {} layers: {}", c.cell.name, c.layers, report.error().message)};
      c.slots.insert(c.slots.end(), report->per_slot.begin(), report->per_slot.end());
      c.repeat_p50_us.push_back(report->slot.p50);
      c.tbs += report->tbs.scheduled;
      c.crc_pass += report->tbs.crc_pass;
      c.passed_bits += report->tb_bits_passed;
      c.air_seconds += static_cast<double>(report->slots) * report->slot_budget_us * 1e-6;
      if (progress) progress(++done, total);
    }
  }

  json result = {{"schema", kSchema},
                 {"machine", machine_json()},
                 {"options",
                  {{"configs", o.configs},
                   {"layers", o.layers},
                   {"mcs", o.mcs},
                   {"mcs_table", o.mcs_table},
                   {"channel", o.channel},
                   {"snr_db", o.snr_db},
                   {"slots", o.slots},
                   {"repeats", o.repeats},
                   {"seed", o.seed}}},
                 {"cases", json::array()},
                 {"fronthaul", json::array()},
                 {"not_measured", json::array()}};
  for (const Case& c : cases) result["cases"].push_back(case_json(c, o));
  if (o.fronthaul) {
    const BenchCell& widest = *std::max_element(cells.begin(), cells.end(), [](const BenchCell& a, const BenchCell& b) {
      return a.prbs * a.antennas < b.prbs * b.antennas;
    });
    for (const char* compression : {"bfp9", "bfp14", "none"}) {
      auto f = fronthaul_case(widest, compression, o.seed);
      if (!f) return f.error();
      result["fronthaul"].push_back(*f);
    }
  }
  if (o.backend == "all" && !cuda_unavailable.empty()) {
    result["not_measured"].push_back("cuda: " + cuda_unavailable);
  }
  // Trace files go with the folder; keep the per-slot samples for the plots.
  json samples = json::array();
  for (const Case& c : cases) {
    std::vector<double> v;
    v.reserve(c.slots.size());
    for (const ReplaySlotRecord& r : c.slots) v.push_back(r.processing_us);
    samples.push_back(std::move(v));
  }
  result["slot_samples_us"] = std::move(samples);
  return result;
}

std::string format_bench(const json& r) {
  const json& m = r["machine"];
  std::string out = fmt::format("airan bench: {} ({} cores, {}), airan {} {}\n", m["cpu_model"].get<std::string>(),
                                m["cores"].get<int>(), m["isa"].get<std::string>(),
                                m["versions"]["airan"].get<std::string>(), m["versions"]["build_type"].get<std::string>());
  out += fmt::format("  GPU: {}\n", m["gpu"]["available"].get<bool>() ? m["gpu"]["name"].get<std::string>()
                                                                        : "none (" + m["gpu"]["reason"].get<std::string>() + ")");
  out += fmt::format(
      "\n  {:<12} {:<4} {:>2} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>8} {:>5} {:>5}\n", "config",
      "", "L", "MCS", "fh p50", "est p50", "eq p50", "dmp p50", "dec p50", "slot p50", "slot p99", "<=slot", "<=1.5ms",
      "Mbit/s", "cells", "noise");
  for (const json& c : r["cases"]) {
    const json& l = c["latency_us"];
    out += fmt::format(
        "  {:<12} {:<4} {:>2} {:>5} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>6.1f}% {:>6.1f}% "
        "{:>8.1f} {:>5} {:>4.0f}%\n",
        c["config"].get<std::string>(), c["backend"].get<std::string>(), c["layers"].get<int>(), c["mcs"].get<int>(), l["fronthaul"]["p50"].get<double>(),
        l["channel_estimation"]["p50"].get<double>(), l["equalization"]["p50"].get<double>(),
        l["demapping"]["p50"].get<double>(), l["decoding"]["p50"].get<double>(), l["slot"]["p50"].get<double>(),
        l["slot"]["p99"].get<double>(), 100.0 * c["within_slot_budget"].get<double>(),
        100.0 * c["within_pusch_budget"].get<double>(), c["throughput_mbps"].get<double>(),
        c["capacity_cells_per_core"].get<int>(), 100.0 * c["noise"].get<double>());
  }
  for (const json& c : r["cases"]) {
    if (c["tb_crc_pass_rate"].get<double>() < 1.0) {
      out += fmt::format("  note: {} with {} layers: {:.1f} % of the TBs failed their CRC; their code blocks ran every LDPC "
                         "iteration (raise --snr-db or lower --mcs for a working cell)\n",
                         c["config"].get<std::string>(), c["layers"].get<int>(),
                         100.0 * (1.0 - c["tb_crc_pass_rate"].get<double>()));
    }
  }
  for (const json& c : r["cases"]) {
    if (c["backend"] == "cuda") {
      const json& l = c["latency_us"];
      out += fmt::format("  {} {}L on the GPU: slot receiver p50 {:.1f} us (host, waiting included), device time p50 {:.1f} "
                         "/ p99 {:.1f} us\n",
                         c["config"].get<std::string>(), c["layers"].get<int>(), l["phy"]["p50"].get<double>(),
                         l["gpu"]["p50"].get<double>(), l["gpu"]["p99"].get<double>());
    }
  }
  out += "  (us; L layers; <=slot / <=1.5ms: share of slots within the slot duration / the PUSCH budget;\n"
         "   Mbit/s: decoded TB bits per second of processing; cells: cells of the case one core sustains\n"
         "   (cuda: one host thread driving one stream; the per-stage columns are the CPU's: 0 on cuda);\n"
         "   noise: spread of the per-repeat slot p50)\n";
  if (!r["fronthaul"].empty()) {
    out += fmt::format("\n  fronthaul receive (parse + decompress + assemble, one core)\n  {:<12} {:<12} {:>12} {:>9} {:>10} "
                       "{:>9} {:>9}\n",
                       "config", "compression", "packets/s", "Gbit/s", "us/slot", "x 25GbE", "x 100GbE");
    for (const json& f : r["fronthaul"]) {
      out += fmt::format("  {:<12} {:<12} {:>12.0f} {:>9.1f} {:>10.1f} {:>9.2f} {:>9.2f}\n",
                         f["config"].get<std::string>(), f["compression"].get<std::string>(),
                         f["packets_per_s"].get<double>(), f["gbit_per_s"].get<double>(),
                         f["us_per_slot"].get<double>(), f["share_of_25gbe"].get<double>(),
                         f["share_of_100gbe"].get<double>());
    }
  }
  for (const json& n : r["not_measured"]) out += "  not measured: " + n.get<std::string>() + "\n";
  return out;
}

Expected<BenchComparison> compare_bench(const json& current, const json& baseline) {
  if (!baseline.is_object() || baseline.value("schema", "") != kSchema || !baseline.contains("cases")) {
    return Error{fmt::format("the baseline is not an {} result (run `airan bench --json FILE` to make one)", kSchema)};
  }
  auto key = [](const json& c) {
    return fmt::format("{} {} L{} MCS{} {}", c.value("config", ""), c.value("backend", ""), c.value("layers", 0),
                       c.value("mcs", 0), c.value("mcs_table", ""));
  };
  std::map<std::string, const json*> old;
  for (const json& c : baseline["cases"]) old[key(c)] = &c;
  BenchComparison out;
  out.table = fmt::format("  {:<36} {:<20} {:>10} {:>10} {:>8} {:>9}\n", "case", "stage", "base p50", "now p50",
                          "change", "threshold");
  for (const json& c : current["cases"]) {
    const auto it = old.find(key(c));
    if (it == old.end()) continue;
    const json& b = *it->second;
    const double noise = std::max(c.value("noise", 0.0), b.value("noise", 0.0));
    const double threshold = std::max(0.10, 3.0 * noise);
    for (const char* stage : kStages) {
      const double now = c["latency_us"][stage]["p50"].get<double>();
      const double base = b["latency_us"][stage]["p50"].get<double>();
      if (base <= 0.0) continue;
      const double change = now / base - 1.0;
      ++out.compared;
      std::string verdict;
      if (change > threshold) {
        verdict = "  REGRESSION";
        ++out.regressions;
      } else if (change < -threshold) {
        verdict = "  faster";
      }
      out.table += fmt::format("  {:<36} {:<20} {:>10.1f} {:>10.1f} {:>+7.1f}% {:>8.0f}%{}\n", key(c), stage, base, now,
                               100.0 * change, 100.0 * threshold, verdict);
    }
  }
  if (out.compared == 0) out.table += "  no case in common with the baseline\n";
  return out;
}

Status write_bench_plots(const json& r, const fs::path& folder) {
  std::string cdf, capacity, plot_cdf = "plot ";
  const json& cases = r["cases"];
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::vector<double> v = r["slot_samples_us"][i].get<std::vector<double>>();
    std::sort(v.begin(), v.end());
    cdf += fmt::format("# {} {} layers\n", cases[i]["config"].get<std::string>(), cases[i]["layers"].get<int>());
    for (std::size_t k = 0; k < v.size(); ++k) {
      cdf += fmt::format("{:.3f} {:.6f}\n", std::max(v[k], 0.01), static_cast<double>(k + 1) / static_cast<double>(v.size()));
    }
    cdf += "\n\n";
    plot_cdf += fmt::format("{}'latency_cdf.dat' index {} using 1:2 with steps lw 2 title '{} {}L'", i ? ", \\\n     " : "",
                            i, cases[i]["config"].get<std::string>(), cases[i]["layers"].get<int>());
    capacity += fmt::format("\"{} {}L\" {}\n", cases[i]["config"].get<std::string>(), cases[i]["layers"].get<int>(),
                            cases[i]["capacity_cells_per_core"].get<int>());
  }
  const std::string cpu = r["machine"]["cpu_model"].get<std::string>();
  std::string script = "set terminal pngcairo size 1000,600 font 'sans,10'\nset grid\n";
  script += "set output 'latency_cdf.png'\n";
  script += fmt::format("set title \"airan bench: slot processing time (CPU, one core; {})\" noenhanced\n", cpu);
  script += "set xlabel 'time per slot (us)'\nset ylabel 'share of slots'\nset logscale x\nset yrange [0:1.02]\n";
  script += "set key bottom right\n";
  script += "set arrow from 500,0 to 500,1.02 nohead dashtype 2 lw 2 lc rgb 'red'\n";
  script += "set arrow from 1500,0 to 1500,1.02 nohead dashtype 3 lw 2 lc rgb 'black'\n";
  script += "set label 'slot 500 us' at 500,0.05 rotate by 90 offset -1,0 tc rgb 'red'\n";
  script += "set label 'PUSCH budget 1500 us' at 1500,0.05 rotate by 90 offset -1,0\n";
  script += plot_cdf + "\n\nunset arrow\nunset label\nunset logscale x\nset autoscale\nset yrange [0:*]\n";
  script += "set output 'capacity.png'\n";
  script += fmt::format("set title \"airan bench: cells one core sustains within budget ({})\" noenhanced\n", cpu);
  script += "set style fill solid 0.6\nset boxwidth 0.6\nset xtics rotate by -30\nset ylabel 'cells per core'\n";
  script += "set xlabel ''\nunset key\nplot 'capacity.dat' using 0:2:xtic(1) with boxes\n";
  const std::array<std::pair<std::string, std::string>, 3> files = {
      {{"latency_cdf.dat", cdf}, {"capacity.dat", capacity}, {"plots.gp", script}}};
  const std::array<std::string, 2> pngs = {"latency_cdf.png", "capacity.png"};
  return run_gnuplot(folder, files, pngs);
}

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  auto json_path = std::make_shared<std::string>();
  auto compare_path = std::make_shared<std::string>();
  auto plots = std::make_shared<std::string>();
  auto no_fronthaul = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Latency benchmark on standard cells (20 MHz 2T2R .. 100 MHz 4T4R): per-stage p50/p99/p99.9/max, share "
      "within budget, throughput, cells per core; the fronthaul receive rate against 25/100 GbE");
  cmd->add_option("--backend", o->backend, "cpu, cuda or all")->capture_default_str();
  std::string configs_help = "standard configurations (default: all):";
  for (const BenchCell& c : bench_cells()) configs_help += " " + c.name;
  cmd->add_option("--config", o->configs, configs_help);
  cmd->add_option("--layers", o->layers, "layers of the UE (default 1, 2 and 4 where the cell has the antennas)");
  cmd->add_option("--mcs", o->mcs, "MCS index")->capture_default_str();
  cmd->add_option("--mcs-table", o->mcs_table, "MCS table (qam64, qam256, ...)")->capture_default_str();
  cmd->add_option("--channel", o->channel, "the UE's channel model (awgn, tdla30, tdlb100, ...)")->capture_default_str();
  cmd->add_option("--snr-db", o->snr_db, "SNR per receive antenna")->capture_default_str();
  cmd->add_option("--slots", o->slots, "uplink slots per case and repeat")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "interleaved repeats of every case")->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the emulated traffic")->capture_default_str();
  cmd->add_flag("--no-fronthaul", *no_fronthaul, "skip the fronthaul receive benchmark");
  cmd->add_option("--json", *json_path, "write the result as JSON (schema docs/bench.schema.json)");
  cmd->add_option("--compare", *compare_path, "compare with a saved --json result; exit 1 on a regression");
  cmd->add_option("--plots", *plots, "write latency_cdf.png and capacity.png into this folder (gnuplot)");
  cmd->callback([o, json_path, compare_path, plots, no_fronthaul, &exit_code] {
    o->fronthaul = !*no_fronthaul;
    std::optional<json> baseline;
    if (!compare_path->empty()) {
      std::ifstream in(*compare_path);
      json b = in ? json::parse(in, nullptr, false) : json();
      if (!in || b.is_discarded()) {
        std::cerr << "airan bench: --compare " << *compare_path << ": cannot read it as JSON\n";
        exit_code = kExitUsage;
        return;
      }
      baseline = std::move(b);
    }
    std::optional<ProgressBar> bar;
    auto result = run_bench(*o, [&](int done, int total) {
      if (!bar) bar.emplace("bench", total);
      bar->update(done);
    });
    if (bar) bar->finish();
    if (!result) {
      std::cerr << "airan bench: " << result.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << format_bench(*result);
    if (!json_path->empty()) {
      std::ofstream out(*json_path);
      out << result->dump(2) << "\n";
      if (!out) {
        std::cerr << "airan bench: cannot write " << *json_path << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (!plots->empty()) {
      if (Status s = write_bench_plots(*result, *plots); !s) {
        std::cerr << "airan bench: " << s.message() << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    exit_code = kExitOk;
    if (baseline) {
      auto comparison = compare_bench(*result, *baseline);
      if (!comparison) {
        std::cerr << "airan bench: --compare " << *compare_path << ": " << comparison.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
      std::cout << fmt::format("\ncompared with {} ({} stage p50s; regression = slower than max(10 %, 3 x noise)):\n",
                               *compare_path, comparison->compared)
                << comparison->table
                << fmt::format("{} regression(s)\n", comparison->regressions);
      if (comparison->regressions > 0) exit_code = kExitCheckFailed;
    }
  });
}

}  // namespace airan::tools

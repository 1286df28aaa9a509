#include "airan/vectors_check.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/coding/sch.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::tools {
namespace {

using nlohmann::json;

// Reads an integer config field, with an error naming it.
Expected<long long> config_int(const io::TestVector& v, const char* key) {
  if (!v.config.contains(key) || !v.config[key].is_number_integer()) {
    return Error{fmt::format("config.{} is missing or not an integer", key)};
  }
  return v.config[key].get<long long>();
}

std::size_t count_differences(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i];
  return n + (a.size() > b.size() ? a.size() - b.size() : b.size() - a.size());
}

VectorCheck compare_bits(std::string name, std::span<const std::uint8_t> got, std::span<const std::uint8_t> want) {
  const std::size_t diff = count_differences(got, want);
  return {std::move(name), diff == 0,
          diff == 0 ? fmt::format("{} bits identical", want.size())
                    : fmt::format("{} of {} bits differ", diff, want.size())};
}

VectorCheck decode_check(std::string name, phy::SchDecoder& decoder, const phy::SchPlan& plan,
                         std::span<const phy::Llr> llrs, std::span<const std::uint8_t> tb_bits) {
  phy::HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb_bits.size());
  auto result = decoder.decode(plan, llrs, /*new_data=*/true, harq, decoded);
  if (!result) return {std::move(name), false, result.error().message};
  const std::size_t diff = count_differences(decoded, tb_bits);
  const bool ok = result->tb_crc_ok && diff == 0;
  return {std::move(name), ok,
          fmt::format("TB CRC {}, {} of {} bits wrong, {}/{} CB CRC ok, {} iterations max",
                      result->tb_crc_ok ? "pass" : "FAIL", diff, tb_bits.size(), result->blocks_crc_ok,
                      result->num_blocks, result->max_iterations)};
}

void check_ulsch(const io::TestVector& v, const VectorCheckOptions& options, VectorCaseReport& report) {
  auto fail = [&](const std::string& what) { report.checks.push_back({"config", false, what}); };
  auto tbs = config_int(v, "tbs");
  auto g = config_int(v, "G");
  auto qm = config_int(v, "qm");
  auto layers = config_int(v, "num_layers");
  auto rnti = config_int(v, "n_rnti");
  auto n_id = config_int(v, "n_id");
  for (const auto* field : {&tbs, &g, &qm, &layers, &rnti, &n_id}) {
    if (!*field) return fail(field->error().message);
  }
  const long long rv = v.config.value("rv", 0LL);
  if (!v.config.contains("target_code_rate") || !v.config["target_code_rate"].is_number()) {
    return fail("config.target_code_rate is missing or not a number");
  }
  if (*rnti < 0 || *rnti > 65535 || *n_id < 0 || *n_id > 1023) {
    return fail(fmt::format("config.n_rnti={} or config.n_id={} is out of range", *rnti, *n_id));
  }
  const std::string channel = v.config.value("channel", std::string("PUSCH"));
  if (channel != "PUSCH" && channel != "PDSCH") return fail(fmt::format("config.channel '{}' is not PUSCH or PDSCH", channel));

  phy::SchConfig config;
  config.tbs = static_cast<int>(*tbs);
  config.target_code_rate = v.config["target_code_rate"].get<double>();
  config.rate_match.g = static_cast<int>(*g);
  config.rate_match.modulation_order = static_cast<int>(*qm);
  config.rate_match.num_layers = static_cast<int>(*layers);
  config.rate_match.rv = static_cast<int>(rv);
  auto plan = phy::plan_sch(config);
  if (!plan) return fail(plan.error().message);
  const auto& seg = plan->segmentation;
  report.summary = fmt::format("A={} G={} Qm={} layers={} {} Z={} C={}", config.tbs, config.rate_match.g,
                               config.rate_match.modulation_order, config.rate_match.num_layers,
                               phy::to_string(seg.base_graph), seg.z, seg.num_blocks);

  auto tb_bits = v.bits("tb_bits");
  auto unscrambled = v.bits("codeword_unscrambled");
  auto scrambled = v.bits("codeword");
  for (const auto* array : {&tb_bits, &unscrambled, &scrambled}) {
    if (!*array) return fail(array->error().message);
  }

  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(config.rate_match.g));
  phy::SchEncoder encoder;
  if (Status s = encoder.encode(*plan, *tb_bits, codeword); !s) return fail(s.message());
  report.checks.push_back(compare_bits("encode", codeword, *unscrambled));

  const std::uint32_t c_init =
      channel == "PUSCH"
          ? phy::pusch_scrambling_init(static_cast<std::uint16_t>(*rnti), static_cast<std::uint16_t>(*n_id))
          : phy::pdsch_scrambling_init(static_cast<std::uint16_t>(*rnti), 0, static_cast<std::uint16_t>(*n_id));
  phy::scramble_bits(c_init, codeword);
  report.checks.push_back(compare_bits("scramble", codeword, *scrambled));

  auto decoder = phy::SchDecoder::create(phy::LdpcDecoderConfig{});
  if (!decoder) return fail(decoder.error().message);

  // Decoding starts from the reference's scrambled codeword, not ours.
  std::vector<phy::Llr> llrs(codeword.size());
  phy::bits_to_llrs(*scrambled, 64, llrs);
  phy::descramble_llrs(c_init, llrs);
  report.checks.push_back(decode_check("decode clean", **decoder, *plan, llrs, *tb_bits));

  // Each bit as BPSK (+-1) through real AWGN at the given Es/N0: sigma^2 = N0/2, and the
  // exact LLR 2y/sigma^2 quantized to int8 with a gain of 2.
  const double sigma2 = std::pow(10.0, -options.awgn_snr_db / 10.0) / 2.0;
  std::mt19937_64 engine(options.seed);
  std::normal_distribution<double> noise(0.0, std::sqrt(sigma2));
  std::vector<float> soft(llrs.size());
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    const double y = (1.0 - 2.0 * (*scrambled)[i]) + noise(engine);
    soft[i] = static_cast<float>(2.0 * y / sigma2);
  }
  phy::quantize_llrs(soft, 2.0F, llrs);
  phy::descramble_llrs(c_init, llrs);
  report.checks.push_back(
      decode_check(fmt::format("decode AWGN {:.1f} dB", options.awgn_snr_db), **decoder, *plan, llrs, *tb_bits));
}

// The reference project's PUSCH configuration (see the vectors' README) as a PuschConfig.
Expected<phy::PuschConfig> pusch_config_from_vector(const io::TestVector& v) {
  const nlohmann::json& cfg = v.config;
  if (!cfg.contains("carrier") || !cfg.contains("pusch") || !cfg["pusch"].contains("dmrs") ||
      !cfg["pusch"].contains("tb")) {
    return Error{"config needs carrier, pusch, pusch.dmrs and pusch.tb"};
  }
  const nlohmann::json& carrier = cfg["carrier"];
  const nlohmann::json& pusch = cfg["pusch"];
  const nlohmann::json& dmrs = pusch["dmrs"];
  const nlohmann::json& tb = pusch["tb"];
  phy::PuschConfig c;
  try {
    c.n_cell_id = carrier.at("n_cell_id").get<int>();
    c.slot_number = carrier.value("slot_number", 0);
    c.numerology = carrier.value("subcarrier_spacing", 15) == 30 ? 1 : 0;
    c.bwp_size = pusch.at("n_size_bwp").get<int>();
    c.rb_size = c.bwp_size;
    const auto allocation = pusch.value("symbol_allocation", std::vector<int>{0, 14});
    if (allocation.size() != 2) return Error{"config.pusch.symbol_allocation must be [start, length]"};
    c.start_symbol = allocation[0];
    c.num_symbols = allocation[1];
    c.mapping_type = pusch.value("mapping_type", std::string("A")) == "B" ? phy::PuschMappingType::b
                                                                           : phy::PuschMappingType::a;
    c.rnti = pusch.at("n_rnti").get<std::uint16_t>();
    c.num_layers = pusch.value("num_layers", 1);
    c.num_antenna_ports = pusch.value("num_antenna_ports", 1);
    c.codebook_precoding = pusch.value("precoding", std::string("non-codebook")) == "codebook";
    c.tpmi = pusch.value("tpmi", 0);
    c.dmrs.config_type = dmrs.value("config_type", 1);
    c.dmrs.length = dmrs.value("length", 1);
    c.dmrs.additional_position = dmrs.value("additional_position", 0);
    c.dmrs.type_a_position = dmrs.value("type_a_position", 2);
    c.dmrs.num_cdm_groups_without_data = dmrs.value("num_cdm_groups_without_data", 2);
    c.dmrs.n_scid = dmrs.value("n_scid", 0);
    const auto ports = dmrs.value("dmrs_port_set", std::vector<int>{});
    if (!ports.empty() && static_cast<int>(ports.size()) != c.num_layers) {
      return Error{fmt::format("config.pusch.dmrs.dmrs_port_set has {} ports for {} layers", ports.size(), c.num_layers)};
    }
    for (std::size_t i = 0; i < ports.size() && i < c.dmrs.ports.size(); ++i) c.dmrs.ports[i] = ports[i];
    if (dmrs.contains("n_id") && dmrs["n_id"].is_number_integer()) {
      c.dmrs.n_id = {dmrs["n_id"].get<std::uint16_t>(), dmrs["n_id"].get<std::uint16_t>()};
    } else if (dmrs.contains("n_id") && dmrs["n_id"].is_array() && dmrs["n_id"].size() == 2) {
      c.dmrs.n_id = {dmrs["n_id"][0].get<std::uint16_t>(), dmrs["n_id"][1].get<std::uint16_t>()};
    } else {
      c.dmrs.n_id = {static_cast<std::uint16_t>(c.n_cell_id), static_cast<std::uint16_t>(c.n_cell_id)};
    }
    // The reference numbers its MCS tables 1 (64QAM), 2 (256QAM), 3 (low-SE 64QAM).
    const int table = tb.value("mcs_table", 1);
    if (table < 1 || table > 3) return Error{fmt::format("config.pusch.tb.mcs_table={} is not 1, 2 or 3", table)};
    static constexpr phy::McsTable kTables[] = {phy::McsTable::qam64, phy::McsTable::qam256,
                                                phy::McsTable::qam64_low_se};
    c.mcs_table = kTables[table - 1];
    c.mcs_index = tb.at("mcs_index").get<int>();
  } catch (const nlohmann::json::exception& e) {
    return Error{std::string("config field missing or of the wrong type: ") + e.what()};
  }
  return c;
}

// Sends `grid` through a flat random MIMO channel (CN(0,1) entries, rx_ports x grid ports)
// and adds complex AWGN of the given SNR per receive port.
phy::ResourceGrid flat_mimo_channel(const phy::ResourceGrid& grid, int rx_ports, double snr_db, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  std::vector<phy::Complex> h(static_cast<std::size_t>(rx_ports) * grid.ports());
  for (auto& x : h) x = {normal(engine), normal(engine)};
  phy::ResourceGrid out(rx_ports, grid.symbols(), grid.subcarriers());
  const float sigma = std::sqrt(static_cast<float>(std::pow(10.0, -snr_db / 10.0)));
  for (int r = 0; r < rx_ports; ++r) {
    for (int l = 0; l < grid.symbols(); ++l) {
      auto y = out.symbol(r, l);
      for (int t = 0; t < grid.ports(); ++t) {
        const auto x = grid.symbol(t, l);
        const phy::Complex g = h[static_cast<std::size_t>(r) * grid.ports() + t];
        for (std::size_t k = 0; k < y.size(); ++k) y[k] += g * x[k];
      }
      for (auto& value : y) value += sigma * phy::Complex(normal(engine), normal(engine));
    }
  }
  return out;
}

VectorCheck receive_check(std::string name, const phy::PuschPlan& plan, const phy::ResourceGrid& grid,
                          std::span<const std::uint8_t> tb_bits) {
  auto receiver = phy::PuschReceiver::create(phy::PuschReceiverConfig{});
  if (!receiver) return {std::move(name), false, receiver.error().message};
  phy::HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb_bits.size());
  auto result = (*receiver)->receive(plan, grid, true, harq, decoded);
  if (!result) return {std::move(name), false, result.error().message};
  const std::size_t diff = count_differences(decoded, tb_bits);
  return {std::move(name), result->tb_crc_ok && diff == 0,
          fmt::format("TB CRC {}, {} bits wrong, SINR {:.1f} dB, EVM {:.2f} %, LDPC iterations <= {}",
                      result->tb_crc_ok ? "pass" : "FAIL", diff, result->sinr_db, result->evm_percent,
                      result->decode.max_iterations)};
}

void check_pusch_tx(const io::TestVector& v, const VectorCheckOptions& options, VectorCaseReport& report) {
  auto fail = [&](const std::string& what) { report.checks.push_back({"config", false, what}); };
  auto config = pusch_config_from_vector(v);
  if (!config) return fail(config.error().message);
  auto plan = phy::plan_pusch(*config);
  if (!plan) return fail(plan.error().message);
  auto tb_bits = v.bits("tb_bits");
  if (!tb_bits) return fail(tb_bits.error().message);
  auto reference = v.complex_values("grid");
  if (!reference) return fail(reference.error().message);
  const auto& shape = v.arrays.at("grid").shape;
  const phy::PuschConfig& c = *config;
  report.summary = fmt::format("{} PRB, {} layer(s), {} port(s) {}, DMRS type {} len {} +{} CDM {}, {}QAM MCS {}",
                               c.bwp_size, c.num_layers, c.num_antenna_ports,
                               c.codebook_precoding ? fmt::format("TPMI {}", c.tpmi) : "non-codebook",
                               c.dmrs.config_type, c.dmrs.length, c.dmrs.additional_position,
                               c.dmrs.num_cdm_groups_without_data, 1 << plan->modulation_order, c.mcs_index);

  report.checks.push_back({"tbs", plan->tbs == static_cast<int>(tb_bits->size()),
                           fmt::format("TBS {} (reference {}), G {}", plan->tbs, tb_bits->size(), plan->g)});
  if (plan->tbs != static_cast<int>(tb_bits->size())) return;

  phy::PuschTransmitter transmitter;
  phy::ResourceGrid grid;
  if (Status s = transmitter.transmit(*plan, *tb_bits, grid); !s) return fail(s.message());
  if (shape.size() != 3 || static_cast<int>(shape[0]) != grid.ports() || static_cast<int>(shape[1]) != grid.symbols() ||
      static_cast<int>(shape[2]) != grid.subcarriers()) {
    return fail(fmt::format("reference grid shape does not match ours ({} x {} x {})", grid.ports(), grid.symbols(),
                            grid.subcarriers()));
  }
  double max_error = 0.0;
  double max_value = 0.0;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < reference->size(); ++i) {
    const double e = std::abs((*reference)[i] - grid.data()[i]);
    if (e > max_error) {
      max_error = e;
      worst = i;
    }
    max_value = std::max(max_value, static_cast<double>(std::abs((*reference)[i])));
  }
  // float32 rounding of values up to ~2 in magnitude: a few ulps.
  const double tolerance = 1e-5 * std::max(1.0, max_value);
  const int per_port = grid.symbols() * grid.subcarriers();
  report.checks.push_back(
      {"transmit", max_error <= tolerance,
       max_error <= tolerance
           ? fmt::format("grid equal within {:.1e} (max |error| {:.1e})", tolerance, max_error)
           : fmt::format("max |error| {:.3g} at port {} symbol {} subcarrier {}", max_error,
                         static_cast<int>(worst) / per_port, (static_cast<int>(worst) % per_port) / grid.subcarriers(),
                         static_cast<int>(worst) % grid.subcarriers())});

  // The receiver decodes the reference grid: as is, with AWGN, and through a random MIMO
  // channel with twice as many receive ports as layers.
  phy::ResourceGrid ref_grid(grid.ports(), grid.symbols(), grid.subcarriers());
  std::copy(reference->begin(), reference->end(), ref_grid.data().begin());
  report.checks.push_back(receive_check("receive clean", *plan, ref_grid, *tb_bits));
  phy::ResourceGrid noisy = ref_grid;
  {
    std::mt19937_64 engine(options.seed);
    std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
    const float sigma = std::sqrt(static_cast<float>(std::pow(10.0, -options.pusch_snr_db / 10.0)));
    for (auto& x : noisy.data()) x += sigma * phy::Complex(normal(engine), normal(engine));
  }
  report.checks.push_back(
      receive_check(fmt::format("receive AWGN {:.0f} dB", options.pusch_snr_db), *plan, noisy, *tb_bits));
  const phy::ResourceGrid mimo = flat_mimo_channel(ref_grid, 2 * c.num_layers, options.pusch_snr_db, options.seed + 1);
  report.checks.push_back(receive_check(
      fmt::format("receive {}x{} MIMO", 2 * c.num_layers, grid.ports()), *plan, mimo, *tb_bits));
}

void print_report(const VectorCaseReport& report) {
  std::cout << fmt::format("{} {} [{}] {}\n", report.passed() ? "PASS" : "FAIL", report.name, report.kind,
                           report.summary);
  for (const VectorCheck& c : report.checks) {
    std::cout << fmt::format("    {:<5} {:<18} {}\n", c.passed ? "ok" : "FAIL", c.name, c.detail);
  }
}

json to_json(const VectorCaseReport& report) {
  json checks = json::array();
  for (const VectorCheck& c : report.checks) checks.push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  return {{"name", report.name}, {"kind", report.kind}, {"passed", report.passed()}, {"summary", report.summary},
          {"checks", checks}};
}

}  // namespace

bool VectorCaseReport::passed() const {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const VectorCheck& c) { return c.passed; });
}

VectorCaseReport check_vector_case(const io::TestVector& v, const VectorCheckOptions& options) {
  VectorCaseReport report;
  report.name = v.name;
  if (v.has("codeword") && v.has("tb_bits") && v.config.contains("tbs")) {
    report.kind = "ulsch";
    check_ulsch(v, options, report);
  } else if (v.has("grid") && v.has("tb_bits")) {
    report.kind = "pusch_tx";
    check_pusch_tx(v, options, report);
  } else {
    report.kind = "unknown";
    report.checks.push_back({"kind", false, "arrays match no known vector kind (ulsch: tb_bits+codeword; pusch_tx: "
                                            "tb_bits+grid)"});
  }
  return report;
}

void add_vectors_command(CLI::App& app, int& exit_code) {
  CLI::App* vectors = app.add_subcommand("vectors", "Reference test vectors");
  vectors->require_subcommand(1);
  struct Options {
    std::string directory;
    VectorCheckOptions check;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* check = vectors->add_subcommand(
      "check", "Run every case of an airan-vector/1 directory: one PASS/FAIL line per case, exit 1 on any failure");
  check->add_option("DIR", options->directory, "directory of case_*.json files")->required();
  check->add_option("--snr", options->check.awgn_snr_db, "Es/N0 in dB of the noisy decoding check")
      ->capture_default_str();
  check->add_option("--pusch-snr", options->check.pusch_snr_db, "SNR in dB of the PUSCH receiver checks")
      ->capture_default_str();
  check->add_option("--seed", options->check.seed, "seed of the noise")->capture_default_str();
  check->add_flag("--json", options->json, "print the reports as JSON");
  check->callback([options, &exit_code] {
    auto cases = io::list_test_vectors(options->directory);
    if (!cases) {
      std::cerr << "airan vectors check: " << cases.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (cases->empty()) {
      std::cerr << "airan vectors check: " << options->directory << ": no case files (*.json)\n";
      exit_code = kExitUsage;
      return;
    }
    int passed = 0;
    int failed = 0;
    json reports = json::array();
    for (std::size_t i = 0; i < cases->size(); ++i) {
      VectorCaseReport report;
      auto vector = io::load_test_vector((*cases)[i]);
      if (!vector) {
        report.name = (*cases)[i].stem().string();
        report.kind = "unreadable";
        report.checks.push_back({"load", false, vector.error().message});
      } else {
        report = check_vector_case(*vector, options->check);
      }
      (report.passed() ? passed : failed)++;
      if (options->json) {
        reports.push_back(to_json(report));
      } else {
        print_report(report);
      }
    }
    if (options->json) {
      std::cout << json{{"directory", options->directory}, {"passed", passed}, {"failed", failed}, {"cases", reports}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << fmt::format("{}: {} passed, {} failed\n", options->directory, passed, failed);
    }
    exit_code = failed ? kExitCheckFailed : kExitOk;
  });
}

}  // namespace airan::tools

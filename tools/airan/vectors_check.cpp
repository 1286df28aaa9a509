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
    report.checks.push_back({"transmitter", false,
                             "PUSCH transmitter vectors need the NR signal chain (modulation, DMRS, precoding), "
                             "which this build does not have yet"});
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

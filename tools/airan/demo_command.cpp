#include "airan/demo_command.hpp"

#include <chrono>
#include <complex>
#include <cstring>
#include <iostream>
#include <random>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/phy/channel/awgn.hpp"
#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/coding/sch.hpp"
#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/coding/tbs.hpp"
#include "airan/phy/modulation/qpsk.hpp"

namespace airan::tools {
namespace {

// The bundled transport block starts with this text; the rest is pseudo-random filler.
constexpr std::string_view kBundledMessage =
    "airan: an open AI-RAN pipeline. This transport block was LDPC-coded, rate-matched, "
    "scrambled, sent as QPSK through AWGN and decoded on this machine.";

// The demo's slot: 52 PRB (20 MHz at 30 kHz), 12 PUSCH symbols, one DMRS symbol of type 1
// (12 REs per PRB), MCS 9 of the 64QAM table (QPSK, R = 679/1024), one layer.
constexpr int kPrbs = 52;
constexpr int kSymbols = 12;
constexpr int kDmrsResPerPrb = 12;
constexpr int kMcsIndex = 9;
constexpr std::uint16_t kRnti = 0x4601;
constexpr std::uint16_t kScramblingId = 500;

}  // namespace

int run_demo(const DemoOptions& options) {
  auto mcs = phy::mcs_lookup(phy::McsTable::qam64, kMcsIndex);
  if (!mcs) {
    std::cerr << "airan demo: " << mcs.error().message << "\n";
    return kExitUsage;
  }
  phy::TbsConfig tbs_config;
  tbs_config.n_prb = kPrbs;
  tbs_config.n_symb_sh = kSymbols;
  tbs_config.n_dmrs_prb = kDmrsResPerPrb;
  auto tbs = phy::tbs_determine(tbs_config, *mcs);
  if (!tbs) {
    std::cerr << "airan demo: " << tbs.error().message << "\n";
    return kExitUsage;
  }
  phy::SchConfig config;
  config.tbs = *tbs;
  config.target_code_rate = mcs->target_code_rate();
  config.rate_match.g = kPrbs * (12 * kSymbols - kDmrsResPerPrb) * mcs->modulation_order;
  config.rate_match.modulation_order = mcs->modulation_order;
  auto plan = phy::plan_sch(config);
  if (!plan) {
    std::cerr << "airan demo: " << plan.error().message << "\n";
    return kExitUsage;
  }

  // Transport block: the message's bytes, then filler from the seed.
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(config.tbs));
  std::mt19937_64 filler(options.seed);
  for (auto& bit : tb) bit = static_cast<std::uint8_t>(filler() >> 63);
  const std::size_t message_bytes = std::min(kBundledMessage.size(), tb.size() / 8);
  phy::unpack_bits({reinterpret_cast<const std::uint8_t*>(kBundledMessage.data()), message_bytes},
                   std::span(tb).first(8 * message_bytes));

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(config.rate_match.g));
  phy::SchEncoder encoder;
  if (Status s = encoder.encode(*plan, tb, codeword); !s) {
    std::cerr << "airan demo: " << s.message() << "\n";
    return kExitUsage;
  }
  const std::uint32_t c_init = phy::pusch_scrambling_init(kRnti, kScramblingId);
  phy::scramble_bits(c_init, codeword);
  std::vector<std::complex<float>> symbols(codeword.size() / 2);
  phy::qpsk_modulate(codeword, symbols);

  const float noise_variance = phy::noise_variance_from_snr_db(options.snr_db);
  phy::AwgnChannel channel(options.seed);
  channel.add_noise(symbols, noise_variance);

  std::vector<float> llrs(codeword.size());
  phy::qpsk_demodulate_soft(symbols, noise_variance, llrs);
  long long raw_bit_errors = 0;
  for (std::size_t i = 0; i < llrs.size(); ++i) raw_bit_errors += (llrs[i] < 0) != (codeword[i] != 0);
  std::vector<phy::Llr> soft(llrs.size());
  phy::quantize_llrs(llrs, 2.0F, soft);
  phy::descramble_llrs(c_init, soft);

  auto decoder = phy::SchDecoder::create(phy::LdpcDecoderConfig{});
  if (!decoder) {
    std::cerr << "airan demo: " << decoder.error().message << "\n";
    return kExitUsage;
  }
  phy::HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size());
  auto result = (*decoder)->decode(*plan, soft, /*new_data=*/true, harq, decoded);
  const double elapsed_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  if (!result) {
    std::cerr << "airan demo: " << result.error().message << "\n";
    return kExitUsage;
  }
  const bool identical = decoded == tb;
  std::string message(message_bytes, '\0');
  phy::pack_bits(std::span(decoded).first(8 * message_bytes),
                 {reinterpret_cast<std::uint8_t*>(message.data()), message_bytes});
  for (char& ch : message) {
    if (ch < 0x20 || ch > 0x7e) ch = '?';
  }

  const auto& seg = plan->segmentation;
  const double raw_ber = static_cast<double>(raw_bit_errors) / static_cast<double>(llrs.size());
  if (options.json) {
    nlohmann::json j = {{"tbs", config.tbs},
                        {"g", config.rate_match.g},
                        {"mcs_table", "qam64"},
                        {"mcs", kMcsIndex},
                        {"base_graph", phy::to_string(seg.base_graph)},
                        {"z", seg.z},
                        {"code_blocks", seg.num_blocks},
                        {"snr_db", options.snr_db},
                        {"raw_ber", raw_ber},
                        {"crc_pass", result->tb_crc_ok},
                        {"tb_identical", identical},
                        {"ldpc_iterations_max", result->max_iterations},
                        {"processing_us", elapsed_us},
                        {"message", message}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("airan demo: one PUSCH transport block through the CPU coding chain\n");
    std::cout << fmt::format("  slot      {} PRB x {} symbols, MCS {} (QPSK, R={:.3f}), TBS {} bits, G {} bits\n",
                             kPrbs, kSymbols, kMcsIndex, mcs->target_code_rate(), config.tbs, config.rate_match.g);
    std::cout << fmt::format("  coding    {} Z={}, {} code block(s), rv 0, scrambling c_init {:#x}\n",
                             phy::to_string(seg.base_graph), seg.z, seg.num_blocks, c_init);
    std::cout << fmt::format("  channel   QPSK over AWGN at {:.1f} dB: raw bit error rate {:.3f}\n", options.snr_db,
                             raw_ber);
    std::cout << fmt::format("  decoding  TB CRC {}, {} of {} bits as sent, LDPC iterations <= {}, {:.0f} us\n",
                             result->tb_crc_ok ? "PASS" : "FAIL", identical ? "all" : "NOT all", tb.size(),
                             result->max_iterations, elapsed_us);
    std::cout << fmt::format("  message   \"{}\"\n", message);
  }
  return result->tb_crc_ok && identical ? kExitOk : kExitCheckFailed;
}

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "The main job on its embedded default (also what `airan` alone runs): code, send and decode a "
              "bundled transport block");
  cmd->add_option("--snr", options->snr_db, "SNR in dB of the AWGN channel")->capture_default_str();
  cmd->add_option("--seed", options->seed, "seed of the filler bits and the noise")->capture_default_str();
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] { exit_code = run_demo(*options); });
}

}  // namespace airan::tools

#include "airan/sim_ldpc.hpp"

#include <algorithm>
#include <complex>
#include <iostream>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/parallel.hpp"
#include "airan/phy/channel/awgn.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/modulation/qpsk.hpp"

namespace airan::tools {
namespace {

Status validate(const SimLdpcOptions& o, const phy::LdpcGraph*& graph) {
  if (o.base_graph != 1 && o.base_graph != 2) return Error{fmt::format("--bg {} is not 1 or 2", o.base_graph)};
  auto g = phy::ldpc_graph(o.base_graph == 1 ? phy::BaseGraph::bg1 : phy::BaseGraph::bg2, o.z);
  if (!g) return Error{"--z: " + g.error().message};
  graph = *g;
  if (o.parity_rows < 4 || o.parity_rows > graph->shape.rows) {
    return Error{fmt::format("--parity-rows {} is outside 4..{} for BG{}", o.parity_rows, graph->shape.rows,
                             o.base_graph)};
  }
  if (o.codewords < 1) return Error{fmt::format("--codewords {} must be at least 1", o.codewords)};
  if (!(o.snr_db > -20.0 && o.snr_db < 60.0)) return Error{fmt::format("--snr {} is outside -20..60 dB", o.snr_db)};
  if (!(o.llr_scale > 0.0F && o.llr_scale <= 64.0F)) {
    return Error{fmt::format("--llr-scale {} is outside (0, 64]", o.llr_scale)};
  }
  if (o.threads < 0) return Error{fmt::format("--threads {} must not be negative", o.threads)};
  if (!o.isa.empty() && !phy::parse_cpu_isa(o.isa)) return Error{fmt::format("--isa {} is not generic or avx2", o.isa)};
  return phy::validate(o.decoder);
}

struct Totals {
  long long block_errors = 0;
  long long bit_errors = 0;
  long long iterations = 0;
};

}  // namespace

Expected<SimLdpcResult> run_sim_ldpc(const SimLdpcOptions& o, const std::function<void(long long)>& progress) {
  const phy::LdpcGraph* graph = nullptr;
  if (Status s = validate(o, graph); !s) return s.error();
  const phy::CpuIsa isa = o.isa.empty() ? phy::best_cpu_isa() : *phy::parse_cpu_isa(o.isa);
  if (!phy::cpu_isa_available(isa)) return Error{fmt::format("--isa {} is not available on this machine", o.isa)};

  const int k = graph->info_bits();
  const int n = (graph->shape.info_cols + o.parity_rows - 2) * graph->z;
  const float noise_variance = phy::noise_variance_from_snr_db(o.snr_db);
  const int threads = worker_count(o.threads, o.codewords);
  std::vector<Totals> totals(static_cast<std::size_t>(threads));
  const Status status = run_workers(
      threads, o.codewords,
      [&](int t, const std::function<long long()>& next_item) -> Status {
        auto decoder = phy::create_ldpc_decoder(o.decoder, isa);
        if (!decoder) return decoder.error();
        // QPSK carries bit pairs: an odd-length codeword gets one padding bit.
        const int padded = n + (n & 1);
        std::vector<std::uint8_t> info(k), coded(padded, 0), decoded(k);
        std::vector<std::complex<float>> symbols(padded / 2);
        std::vector<float> llrs(padded);
        std::vector<phy::Llr> soft(padded);
        for (long long i = next_item(); i >= 0; i = next_item()) {
          std::mt19937_64 bits_engine(item_seed(o.seed, i));
          for (auto& b : info) b = static_cast<std::uint8_t>(bits_engine() >> 63);
          phy::ldpc_encode(*graph, info, std::span(coded).first(n));
          phy::qpsk_modulate(coded, symbols);
          phy::AwgnChannel channel(item_seed(o.seed, i, 1));
          channel.add_noise(symbols, noise_variance);
          phy::qpsk_demodulate_soft(symbols, noise_variance, llrs);
          phy::quantize_llrs(llrs, o.llr_scale, soft);
          const phy::LdpcDecoderResult r = (*decoder)->decode(*graph, std::span(soft).first(n), decoded);
          long long errors = 0;
          for (int b = 0; b < k; ++b) errors += decoded[b] != info[b];
          totals[t].bit_errors += errors;
          totals[t].block_errors += errors > 0;
          totals[t].iterations += r.iterations;
        }
        return Status::ok();
      },
      progress);
  if (!status) return status.error();

  SimLdpcResult result;
  result.codewords = o.codewords;
  result.info_bits = k;
  result.codeword_bits = n;
  long long iterations = 0;
  for (const Totals& t : totals) {
    result.block_errors += t.block_errors;
    result.bit_errors += t.bit_errors;
    iterations += t.iterations;
  }
  result.mean_iterations = static_cast<double>(iterations) / static_cast<double>(o.codewords);
  return result;
}

void add_sim_ldpc_command(CLI::App& sim, int& exit_code) {
  auto options = std::make_shared<SimLdpcOptions>();
  CLI::App* cmd = sim.add_subcommand(
      "ldpc", "LDPC decoder quality: QPSK over AWGN, K = Kb*Z random bits, first 2Z bits punctured");
  cmd->add_option("--bg", options->base_graph, "base graph: 1 or 2")->capture_default_str();
  cmd->add_option("--z", options->z, "lifting size (one of the 51 of TS 38.212 Table 5.3.2-1)")->capture_default_str();
  cmd->add_option("--parity-rows", options->parity_rows,
                  "parity block rows M transmitted; codeword length (Kb + M - 2) * Z")
      ->capture_default_str();
  cmd->add_option("--snr", options->snr_db, "SNR in dB (noise variance 10^(-SNR/10), unit-energy symbols)")
      ->capture_default_str();
  cmd->add_option("--iterations", options->decoder.max_iterations, "maximum decoder iterations")
      ->capture_default_str();
  cmd->add_option("--codewords", options->codewords, "number of codewords to simulate")->capture_default_str();
  cmd->add_option("--seed", options->seed, "random seed (results are reproducible)")->capture_default_str();
  cmd->add_option("--scaling-x16", options->decoder.scaling_x16, "min-sum scaling factor times 16 (0 = tuned per base graph)")
      ->capture_default_str();
  cmd->add_option("--offset", options->decoder.offset, "min-sum offset in quantized LLR units")
      ->capture_default_str();
  cmd->add_option("--llr-scale", options->llr_scale, "gain applied to float LLRs before int8 quantization")
      ->capture_default_str();
  cmd->add_option("--isa", options->isa, "decoder instruction set: generic or avx2 (default: best)");
  cmd->add_option("--threads", options->threads, "worker threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--json", options->json, "print the result as JSON");
  cmd->callback([options, &exit_code] {
    const SimLdpcOptions& o = *options;
    ProgressBar bar("sim ldpc", o.codewords);
    auto result = run_sim_ldpc(o, [&](long long done) { bar.update(done); });
    bar.finish();
    if (!result) {
      std::cerr << "airan sim ldpc: " << result.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    const SimLdpcResult& r = *result;
    if (o.json) {
      nlohmann::json j = {{"bg", o.base_graph},
                          {"z", o.z},
                          {"parity_rows", o.parity_rows},
                          {"info_bits", r.info_bits},
                          {"codeword_bits", r.codeword_bits},
                          {"code_rate", static_cast<double>(r.info_bits) / r.codeword_bits},
                          {"snr_db", o.snr_db},
                          {"max_iterations", o.decoder.max_iterations},
                          {"codewords", r.codewords},
                          {"block_errors", r.block_errors},
                          {"bit_errors", r.bit_errors},
                          {"bler", r.bler()},
                          {"ber", r.ber()},
                          {"mean_iterations", r.mean_iterations},
                          {"seed", o.seed}};
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format(
          "LDPC BG{} Z={} M={}: K={} N={} (rate {:.3f}), QPSK AWGN {:.2f} dB, {} iterations max\n"
          "codewords {}  block errors {}  BLER {:.4g}  BER {:.4g}  mean iterations {:.2f}\n",
          o.base_graph, o.z, o.parity_rows, r.info_bits, r.codeword_bits,
          static_cast<double>(r.info_bits) / r.codeword_bits, o.snr_db, o.decoder.max_iterations, r.codewords,
          r.block_errors, r.bler(), r.ber(), r.mean_iterations);
    }
    exit_code = kExitOk;
  });
}

}  // namespace airan::tools

#include "airan/sim_pusch.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/parallel.hpp"
#include "airan/phy/channel/channel_model.hpp"
#include "airan/phy/numerology.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::tools {
namespace {

struct Totals {
  long long errors = 0;
  long long bits_ok = 0;
  double sinr = 0.0;
  double evm = 0.0;
  double dmrs_snr = 0.0;
  double iterations = 0.0;
};

}  // namespace

Expected<SimPuschResult> run_sim_pusch(const SimPuschOptions& o, const std::function<void(long long)>& progress) {
  auto table = phy::parse_mcs_table(o.mcs_table);
  if (!table) return Error{"--mcs-table: " + table.error().message};
  const bool irc = o.equalizer == "mmse-irc";
  auto equalizer = phy::parse_equalizer_type(irc ? "mmse" : o.equalizer);
  if (!equalizer) return Error{fmt::format("--equalizer '{}' is not mmse, zf or mmse-irc", o.equalizer)};
  if (o.interpolation != "linear" && o.interpolation != "dft") {
    return Error{fmt::format("--interpolation {} is not linear or dft", o.interpolation)};
  }
  if (o.slots < 1) return Error{fmt::format("--slots {} must be at least 1", o.slots)};
  if (o.rx < o.layers) return Error{fmt::format("--rx {} is fewer than --layers {}", o.rx, o.layers)};
  if (!(o.snr_db > -30.0 && o.snr_db < 80.0)) return Error{fmt::format("--snr {} is outside -30..80 dB", o.snr_db)};
  if (o.threads < 0) return Error{fmt::format("--threads {} must not be negative", o.threads)};

  phy::PuschConfig config;
  config.numerology = o.numerology;
  config.bwp_size = o.prb;
  config.rb_size = o.prb;
  config.num_layers = o.layers;
  config.num_antenna_ports = o.layers;
  config.mcs_table = *table;
  config.mcs_index = o.mcs;
  config.rnti = 0x4601;
  config.n_cell_id = 1;
  config.dmrs.config_type = 1;
  config.dmrs.additional_position = 1;
  config.dmrs.num_cdm_groups_without_data = 2;  // ports 0..3 over both CDM groups, no data beside DMRS
  config.transform_precoding = o.transform_precoding;
  auto plan = phy::plan_pusch(config);
  if (!plan) return Error{plan.error().message};

  phy::Numerology numerology;
  numerology.mu = o.numerology;
  if (Status s = numerology.validate(); !s) return Error{"--numerology: " + s.message()};
  phy::ChannelConfig channel_config;
  channel_config.profile = o.channel;
  channel_config.tx_ports = o.layers;
  channel_config.rx_ports = o.rx;
  channel_config.max_doppler_hz = o.doppler_hz;
  channel_config.seed = o.seed;
  if (Status s = channel_config.validate(); !s) return Error{"--channel: " + s.message()};

  phy::PuschReceiverConfig rx_config;
  rx_config.equalizer = *equalizer;
  rx_config.interference_rejection = irc;
  rx_config.estimator.interpolation =
      o.interpolation == "dft" ? phy::FrequencyInterpolation::dft : phy::FrequencyInterpolation::linear;
  if (Status s = phy::validate(rx_config); !s) return s.error();

  // Received power per port and RE is `layers` (unit-power layers through unit-power channels).
  const float noise_variance = static_cast<float>(o.layers * std::pow(10.0, -o.snr_db / 10.0));
  const int threads = worker_count(o.threads, o.slots);
  std::vector<Totals> totals(static_cast<std::size_t>(threads));
  const Status status = run_workers(
      threads, o.slots,
      [&](int t, const std::function<long long()>& next_item) -> Status {
        auto channel = phy::make_channel(channel_config);
        if (!channel) return channel.error();
        auto receiver = phy::PuschReceiver::create(rx_config);
        if (!receiver) return receiver.error();
        phy::PuschTransmitter transmitter;
        phy::ResourceGrid tx_grid;
        phy::ResourceGrid rx_grid(o.rx, phy::kSymbolsPerSlot, 12 * o.prb);
        phy::HarqSoftBuffer harq;
        std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs)), decoded(tb.size());
        for (long long slot = next_item(); slot >= 0; slot = next_item()) {
          std::mt19937_64 bits(item_seed(o.seed, slot, 1));
          for (auto& b : tb) b = static_cast<std::uint8_t>(bits() >> 63);
          if (Status s = transmitter.transmit(*plan, tb, tx_grid); !s) return s;
          if (Status s = (*channel)->apply(tx_grid, rx_grid, numerology, slot); !s) return s;
          std::mt19937_64 noise_engine(item_seed(o.seed, slot, 2));
          std::normal_distribution<float> normal(0.0F, std::sqrt(noise_variance / 2.0F));
          for (auto& x : rx_grid.data()) x += phy::Complex(normal(noise_engine), normal(noise_engine));
          auto result = (*receiver)->receive(*plan, rx_grid, true, harq, decoded);
          if (!result) return result.error();
          const bool ok = result->tb_crc_ok && decoded == tb;
          totals[t].errors += ok ? 0 : 1;
          totals[t].bits_ok += ok ? plan->tbs : 0;
          totals[t].sinr += result->sinr_db;
          totals[t].evm += result->evm_percent;
          totals[t].dmrs_snr += result->dmrs_snr_db;
          totals[t].iterations += result->decode.mean_iterations;
        }
        return Status::ok();
      },
      progress);
  if (!status) return status.error();

  SimPuschResult r;
  r.slots = o.slots;
  r.tbs = plan->tbs;
  r.g = plan->g;
  r.modulation_order = plan->modulation_order;
  r.code_rate = plan->mcs.target_code_rate();
  Totals sum;
  for (const Totals& t : totals) {
    sum.errors += t.errors;
    sum.bits_ok += t.bits_ok;
    sum.sinr += t.sinr;
    sum.evm += t.evm;
    sum.dmrs_snr += t.dmrs_snr;
    sum.iterations += t.iterations;
  }
  const auto n = static_cast<double>(o.slots);
  r.tb_errors = sum.errors;
  r.throughput_mbps = static_cast<double>(sum.bits_ok) / (n * numerology.nominal_slot_duration_s()) / 1e6;
  r.mean_sinr_db = sum.sinr / n;
  r.mean_evm_percent = sum.evm / n;
  r.mean_dmrs_snr_db = sum.dmrs_snr / n;
  r.mean_ldpc_iterations = sum.iterations / n;
  return r;
}

void add_sim_pusch_command(CLI::App& sim, int& exit_code) {
  auto o = std::make_shared<SimPuschOptions>();
  CLI::App* cmd = sim.add_subcommand(
      "pusch", "PUSCH link simulation: transmitter -> channel model -> AWGN -> receiver; BLER, throughput, SINR");
  cmd->add_option("--prb", o->prb, "allocated PRBs (the BWP)")->capture_default_str();
  cmd->add_option("--layers", o->layers, "MIMO layers 1..4")->capture_default_str();
  cmd->add_option("--rx", o->rx, "receive ports (>= layers)")->capture_default_str();
  cmd->add_option("--mcs", o->mcs, "MCS index")->capture_default_str();
  cmd->add_option("--mcs-table", o->mcs_table, "MCS table: qam64, qam256, qam64_low_se, qam1024")
      ->capture_default_str();
  cmd->add_option("--channel", o->channel, "channel model: awgn, rayleigh, tdla30, tdlb100, tdlc300, tdl-a..e")
      ->capture_default_str();
  cmd->add_option("--doppler", o->doppler_hz, "maximum Doppler frequency in Hz")->capture_default_str();
  cmd->add_option("--snr", o->snr_db, "SNR per receive port in dB")->capture_default_str();
  cmd->add_option("--slots", o->slots, "slots to simulate")->capture_default_str();
  cmd->add_option("--numerology", o->numerology, "mu: subcarrier spacing 15 * 2^mu kHz")->capture_default_str();
  cmd->add_option("--equalizer", o->equalizer, "mmse, zf or mmse-irc")->capture_default_str();
  cmd->add_option("--interpolation", o->interpolation, "channel-estimate interpolation: dft or linear")
      ->capture_default_str();
  cmd->add_flag("--transform-precoding", o->transform_precoding,
                "DFT-s-OFDM (one layer; --mcs-table tp_qam64 or tp_qam64_low_se for its MCS tables)");
  cmd->add_option("--seed", o->seed, "random seed (results reproducible, independent of --threads)")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "worker threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->callback([o, &exit_code] {
    ProgressBar bar("sim pusch", o->slots);
    auto result = run_sim_pusch(*o, [&](long long done) { bar.update(done); });
    bar.finish();
    if (!result) {
      std::cerr << "airan sim pusch: " << result.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    const SimPuschResult& r = *result;
    if (o->json) {
      nlohmann::json j = {{"prb", o->prb},           {"layers", o->layers},
                          {"rx", o->rx},             {"mcs", o->mcs},
                          {"mcs_table", o->mcs_table}, {"qm", r.modulation_order},
                          {"code_rate", r.code_rate}, {"tbs", r.tbs},
                          {"g", r.g},                {"channel", o->channel},
                          {"doppler_hz", o->doppler_hz}, {"snr_db", o->snr_db},
                          {"slots", r.slots},        {"tb_errors", r.tb_errors},
                          {"bler", r.bler()},        {"throughput_mbps", r.throughput_mbps},
                          {"mean_sinr_db", r.mean_sinr_db}, {"mean_evm_percent", r.mean_evm_percent},
                          {"mean_dmrs_snr_db", r.mean_dmrs_snr_db},
                          {"mean_ldpc_iterations", r.mean_ldpc_iterations}, {"seed", o->seed}};
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format(
          "PUSCH {} PRB, {} layer(s), {} rx, MCS {} ({}: Qm {}, R {:.3f}), TBS {}, {} at {:.1f} dB, Doppler {} Hz, {}\n"
          "slots {}  TB errors {}  BLER {:.4g}  throughput {:.1f} Mbit/s  SINR {:.1f} dB  EVM {:.1f} %  "
          "DMRS SNR {:.1f} dB  LDPC iterations {:.2f}\n",
          o->prb, o->layers, o->rx, o->mcs, o->mcs_table, r.modulation_order, r.code_rate, r.tbs, o->channel,
          o->snr_db, o->doppler_hz, o->equalizer, r.slots, r.tb_errors, r.bler(), r.throughput_mbps, r.mean_sinr_db,
          r.mean_evm_percent, r.mean_dmrs_snr_db, r.mean_ldpc_iterations);
    }
    exit_code = kExitOk;
  });
}

}  // namespace airan::tools

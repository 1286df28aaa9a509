// `airan sim pusch`: link-level PUSCH simulation through the CPU transmitter, a channel model
// and the CPU receiver: BLER, throughput, SINR. The tool labs use to see a receiver's quality.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "airan/phy/expected.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct SimPuschOptions {
  int prb = 52;
  int layers = 1;
  int rx = 2;
  int mcs = 10;
  std::string mcs_table = "qam64";
  std::string channel = "tdla30";
  double doppler_hz = 10.0;
  double snr_db = 20.0;  // per receive port: received signal power over noise power per RE
  long long slots = 100;
  int numerology = 1;
  std::string equalizer = "mmse";
  std::string interpolation = "dft";
  bool transform_precoding = false;
  std::uint64_t seed = 1;
  int threads = 0;
  bool json = false;
};

struct SimPuschResult {
  long long slots = 0;
  long long tb_errors = 0;
  int tbs = 0;
  int g = 0;
  int modulation_order = 0;
  double code_rate = 0.0;
  double throughput_mbps = 0.0;  // decoded TB bits per second of air time
  double mean_sinr_db = 0.0;     // mean over slots of the post-equalisation SINR
  double mean_evm_percent = 0.0;
  double mean_dmrs_snr_db = 0.0;
  double mean_ldpc_iterations = 0.0;
  double bler() const { return slots ? static_cast<double>(tb_errors) / static_cast<double>(slots) : 0.0; }
};

Expected<SimPuschResult> run_sim_pusch(const SimPuschOptions& options,
                                       const std::function<void(long long)>& progress = {});

void add_sim_pusch_command(CLI::App& sim, int& exit_code);

}  // namespace airan::tools

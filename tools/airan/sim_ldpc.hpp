// `airan sim ldpc`: bit and block error rates of the LDPC decoder over QPSK + AWGN.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/expected.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct SimLdpcOptions {
  int base_graph = 1;
  int z = 384;
  int parity_rows = 4;  // M: block rows of parity transmitted (4 = core only)
  double snr_db = 6.0;
  long long codewords = 1000;
  std::uint64_t seed = 1;
  phy::LdpcDecoderConfig decoder;  // max_iterations = --iterations
  float llr_scale = 10.0F;         // float LLR -> int8 quantization gain (tuned: docs/performance.md)
  std::string isa;                 // empty = best available
  int threads = 0;                 // 0 = all cores
  bool json = false;
};

struct SimLdpcResult {
  long long codewords = 0;
  long long block_errors = 0;
  long long bit_errors = 0;
  long long info_bits = 0;  // K per codeword
  int codeword_bits = 0;    // transmitted bits per codeword
  double mean_iterations = 0.0;
  double bler() const { return codewords ? static_cast<double>(block_errors) / static_cast<double>(codewords) : 0.0; }
  double ber() const { return codewords ? static_cast<double>(bit_errors) / static_cast<double>(codewords * info_bits) : 0.0; }
};

// Validates the options (errors name the option) and runs the simulation. Each codeword's
// bits and noise come from its own seed (seed, index), so results do not depend on threads.
Expected<SimLdpcResult> run_sim_ldpc(const SimLdpcOptions& options,
                                     const std::function<void(long long)>& progress = {});

void add_sim_ldpc_command(CLI::App& sim, int& exit_code);

}  // namespace airan::tools

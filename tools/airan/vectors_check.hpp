// `airan vectors check DIR`: runs every case of an airan-vector/1 directory against airan.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "airan/io/test_vector.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct VectorCheck {
  std::string name;  // e.g. "encode", "scramble", "decode clean"
  bool passed = false;
  std::string detail;
};

struct VectorCaseReport {
  std::string name;
  std::string kind;  // "ulsch", "pusch_tx", or "unknown"
  std::vector<VectorCheck> checks;
  std::string summary;  // one line: the case's parameters
  bool passed() const;
};

struct VectorCheckOptions {
  double awgn_snr_db = 4.0;   // Es/N0 in dB of the UL-SCH noisy decoding check (each bit sent as BPSK)
  double pusch_snr_db = 30.0;  // SNR per receive port of the PUSCH receiver checks
  std::uint64_t seed = 1;
};

// Checks one loaded case; the kind is recognised from its arrays and config.
VectorCaseReport check_vector_case(const io::TestVector& vector, const VectorCheckOptions& options);

void add_vectors_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

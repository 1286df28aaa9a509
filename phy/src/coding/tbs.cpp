#include "airan/phy/coding/tbs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

namespace airan::phy {
namespace {

// TS 38.214 Table 5.1.3.2-1: TBS for N_info <= 3824.
constexpr std::array<int, 93> kTbsTable = {
    24,   32,   40,   48,   56,   64,   72,   80,   88,   96,   104,  112,  120,  128,  136,  144,
    152,  160,  168,  176,  184,  192,  208,  224,  240,  256,  272,  288,  304,  320,  336,  352,
    368,  384,  408,  432,  456,  480,  504,  528,  552,  576,  608,  640,  672,  704,  736,  768,
    808,  848,  888,  928,  984,  1032, 1064, 1128, 1160, 1192, 1224, 1256, 1288, 1320, 1352, 1416,
    1480, 1544, 1608, 1672, 1736, 1800, 1864, 1928, 2024, 2088, 2152, 2216, 2280, 2408, 2472, 2536,
    2600, 2664, 2728, 2792, 2856, 2976, 3104, 3240, 3368, 3496, 3624, 3752, 3824,
};
static_assert(kTbsTable.back() == kTbsTableMaxInfoBits);

constexpr int kSubcarriersPerPrb = 12;
constexpr int kMaxSymbols = 14;
constexpr int kMaxLayers = 8;
// 5.1.3.2 step 1 caps the REs of a PRB at 156 (= 13 symbols of 12 REs).
constexpr int kMaxRePerPrb = 156;
// Largest code block payloads used to count code blocks in step 4: BG2 for R <= 1/4, else BG1.
constexpr int64_t kLowRateBlockBits = 3816;
constexpr int64_t kBlockBits = 8424;
constexpr int kTbCrcBits = 24;

// Shortest form that still shows a mistyped rate (std::to_string would print 1e-7 as 0.000000).
std::string format_double(double value) {
  std::ostringstream out;
  out.precision(12);
  out << value;
  return out.str();
}

std::string range_error(const char* name, const std::string& value, const char* allowed) {
  return std::string(name) + ": " + value + " is outside " + allowed;
}

Status validate_allocation(const TbsConfig& c) {
  if (c.n_prb < 1 || c.n_prb > kMaxTbsPrbs) {
    return Error{range_error("n_prb", std::to_string(c.n_prb), "[1, 275]")};
  }
  if (c.n_symb_sh < 1 || c.n_symb_sh > kMaxSymbols) {
    return Error{range_error("n_symb_sh", std::to_string(c.n_symb_sh), "[1, 14]")};
  }
  const int res_per_prb = kSubcarriersPerPrb * c.n_symb_sh;
  if (c.n_dmrs_prb < 0 || c.n_dmrs_prb > res_per_prb) {
    return Error{"n_dmrs_prb: " + std::to_string(c.n_dmrs_prb) +
                 " is outside [0, 12 * n_symb_sh = " + std::to_string(res_per_prb) + "]"};
  }
  if (c.n_oh_prb != 0 && c.n_oh_prb != 6 && c.n_oh_prb != 12 && c.n_oh_prb != 18) {
    return Error{range_error("n_oh_prb", std::to_string(c.n_oh_prb), "{0, 6, 12, 18}")};
  }
  if (res_per_prb - c.n_dmrs_prb - c.n_oh_prb <= 0) {
    return Error{"n_dmrs_prb + n_oh_prb: " + std::to_string(c.n_dmrs_prb) + " + " +
                 std::to_string(c.n_oh_prb) +
                 " leave no data RE out of 12 * n_symb_sh = " + std::to_string(res_per_prb)};
  }
  return Status::ok();
}

Status validate_transmission(const TbsConfig& c) {
  // Written so that NaN fails too.
  if (!(c.target_code_rate > 0.0 && c.target_code_rate < 1.0)) {
    return Error{range_error("target_code_rate", format_double(c.target_code_rate), "(0, 1)")};
  }
  const int qm = c.modulation_order;
  if (qm != 1 && qm != 2 && qm != 4 && qm != 6 && qm != 8 && qm != 10) {
    return Error{range_error("modulation_order", std::to_string(qm), "{1, 2, 4, 6, 8, 10}")};
  }
  if (c.n_layers < 1 || c.n_layers > kMaxLayers) {
    return Error{range_error("n_layers", std::to_string(c.n_layers), "[1, 8]")};
  }
  if (c.tb_scaling != 1.0 && c.tb_scaling != 0.5 && c.tb_scaling != 0.25) {
    return Error{range_error("tb_scaling", format_double(c.tb_scaling), "{1, 0.5, 0.25}")};
  }
  return Status::ok();
}

int64_t ceil_div(int64_t num, int64_t den) { return (num + den - 1) / den; }

// floor(log2(x)) for x > 0, exact (no log2 rounding at powers of two).
int floor_log2(double x) { return std::ilogb(x); }

// Step 3: quantize N_info and take the smallest table TBS not below it.
int small_tbs(double n_info) {
  const int n = std::max(3, floor_log2(n_info) - 6);
  const double step = std::ldexp(1.0, n);
  const double n_info_prime = std::max(24.0, step * std::floor(n_info / step));
  // n_info_prime <= n_info <= 3824, so the search always ends inside the table.
  return *std::lower_bound(kTbsTable.begin(), kTbsTable.end(), n_info_prime);
}

// Step 4: quantize N_info - 24 (round half up) and fill C equal code blocks of whole bytes.
int large_tbs(double n_info, double code_rate) {
  const int n = floor_log2(n_info - kTbCrcBits) - 5;
  const int64_t step = int64_t{1} << n;
  const int64_t rounded = std::llround((n_info - kTbCrcBits) / static_cast<double>(step));
  const int64_t n_info_prime = std::max<int64_t>(3840, step * rounded);
  const int64_t with_crc = n_info_prime + kTbCrcBits;
  int64_t num_blocks = 1;
  if (code_rate <= 0.25) {
    num_blocks = ceil_div(with_crc, kLowRateBlockBits);
  } else if (n_info_prime > kBlockBits) {
    num_blocks = ceil_div(with_crc, kBlockBits);
  }
  const int64_t block_bytes = 8 * num_blocks;
  return static_cast<int>(block_bytes * ceil_div(with_crc, block_bytes) - kTbCrcBits);
}

}  // namespace

Status validate(const TbsConfig& config) {
  if (Status status = validate_allocation(config); !status) return status;
  return validate_transmission(config);
}

Expected<double> tbs_info_bits(const TbsConfig& config) {
  if (Status status = validate(config); !status) return status.error();
  const int re_per_prb =
      kSubcarriersPerPrb * config.n_symb_sh - config.n_dmrs_prb - config.n_oh_prb;
  const int n_re = std::min(kMaxRePerPrb, re_per_prb) * config.n_prb;
  // Integer product first (at most 156 * 275 * 10 * 8, exact), so R brings the only rounding.
  const int coded_bits = n_re * config.modulation_order * config.n_layers;
  return static_cast<double>(coded_bits) * config.tb_scaling * config.target_code_rate;
}

Expected<int> tbs_determine(const TbsConfig& config) {
  const Expected<double> n_info = tbs_info_bits(config);
  if (!n_info) return n_info.error();
  if (*n_info <= kTbsTableMaxInfoBits) return small_tbs(*n_info);
  return large_tbs(*n_info, config.target_code_rate);
}

Expected<int> tbs_determine(TbsConfig config, const McsEntry& mcs) {
  if (mcs.reserved) {
    return Error{"mcs: reserved entry (Qm = " + std::to_string(mcs.modulation_order) +
                 ") has no code rate; a retransmission reuses the initial TBS"};
  }
  config.modulation_order = mcs.modulation_order;
  config.target_code_rate = mcs.target_code_rate();
  return tbs_determine(config);
}

std::span<const int> tbs_table() { return kTbsTable; }

}  // namespace airan::phy

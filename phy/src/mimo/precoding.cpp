#include "airan/phy/mimo/precoding.hpp"

#include <cmath>
#include <cstddef>
#include <string>

namespace airan::phy {
namespace {

// TS 38.211 Tables 6.3.1.5-1..-7. One string per TPMI: the rows of W (one per antenna port,
// separated by spaces), one character per layer: '0' = 0, '+' = 1, '-' = -1, 'j' = j,
// 'k' = -j; each TPMI has its table's scale factor.
//
// Values cross-checked against three public transcriptions of the spec tables, which agree
// with each other and with this file: NVlabs/sionna (sionna/nr/pusch_config.py,
// PUSCHConfig.precoding_matrix: Tables -1, -3..-7), OpenAirInterface
// (openair2/LAYER2/NR_MAC_COMMON/nr_mac_common.c, table_38211_6_3_1_5_1..5: Tables -1..-5,
// notably the transform-precoding-enabled Table -2) and a public MATLAB script with the
// tables stored transposed (W12, W14_tp, W14_notp, W22, W24, W34, W44: Tables -1..-7).
struct Entry {
  const char* rows;
  float scale;
};

const float kHalf = 0.5F;
const float kInvSqrt2 = 0.70710678118654752440F;
const float kInv2Sqrt2 = 0.35355339059327376220F;
const float kInv2Sqrt3 = 0.28867513459481288225F;
const float kQuarter = 0.25F;

// Table 6.3.1.5-1: single layer, two antenna ports.
const Entry kOneLayerTwoPorts[] = {
    {"+ 0", kInvSqrt2}, {"0 +", kInvSqrt2}, {"+ +", kInvSqrt2},
    {"+ -", kInvSqrt2}, {"+ j", kInvSqrt2}, {"+ k", kInvSqrt2},
};

// Table 6.3.1.5-2: single layer, four antenna ports, transform precoding enabled.
const Entry kOneLayerFourPortsTp[] = {
    {"+ 0 0 0", kHalf}, {"0 + 0 0", kHalf}, {"0 0 + 0", kHalf}, {"0 0 0 +", kHalf},  // 0-3
    {"+ 0 + 0", kHalf}, {"+ 0 - 0", kHalf}, {"+ 0 j 0", kHalf}, {"+ 0 k 0", kHalf},  // 4-7
    {"0 + 0 +", kHalf}, {"0 + 0 -", kHalf}, {"0 + 0 j", kHalf}, {"0 + 0 k", kHalf},  // 8-11
    {"+ + + -", kHalf}, {"+ + j j", kHalf}, {"+ + - +", kHalf}, {"+ + k k", kHalf},  // 12-15
    {"+ j + j", kHalf}, {"+ j j +", kHalf}, {"+ j - k", kHalf}, {"+ j k -", kHalf},  // 16-19
    {"+ - + +", kHalf}, {"+ - j k", kHalf}, {"+ - - -", kHalf}, {"+ - k j", kHalf},  // 20-23
    {"+ k + k", kHalf}, {"+ k j -", kHalf}, {"+ k - j", kHalf}, {"+ k k +", kHalf},  // 24-27
};

// Table 6.3.1.5-3: single layer, four antenna ports, transform precoding disabled.
const Entry kOneLayerFourPorts[] = {
    {"+ 0 0 0", kHalf}, {"0 + 0 0", kHalf}, {"0 0 + 0", kHalf}, {"0 0 0 +", kHalf},  // 0-3
    {"+ 0 + 0", kHalf}, {"+ 0 - 0", kHalf}, {"+ 0 j 0", kHalf}, {"+ 0 k 0", kHalf},  // 4-7
    {"0 + 0 +", kHalf}, {"0 + 0 -", kHalf}, {"0 + 0 j", kHalf}, {"0 + 0 k", kHalf},  // 8-11
    {"+ + + +", kHalf}, {"+ + j j", kHalf}, {"+ + - -", kHalf}, {"+ + k k", kHalf},  // 12-15
    {"+ j + j", kHalf}, {"+ j j -", kHalf}, {"+ j - k", kHalf}, {"+ j k +", kHalf},  // 16-19
    {"+ - + -", kHalf}, {"+ - j k", kHalf}, {"+ - - +", kHalf}, {"+ - k j", kHalf},  // 20-23
    {"+ k + k", kHalf}, {"+ k j +", kHalf}, {"+ k - j", kHalf}, {"+ k k -", kHalf},  // 24-27
};

// Table 6.3.1.5-4: two layers, two antenna ports, transform precoding disabled.
const Entry kTwoLayersTwoPorts[] = {
    {"+0 0+", kInvSqrt2},
    {"++ +-", kHalf},
    {"++ jk", kHalf},
};

// Table 6.3.1.5-5: two layers, four antenna ports, transform precoding disabled.
const Entry kTwoLayersFourPorts[] = {
    {"+0 0+ 00 00", kHalf},      {"+0 00 0+ 00", kHalf},      {"+0 00 00 0+", kHalf},      // 0-2
    {"00 +0 0+ 00", kHalf},      {"00 +0 00 0+", kHalf},      {"00 00 +0 0+", kHalf},      // 3-5
    {"+0 0+ +0 0k", kHalf},      {"+0 0+ +0 0j", kHalf},      {"+0 0+ k0 0+", kHalf},      // 6-8
    {"+0 0+ k0 0-", kHalf},      {"+0 0+ -0 0k", kHalf},      {"+0 0+ -0 0j", kHalf},      // 9-11
    {"+0 0+ j0 0+", kHalf},      {"+0 0+ j0 0-", kHalf},                                   // 12-13
    {"++ ++ +- +-", kInv2Sqrt2}, {"++ ++ jk jk", kInv2Sqrt2}, {"++ jj +- jk", kInv2Sqrt2},  // 14-16
    {"++ jj jk -+", kInv2Sqrt2}, {"++ -- +- -+", kInv2Sqrt2}, {"++ -- jk kj", kInv2Sqrt2},  // 17-19
    {"++ kk +- kj", kInv2Sqrt2}, {"++ kk jk +-", kInv2Sqrt2},                              // 20-21
};

// Table 6.3.1.5-6: three layers, four antenna ports, transform precoding disabled.
const Entry kThreeLayersFourPorts[] = {
    {"+00 0+0 00+ 000", kHalf},      {"+00 0+0 +00 00+", kHalf},      {"+00 0+0 -00 00+", kHalf},  // 0-2
    {"+++ +-+ ++- +--", kInv2Sqrt3}, {"+++ +-+ jjk jkk", kInv2Sqrt3},                            // 3-4
    {"+++ -+- ++- -++", kInv2Sqrt3}, {"+++ -+- jjk kjj", kInv2Sqrt3},                            // 5-6
};

// Table 6.3.1.5-7: four layers, four antenna ports, transform precoding disabled.
const Entry kFourLayersFourPorts[] = {
    {"+000 0+00 00+0 000+", kHalf},
    {"++00 00++ +-00 00+-", kInv2Sqrt2},
    {"++00 00++ jk00 00jk", kInv2Sqrt2},
    {"++++ +-+- ++-- +--+", kQuarter},
    {"++++ +-+- jjkk jkkj", kQuarter},
};

const Entry kOnePort[] = {{"+", 1.0F}};

struct Table {
  const Entry* entries = nullptr;
  int size = 0;
};

template <std::size_t N>
Table table_of(const Entry (&entries)[N]) {
  return {entries, static_cast<int>(N)};
}

Expected<Table> find_table(int antenna_ports, int layers, bool transform_precoding) {
  if (antenna_ports != 1 && antenna_ports != 2 && antenna_ports != 4) {
    return Error{"antenna_ports = " + std::to_string(antenna_ports) + " is not one of 1, 2, 4"};
  }
  if (layers < 1 || layers > antenna_ports) {
    return Error{"layers = " + std::to_string(layers) + " is outside 1.." + std::to_string(antenna_ports) +
                 " for antenna_ports = " + std::to_string(antenna_ports)};
  }
  if (transform_precoding && layers != 1) {
    return Error{"layers = " + std::to_string(layers) + " with transform precoding enabled: only 1 layer is allowed"};
  }
  if (antenna_ports == 1) return table_of(kOnePort);
  if (antenna_ports == 2) return layers == 1 ? table_of(kOneLayerTwoPorts) : table_of(kTwoLayersTwoPorts);
  switch (layers) {
    case 1:
      return transform_precoding ? table_of(kOneLayerFourPortsTp) : table_of(kOneLayerFourPorts);
    case 2:
      return table_of(kTwoLayersFourPorts);
    case 3:
      return table_of(kThreeLayersFourPorts);
    default:
      return table_of(kFourLayersFourPorts);
  }
}

Complex entry_value(char c) {
  switch (c) {
    case '+':
      return {1.0F, 0.0F};
    case '-':
      return {-1.0F, 0.0F};
    case 'j':
      return {0.0F, 1.0F};
    case 'k':
      return {0.0F, -1.0F};
    default:
      return {0.0F, 0.0F};
  }
}

}  // namespace

Expected<int> pusch_codebook_size(int antenna_ports, int layers, bool transform_precoding) {
  const Expected<Table> table = find_table(antenna_ports, layers, transform_precoding);
  if (!table) return table.error();
  return table->size;
}

Expected<PrecodingMatrix> pusch_codebook(int antenna_ports, int layers, int tpmi, bool transform_precoding) {
  const Expected<Table> table = find_table(antenna_ports, layers, transform_precoding);
  if (!table) return table.error();
  if (tpmi < 0 || tpmi >= table->size) {
    return Error{"tpmi = " + std::to_string(tpmi) + " is outside 0.." + std::to_string(table->size - 1) + " for " +
                 std::to_string(layers) + " layer(s) on " + std::to_string(antenna_ports) + " antenna ports"};
  }
  const Entry& e = table->entries[tpmi];
  PrecodingMatrix w;
  w.ports = antenna_ports;
  w.layers = layers;
  int port = 0;
  int layer = 0;
  for (const char* c = e.rows; *c != '\0'; ++c) {
    if (*c == ' ') {
      ++port;
      layer = 0;
      continue;
    }
    w(port, layer++) = e.scale * entry_value(*c);
  }
  return w;
}

Status precode(const PrecodingMatrix& w, std::span<const Complex> layers, std::span<Complex> ports) {
  if (w.layers < 1 || w.layers > kMaxPrecodingLayers || w.ports < 1 || w.ports > kMaxPrecodingPorts) {
    return Error{"precoding matrix is " + std::to_string(w.ports) + " ports x " + std::to_string(w.layers) +
                 " layers, outside 1..4 x 1..4"};
  }
  if (layers.size() % static_cast<std::size_t>(w.layers) != 0) {
    return Error{"layers size " + std::to_string(layers.size()) + " is not a multiple of the " +
                 std::to_string(w.layers) + " layers of W"};
  }
  const std::size_t n = layers.size() / static_cast<std::size_t>(w.layers);
  if (ports.size() != n * static_cast<std::size_t>(w.ports)) {
    return Error{"ports size " + std::to_string(ports.size()) + " != " + std::to_string(w.ports) + " ports x " +
                 std::to_string(n) + " REs"};
  }
  const auto* y = reinterpret_cast<const float*>(layers.data());
  auto* z = reinterpret_cast<float*>(ports.data());
  for (int p = 0; p < w.ports; ++p) {
    float* out = z + 2 * n * static_cast<std::size_t>(p);
    bool first = true;
    for (int v = 0; v < w.layers; ++v) {
      const float wr = w(p, v).real();
      const float wi = w(p, v).imag();
      if (wr == 0.0F && wi == 0.0F) continue;
      const float* in = y + 2 * n * static_cast<std::size_t>(v);
      if (first) {
        for (std::size_t i = 0; i < n; ++i) {
          out[2 * i] = wr * in[2 * i] - wi * in[2 * i + 1];
          out[2 * i + 1] = wr * in[2 * i + 1] + wi * in[2 * i];
        }
        first = false;
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          out[2 * i] += wr * in[2 * i] - wi * in[2 * i + 1];
          out[2 * i + 1] += wr * in[2 * i + 1] + wi * in[2 * i];
        }
      }
    }
    if (first) {
      for (std::size_t i = 0; i < 2 * n; ++i) out[i] = 0.0F;  // an all-zero row
    }
  }
  return Status::ok();
}

}  // namespace airan::phy

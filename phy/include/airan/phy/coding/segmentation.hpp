// Transport-block CRC, LDPC base-graph selection and code-block segmentation
// (TS 38.212 6.2.1-6.2.3 / 7.2.1-7.2.3 and 5.2.2).
#pragma once

#include <cstdint>
#include <span>

#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

// Largest transport block the segmentation accepts; above any TBS of TS 38.214 for 8 layers.
inline constexpr int kMaxTransportBlockBits = 1'400'000;

// 7.2.2: BG2 when A <= 292, or A <= 3824 and R <= 0.67, or R <= 0.25; BG1 otherwise.
BaseGraph select_base_graph(int tbs, double target_code_rate);

// The TB CRC of 7.2.1: CRC24A above 3824 bits, CRC16 otherwise.
CrcType transport_block_crc(int tbs);

struct CodeBlockSegmentation {
  BaseGraph base_graph;
  int tbs;            // A
  int tb_crc_bits;    // 24 or 16
  int b;              // B = A + TB CRC
  int num_blocks;     // C
  int cb_crc_bits;    // L: 24 when C > 1, else 0
  int k_prime;        // K': payload + CB CRC bits of each code block
  int k;              // K: LDPC information bits (K' plus filler bits)
  int z;              // lifting size
  int k_b;            // Kb of 5.2.2
  int n;              // N: LDPC output bits per block (66Z or 50Z)

  int filler_bits() const { return k - k_prime; }
  // Payload bits of the TB (with TB CRC) carried by each block.
  int payload_bits_per_block() const { return k_prime - cb_crc_bits; }
};

// 5.2.2 for the given TBS and base graph. Errors name the parameter that is out of range.
Expected<CodeBlockSegmentation> segment_transport_block(int tbs, BaseGraph bg);

}  // namespace airan::phy

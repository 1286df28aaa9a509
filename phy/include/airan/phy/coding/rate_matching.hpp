// LDPC rate matching of TS 38.212 5.4.2 (bit selection and bit interleaving) and its
// inverse, rate recovery into a soft buffer with HARQ combining.
#pragma once

#include <cstdint>
#include <span>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/segmentation.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct RateMatchConfig {
  int g = 0;                 // G: coded bits available to the transport block
  int modulation_order = 2;  // Qm: 1, 2, 4, 6, 8 or 10
  int num_layers = 1;        // N_L: 1..8 (layers of the codeword)
  int rv = 0;                // redundancy version 0..3
  int lbrm_tbs = 0;          // TBS_LBRM of 5.4.2.1 when limited-buffer rate matching applies; 0 = off
};

Status validate(const RateMatchConfig& config);

// Everything 5.4.2 derives for one transport block; the same for all its code blocks
// except E, which takes one of two values.
struct RateMatchPlan {
  int num_blocks = 0;         // C
  int ncb = 0;                // circular buffer length N_cb
  int k0 = 0;                 // start position for the redundancy version
  int modulation_order = 0;   // Qm
  int e_small = 0;            // E of the first num_small_blocks blocks
  int e_large = 0;            // E of the remaining blocks
  int num_small_blocks = 0;
  int filler_begin = 0;       // filler bits occupy d[filler_begin, filler_end)
  int filler_end = 0;
  int n = 0;                  // N: codeword length of one block

  int e(int block) const { return block < num_small_blocks ? e_small : e_large; }
  // Position of block r's first bit in the concatenated sequence g.
  int offset(int block) const {
    return block <= num_small_blocks ? block * e_small
                                     : num_small_blocks * e_small + (block - num_small_blocks) * e_large;
  }
  // How many leading bits of d the selection of a block of length e reads: the encoder
  // need not compute parity beyond this.
  int d_bits_read(int e) const;
};

Expected<RateMatchPlan> plan_rate_matching(const CodeBlockSegmentation& segmentation,
                                           const RateMatchConfig& config);

// Bit selection from the circular buffer d (skipping filler bits) and bit interleaving:
// d holds at least plan.d_bits_read(f.size()) bits, f receives E = f.size() bits.
void rate_match(const RateMatchPlan& plan, std::span<const std::uint8_t> d, std::span<std::uint8_t> f);

// Inverse of rate_match for soft bits: de-interleaves f (E LLRs) and adds each LLR to its
// position of the code block's soft buffer (N LLRs, d-indexed). Without `combine` the buffer
// is cleared first (a new transmission); with it, LLRs of earlier redundancy versions stay and
// add up (HARQ combining), saturating at +-127. Filler positions are set to the known bit 0.
void rate_recover(const RateMatchPlan& plan, std::span<const Llr> f, std::span<Llr> soft_buffer, bool combine);

}  // namespace airan::phy

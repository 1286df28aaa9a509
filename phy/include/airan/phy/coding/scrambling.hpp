// Pseudo-random (Gold) sequence of TS 38.211 5.2.1 and bit-level scrambling
// of PUSCH (6.3.1.1) and PDSCH (7.3.1.1).
#pragma once

#include <cstdint>
#include <span>

#include "airan/phy/coding/bits.hpp"

namespace airan::phy {

// c_init for PUSCH data scrambling: n_RNTI * 2^15 + n_ID.
std::uint32_t pusch_scrambling_init(std::uint16_t rnti, std::uint16_t n_id);
// c_init for PDSCH codeword q: n_RNTI * 2^15 + q * 2^14 + n_ID.
std::uint32_t pdsch_scrambling_init(std::uint16_t rnti, int codeword, std::uint16_t n_id);

// Generates the Gold sequence c(n) word by word: 32 bits per step instead of one.
class GoldSequence {
 public:
  explicit GoldSequence(std::uint32_t c_init);
  // Next 32 bits of c(n), c(n) in bit 0 ... c(n+31) in bit 31.
  std::uint32_t next_word();

 private:
  std::uint32_t x1_;
  std::uint32_t x2_;
};

// Writes c(0..bits.size()-1) as unpacked bits.
void gold_sequence(std::uint32_t c_init, std::span<std::uint8_t> bits);
// bits[i] ^= c(i).
void scramble_bits(std::uint32_t c_init, std::span<std::uint8_t> bits);
// Descrambling of soft bits: llr[i] = -llr[i] where c(i) = 1.
void descramble_llrs(std::uint32_t c_init, std::span<Llr> llrs);
// The same on natural-unit LLRs (before quantisation).
void descramble_llrs(std::uint32_t c_init, std::span<float> llrs);

}  // namespace airan::phy

#include "airan/phy/coding/ldpc_encoder.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>

namespace airan::phy {
namespace {

// acc[r] ^= x[(r + shift) mod z] for r in 0..z-1: adds the shifted identity block times x.
inline void xor_shifted(std::uint8_t* acc, const std::uint8_t* x, int shift, int z) {
  const int head = z - shift;
  for (int r = 0; r < head; ++r) acc[r] ^= x[r + shift];
  for (int r = 0; r < shift; ++r) acc[head + r] ^= x[r];
}

}  // namespace

void ldpc_encode(const LdpcGraph& graph, std::span<const std::uint8_t> c, std::span<std::uint8_t> d) {
  const int z = graph.z;
  const int info_cols = graph.shape.info_cols;
  const int k = info_cols * z;
  assert(static_cast<int>(c.size()) == k);
  assert(static_cast<int>(d.size()) >= k - 2 * z && static_cast<int>(d.size()) <= graph.codeword_bits());

  // The codeword x = [c, core parity (4 columns), extension parity], column by column.
  std::array<std::uint8_t, 68 * kMaxLiftingSize> x;
  std::memcpy(x.data(), c.data(), static_cast<std::size_t>(k));
  std::uint8_t* core = x.data() + k;
  std::memset(core, 0, 4 * static_cast<std::size_t>(z));

  // lambda_i: syndrome of the information part in each core row.
  std::array<std::uint8_t, 4 * kMaxLiftingSize> lambda{};
  for (int i = 0; i < 4; ++i) {
    for (const LdpcEdge& e : graph.row(i)) {
      if (e.col < info_cols) xor_shifted(&lambda[i * z], &x[e.col * z], e.shift, z);
    }
  }

  // The core's first parity column appears in three core rows, twice with the same shift,
  // and the other three columns twice each with shift 0: summing the four rows leaves
  // P^b p0 = sum(lambda), where b is the odd-one-out shift.
  int shifts[3];
  int count = 0;
  for (int i = 0; i < 4; ++i) {
    for (const LdpcEdge& e : graph.row(i)) {
      if (e.col == info_cols) shifts[count++] = e.shift;
    }
  }
  assert(count == 3);
  const int b = shifts[0] == shifts[1] ? shifts[2] : (shifts[0] == shifts[2] ? shifts[1] : shifts[0]);
  std::array<std::uint8_t, kMaxLiftingSize> total{};
  for (int i = 0; i < 4; ++i) {
    for (int r = 0; r < z; ++r) total[r] ^= lambda[i * z + r];
  }
  // (P^b p0)[r] = p0[(r + b) mod z] = total[r]
  for (int r = 0; r < z; ++r) core[(r + b) % z] = total[r];

  // Rows 0..2 each hold exactly one core parity column not yet known: solve them in order.
  bool known[4] = {true, false, false, false};
  for (int i = 0; i < 3; ++i) {
    std::uint8_t* unknown = nullptr;
    std::array<std::uint8_t, kMaxLiftingSize> sum;
    std::memcpy(sum.data(), &lambda[i * z], static_cast<std::size_t>(z));
    for (const LdpcEdge& e : graph.row(i)) {
      const int p = e.col - info_cols;
      if (p < 0) continue;
      if (known[p]) {
        xor_shifted(sum.data(), core + p * z, e.shift, z);
      } else {
        assert(unknown == nullptr && e.shift == 0);
        unknown = core + p * z;
        known[p] = true;
      }
    }
    assert(unknown != nullptr);
    std::memcpy(unknown, sum.data(), static_cast<std::size_t>(z));
  }

  // Extension rows: each has the identity on its own parity column.
  const int rows = graph.rows_covering(static_cast<int>(d.size()));
  for (int i = 4; i < rows; ++i) {
    std::uint8_t* parity = x.data() + (info_cols + i) * z;
    std::memset(parity, 0, static_cast<std::size_t>(z));
    for (const LdpcEdge& e : graph.row(i)) {
      if (e.col < info_cols + i) xor_shifted(parity, &x[e.col * z], e.shift, z);
    }
  }
  std::memcpy(d.data(), x.data() + 2 * z, d.size());
}

}  // namespace airan::phy

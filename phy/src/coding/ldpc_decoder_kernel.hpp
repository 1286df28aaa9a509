// The layered min-sum decoder, written once over a 32-lane int8 vector type `Ops`
// (AVX2 registers or a portable array) and instantiated per instruction set.
//
// Each translation unit that includes this header defines AIRAN_LDPC_ISA_NAMESPACE first,
// so that every instantiation lives in its own namespace and code compiled with -mavx2
// can never be picked by the linker for the portable decoder.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/detail/ldpc_min_sum_math.hpp"

#ifndef AIRAN_LDPC_ISA_NAMESPACE
#error "define AIRAN_LDPC_ISA_NAMESPACE before including ldpc_decoder_kernel.hpp"
#endif

namespace airan::phy::AIRAN_LDPC_ISA_NAMESPACE {

inline constexpr int kLanes = 32;
inline constexpr int kMaxChunks = (kMaxLiftingSize + kLanes - 1) / kLanes;  // 12
// Each column holds its Z values twice in a row, so that the Z values seen through any
// cyclic shift s are contiguous at [s, s + Z); the tail pads full-vector access.
inline constexpr int kColumnStride = 2 * kMaxLiftingSize + 2 * kLanes;
inline constexpr int kMaxColumns = ldpc_math::kMaxBaseGraphColumns;
inline constexpr int kMaxEdges = ldpc_math::kMaxBaseGraphEdges;
inline constexpr int kMaxRowDegree = 19;
inline constexpr int kMessageStride = kMaxChunks * kLanes;
// The a-posteriori values are 16-bit while messages and variable-to-check values stay 8-bit:
// an 8-bit a-posteriori value clipped at +-127 forgets evidence, and when a large message then
// changes sign the value drops by twice that message and can flip a reliable bit; such flips
// cascade (the decoder diverged after converging on about 1 % of blocks at high SNR). With 16
// bits nothing is clipped: |app| <= 127 * (1 + max column degree) fits with room to spare.

struct alignas(64) Workspace {
  std::array<std::int16_t, kMaxColumns * kColumnStride> app;          // a-posteriori LLRs
  std::array<std::int8_t, kMaxEdges * kMessageStride> messages;       // check-to-variable
  std::array<std::int16_t, kMaxRowDegree * kMessageStride> extrinsic;  // variable-to-check, one row
};

// The GPU decoder and the scalar per-lane math use the same tuned factors and limits.
static_assert(ldpc_math::kTunedScalingX16Bg1Value == kTunedScalingX16Bg1);
static_assert(ldpc_math::kTunedScalingX16Bg2Value == kTunedScalingX16Bg2);
static_assert(ldpc_math::kLlrLimit == kLlrMax);

template <typename Ops>
class LayeredMinSum {
 public:
  using V = typename Ops::V;  // 32 int8 lanes
  using W = typename Ops::W;  // the same 32 lanes as int16

  explicit LayeredMinSum(const LdpcDecoderConfig& config) : config_(config) {}

  LdpcDecoderResult decode(Workspace& ws, const LdpcGraph& graph, std::span<const Llr> llrs,
                           std::span<std::uint8_t> c) const {
    const int z = graph.z;
    const int chunks = (z + kLanes - 1) / kLanes;
    const int rows = graph.rows_covering(static_cast<int>(llrs.size()));
    const int columns = graph.shape.info_cols + rows;
    load_channel_llrs(ws, z, columns, llrs);
    const int scaling_x16 = ldpc_math::resolve_scaling_x16(config_.scaling_x16, graph.base_graph);
    const int edge_count = graph.row_begin[rows];
    std::memset(ws.messages.data(), 0, static_cast<std::size_t>(edge_count) * kMessageStride);

    LdpcDecoderResult result;
    for (int iteration = 0; iteration < config_.max_iterations; ++iteration) {
      for (int row = 0; row < rows; ++row) update_row(ws, graph, row, chunks, scaling_x16);
      result.iterations = iteration + 1;
      if (config_.early_stop || iteration + 1 == config_.max_iterations) {
        result.parity_ok = parity_satisfied(ws, graph, rows, chunks);
        if (result.parity_ok && config_.early_stop) break;
      }
    }
    write_hard_decisions(ws, z, graph.shape.info_cols, c);
    return result;
  }

 private:
  static std::int16_t* column(Workspace& ws, int col) { return ws.app.data() + col * kColumnStride; }

  static void load_channel_llrs(Workspace& ws, int z, int columns, std::span<const Llr> llrs) {
    const int available = static_cast<int>(llrs.size());
    for (int col = 0; col < columns; ++col) {
      std::int16_t* app = column(ws, col);
      std::fill(app, app + kColumnStride, std::int16_t{0});
      // Columns 0 and 1 are never transmitted; column j >= 2 starts at d[(j - 2) * Z].
      const int first = (col - 2) * z;
      if (col >= 2 && first < available) {
        const int count = std::min(z, available - first);
        for (int r = 0; r < count; ++r) app[r] = ldpc_math::initial_app(llrs[first + r]);
      }
      std::copy(app, app + z, app + z);
    }
  }

  // Restores the duplicate after the Z values at [s, s + Z) were rewritten.
  static void sync_column(std::int16_t* app, int z, int shift) {
    std::copy(app + z, app + z + shift, app);
    std::copy(app + shift, app + z, app + z + shift);
  }

  void update_row(Workspace& ws, const LdpcGraph& graph, int row, int chunks, int scaling_x16) const {
    const std::span<const LdpcEdge> edges = graph.row(row);
    const int degree = static_cast<int>(edges.size());
    const int first_edge = graph.row_begin[row];
    const V floor = Ops::set1(-kLlrMax);

    for (int chunk = 0; chunk < chunks; ++chunk) {
      const int lane0 = chunk * kLanes;
      V min1 = Ops::set1(kLlrMax);
      V min2 = Ops::set1(kLlrMax);
      V argmin = Ops::zero();
      V sign = Ops::zero();
      // Pass 1: variable-to-check messages t = app - old message; two smallest magnitudes.
      for (int j = 0; j < degree; ++j) {
        const std::int16_t* app = column(ws, edges[j].col) + edges[j].shift + lane0;
        std::int8_t* message = ws.messages.data() + (first_edge + j) * kMessageStride + lane0;
        const W t_wide = Ops::sub_wide(Ops::load_wide(app), Ops::widen(Ops::load(message)));
        Ops::store_wide(ws.extrinsic.data() + j * kMessageStride + lane0, t_wide);
        const V t = Ops::max(Ops::narrow(t_wide), floor);
        const V magnitude = Ops::abs(t);
        const V is_new_min = Ops::cmpgt(min1, magnitude);
        min2 = Ops::min(min2, Ops::max(min1, magnitude));
        min1 = Ops::min(min1, magnitude);
        argmin = Ops::blend(argmin, Ops::set1(static_cast<std::int8_t>(j)), is_new_min);
        sign = Ops::bit_xor(sign, t);
      }
      const V magnitude1 = Ops::scale_offset(min1, scaling_x16, config_.offset);
      const V magnitude2 = Ops::scale_offset(min2, scaling_x16, config_.offset);
      // Pass 2: new check-to-variable messages and a-posteriori values.
      for (int j = 0; j < degree; ++j) {
        std::int16_t* app = column(ws, edges[j].col) + edges[j].shift + lane0;
        std::int8_t* message = ws.messages.data() + (first_edge + j) * kMessageStride + lane0;
        const W t_wide = Ops::load_wide(ws.extrinsic.data() + j * kMessageStride + lane0);
        const V t = Ops::max(Ops::narrow(t_wide), floor);
        const V is_argmin = Ops::cmpeq(argmin, Ops::set1(static_cast<std::int8_t>(j)));
        const V magnitude = Ops::blend(magnitude1, magnitude2, is_argmin);
        // The sign of the message is the product of the other edges' signs.
        const V others_sign = Ops::bit_or(Ops::bit_xor(sign, t), Ops::set1(1));
        const V new_message = Ops::sign(magnitude, others_sign);
        Ops::store(message, new_message);
        Ops::store_wide(app, Ops::add_wide(t_wide, Ops::widen(new_message)));
      }
    }
    for (const LdpcEdge& e : edges) sync_column(column(ws, e.col), graph.z, e.shift);
  }

  static bool parity_satisfied(Workspace& ws, const LdpcGraph& graph, int rows, int chunks) {
    const int z = graph.z;
    for (int row = 0; row < rows; ++row) {
      for (int chunk = 0; chunk < chunks; ++chunk) {
        const int lane0 = chunk * kLanes;
        W parity = Ops::widen(Ops::zero());
        for (const LdpcEdge& e : graph.row(row)) {
          parity = Ops::xor_wide(parity, Ops::load_wide(column(ws, e.col) + e.shift + lane0));
        }
        // Narrowing saturates, which keeps every lane's sign: the XOR of the hard decisions.
        const int valid = std::min(kLanes, z - lane0);
        if (Ops::any_negative(Ops::narrow(parity), valid)) return false;
      }
    }
    return true;
  }

  static void write_hard_decisions(Workspace& ws, int z, int info_cols, std::span<std::uint8_t> c) {
    for (int col = 0; col < info_cols; ++col) {
      const std::int16_t* app = column(ws, col);
      std::uint8_t* out = c.data() + col * z;
      for (int r = 0; r < z; ++r) out[r] = ldpc_math::hard_decision(app[r]);
    }
  }

  LdpcDecoderConfig config_;
};

}  // namespace airan::phy::AIRAN_LDPC_ISA_NAMESPACE

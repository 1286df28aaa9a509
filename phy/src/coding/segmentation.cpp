#include "airan/phy/coding/segmentation.hpp"

#include <fmt/format.h>

namespace airan::phy {

BaseGraph select_base_graph(int tbs, double target_code_rate) {
  if (tbs <= 292 || (tbs <= 3824 && target_code_rate <= 0.67) || target_code_rate <= 0.25) {
    return BaseGraph::bg2;
  }
  return BaseGraph::bg1;
}

CrcType transport_block_crc(int tbs) { return tbs > 3824 ? CrcType::crc24a : CrcType::crc16; }

Expected<CodeBlockSegmentation> segment_transport_block(int tbs, BaseGraph bg) {
  if (tbs < 1 || tbs > kMaxTransportBlockBits) {
    return Error{fmt::format("transport block size A={} is outside 1..{}", tbs, kMaxTransportBlockBits)};
  }
  if (bg != BaseGraph::bg1 && bg != BaseGraph::bg2) {
    return Error{fmt::format("base graph {} is neither BG1 nor BG2", static_cast<int>(bg))};
  }
  CodeBlockSegmentation seg{};
  seg.base_graph = bg;
  seg.tbs = tbs;
  seg.tb_crc_bits = crc_length(transport_block_crc(tbs));
  seg.b = tbs + seg.tb_crc_bits;

  const int k_cb = bg == BaseGraph::bg1 ? 8448 : 3840;
  if (seg.b <= k_cb) {
    seg.cb_crc_bits = 0;
    seg.num_blocks = 1;
  } else {
    seg.cb_crc_bits = 24;
    seg.num_blocks = (seg.b + (k_cb - 24) - 1) / (k_cb - 24);
  }
  const int b_prime = seg.b + seg.num_blocks * seg.cb_crc_bits;
  // B' is a multiple of C only when the TBS is one the MAC can produce (TS 38.214 5.1.3.2
  // rounds TBSs so); other sizes would need unequal blocks, which 5.2.2 does not define.
  if (b_prime % seg.num_blocks != 0) {
    return Error{fmt::format("transport block size A={} does not split into {} equal code blocks "
                             "(B'={}); use a TBS of TS 38.214 5.1.3.2",
                             tbs, seg.num_blocks, b_prime)};
  }
  seg.k_prime = b_prime / seg.num_blocks;

  if (bg == BaseGraph::bg1) {
    seg.k_b = 22;
  } else if (seg.b > 640) {
    seg.k_b = 10;
  } else if (seg.b > 560) {
    seg.k_b = 9;
  } else if (seg.b > 192) {
    seg.k_b = 8;
  } else {
    seg.k_b = 6;
  }
  seg.z = 0;
  for (int z : kLiftingSizes) {
    if (seg.k_b * z >= seg.k_prime) {
      seg.z = z;
      break;
    }
  }
  const BaseGraphShape shape = base_graph_shape(bg);
  seg.k = shape.info_cols * seg.z;
  seg.n = (shape.cols - 2) * seg.z;
  return seg;
}

}  // namespace airan::phy

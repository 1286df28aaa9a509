#include "airan/phy/coding/sch.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"

namespace airan::phy {

Expected<SchPlan> plan_sch(const SchConfig& config) {
  if (config.tbs < 1 || config.tbs > kMaxTransportBlockBits) {
    return Error{fmt::format("TBS={} is outside 1..{}", config.tbs, kMaxTransportBlockBits)};
  }
  if (!config.base_graph && !(config.target_code_rate > 0.0 && config.target_code_rate < 1.0)) {
    return Error{fmt::format("target code rate R={} is outside (0, 1)", config.target_code_rate)};
  }
  if (Status s = validate(config.rate_match); !s) return s.error();
  const BaseGraph bg = config.base_graph.value_or(select_base_graph(config.tbs, config.target_code_rate));
  auto segmentation = segment_transport_block(config.tbs, bg);
  if (!segmentation) return segmentation.error();
  const CodeBlockSegmentation& seg = *segmentation;
  const long long payload = static_cast<long long>(seg.num_blocks) * seg.k_prime;
  if (payload > config.rate_match.g) {
    return Error{fmt::format("TBS={} needs {} bits with CRCs but G={} coded bits carry fewer (code rate > 1)",
                             config.tbs, payload, config.rate_match.g)};
  }
  auto rate_match = plan_rate_matching(seg, config.rate_match);
  if (!rate_match) return rate_match.error();
  auto graph = ldpc_graph(bg, seg.z);
  if (!graph) return graph.error();
  return SchPlan{seg, *rate_match, *graph, config.rate_match.g};
}

namespace {

Status check_sizes(const SchPlan& plan, std::size_t tb_bits, std::size_t codeword_bits, const char* codeword_name) {
  if (static_cast<int>(tb_bits) != plan.tbs()) {
    return Error{fmt::format("transport block has {} bits, the plan expects TBS={}", tb_bits, plan.tbs())};
  }
  if (static_cast<int>(codeword_bits) != plan.g) {
    return Error{fmt::format("{} has {} elements, the plan expects G={}", codeword_name, codeword_bits, plan.g)};
  }
  return Status::ok();
}

}  // namespace

Status SchEncoder::encode(const SchPlan& plan, std::span<const std::uint8_t> tb_bits,
                          std::span<std::uint8_t> codeword) {
  if (Status s = check_sizes(plan, tb_bits.size(), codeword.size(), "codeword"); !s) return s;
  const CodeBlockSegmentation& seg = plan.segmentation;
  std::array<std::uint8_t, 24> tb_crc{};
  crc_compute_bits(transport_block_crc(seg.tbs), tb_bits, std::span(tb_crc).first(seg.tb_crc_bits));
  code_block_.resize(static_cast<std::size_t>(seg.k));
  encoded_.resize(static_cast<std::size_t>(seg.n));

  const int payload = seg.payload_bits_per_block();
  for (int r = 0; r < seg.num_blocks; ++r) {
    // The block's share of b = [TB, TB CRC], then its CB CRC, then filler zeros.
    const int first = r * payload;
    const int from_tb = std::clamp(seg.tbs - first, 0, payload);
    std::memcpy(code_block_.data(), tb_bits.data() + first, static_cast<std::size_t>(from_tb));
    std::memcpy(code_block_.data() + from_tb, tb_crc.data() + std::max(0, first - seg.tbs),
                static_cast<std::size_t>(payload - from_tb));
    if (seg.cb_crc_bits > 0) {
      crc_compute_bits(CrcType::crc24b, std::span(code_block_).first(payload),
                       std::span(code_block_).subspan(payload, 24));
    }
    std::fill(code_block_.begin() + seg.k_prime, code_block_.end(), std::uint8_t{0});

    const int e = plan.rate_match.e(r);
    const auto d = std::span(encoded_).first(std::max(plan.rate_match.d_bits_read(e), seg.k - 2 * seg.z));
    ldpc_encode(*plan.graph, code_block_, d);
    rate_match(plan.rate_match, d, codeword.subspan(plan.rate_match.offset(r), e));
  }
  return Status::ok();
}

bool HarqSoftBuffer::matches(const SchPlan& plan) const {
  return tbs_ == plan.tbs() && num_blocks_ == plan.segmentation.num_blocks && n_ == plan.segmentation.n;
}

void HarqSoftBuffer::reset(const SchPlan& plan) {
  num_blocks_ = plan.segmentation.num_blocks;
  n_ = plan.segmentation.n;
  tbs_ = plan.tbs();
  coverage_ = 0;
  llr_gain_ = 0.0F;
  llrs_.resize(static_cast<std::size_t>(num_blocks_) * n_);
  decoded_.assign(static_cast<std::size_t>(num_blocks_), 0);
  tb_with_crc_.resize(static_cast<std::size_t>(plan.segmentation.b));
}

namespace {

std::uint8_t* block_payload_ptr(HarqSoftBuffer& harq, int block, int payload) {
  return harq.tb_with_crc().data() + static_cast<std::size_t>(block) * payload;
}

}  // namespace

Expected<std::unique_ptr<SchDecoder>> SchDecoder::create(const LdpcDecoderConfig& config, CpuIsa isa) {
  auto ldpc = create_ldpc_decoder(config, isa);
  if (!ldpc) return ldpc.error();
  auto decoder = std::unique_ptr<SchDecoder>(new SchDecoder(std::move(*ldpc)));
  decoder->code_block_.reserve(8448);
  return decoder;
}

Expected<SchDecodeResult> SchDecoder::decode(const SchPlan& plan, std::span<const Llr> llrs, bool new_data,
                                             HarqSoftBuffer& harq, std::span<std::uint8_t> tb_bits) {
  if (Status s = check_sizes(plan, tb_bits.size(), llrs.size(), "codeword LLRs"); !s) return s.error();
  if (!new_data && !harq.matches(plan)) {
    return Error{"retransmission does not match the transport block held by the HARQ buffer "
                 "(TBS or segmentation changed without new data)"};
  }
  if (new_data) harq.reset(plan);
  const CodeBlockSegmentation& seg = plan.segmentation;
  code_block_.resize(static_cast<std::size_t>(seg.k));
  const std::span<std::uint8_t> tb_with_crc = harq.tb_with_crc();
  harq.extend_coverage(plan.rate_match.d_bits_read(std::max(plan.rate_match.e_small, plan.rate_match.e_large)));

  SchDecodeResult result;
  result.num_blocks = seg.num_blocks;
  int decoded_now = 0;
  int iteration_sum = 0;
  const int payload = seg.payload_bits_per_block();
  for (int r = 0; r < seg.num_blocks; ++r) {
    const int e = plan.rate_match.e(r);
    std::span<Llr> soft = harq.block(r);
    rate_recover(plan.rate_match, llrs.subspan(plan.rate_match.offset(r), e), soft, !new_data);
    // A block that received no energy at all would decode to the all-zero word, which passes
    // CRC24B and even the TB CRC: it is a failure, not a decoding.
    const auto received = soft.first(harq.coverage());
    const bool empty = std::none_of(received.begin(), received.begin() + plan.rate_match.filler_begin,
                                    [](Llr l) { return l != 0; }) &&
                       std::none_of(received.begin() + plan.rate_match.filler_end, received.end(),
                                    [](Llr l) { return l != 0; });
    if (empty) {
      harq.set_block_decoded(r, false);
      std::memset(block_payload_ptr(harq, r, payload), 0, static_cast<std::size_t>(payload));
    } else if (!harq.block_decoded(r)) {
      const LdpcDecoderResult ldpc = ldpc_->decode(*plan.graph, received, code_block_);
      ++decoded_now;
      iteration_sum += ldpc.iterations;
      result.max_iterations = std::max(result.max_iterations, ldpc.iterations);
      const bool ok = seg.cb_crc_bits > 0
                          ? crc_check(CrcType::crc24b, std::span(code_block_).first(seg.k_prime))
                          : ldpc.parity_ok;
      harq.set_block_decoded(r, ok);
      std::memcpy(block_payload_ptr(harq, r, payload), code_block_.data(), static_cast<std::size_t>(payload));
    }
    result.blocks_crc_ok += harq.block_decoded(r) ? 1 : 0;
  }
  result.mean_iterations = decoded_now ? static_cast<double>(iteration_sum) / decoded_now : 0.0;
  result.tb_crc_ok = result.blocks_crc_ok == seg.num_blocks && crc_check(transport_block_crc(seg.tbs), tb_with_crc);
  std::memcpy(tb_bits.data(), tb_with_crc.data(), static_cast<std::size_t>(seg.tbs));
  return result;
}

}  // namespace airan::phy

// PUSCH receiver (gNB side) on the CPU: received grid of 1..16 receive ports -> DMRS channel
// estimation -> MIMO equalisation (ZF or MMSE, 1..4 layers) -> soft demapping -> layer
// demapping -> descrambling -> rate recovery with HARQ combining -> LDPC -> CRC.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/sch.hpp"
#include "airan/phy/mimo/equalizer.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

struct PuschReceiverConfig {
  ChannelEstimatorConfig estimator;
  EqualizerType equalizer = EqualizerType::mmse;
  // MMSE-IRC: whiten with the noise-plus-interference covariance across receive ports before
  // equalising (needs 2 or more receive ports; interference must be spatially coloured to help).
  bool interference_rejection = false;
  LdpcDecoderConfig decoder;
  // Natural-unit LLRs -> int8 soft bits. 0 (default): each slot is scaled so that the mean |LLR|
  // is kTargetMeanLlr, which keeps the decoder's input in the range it was tuned for (neither
  // saturated at high SNR nor coarse at low SNR); > 0: a fixed gain.
  float llr_gain = 0.0F;
};

inline constexpr float kTargetMeanLlr = 32.0F;

Status validate(const PuschReceiverConfig& config);

struct PuschStageTimes {
  double channel_estimation_us = 0;
  double equalization_us = 0;
  double demapping_us = 0;   // soft demapping, descrambling
  double decoding_us = 0;    // rate recovery, LDPC, CRC
};

struct PuschReceiveResult {
  bool tb_crc_ok = false;
  SchDecodeResult decode;
  double sinr_db = 0.0;          // mean post-equalisation SINR over data REs and layers
  double evm_percent = 0.0;      // rms error to the nearest constellation point
  double noise_variance = 0.0;   // per RE and receive port, estimated on the DMRS
  double timing_offset_s = 0.0;  // estimated from the DMRS phase slope
  double dmrs_snr_db = 0.0;
  PuschStageTimes times;
};

class PuschReceiver {
 public:
  static Expected<std::unique_ptr<PuschReceiver>> create(const PuschReceiverConfig& config,
                                                         CpuIsa isa = best_cpu_isa());

  // rx_grid: [receive port][symbol][BWP subcarrier], at least as many receive ports as layers.
  // new_data starts the HARQ process afresh; otherwise the soft bits combine. tb_bits: plan.tbs.
  Expected<PuschReceiveResult> receive(const PuschPlan& plan, const ResourceGrid& rx_grid, bool new_data,
                                       HarqSoftBuffer& harq, std::span<std::uint8_t> tb_bits);

  // The soft bits the decoder would get, before rate recovery: channel estimation,
  // equalisation, max-log demapping and descrambling, in natural units (no gain, no int8
  // quantisation). For comparing other implementations of the front half (the GPU backend).
  // llrs.size() == plan.g.
  Status soft_bits(const PuschPlan& plan, const ResourceGrid& rx_grid, std::span<float> llrs);

  const PuschChannelEstimate& last_channel_estimate() const { return estimate_; }

 private:
  PuschReceiver(const PuschReceiverConfig& config, std::unique_ptr<PuschChannelEstimator> estimator,
                std::unique_ptr<SchDecoder> decoder)
      : config_(config), estimator_(std::move(estimator)), decoder_(std::move(decoder)) {}

  // Channel estimation and equalisation of the whole allocation into symbols_ and noise_
  // (codeword order), with their times and the estimator's statistics in `result`.
  Status estimate_and_equalize(const PuschPlan& plan, const ResourceGrid& rx, PuschReceiveResult& result);
  // Equalises every subcarrier of the allocation on one symbol into symbol_x_/symbol_nv_.
  void equalize_symbol(const PuschPlan& plan, const ResourceGrid& rx, const PuschChannelEstimate& estimate,
                       int symbol);
  // Fills whitened_grid_ and whitened_estimate_ (MMSE-IRC).
  void whiten_inputs(const PuschPlan& plan, const ResourceGrid& rx);

  PuschReceiverConfig config_;
  std::unique_ptr<PuschChannelEstimator> estimator_;
  std::unique_ptr<SchDecoder> decoder_;
  PuschChannelEstimate estimate_;
  PuschChannelEstimate whitened_estimate_;
  ResourceGrid whitened_grid_;
  std::vector<Complex> whitening_;  // Cholesky factor of the noise covariance
  std::vector<Complex> symbols_;       // equalised, codeword order
  std::vector<float> noise_;           // their noise variances
  std::vector<Llr> llrs_;
  std::vector<float> float_llrs_;       // LLRs of the symbols sampled for the gain
  std::vector<Complex> sample_symbols_;
  std::vector<float> sample_noise_;
  std::vector<Complex> hard_symbols_;
  std::vector<Complex> symbol_x_;   // one symbol: [subcarrier][layer]
  std::vector<float> symbol_nv_;
  EqualizerScratch scratch_;
  std::optional<TransformPrecoder> transform_precoder_;
};

}  // namespace airan::phy

// The CUDA side of the learned predictor (ai/src/cuda/learned_forecast.cu), built only when
// the CUDA backend is enabled (AIRAN_AI_WITH_CUDA).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../learned_predictor_math.hpp"
#include "airan/ai/result.hpp"

namespace airan::ai::detail {

// Device buffers for the network, the flow states and the forecasts, allocated once.
class CudaForecastBatch {
 public:
  static Result<std::unique_ptr<CudaForecastBatch>> create(const NetworkView& net, const FeatureParams& features,
                                                           const std::vector<float>& parameters, std::size_t flows);
  ~CudaForecastBatch();
  CudaForecastBatch(const CudaForecastBatch&) = delete;
  CudaForecastBatch& operator=(const CudaForecastBatch&) = delete;

  // Copies the states in, forecasts every flow in one launch, copies the forecasts out.
  // False on a CUDA error (out is then not written).
  bool run(const FlowState* states, std::int64_t now_ns, ForecastValue* out) const;

 private:
  CudaForecastBatch() = default;
  NetworkView net_{};
  FeatureParams features_{};
  std::size_t flows_ = 0;
  float* device_parameters_ = nullptr;
  FlowState* device_states_ = nullptr;
  ForecastValue* device_forecasts_ = nullptr;
};

// Empty when a CUDA device is usable, otherwise why not.
std::string cuda_unavailable_reason();

}  // namespace airan::ai::detail

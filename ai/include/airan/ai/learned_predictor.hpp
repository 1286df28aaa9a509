// The learned arrival predictor: a small neural network, trained offline with PyTorch
// (ai/training/train_arrival_predictor.py) on generated factory traffic, run here without any
// training dependency, on the CPU or batched on a CUDA GPU. It sits behind ArrivalPredictor,
// so a policy can swap it for the period predictor (the ablation).
//
// Per flow it keeps the last 8 inter-arrival times and a running period estimate; the network
// reads those gaps over the period, log(period), the time since the last arrival over the
// period and the share of recent gaps that look like a burst, and gives the next gap and a
// Laplace scale; the window is next +- z x scale, z calibrated at training time for a target
// coverage. Features, model, data and measured results: docs/energy.md ("The learned predictor").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airan/ai/arrival_predictor.hpp"
#include "airan/ai/result.hpp"

namespace airan::ai {

enum class InferenceBackend : std::uint8_t { cpu, cuda };
std::string_view to_string(InferenceBackend backend);

struct LearnedLayer {
  int inputs = 0;
  int outputs = 0;
  std::string activation;     // "tanh", "relu" or "none"
  std::vector<float> weight;  // row-major [outputs][inputs]
  std::vector<float> bias;    // [outputs]
};

// A feature vector and the outputs the training script computed for it (float32 PyTorch):
// the C++ network must reproduce them.
struct ReferenceCase {
  std::vector<float> features;
  std::vector<float> outputs;
};

struct LearnedPredictorModel {
  // Feature constants (the same names as the model file's "features" object).
  int history = 8;
  double gap_clip = 4.0;
  double elapsed_clip = 4.0;
  double burst_gap = 0.5;
  double period_alpha = 0.0625;
  double period_clip_low = 0.5;
  double period_clip_high = 2.0;
  int min_gaps = 2;

  std::vector<float> input_mean;
  std::vector<float> input_std;
  std::vector<LearnedLayer> layers;
  double window_z = 3.0;
  double min_spread_fraction = 0.0;
  std::vector<ReferenceCase> reference;
  std::string provenance_json;  // the file's "provenance" object, as text

  static constexpr int kFeatureCount = 11;  // history + 3
  static constexpr int kOutputCount = 2;

  // Reads a model file ("format": "airan-arrival-predictor/1"); the error names the file and
  // the key that is missing or has the wrong shape.
  static Result<LearnedPredictorModel> load(const std::string& path);
  static Result<LearnedPredictorModel> parse(std::string_view json_text, std::string_view source = "model");

  std::size_t parameter_count() const;
  // Runs the network on raw (unstandardised) features: outputs[0] = next gap / period,
  // outputs[1] = log of the Laplace scale in periods. For tests and tools.
  void evaluate(const float* features, float* outputs) const;
};

// Predictors for `flows` flows. Everything is allocated here; observe(), forecast() and
// forecast_all() allocate nothing. With InferenceBackend::cuda, forecast_all() runs every flow
// in one kernel launch (forecast() of one flow stays on the CPU); creation fails, saying why,
// when the binary has no CUDA backend or no device is usable.
Result<std::unique_ptr<ArrivalPredictor>> make_learned_predictor(const LearnedPredictorModel& model, std::size_t flows,
                                                                 InferenceBackend backend = InferenceBackend::cpu);

// The model shipped in the repository (data/models/arrival_predictor.json), built into the
// binary; parsed once.
const Result<LearnedPredictorModel>& default_learned_predictor_model();

// Empty when a CUDA device can run the learned predictor, otherwise why not.
std::string learned_predictor_cuda_unavailable_reason();

}  // namespace airan::ai

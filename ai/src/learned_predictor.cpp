#include "airan/ai/learned_predictor.hpp"
#include "airan/ai/shipped_arrival_model.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "learned_predictor_math.hpp"
#if defined(AIRAN_AI_WITH_CUDA)
#include "cuda/learned_forecast_cuda.hpp"
#endif

namespace airan::ai {
namespace {

using nlohmann::json;
constexpr std::string_view kFormat = "airan-arrival-predictor/1";

static_assert(LearnedPredictorModel::kFeatureCount == detail::kFeatureCount);
static_assert(LearnedPredictorModel::kOutputCount == detail::kOutputCount);

// Reads typed values out of the parsed document; the first failure is kept with the key path.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(const std::string& key, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("{}: key '{}' {}", source_, key, what);
  }

  const json* child(const json& parent, const std::string& key, const std::string& path, json::value_t type) {
    if (failed()) return nullptr;
    const auto it = parent.find(key);
    if (it == parent.end()) {
      fail(path, "is missing");
      return nullptr;
    }
    const bool ok = type == json::value_t::number_float ? it->is_number() : it->type() == type;
    if (!ok) {
      fail(path, fmt::format("has the wrong type ({})", it->type_name()));
      return nullptr;
    }
    return &*it;
  }

  double number(const json& parent, const std::string& key, const std::string& path) {
    const json* v = child(parent, key, path, json::value_t::number_float);
    return v ? v->get<double>() : 0.0;
  }
  int integer(const json& parent, const std::string& key, const std::string& path) {
    const json* v = child(parent, key, path, json::value_t::number_float);
    if (!v) return 0;
    if (!v->is_number_integer()) fail(path, "must be an integer");
    return v->is_number_integer() ? v->get<int>() : 0;
  }
  std::string text(const json& parent, const std::string& key, const std::string& path) {
    const json* v = child(parent, key, path, json::value_t::string);
    return v ? v->get<std::string>() : std::string();
  }
  // A flat array of `expected` numbers (any length when expected < 0).
  std::vector<float> floats(const json& parent, const std::string& key, const std::string& path, long expected) {
    std::vector<float> out;
    const json* v = child(parent, key, path, json::value_t::array);
    if (!v) return out;
    if (expected >= 0 && static_cast<long>(v->size()) != expected) {
      fail(path, fmt::format("has {} values, expected {}", v->size(), expected));
      return out;
    }
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_number()) {
        fail(fmt::format("{}[{}]", path, i), "is not a number");
        return out;
      }
      out.push_back((*v)[i].get<float>());
    }
    return out;
  }

 private:
  std::string source_;
  std::string error_;
};

detail::FeatureParams feature_params(const LearnedPredictorModel& m) {
  detail::FeatureParams p;
  p.gap_clip = m.gap_clip;
  p.elapsed_clip = m.elapsed_clip;
  p.burst_gap = m.burst_gap;
  p.period_alpha = m.period_alpha;
  p.period_clip_low = m.period_clip_low;
  p.period_clip_high = m.period_clip_high;
  p.min_gaps = m.min_gaps;
  return p;
}

int activation_kind(const std::string& name) {
  if (name == "tanh") return detail::ActivationKind::tanh;
  if (name == "relu") return detail::ActivationKind::relu;
  return detail::ActivationKind::none;
}

// Packs the layers into one parameter array and the offsets the shared math reads.
void pack_network(const LearnedPredictorModel& m, detail::NetworkView& net, std::vector<float>& parameters) {
  net = detail::NetworkView{};
  parameters.clear();
  net.layer_count = static_cast<int>(m.layers.size());
  for (std::size_t l = 0; l < m.layers.size(); ++l) {
    const LearnedLayer& layer = m.layers[l];
    net.inputs[l] = layer.inputs;
    net.outputs[l] = layer.outputs;
    net.activation[l] = activation_kind(layer.activation);
    net.weight_offset[l] = static_cast<int>(parameters.size());
    parameters.insert(parameters.end(), layer.weight.begin(), layer.weight.end());
    net.bias_offset[l] = static_cast<int>(parameters.size());
    parameters.insert(parameters.end(), layer.bias.begin(), layer.bias.end());
  }
  for (int i = 0; i < detail::kFeatureCount; ++i) {
    net.input_mean[i] = m.input_mean[static_cast<std::size_t>(i)];
    net.input_inv_std[i] = 1.0f / m.input_std[static_cast<std::size_t>(i)];
  }
  net.window_z = m.window_z;
  net.min_spread_fraction = m.min_spread_fraction;
}

class LearnedPredictor final : public ArrivalPredictor {
 public:
  LearnedPredictor(const LearnedPredictorModel& model, std::size_t flows, InferenceBackend backend)
      : backend_(backend), features_(feature_params(model)), states_(flows), forecasts_(flows) {
    pack_network(model, net_, parameters_);
  }

#if defined(AIRAN_AI_WITH_CUDA)
  Result<bool> attach_cuda() {
    auto batch = detail::CudaForecastBatch::create(net_, features_, parameters_, states_.size());
    if (!batch) return ErrorMessage{batch.error()};
    cuda_ = std::move(batch.value());
    return true;
  }
#endif

  std::string_view name() const override { return backend_ == InferenceBackend::cuda ? "learned-cuda" : "learned"; }
  std::size_t flows() const override { return states_.size(); }

  void observe(std::uint32_t flow, std::int64_t arrival_ns) override {
    if (flow >= states_.size()) return;
    detail::observe_arrival(states_[flow], features_, arrival_ns);
  }

  ArrivalForecast forecast(std::uint32_t flow, std::int64_t now_ns) const override {
    if (flow >= states_.size()) return {};
    return to_forecast(detail::forecast_flow(states_[flow], features_, net_, parameters_.data(), now_ns));
  }

  void forecast_all(std::int64_t now_ns, std::span<ArrivalForecast> out) const override {
#if defined(AIRAN_AI_WITH_CUDA)
    // A CUDA error mid-run (device lost) falls back to the CPU rather than leaving `out` stale.
    if (cuda_ && cuda_->run(states_.data(), now_ns, forecasts_.data())) {
      for (std::size_t f = 0; f < out.size() && f < states_.size(); ++f) out[f] = to_forecast(forecasts_[f]);
      return;
    }
#endif
    for (std::size_t f = 0; f < out.size() && f < states_.size(); ++f) {
      out[f] = to_forecast(detail::forecast_flow(states_[f], features_, net_, parameters_.data(), now_ns));
    }
  }

 private:
  static ArrivalForecast to_forecast(const detail::ForecastValue& v) {
    return ArrivalForecast{.known = v.known != 0, .next_ns = v.next_ns, .spread_ns = v.spread_ns};
  }

  InferenceBackend backend_;
  detail::FeatureParams features_;
  detail::NetworkView net_{};
  std::vector<float> parameters_;
  std::vector<detail::FlowState> states_;
  mutable std::vector<detail::ForecastValue> forecasts_;  // host side of the CUDA batch
#if defined(AIRAN_AI_WITH_CUDA)
  std::unique_ptr<detail::CudaForecastBatch> cuda_;
#endif
};

}  // namespace

std::string_view to_string(InferenceBackend backend) { return backend == InferenceBackend::cuda ? "cuda" : "cpu"; }

Result<LearnedPredictorModel> LearnedPredictorModel::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ErrorMessage{fmt::format("learned predictor model '{}' cannot be opened", path)};
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Result<LearnedPredictorModel> LearnedPredictorModel::parse(std::string_view json_text, std::string_view source) {
  const json doc = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return ErrorMessage{fmt::format("{}: not a JSON object", source)};
  Reader r(source);
  LearnedPredictorModel m;
  if (const std::string format = r.text(doc, "format", "format"); !r.failed() && format != kFormat) {
    r.fail("format", fmt::format("is '{}', expected '{}'", format, kFormat));
  }
  if (const json* f = r.child(doc, "features", "features", json::value_t::object)) {
    m.history = r.integer(*f, "history", "features.history");
    m.gap_clip = r.number(*f, "gap_clip", "features.gap_clip");
    m.elapsed_clip = r.number(*f, "elapsed_clip", "features.elapsed_clip");
    m.burst_gap = r.number(*f, "burst_gap", "features.burst_gap");
    m.period_alpha = r.number(*f, "period_alpha", "features.period_alpha");
    m.period_clip_low = r.number(*f, "period_clip_low", "features.period_clip_low");
    m.period_clip_high = r.number(*f, "period_clip_high", "features.period_clip_high");
    m.min_gaps = r.integer(*f, "min_gaps", "features.min_gaps");
    if (!r.failed() && m.history != detail::kHistory) {
      r.fail("features.history", fmt::format("is {}, this build runs models with {}", m.history, detail::kHistory));
    }
    if (!r.failed() && !(m.period_alpha > 0.0 && m.period_alpha <= 1.0)) r.fail("features.period_alpha", "must be in (0, 1]");
    if (!r.failed() && !(m.period_clip_low > 0.0 && m.period_clip_low <= 1.0 && m.period_clip_high >= 1.0)) {
      r.fail("features.period_clip_low", "and period_clip_high must satisfy 0 < low <= 1 <= high");
    }
    if (!r.failed() && m.min_gaps < 1) r.fail("features.min_gaps", "must be at least 1");
  }
  m.input_mean = r.floats(doc, "input_mean", "input_mean", kFeatureCount);
  m.input_std = r.floats(doc, "input_std", "input_std", kFeatureCount);
  for (std::size_t i = 0; !r.failed() && i < m.input_std.size(); ++i) {
    if (!(m.input_std[i] > 0.0f)) r.fail(fmt::format("input_std[{}]", i), "must be positive");
  }
  if (const json* layers = r.child(doc, "layers", "layers", json::value_t::array)) {
    if (layers->empty() || layers->size() > static_cast<std::size_t>(detail::kMaxLayers)) {
      r.fail("layers", fmt::format("has {} layers, expected 1..{}", layers->size(), detail::kMaxLayers));
    }
    int expected_inputs = kFeatureCount;
    for (std::size_t l = 0; !r.failed() && l < layers->size(); ++l) {
      const std::string path = fmt::format("layers[{}]", l);
      const json& item = (*layers)[l];
      if (!item.is_object()) {
        r.fail(path, "is not an object");
        break;
      }
      LearnedLayer layer;
      layer.inputs = r.integer(item, "inputs", path + ".inputs");
      layer.outputs = r.integer(item, "outputs", path + ".outputs");
      layer.activation = r.text(item, "activation", path + ".activation");
      if (r.failed()) break;
      if (layer.inputs != expected_inputs) {
        r.fail(path + ".inputs", fmt::format("is {}, expected {} (the previous layer's outputs)", layer.inputs, expected_inputs));
        break;
      }
      const bool last = l + 1 == layers->size();
      if (layer.outputs < 1 || layer.outputs > detail::kMaxWidth || (last && layer.outputs != kOutputCount)) {
        r.fail(path + ".outputs", last ? fmt::format("is {}, the last layer must have {}", layer.outputs, kOutputCount)
                                       : fmt::format("is {}, expected 1..{}", layer.outputs, detail::kMaxWidth));
        break;
      }
      if (layer.activation != "tanh" && layer.activation != "relu" && layer.activation != "none") {
        r.fail(path + ".activation", fmt::format("is '{}', expected tanh, relu or none", layer.activation));
        break;
      }
      // The weight matrix: `outputs` rows of `inputs` numbers.
      if (const json* rows = r.child(item, "weight", path + ".weight", json::value_t::array)) {
        if (static_cast<int>(rows->size()) != layer.outputs) {
          r.fail(path + ".weight", fmt::format("has {} rows, expected {}", rows->size(), layer.outputs));
          break;
        }
        layer.weight.reserve(static_cast<std::size_t>(layer.outputs) * static_cast<std::size_t>(layer.inputs));
        for (int o = 0; o < layer.outputs && !r.failed(); ++o) {
          const std::string row_path = fmt::format("{}.weight[{}]", path, o);
          const json& row = (*rows)[static_cast<std::size_t>(o)];
          if (!row.is_array() || static_cast<int>(row.size()) != layer.inputs) {
            r.fail(row_path, fmt::format("must be an array of {} numbers", layer.inputs));
            break;
          }
          for (const json& v : row) {
            if (!v.is_number()) {
              r.fail(row_path, "holds a value that is not a number");
              break;
            }
            layer.weight.push_back(v.get<float>());
          }
        }
      }
      layer.bias = r.floats(item, "bias", path + ".bias", layer.outputs);
      expected_inputs = layer.outputs;
      m.layers.push_back(std::move(layer));
    }
  }
  if (const json* w = r.child(doc, "window", "window", json::value_t::object)) {
    m.window_z = r.number(*w, "z", "window.z");
    m.min_spread_fraction = r.number(*w, "min_spread_fraction", "window.min_spread_fraction");
    if (!r.failed() && !(m.window_z > 0.0)) r.fail("window.z", "must be positive");
    if (!r.failed() && m.min_spread_fraction < 0.0) r.fail("window.min_spread_fraction", "must not be negative");
  }
  // Reference cases are optional (a hand-made model may have none) but checked when present.
  if (!r.failed() && doc.contains("reference")) {
    if (const json* refs = r.child(doc, "reference", "reference", json::value_t::array)) {
      for (std::size_t i = 0; i < refs->size() && !r.failed(); ++i) {
        const std::string path = fmt::format("reference[{}]", i);
        if (!(*refs)[i].is_object()) {
          r.fail(path, "is not an object");
          break;
        }
        ReferenceCase c;
        c.features = r.floats((*refs)[i], "features", path + ".features", kFeatureCount);
        c.outputs = r.floats((*refs)[i], "outputs", path + ".outputs", kOutputCount);
        m.reference.push_back(std::move(c));
      }
    }
  }
  if (!r.failed() && doc.contains("provenance")) m.provenance_json = doc["provenance"].dump();
  if (r.failed()) return ErrorMessage{r.error()};
  return m;
}

std::size_t LearnedPredictorModel::parameter_count() const {
  std::size_t n = 0;
  for (const auto& layer : layers) n += layer.weight.size() + layer.bias.size();
  return n;
}

void LearnedPredictorModel::evaluate(const float* features, float* outputs) const {
  detail::NetworkView net;
  std::vector<float> parameters;
  pack_network(*this, net, parameters);
  detail::run_network(net, parameters.data(), features, outputs);
}

std::string learned_predictor_cuda_unavailable_reason() {
#if defined(AIRAN_AI_WITH_CUDA)
  return detail::cuda_unavailable_reason();
#else
  return "this airan was built without the CUDA backend (AIRAN_CUDA=OFF or no nvcc)";
#endif
}

Result<std::unique_ptr<ArrivalPredictor>> make_learned_predictor(const LearnedPredictorModel& model, std::size_t flows,
                                                                 InferenceBackend backend) {
  // load() checks all of this; a model built or edited in code must not make the shared math
  // read past its fixed-size buffers.
  if (model.layers.empty() || model.layers.size() > static_cast<std::size_t>(detail::kMaxLayers) ||
      model.input_mean.size() != static_cast<std::size_t>(LearnedPredictorModel::kFeatureCount) ||
      model.input_std.size() != static_cast<std::size_t>(LearnedPredictorModel::kFeatureCount) ||
      model.history != detail::kHistory) {
    return ErrorMessage{"learned predictor: the model has no valid network (load it with LearnedPredictorModel::load)"};
  }
  int expected_inputs = LearnedPredictorModel::kFeatureCount;
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const LearnedLayer& layer = model.layers[l];
    const bool last = l + 1 == model.layers.size();
    if (layer.inputs != expected_inputs || layer.outputs < 1 || layer.outputs > detail::kMaxWidth ||
        (last && layer.outputs != LearnedPredictorModel::kOutputCount) ||
        layer.weight.size() != static_cast<std::size_t>(layer.inputs) * static_cast<std::size_t>(layer.outputs) ||
        layer.bias.size() != static_cast<std::size_t>(layer.outputs)) {
      return ErrorMessage{fmt::format("learned predictor: layers[{}] has inconsistent shapes", l)};
    }
    expected_inputs = layer.outputs;
  }
  auto predictor = std::make_unique<LearnedPredictor>(model, flows, backend);
  if (backend == InferenceBackend::cuda) {
#if defined(AIRAN_AI_WITH_CUDA)
    if (auto attached = predictor->attach_cuda(); !attached) return ErrorMessage{attached.error()};
#else
    return ErrorMessage{"learned predictor on cuda: " + learned_predictor_cuda_unavailable_reason()};
#endif
  }
  return std::unique_ptr<ArrivalPredictor>(std::move(predictor));
}

const Result<LearnedPredictorModel>& default_learned_predictor_model() {
  static const Result<LearnedPredictorModel> model =
      LearnedPredictorModel::parse(kShippedArrivalModelJson, "data/models/arrival_predictor.json (built in)");
  return model;
}

}  // namespace airan::ai

// The learned arrival predictor: the shipped model file, its validation, the C++ network
// against the outputs PyTorch exported, held-out forecasts against an EWMA baseline, and the
// per-packet path's allocations.
#include "airan/ai/learned_predictor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/ai/traffic.hpp"

#include "../support/allocation_counter.hpp"

using airan::test_support::g_allocations;
using airan::test_support::g_counting;
using airan::test_support::kAllocationCountingAvailable;

namespace airan::ai {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const LearnedPredictorModel& shipped_model() {
  static const LearnedPredictorModel model = [] {
    auto loaded = LearnedPredictorModel::load(AIRAN_ARRIVAL_MODEL);
    if (!loaded) {
      ADD_FAILURE() << loaded.error();
      return LearnedPredictorModel{};
    }
    return std::move(loaded).value();
  }();
  return model;
}

std::unique_ptr<ArrivalPredictor> cpu_predictor(std::size_t flows) {
  auto p = make_learned_predictor(shipped_model(), flows, InferenceBackend::cpu);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error());
  return p ? std::move(p).value() : nullptr;
}

TEST(LearnedPredictorModel, ShippedFileLoadsWithProvenance) {
  const LearnedPredictorModel& m = shipped_model();
  ASSERT_FALSE(m.layers.empty());
  EXPECT_EQ(m.layers.front().inputs, LearnedPredictorModel::kFeatureCount);
  EXPECT_EQ(m.layers.back().outputs, LearnedPredictorModel::kOutputCount);
  // "A few thousand parameters": small enough to ship and to run per packet.
  EXPECT_GT(m.parameter_count(), 100u);
  EXPECT_LT(m.parameter_count(), 5000u);
  EXPECT_GT(m.window_z, 0.0);
  EXPECT_GE(m.reference.size(), 4u);
  const auto provenance = nlohmann::json::parse(m.provenance_json);
  EXPECT_TRUE(provenance.contains("torch"));
  EXPECT_TRUE(provenance.contains("seed"));
  EXPECT_TRUE(provenance.contains("held_out_metrics"));
}

// The binary carries the same model as the file (ai-learned needs no file at run time).
TEST(LearnedPredictorModel, BuiltInModelIsTheShippedFile) {
  const auto& built_in = default_learned_predictor_model();
  ASSERT_TRUE(built_in) << built_in.error();
  const LearnedPredictorModel& file = shipped_model();
  ASSERT_EQ(built_in->layers.size(), file.layers.size());
  for (std::size_t l = 0; l < file.layers.size(); ++l) {
    EXPECT_EQ(built_in->layers[l].weight, file.layers[l].weight) << l;
    EXPECT_EQ(built_in->layers[l].bias, file.layers[l].bias) << l;
  }
  EXPECT_EQ(built_in->provenance_json, file.provenance_json);
}

TEST(LearnedPredictorModel, ReproducesTheTrainingScriptsOutputs) {
  const LearnedPredictorModel& m = shipped_model();
  ASSERT_FALSE(m.reference.empty());
  for (std::size_t i = 0; i < m.reference.size(); ++i) {
    float out[LearnedPredictorModel::kOutputCount];
    m.evaluate(m.reference[i].features.data(), out);
    for (int o = 0; o < LearnedPredictorModel::kOutputCount; ++o) {
      EXPECT_NEAR(out[o], m.reference[i].outputs[static_cast<std::size_t>(o)], 1e-5) << "case " << i << " output " << o;
    }
  }
}

// Whole flows through observe()/forecast(), against the training script's own forecasts of the
// same arrivals: checks the features, the period estimate and the window, not only the network.
TEST(LearnedPredictorModel, ReproducesTheTrainingScriptsForecastsOfWholeFlows) {
  const auto doc = nlohmann::json::parse(read_text(AIRAN_ARRIVAL_MODEL));
  ASSERT_TRUE(doc.contains("reference_traces"));
  int queries = 0;
  for (const auto& trace : doc["reference_traces"]) {
    auto p = cpu_predictor(1);
    ASSERT_TRUE(p);
    for (const auto& t : trace["arrivals_ns"]) p->observe(0, t.get<std::int64_t>());
    // 1e-6 of the period: float32 rounding of the same arithmetic (PyTorch's sums vs ours);
    // measured differences are a few ns on 45 ms periods (~1e-7).
    const double tolerance = std::max(2.0, 1e-6 * trace["period_ns"].get<double>());
    for (const auto& q : trace["queries"]) {
      const ArrivalForecast f = p->forecast(0, q["now_ns"].get<std::int64_t>());
      ASSERT_TRUE(f.known);
      EXPECT_NEAR(static_cast<double>(f.next_ns), q["next_ns"].get<double>(), tolerance) << trace["class"] << " " << q;
      EXPECT_NEAR(static_cast<double>(f.spread_ns), q["spread_ns"].get<double>(), tolerance) << trace["class"] << " " << q;
      ++queries;
    }
  }
  EXPECT_GE(queries, 12);
}

TEST(LearnedPredictorModel, ErrorsNameTheKey) {
  const auto good = nlohmann::json::parse(read_text(AIRAN_ARRIVAL_MODEL));
  auto expect_error = [](const nlohmann::json& doc, const std::string& key) {
    auto r = LearnedPredictorModel::parse(doc.dump(), "test.json");
    ASSERT_FALSE(r.has_value()) << "accepted a model with a bad " << key;
    EXPECT_NE(r.error().find(key), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("test.json"), std::string::npos) << r.error();
  };
  {
    auto doc = good;
    doc.erase("input_std");
    expect_error(doc, "'input_std'");
  }
  {
    auto doc = good;
    doc["input_mean"].erase(0);
    expect_error(doc, "'input_mean'");
  }
  {
    auto doc = good;
    doc["layers"][1]["inputs"] = 7;
    expect_error(doc, "'layers[1].inputs'");
  }
  {
    auto doc = good;
    doc["layers"][0]["weight"][3].erase(0);
    expect_error(doc, "'layers[0].weight[3]'");
  }
  {
    auto doc = good;
    doc["features"]["history"] = 5;
    expect_error(doc, "'features.history'");
  }
  {
    auto doc = good;
    doc["window"]["z"] = "wide";
    expect_error(doc, "'window.z'");
  }
  {
    auto doc = good;
    doc["format"] = "something-else/2";
    expect_error(doc, "'format'");
  }
  auto missing = LearnedPredictorModel::load("/nonexistent/model.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("/nonexistent/model.json"), std::string::npos);
  EXPECT_FALSE(LearnedPredictorModel::parse("{ not json", "x").has_value());
}

TEST(LearnedPredictor, CreationRejectsAModelWithInconsistentShapes) {
  EXPECT_FALSE(make_learned_predictor(LearnedPredictorModel{}, 4).has_value());
  LearnedPredictorModel broken = shipped_model();
  broken.layers[1].weight.pop_back();
  auto p = make_learned_predictor(broken, 4);
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().find("layers[1]"), std::string::npos) << p.error();
}

TEST(LearnedPredictor, UnknownUntilEnoughHistoryAndIgnoresBadFlows) {
  auto p = cpu_predictor(2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->flows(), 2u);
  EXPECT_FALSE(p->forecast(0, 0).known);
  p->observe(0, 1 * kMs);
  p->observe(0, 2 * kMs);
  EXPECT_FALSE(p->forecast(0, 2 * kMs).known) << "one gap is not enough";
  p->observe(0, 3 * kMs);
  EXPECT_TRUE(p->forecast(0, 3 * kMs).known);
  p->observe(7, 1 * kMs);  // out of range: ignored
  EXPECT_FALSE(p->forecast(7, 1 * kMs).known);
  EXPECT_FALSE(p->forecast(1, 3 * kMs).known);
}

TEST(LearnedPredictor, StrictlyPeriodicFlowIsForecastWithinItsPeriod) {
  auto p = cpu_predictor(1);
  ASSERT_TRUE(p);
  std::int64_t t = 5 * kMs;
  for (int i = 0; i < 50; ++i, t += 2 * kMs) p->observe(0, t);
  const std::int64_t last = t - 2 * kMs;
  const ArrivalForecast f = p->forecast(0, last);
  ASSERT_TRUE(f.known);
  EXPECT_LE(std::llabs(f.next_ns - t), f.spread_ns) << "the next arrival is inside the window";
  EXPECT_LT(f.spread_ns, 1 * kMs) << "a clean period gives a window tighter than half a period";
  // Long after a missed arrival the window has moved on, not stayed in the past.
  const std::int64_t late = last + 9 * kMs;
  const ArrivalForecast moved = p->forecast(0, late);
  ASSERT_TRUE(moved.known);
  EXPECT_GE(moved.next_ns + moved.spread_ns, late);
}

TEST(LearnedPredictor, CudaWithoutADeviceFailsWithTheReason) {
  const std::string reason = learned_predictor_cuda_unavailable_reason();
  auto p = make_learned_predictor(shipped_model(), 4, InferenceBackend::cuda);
  if (reason.empty()) {
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error());
    GTEST_SKIP() << "a CUDA device is present; the CUDA path is checked by gpu_tests";
  }
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().find(reason), std::string::npos) << p.error();
}

// The EWMA baseline of arrival_predictor.hpp, with RFC 6298's constants (alpha 1/8, beta 1/4,
// spread = 4 x deviation), as the training script compares against.
struct EwmaBaseline {
  std::int64_t last = 0;
  int gaps = -1;
  double period = 0.0;
  double deviation = 0.0;
  void observe(std::int64_t t) {
    if (gaps >= 0) {
      const double gap = static_cast<double>(t - last);
      if (gaps == 0) {
        period = gap;
        deviation = gap / 2;
      } else {
        deviation += 0.25 * (std::abs(gap - period) - deviation);
        period += 0.125 * (gap - period);
      }
    }
    ++gaps;
    last = t;
  }
};

struct WindowScore {
  long arrivals = 0;
  long covered = 0;
  double width_ns = 0.0;
  double coverage() const { return arrivals ? static_cast<double>(covered) / static_cast<double>(arrivals) : 0.0; }
  double mean_width_us() const { return arrivals ? width_ns / static_cast<double>(arrivals) / 1e3 : 0.0; }
  void add(std::int64_t actual, std::int64_t next, double spread) {
    ++arrivals;
    covered += std::abs(static_cast<double>(actual - next)) <= spread ? 1 : 0;
    width_ns += 2.0 * spread;
  }
};

// Held-out traffic (scenario and traffic seed 77; training used 1..4): each flow's next
// arrival is forecast right after the previous one, once both predictors have 8 gaps.
TEST(LearnedPredictor, HeldOutBurstyFlowsAgainstEwmaBaseline) {
  auto scenario = factory_scenario("factory-10", 77);
  ASSERT_TRUE(scenario.has_value());
  const auto& flows = scenario->flows;
  auto generator = TrafficGenerator::create(flows, 77);
  ASSERT_TRUE(generator.has_value());
  std::vector<Packet> packets;
  generator->generate_until(20 * kSecond, packets);

  auto learned = cpu_predictor(flows.size());
  ASSERT_TRUE(learned);
  std::vector<EwmaBaseline> baseline(flows.size());
  std::vector<ArrivalForecast> pending(flows.size());
  std::vector<int> gaps_seen(flows.size(), -1);
  WindowScore learned_bursty, baseline_bursty, learned_plain, baseline_plain;
  // Per bursty arrival: the baseline's error over its deviation, to find the k that gives the
  // baseline the learned predictor's coverage.
  std::vector<double> baseline_ratio;
  std::vector<double> baseline_deviation;
  for (const Packet& p : packets) {
    const std::size_t f = p.flow_id;
    EwmaBaseline& b = baseline[f];
    if (gaps_seen[f] >= 8 && pending[f].known) {
      const bool bursty = flows[f].burst.enabled();
      const auto baseline_next = b.last + static_cast<std::int64_t>(std::llround(b.period));
      (bursty ? learned_bursty : learned_plain).add(p.arrival_ns, pending[f].next_ns, static_cast<double>(pending[f].spread_ns));
      (bursty ? baseline_bursty : baseline_plain).add(p.arrival_ns, baseline_next, 4.0 * b.deviation);
      if (bursty) {
        baseline_ratio.push_back(std::abs(static_cast<double>(p.arrival_ns - baseline_next)) / std::max(b.deviation, 1e-9));
        baseline_deviation.push_back(b.deviation);
      }
    }
    learned->observe(p.flow_id, p.arrival_ns);
    b.observe(p.arrival_ns);
    ++gaps_seen[f];
    pending[f] = learned->forecast(p.flow_id, p.arrival_ns);
  }
  ASSERT_GT(learned_bursty.arrivals, 10000);
  ASSERT_EQ(static_cast<std::size_t>(learned_bursty.arrivals), baseline_ratio.size());

  // The baseline at the learned predictor's coverage, k chosen on these very arrivals (which
  // favours the baseline): the smallest k that covers as many.
  std::vector<double> sorted = baseline_ratio;
  std::sort(sorted.begin(), sorted.end());
  const auto needed = static_cast<std::size_t>(std::ceil(learned_bursty.coverage() * static_cast<double>(sorted.size())));
  const double matched_k = sorted[std::min(sorted.size() - 1, needed > 0 ? needed - 1 : 0)];
  WindowScore matched;
  for (std::size_t i = 0; i < baseline_ratio.size(); ++i) {
    ++matched.arrivals;
    matched.covered += baseline_ratio[i] <= matched_k ? 1 : 0;
    matched.width_ns += 2.0 * matched_k * baseline_deviation[i];
  }

  std::printf("bursty flows, %ld arrivals: learned coverage %.4f width %.1f us | EWMA k=4 coverage %.4f width %.1f us | "
              "EWMA k=%.2f (matched) coverage %.4f width %.1f us\n",
              learned_bursty.arrivals, learned_bursty.coverage(), learned_bursty.mean_width_us(), baseline_bursty.coverage(),
              baseline_bursty.mean_width_us(), matched_k, matched.coverage(), matched.mean_width_us());
  std::printf("non-bursty flows, %ld arrivals: learned coverage %.4f width %.1f us | EWMA k=4 coverage %.4f width %.1f us\n",
              learned_plain.arrivals, learned_plain.coverage(), learned_plain.mean_width_us(), baseline_plain.coverage(),
              baseline_plain.mean_width_us());

  // Measured with the shipped model (seed 77, 20 s, 149,448 bursty arrivals): learned coverage
  // 0.960 in a 566 us window; EWMA k=4 0.990 in 2104 us; EWMA at the learned coverage (k=2.85)
  // 0.960 in 1498 us. So against k=4 the learned window is NOT at least as good on both counts:
  // it misses more arrivals (it is calibrated for 95 %) in a window 3.7x tighter. At equal
  // coverage it is 2.6x tighter. The asserts keep these relations with some margin.
  EXPECT_GE(learned_bursty.coverage(), 0.95) << "the calibrated target coverage";
  EXPECT_LT(learned_bursty.coverage(), baseline_bursty.coverage()) << "if this fails the model improved: tighten the test";
  EXPECT_LT(learned_bursty.mean_width_us(), 0.5 * baseline_bursty.mean_width_us());
  EXPECT_GE(matched.coverage(), learned_bursty.coverage());
  EXPECT_LT(learned_bursty.mean_width_us(), 0.5 * matched.mean_width_us());
}

TEST(LearnedPredictor, ObserveAndForecastDoNotAllocate) {
#if defined(AIRAN_TEST_ASAN)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#else
  auto scenario = factory_scenario("factory-10", 3);
  ASSERT_TRUE(scenario.has_value());
  auto generator = TrafficGenerator::create(scenario->flows, 3);
  ASSERT_TRUE(generator.has_value());
  std::vector<Packet> packets;
  generator->generate_until(2 * kSecond, packets);
  auto p = cpu_predictor(scenario->flows.size());
  ASSERT_TRUE(p);
  std::vector<ArrivalForecast> all(scenario->flows.size());
  long known = 0;
  g_allocations = 0;
  g_counting = true;
  for (const Packet& packet : packets) {
    p->observe(packet.flow_id, packet.arrival_ns);
    known += p->forecast(packet.flow_id, packet.arrival_ns).known ? 1 : 0;
  }
  p->forecast_all(2 * kSecond, all);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_GT(known, 0);
#endif
}

}  // namespace
}  // namespace airan::ai

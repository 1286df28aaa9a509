// The learned predictor's batched CUDA forecasts equal the CPU ones. Skips, with the reason,
// where no CUDA device (or no CUDA backend) exists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "airan/ai/learned_predictor.hpp"
#include "airan/ai/traffic.hpp"

namespace airan::ai {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

TEST(LearnedPredictorGpu, ForecastAllMatchesTheCpu) {
  if (const std::string reason = learned_predictor_cuda_unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "no GPU for the learned predictor: " << reason;
  }
  auto model = LearnedPredictorModel::load(AIRAN_ARRIVAL_MODEL);
  ASSERT_TRUE(model.has_value()) << model.error();
  auto scenario = factory_scenario("mixed", 11);
  ASSERT_TRUE(scenario.has_value());
  const std::size_t flows = scenario->flows.size();
  auto generator = TrafficGenerator::create(scenario->flows, 11);
  ASSERT_TRUE(generator.has_value());
  std::vector<Packet> packets;
  generator->generate_until(2 * kSecond, packets);

  auto cpu = make_learned_predictor(*model, flows, InferenceBackend::cpu);
  auto gpu = make_learned_predictor(*model, flows, InferenceBackend::cuda);
  ASSERT_TRUE(cpu.has_value()) << cpu.error();
  ASSERT_TRUE(gpu.has_value()) << gpu.error();
  std::vector<ArrivalForecast> on_cpu(flows), on_gpu(flows);
  std::size_t next_packet = 0;
  int compared = 0;
  // Every 50 ms: feed the packets so far, then compare both batches. Tolerance 1e-4 of the
  // flow's period: float rounding of the same arithmetic, not a different computation.
  for (std::int64_t now = 50 * kMs; now <= 2 * kSecond; now += 50 * kMs) {
    for (; next_packet < packets.size() && packets[next_packet].arrival_ns <= now; ++next_packet) {
      (*cpu)->observe(packets[next_packet].flow_id, packets[next_packet].arrival_ns);
      (*gpu)->observe(packets[next_packet].flow_id, packets[next_packet].arrival_ns);
    }
    (*cpu)->forecast_all(now, on_cpu);
    (*gpu)->forecast_all(now, on_gpu);
    for (std::size_t f = 0; f < flows; ++f) {
      ASSERT_EQ(on_cpu[f].known, on_gpu[f].known) << "flow " << f;
      if (!on_cpu[f].known) continue;
      const double period = static_cast<double>(scenario->flows[f].interval_ns);
      const double tolerance = std::max(1e-4 * period, 2.0);  // +-1 ns of rounding to integers
      EXPECT_NEAR(static_cast<double>(on_cpu[f].next_ns), static_cast<double>(on_gpu[f].next_ns), tolerance) << "flow " << f;
      EXPECT_NEAR(static_cast<double>(on_cpu[f].spread_ns), static_cast<double>(on_gpu[f].spread_ns), tolerance) << "flow " << f;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

}  // namespace
}  // namespace airan::ai

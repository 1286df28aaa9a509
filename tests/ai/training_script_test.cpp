// The training script runs end to end on a tiny dump (1 epoch) and its model loads here and
// reproduces its own reference outputs. Skipped, with the reason, where Debian's python3 has
// no torch (python3-torch is installed only by `scripts/setup.sh --with-training`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "airan/ai/learned_predictor.hpp"

namespace airan::ai {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

TEST(TrainingScript, TrainsOneEpochAndExportsALoadableModel) {
  if (std::system((std::string(kPython) + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << kPython << " cannot import torch (install python3-torch: scripts/setup.sh --with-training)";
  }
  const auto dir = std::filesystem::temp_directory_path() / ("airan-training-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string dump = (dir / "factory-10-seed5.csv").string();
  const std::string model_path = (dir / "model.json").string();
  const std::string dump_cmd =
      std::string(AIRAN_BINARY) + " traffic --scenario factory-10 --seed 5 --duration 2 > " + dump;
  ASSERT_EQ(std::system(dump_cmd.c_str()), 0) << dump_cmd;
  const std::string train_cmd = std::string(kPython) + " " + AIRAN_TRAINER + " --data-dir " + dir.string() +
                                " --train factory-10:5 --validate factory-10:5 --test factory-10:5 --epochs 1" +
                                " --samples-per-flow 200 --out " + model_path + " > " + (dir / "log.txt").string() +
                                " 2>&1";
  ASSERT_EQ(std::system(train_cmd.c_str()), 0) << train_cmd << " (see " << (dir / "log.txt").string() << ")";

  auto model = LearnedPredictorModel::load(model_path);
  ASSERT_TRUE(model.has_value()) << model.error();
  ASSERT_FALSE(model->reference.empty());
  for (const auto& c : model->reference) {
    float out[LearnedPredictorModel::kOutputCount];
    model->evaluate(c.features.data(), out);
    EXPECT_NEAR(out[0], c.outputs[0], 1e-5);
    EXPECT_NEAR(out[1], c.outputs[1], 1e-5);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace airan::ai

// The PUSCH transmitter and receiver against external reference grids (Sionna; see
// tests/data/README.md): every grid reproduced to float32 rounding, and decoded back clean,
// with AWGN and through a random MIMO channel with twice as many receive ports as layers.
#include <gtest/gtest.h>

#include "airan/io/test_vector.hpp"
#include "airan/vectors_check.hpp"

namespace airan::tools {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> pusch_cases() {
  std::vector<std::string> names;
  auto cases = io::list_test_vectors(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "pusch_tx");
  if (cases) {
    for (const auto& path : *cases) names.push_back(path.stem().string());
  }
  return names;
}

class PuschTxVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(PuschTxVectors, TransmitterAndReceiverPass) {
  auto vector = io::load_test_vector(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "pusch_tx" / (GetParam() + ".json"));
  ASSERT_TRUE(vector) << vector.error().message;
  const VectorCaseReport report = check_vector_case(*vector, VectorCheckOptions{});
  EXPECT_EQ(report.kind, "pusch_tx");
  ASSERT_EQ(report.checks.size(), 5U) << report.summary;
  for (const VectorCheck& check : report.checks) EXPECT_TRUE(check.passed) << check.name << ": " << check.detail;
}

INSTANTIATE_TEST_SUITE_P(PuschTx, PuschTxVectors, ::testing::ValuesIn(pusch_cases()));

TEST(PuschTxVectorsNegative, ChangedConfigIsCaught) {
  auto vector = io::load_test_vector(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "pusch_tx" / "case_000.json");
  ASSERT_TRUE(vector);
  vector->config["pusch"]["dmrs"]["n_scid"] = 1;  // case_000 has n_scid 0: another DMRS sequence
  const VectorCaseReport report = check_vector_case(*vector, VectorCheckOptions{});
  EXPECT_FALSE(report.passed());
}

TEST(PuschTxVectorsCount, AllVendoredCasesFound) { EXPECT_EQ(pusch_cases().size(), 21U); }

}  // namespace
}  // namespace airan::tools

// The UL-SCH chain against external reference vectors (MATLAB 5G Toolbox via Sionna; see
// tests/data/README.md): encoding bit-exact, scrambling bit-exact, decoding clean and noisy.
#include <gtest/gtest.h>

#include "airan/io/test_vector.hpp"
#include "airan/vectors_check.hpp"

namespace airan::tools {
namespace {

namespace fs = std::filesystem;

class UlschVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(UlschVectors, EveryCheckPasses) {
  auto vector = io::load_test_vector(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "ulsch" / (GetParam() + ".json"));
  ASSERT_TRUE(vector) << vector.error().message;
  const VectorCaseReport report = check_vector_case(*vector, VectorCheckOptions{});
  EXPECT_EQ(report.kind, "ulsch");
  ASSERT_EQ(report.checks.size(), 4U);
  for (const VectorCheck& check : report.checks) EXPECT_TRUE(check.passed) << check.name << ": " << check.detail;
}

INSTANTIATE_TEST_SUITE_P(Ulsch, UlschVectors, ::testing::Values("case_000", "case_001", "case_002", "case_003"));

// A corrupted reference must be caught: the checker is not a rubber stamp.
TEST(UlschVectorsNegative, FlippedReferenceBitFails) {
  auto vector = io::load_test_vector(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "ulsch" / "case_003.json");
  ASSERT_TRUE(vector);
  vector->arrays.at("codeword_unscrambled").bytes[100] ^= 1;
  vector->arrays.at("codeword").bytes[7] ^= 1;
  const VectorCaseReport report = check_vector_case(*vector, VectorCheckOptions{});
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.checks[0].passed);
  EXPECT_FALSE(report.checks[1].passed);
}

}  // namespace
}  // namespace airan::tools

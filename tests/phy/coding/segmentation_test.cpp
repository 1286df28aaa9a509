#include "airan/phy/coding/segmentation.hpp"

#include <gtest/gtest.h>

namespace airan::phy {
namespace {

TEST(Segmentation, LiftingSizeTable) {
  EXPECT_EQ(kLiftingSizes.size(), 51U);
  EXPECT_EQ(lifting_set_index(2), 0);
  EXPECT_EQ(lifting_set_index(384), 1);
  EXPECT_EQ(lifting_set_index(320), 2);
  EXPECT_EQ(lifting_set_index(208), 6);
  EXPECT_EQ(lifting_set_index(240), 7);
  EXPECT_EQ(lifting_set_index(17), -1);
  EXPECT_EQ(lifting_set_index(0), -1);
  EXPECT_EQ(lifting_set_index(768), -1);
}

TEST(Segmentation, BaseGraphSelection) {
  EXPECT_EQ(select_base_graph(292, 0.9), BaseGraph::bg2);
  EXPECT_EQ(select_base_graph(293, 0.9), BaseGraph::bg1);
  EXPECT_EQ(select_base_graph(3824, 0.67), BaseGraph::bg2);
  EXPECT_EQ(select_base_graph(3824, 0.68), BaseGraph::bg1);
  EXPECT_EQ(select_base_graph(100000, 0.25), BaseGraph::bg2);
  EXPECT_EQ(select_base_graph(100000, 0.26), BaseGraph::bg1);
}

// The parameters the MATLAB-generated UL-SCH vectors imply (tests/data/vectors/ulsch).
TEST(Segmentation, MatchesReferenceCases) {
  auto s0 = segment_transport_block(9992, BaseGraph::bg1);
  ASSERT_TRUE(s0);
  EXPECT_EQ(s0->num_blocks, 2);
  EXPECT_EQ(s0->tb_crc_bits, 24);
  EXPECT_EQ(s0->k_prime, (9992 + 24 + 2 * 24) / 2);
  EXPECT_EQ(s0->z, 240);
  EXPECT_EQ(s0->k, 22 * 240);

  auto s3 = segment_transport_block(112, BaseGraph::bg2);
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->num_blocks, 1);
  EXPECT_EQ(s3->tb_crc_bits, 16);
  EXPECT_EQ(s3->k_b, 6);  // B = 128 <= 192
  EXPECT_EQ(s3->z, 22);   // smallest Z with 6Z >= 128
  EXPECT_EQ(s3->k, 220);
  EXPECT_EQ(s3->n, 50 * 22);
}

TEST(Segmentation, CodeBlockBoundaries) {
  auto one = segment_transport_block(8448 - 24, BaseGraph::bg1);  // B = 8448: one block
  ASSERT_TRUE(one);
  EXPECT_EQ(one->num_blocks, 1);
  EXPECT_EQ(one->cb_crc_bits, 0);
  auto two = segment_transport_block(8448 - 16, BaseGraph::bg1);  // B = 8456: two blocks
  ASSERT_TRUE(two);
  EXPECT_EQ(two->num_blocks, 2);
  EXPECT_EQ(two->cb_crc_bits, 24);
  auto bg2 = segment_transport_block(3840 - 24, BaseGraph::bg2);
  ASSERT_TRUE(bg2);
  EXPECT_EQ(bg2->num_blocks, 1);
  EXPECT_EQ(bg2->k_b, 10);
}

TEST(Segmentation, Bg2KbThresholds) {
  // B = A + 16 for A <= 3824.
  EXPECT_EQ(segment_transport_block(192 - 16, BaseGraph::bg2)->k_b, 6);
  EXPECT_EQ(segment_transport_block(193 - 16, BaseGraph::bg2)->k_b, 8);
  EXPECT_EQ(segment_transport_block(560 - 16, BaseGraph::bg2)->k_b, 8);
  EXPECT_EQ(segment_transport_block(561 - 16, BaseGraph::bg2)->k_b, 9);
  EXPECT_EQ(segment_transport_block(640 - 16, BaseGraph::bg2)->k_b, 9);
  EXPECT_EQ(segment_transport_block(641 - 16, BaseGraph::bg2)->k_b, 10);
}

TEST(Segmentation, BadInputNamesTheParameter) {
  auto zero = segment_transport_block(0, BaseGraph::bg1);
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("A=0"), std::string::npos);
  auto huge = segment_transport_block(kMaxTransportBlockBits + 1, BaseGraph::bg1);
  ASSERT_FALSE(huge);
  auto bad_bg = segment_transport_block(1000, static_cast<BaseGraph>(7));
  ASSERT_FALSE(bad_bg);
  EXPECT_NE(bad_bg.error().message.find("base graph"), std::string::npos);
}

TEST(LdpcGraph, ShapesAndLookup) {
  auto bg1 = ldpc_graph(BaseGraph::bg1, 384);
  ASSERT_TRUE(bg1);
  EXPECT_EQ((*bg1)->edges.size(), 316U);
  EXPECT_EQ((*bg1)->row(0).size(), 19U);
  EXPECT_EQ((*bg1)->info_bits(), 8448);
  EXPECT_EQ((*bg1)->codeword_bits(), 66 * 384);
  auto bg2 = ldpc_graph(BaseGraph::bg2, 2);
  ASSERT_TRUE(bg2);
  EXPECT_EQ((*bg2)->edges.size(), 197U);
  for (const LdpcEdge& e : (*bg2)->edges) EXPECT_LT(e.shift, 2);
  auto bad = ldpc_graph(BaseGraph::bg1, 385);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("Z=385"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy

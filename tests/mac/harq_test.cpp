#include "airan/mac/harq.hpp"

#include <gtest/gtest.h>

namespace airan::mac {
namespace {

HarqEntity make_entity(int processes = 8, int max_transmissions = 4, int timeout = 10) {
  auto entity = HarqEntity::create(
      HarqConfig{.num_processes = processes, .max_transmissions = max_transmissions, .feedback_timeout_slots = timeout});
  EXPECT_TRUE(entity) << entity.error().message;
  return *entity;
}

TEST(Harq, ValidatesProcessCountAndTransmissions) {
  EXPECT_FALSE(HarqConfig{.num_processes = 7}.validate());
  EXPECT_NE(HarqConfig{.num_processes = 17}.validate().message().find("num_processes=17"), std::string::npos);
  EXPECT_NE(HarqConfig{.max_transmissions = 0}.validate().message().find("max_transmissions=0"), std::string::npos);
  EXPECT_FALSE(HarqConfig{.feedback_timeout_slots = 0}.validate());
  EXPECT_TRUE(HarqConfig{.num_processes = 8}.validate());
  EXPECT_TRUE(HarqConfig{.num_processes = 16}.validate());
}

TEST(Harq, RetransmissionsFollowRvSequenceAndKeepNdi) {
  HarqEntity harq = make_entity(8, 8);
  const HarqTransportBlock tb{.tbs_bytes = 1000, .payload_bytes = 900, .mcs_index = 10, .rb_size = 20};
  auto first = harq.start_new(0, tb, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rv, 0);
  EXPECT_FALSE(first->retransmission);
  const bool ndi = first->ndi;
  const int expected_rv[] = {2, 3, 1, 0, 2, 3, 1};
  for (int k = 0; k < 7; ++k) {
    EXPECT_EQ(harq.on_feedback(0, false), HarqOutcome::will_retransmit);
    EXPECT_EQ(harq.next_retransmission(), 0);
    auto re = harq.start_retransmission(0, k + 1);
    ASSERT_TRUE(re);
    EXPECT_EQ(re->rv, expected_rv[k]) << "retransmission " << k + 1;
    EXPECT_EQ(re->ndi, ndi);
    EXPECT_TRUE(re->retransmission);
    EXPECT_EQ(harq.process(0).tb.tbs_bytes, 1000);
  }
  EXPECT_EQ(harq.on_feedback(0, true), HarqOutcome::delivered);
  EXPECT_EQ(harq.counters().new_transmissions, 1);
  EXPECT_EQ(harq.counters().retransmissions, 7);
  EXPECT_EQ(harq.counters().acks, 1);
  EXPECT_EQ(harq.counters().nacks, 7);
}

TEST(Harq, NdiTogglesPerNewTransportBlock) {
  HarqEntity harq = make_entity();
  bool previous = harq.process(3).ndi;
  for (int tb = 0; tb < 4; ++tb) {
    auto tx = harq.start_new(3, {}, tb);
    ASSERT_TRUE(tx);
    EXPECT_NE(tx->ndi, previous);
    previous = tx->ndi;
    EXPECT_EQ(harq.on_feedback(3, true), HarqOutcome::delivered);
  }
}

TEST(Harq, FailsAfterMaxTransmissions) {
  HarqEntity harq = make_entity(8, 4);
  ASSERT_TRUE(harq.start_new(0, {}, 0));
  for (int k = 1; k < 4; ++k) {
    EXPECT_EQ(harq.on_feedback(0, false), HarqOutcome::will_retransmit);
    ASSERT_TRUE(harq.start_retransmission(0, k));
  }
  EXPECT_EQ(harq.on_feedback(0, false), HarqOutcome::failed);  // 4th NACK: 4 transmissions spent
  EXPECT_EQ(harq.process(0).state, HarqState::idle);
  EXPECT_EQ(harq.next_retransmission(), -1);
  EXPECT_EQ(harq.counters().failures, 1);
  EXPECT_FALSE(harq.start_retransmission(0, 5));
  EXPECT_EQ(harq.on_feedback(0, true), HarqOutcome::ignored);  // late feedback changes nothing
  EXPECT_EQ(harq.counters().acks, 0);
}

TEST(Harq, ProcessesRunOutAndComeBack) {
  HarqEntity harq = make_entity(8);
  for (int id = 0; id < 8; ++id) {
    EXPECT_EQ(harq.free_process(), id);
    ASSERT_TRUE(harq.start_new(harq.free_process(), {}, id));
  }
  EXPECT_EQ(harq.free_process(), -1);
  auto busy = harq.start_new(2, {}, 9);
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message.find("busy"), std::string::npos);
  EXPECT_FALSE(harq.start_new(8, {}, 9));  // only 0..7 exist
  EXPECT_EQ(harq.on_feedback(5, true), HarqOutcome::delivered);
  EXPECT_EQ(harq.free_process(), 5);
  EXPECT_EQ(harq.on_feedback(2, false), HarqOutcome::will_retransmit);
  EXPECT_EQ(harq.free_process(), 5);  // a NACKed process stays reserved for its retransmission
}

TEST(Harq, MissingFeedbackTimesOutAsNack) {
  HarqEntity harq = make_entity(8, 2, 10);
  ASSERT_TRUE(harq.start_new(0, {}, 100));
  ASSERT_TRUE(harq.start_new(1, {}, 105));
  EXPECT_EQ(harq.expire(110), 0);  // exactly the timeout: still waiting
  EXPECT_EQ(harq.expire(111), 1);
  EXPECT_EQ(harq.process(0).state, HarqState::pending_retransmission);
  EXPECT_EQ(harq.process(1).state, HarqState::awaiting_feedback);
  EXPECT_EQ(harq.counters().timeouts, 1);
  ASSERT_TRUE(harq.start_retransmission(0, 112));
  // Both unanswered now: process 0 spent its 2 transmissions and fails, process 1 may retransmit.
  EXPECT_EQ(harq.expire(123), 2);
  EXPECT_EQ(harq.process(0).state, HarqState::idle);
  EXPECT_EQ(harq.process(1).state, HarqState::pending_retransmission);
  EXPECT_EQ(harq.counters().failures, 1);
}

TEST(Harq, OldestRetransmissionFirst) {
  HarqEntity harq = make_entity();
  ASSERT_TRUE(harq.start_new(0, {}, 20));
  ASSERT_TRUE(harq.start_new(1, {}, 10));
  harq.on_feedback(0, false);
  harq.on_feedback(1, false);
  EXPECT_EQ(harq.next_retransmission(), 1);
}

}  // namespace
}  // namespace airan::mac

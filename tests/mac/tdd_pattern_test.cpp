#include "airan/mac/tdd_pattern.hpp"

#include <gtest/gtest.h>

namespace airan::mac {
namespace {

void expect_error_mentions(const Status& status, const char* needle) {
  ASSERT_FALSE(status) << needle;
  EXPECT_NE(status.message().find(needle), std::string::npos) << status.message();
}

TEST(TddPattern, ConfigResolvesSlotTypesAndSymbols) {
  // 2.5 ms at 30 kHz: 5 slots, DDDSU with 10 DL and 2 UL symbols in the special slot.
  TddConfig config{.numerology = 1, .period_us = 2500, .downlink_slots = 3, .downlink_symbols = 10,
                   .uplink_slots = 1, .uplink_symbols = 2};
  auto pattern = TddPattern::create(config);
  ASSERT_TRUE(pattern) << pattern.error().message;
  EXPECT_EQ(pattern->period_slots(), 5);
  EXPECT_EQ(pattern->to_string(), "DDDSU:10,2");
  const SlotType expected[] = {SlotType::downlink, SlotType::downlink, SlotType::downlink, SlotType::special,
                               SlotType::uplink};
  for (int slot = 0; slot < 15; ++slot) EXPECT_EQ(pattern->slot_type(slot), expected[slot % 5]) << slot;
  EXPECT_EQ(pattern->downlink_symbols(3), 10);
  EXPECT_EQ(pattern->uplink_symbols(3), 2);
  EXPECT_EQ(pattern->first_uplink_symbol(3), 12);
  EXPECT_EQ(pattern->downlink_symbols(0), 14);
  EXPECT_EQ(pattern->uplink_symbols(0), 0);
  EXPECT_EQ(pattern->uplink_symbols(9), 14);
  EXPECT_EQ(pattern->downlink_symbols(9), 0);
}

TEST(TddPattern, SeveralSpecialSlotsSplitTheSymbols) {
  // 5 ms at 30 kHz = 10 slots: 6 D, 2 S, 2 U; DL symbols in the first S, UL symbols in the last.
  TddConfig config{.numerology = 1, .period_us = 5000, .downlink_slots = 6, .downlink_symbols = 6,
                   .uplink_slots = 2, .uplink_symbols = 4};
  auto pattern = TddPattern::create(config);
  ASSERT_TRUE(pattern) << pattern.error().message;
  EXPECT_EQ(pattern->to_string(), "DDDDDDSSUU:6,4");
  EXPECT_EQ(pattern->downlink_symbols(6), 6);
  EXPECT_EQ(pattern->uplink_symbols(6), 0);
  EXPECT_EQ(pattern->downlink_symbols(7), 0);
  EXPECT_EQ(pattern->uplink_symbols(7), 4);
}

TEST(TddPattern, ParseAndFormatRoundTrip) {
  for (auto [text, mu] : {std::pair{"DDDSU", 1}, std::pair{"DDDSU:10,2", 1}, std::pair{"DDDDDDDSUU:6,4", 1},
                          std::pair{"DU", 1}, std::pair{"DDSUU:12,2", 3}, std::pair{"DDDDDDDSSU:4,4", 0}}) {
    auto pattern = TddPattern::parse(text, mu);
    ASSERT_TRUE(pattern) << text << ": " << pattern.error().message;
    EXPECT_EQ(pattern->to_string(), text);
  }
  auto pattern = TddPattern::parse("DDDSU", 1);
  EXPECT_EQ(pattern->config().period_us, 2500);
  EXPECT_EQ(pattern->config().downlink_slots, 3);
  EXPECT_EQ(pattern->config().uplink_slots, 1);
  EXPECT_EQ(pattern->downlink_symbols(3), 0);  // no ':' part: the special slot is all guard
  // 0.625 ms needs 120 kHz: 5 slots.
  auto fr2 = TddPattern::parse("DDDSU", 3);
  ASSERT_TRUE(fr2);
  EXPECT_EQ(fr2->config().period_us, 625);
}

TEST(TddPattern, ParseErrorsSayWhatIsWrong) {
  expect_error_mentions(TddPattern::parse("DDUSD", 1).status(), "position 3");
  expect_error_mentions(TddPattern::parse("DDXSU", 1).status(), "'X' at position 2");
  expect_error_mentions(TddPattern::parse("DDD", 1).status(), "not a 38.331 period");  // 1.5 ms
  expect_error_mentions(TddPattern::parse("DDDSU:10", 1).status(), "<dl symbols>,<ul symbols>");
  expect_error_mentions(TddPattern::parse("DDDSU:a,2", 1).status(), "downlink symbols 'a'");
  expect_error_mentions(TddPattern::parse("DDDDU:2,2", 1).status(), "no S slot");
  expect_error_mentions(TddPattern::parse("DDDSU:10,6", 1).status(), "exceed the 14 symbols");
  expect_error_mentions(TddPattern::parse("", 1).status(), "no slots");
}

TEST(TddPattern, ValidationNamesTheProblem) {
  TddConfig c;
  c.period_us = 3000;
  expect_error_mentions(c.validate(), "period_us=3000");
  c = TddConfig{.numerology = 0, .period_us = 500, .downlink_slots = 0, .downlink_symbols = 0, .uplink_slots = 0,
                .uplink_symbols = 0};
  expect_error_mentions(c.validate(), "not a whole number of slots");
  c = TddConfig{.numerology = 2, .period_us = 625};  // 2.5 slots at 60 kHz
  expect_error_mentions(c.validate(), "not a whole number of slots");
  c = TddConfig{.numerology = 1, .period_us = 2500, .downlink_slots = 4, .downlink_symbols = 0, .uplink_slots = 2,
                .uplink_symbols = 0};
  expect_error_mentions(c.validate(), "exceed the period of 5 slots");
  c = TddConfig{.numerology = 1, .period_us = 2500, .downlink_slots = 4, .downlink_symbols = 2, .uplink_slots = 1,
                .uplink_symbols = 0};
  expect_error_mentions(c.validate(), "downlink_symbols=2");
  c = TddConfig{.numerology = 1, .period_us = 2500, .downlink_slots = 3, .downlink_symbols = 14, .uplink_slots = 1,
                .uplink_symbols = 0};
  expect_error_mentions(c.validate(), "downlink_symbols=14 is outside 0..13");
  c = TddConfig{.numerology = 5};
  expect_error_mentions(c.validate(), "numerology=5");
  EXPECT_TRUE(TddConfig{}.validate());  // the default: 5 ms, 7 D, 6+4 symbols, 2 U at 30 kHz
}

}  // namespace
}  // namespace airan::mac

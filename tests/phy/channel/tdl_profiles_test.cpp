#include "airan/phy/channel/tdl_profiles.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>

namespace airan::phy {
namespace {

// The embedded table must equal phy/data/channel/tdl.json, entry for entry.
TEST(TdlProfiles, EmbeddedTableEqualsJsonFile) {
  const std::string path = AIRAN_TEST_DATA_DIR "/../../phy/data/channel/tdl.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  const nlohmann::json doc = nlohmann::json::parse(in);
  const auto& profiles = doc.at("profiles");
  std::set<std::string> seen;
  for (const TdlProfile& p : tdl_profiles()) {
    const std::string name(p.name);
    ASSERT_TRUE(profiles.contains(name)) << name << " is embedded but not in " << path;
    seen.insert(name);
    const auto& j = profiles.at(name);
    EXPECT_EQ(j.at("delays_unit").get<std::string>(), p.delays_in_ns ? "ns" : "normalized") << name;
    EXPECT_EQ(j.at("los").get<bool>(), p.los) << name;
    const auto delays = j.at("delays").get<std::vector<double>>();
    const auto powers = j.at("powers_db").get<std::vector<double>>();
    ASSERT_EQ(delays.size(), p.delays.size()) << name;
    ASSERT_EQ(powers.size(), p.powers_db.size()) << name;
    for (std::size_t i = 0; i < delays.size(); ++i) {
      EXPECT_EQ(delays[i], p.delays[i]) << name << " delay " << i;
      EXPECT_EQ(powers[i], p.powers_db[i]) << name << " power " << i;
    }
  }
  EXPECT_EQ(seen.size(), profiles.size()) << "the JSON file has profiles the table lacks";
}

TEST(TdlProfiles, LookupByName) {
  for (const char* name : {"TDL-A", "tdl-a", "tdl_a", "TDLA", "tdla30", "TDLC300", "tdl-e"}) {
    auto p = find_tdl_profile(name);
    ASSERT_TRUE(p) << name;
  }
  EXPECT_EQ(find_tdl_profile("tdlb100")->delays.size(), 12U);
  EXPECT_EQ(find_tdl_profile("tdl-c")->delays.size(), 24U);
  EXPECT_TRUE(find_tdl_profile("tdl-d")->los);
  auto bad = find_tdl_profile("tdl-z");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("tdl-z"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy

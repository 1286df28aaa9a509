#include "airan/io/test_vector.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace airan::io {
namespace {

namespace fs = std::filesystem;

class TestVectorFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("airan_vector_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  fs::path dir_;
};

TEST(TestVector, LoadsTheVendoredUlschCases) {
  auto cases = list_test_vectors(fs::path(AIRAN_TEST_DATA_DIR) / "vectors" / "ulsch");
  ASSERT_TRUE(cases);
  ASSERT_EQ(cases->size(), 4U);
  auto v = load_test_vector(cases->front());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->name, "case_000");
  EXPECT_EQ(v->config["tbs"], 9992);
  auto bits = v->bits("tb_bits");
  ASSERT_TRUE(bits);
  EXPECT_EQ(bits->size(), 9992U);
  EXPECT_FALSE(v->complex_values("tb_bits"));  // wrong dtype
  EXPECT_FALSE(v->bits("no_such_array"));
}

TEST_F(TestVectorFiles, ErrorsNameTheFileAndField) {
  write("a.json", "{not json");
  auto bad_json = load_test_vector(dir_ / "a.json");
  ASSERT_FALSE(bad_json);
  EXPECT_NE(bad_json.error().message.find("a.json"), std::string::npos);

  write("b.json", R"({"format": "other/1", "config": {}, "arrays": {}})");
  EXPECT_NE(load_test_vector(dir_ / "b.json").error().message.find("format"), std::string::npos);

  write("c.json", R"({"format": "airan-vector/1", "config": {}, "arrays": {"x": {"file": "c.x.bin", "dtype": "u8", "shape": [4]}}})");
  write("c.x.bin", "abc");  // 3 bytes, shape says 4
  auto short_file = load_test_vector(dir_ / "c.json");
  ASSERT_FALSE(short_file);
  EXPECT_NE(short_file.error().message.find("3 bytes"), std::string::npos) << short_file.error().message;

  write("d.json", R"({"format": "airan-vector/1", "config": {}, "arrays": {"x": {"file": "../etc/passwd", "dtype": "u8", "shape": [1]}}})");
  EXPECT_FALSE(load_test_vector(dir_ / "d.json"));

  write("e.json", R"({"format": "airan-vector/1", "config": {}, "arrays": {"x": {"file": "e.x.bin", "dtype": "f16", "shape": [1]}}})");
  EXPECT_NE(load_test_vector(dir_ / "e.json").error().message.find("dtype"), std::string::npos);

  write("f.json", R"({"format": "airan-vector/1", "config": {}, "arrays": {"x": {"file": "f.x.bin", "dtype": "u8", "shape": [2]}}})");
  write("f.x.bin", std::string("\x01\x07", 2));
  auto not_bits = load_test_vector(dir_ / "f.json");
  ASSERT_TRUE(not_bits);
  EXPECT_FALSE(not_bits->bits("x"));

  EXPECT_FALSE(list_test_vectors(dir_ / "missing"));
  EXPECT_FALSE(load_test_vector(dir_ / "missing.json"));
}

}  // namespace
}  // namespace airan::io

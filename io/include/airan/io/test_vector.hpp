// Reader of the `airan-vector/1` test-vector format: one JSON file per case plus raw
// little-endian binary arrays (see tests/data/README.md).
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/phy/expected.hpp"

namespace airan::io {

struct VectorArray {
  std::string dtype;  // "u8" or "c64"
  std::vector<std::size_t> shape;
  std::vector<std::string> axes;
  std::vector<std::uint8_t> bytes;  // raw file contents, size checked against shape and dtype

  std::size_t elements() const;
};

struct TestVector {
  std::filesystem::path json_path;
  std::string name;  // file stem, e.g. "case_000"
  std::string provenance;
  nlohmann::json config;
  std::map<std::string, VectorArray> arrays;

  bool has(const std::string& array) const { return arrays.count(array) != 0; }
  // The array as unpacked bits; an error when missing, not u8, or holding values other than 0/1.
  Expected<std::span<const std::uint8_t>> bits(const std::string& array) const;
  // The array as complex float32 values; an error when missing or not c64.
  Expected<std::vector<std::complex<float>>> complex_values(const std::string& array) const;
};

// Loads one case; every error names the file and the field that is wrong.
Expected<TestVector> load_test_vector(const std::filesystem::path& json_path);

// The case files (*.json) of a directory, sorted by name.
Expected<std::vector<std::filesystem::path>> list_test_vectors(const std::filesystem::path& directory);

}  // namespace airan::io

#include "airan/io/test_vector.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace airan::io {
namespace {

constexpr std::string_view kFormat = "airan-vector/1";

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "u8") return 1;
  if (dtype == "c64") return 8;
  return 0;
}

Expected<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open", path.string())};
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{fmt::format("{}: read error", path.string())};
  return bytes;
}

Expected<VectorArray> parse_array(const std::filesystem::path& json_path, const std::string& name,
                                  const nlohmann::json& j) {
  const std::string where = fmt::format("{}: arrays.{}", json_path.string(), name);
  if (!j.is_object()) return Error{where + " is not an object"};
  for (const char* key : {"file", "dtype", "shape"}) {
    if (!j.contains(key)) return Error{fmt::format("{}.{} is missing", where, key)};
  }
  if (!j["file"].is_string() || !j["dtype"].is_string() || !j["shape"].is_array()) {
    return Error{where + ": file and dtype must be strings and shape an array"};
  }
  VectorArray array;
  array.dtype = j["dtype"].get<std::string>();
  if (dtype_size(array.dtype) == 0) {
    return Error{fmt::format("{}.dtype '{}' is not one of u8, c64", where, array.dtype)};
  }
  for (const auto& extent : j["shape"]) {
    if (!extent.is_number_unsigned()) return Error{where + ".shape holds a value that is not a non-negative integer"};
    array.shape.push_back(extent.get<std::size_t>());
  }
  if (j.contains("axes") && j["axes"].is_array()) {
    for (const auto& axis : j["axes"]) array.axes.push_back(axis.is_string() ? axis.get<std::string>() : "");
  }
  const std::string file = j["file"].get<std::string>();
  if (file.find('/') != std::string::npos || file.find("..") != std::string::npos) {
    return Error{fmt::format("{}.file '{}' must name a file beside the JSON", where, file)};
  }
  auto bytes = read_file(json_path.parent_path() / file);
  if (!bytes) return bytes.error();
  array.bytes = std::move(*bytes);
  const std::size_t expected = array.elements() * dtype_size(array.dtype);
  if (array.bytes.size() != expected) {
    return Error{fmt::format("{}: file {} has {} bytes, shape and dtype need {}", where, file, array.bytes.size(),
                             expected)};
  }
  return array;
}

}  // namespace

std::size_t VectorArray::elements() const {
  std::size_t n = 1;
  for (std::size_t extent : shape) n *= extent;
  return n;
}

Expected<std::span<const std::uint8_t>> TestVector::bits(const std::string& array) const {
  const auto it = arrays.find(array);
  if (it == arrays.end()) return Error{fmt::format("{}: array '{}' is missing", json_path.string(), array)};
  if (it->second.dtype != "u8") {
    return Error{fmt::format("{}: array '{}' has dtype {}, expected u8", json_path.string(), array, it->second.dtype)};
  }
  const auto& bytes = it->second.bytes;
  if (std::any_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b > 1; })) {
    return Error{fmt::format("{}: array '{}' holds values other than 0 and 1", json_path.string(), array)};
  }
  return std::span<const std::uint8_t>(bytes);
}

Expected<std::vector<std::complex<float>>> TestVector::complex_values(const std::string& array) const {
  const auto it = arrays.find(array);
  if (it == arrays.end()) return Error{fmt::format("{}: array '{}' is missing", json_path.string(), array)};
  if (it->second.dtype != "c64") {
    return Error{fmt::format("{}: array '{}' has dtype {}, expected c64", json_path.string(), array, it->second.dtype)};
  }
  std::vector<std::complex<float>> values(it->second.elements());
  std::memcpy(values.data(), it->second.bytes.data(), it->second.bytes.size());  // little-endian host assumed
  return values;
}

Expected<TestVector> load_test_vector(const std::filesystem::path& json_path) {
  auto text = read_file(json_path);
  if (!text) return text.error();
  nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{fmt::format("{}: not valid JSON", json_path.string())};
  if (!j.is_object()) return Error{fmt::format("{}: top level is not an object", json_path.string())};
  if (!j.contains("format") || j["format"] != kFormat) {
    return Error{fmt::format("{}: format is not \"{}\"", json_path.string(), kFormat)};
  }
  if (!j.contains("config") || !j["config"].is_object()) {
    return Error{fmt::format("{}: config is missing or not an object", json_path.string())};
  }
  if (!j.contains("arrays") || !j["arrays"].is_object()) {
    return Error{fmt::format("{}: arrays is missing or not an object", json_path.string())};
  }
  TestVector vector;
  vector.json_path = json_path;
  vector.name = json_path.stem().string();
  vector.provenance = j.value("provenance", "");
  vector.config = j["config"];
  for (const auto& [name, array_json] : j["arrays"].items()) {
    auto array = parse_array(json_path, name, array_json);
    if (!array) return array.error();
    vector.arrays.emplace(name, std::move(*array));
  }
  return vector;
}

Expected<std::vector<std::filesystem::path>> list_test_vectors(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return Error{fmt::format("{}: not a directory", directory.string())};
  }
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") cases.push_back(entry.path());
  }
  if (ec) return Error{fmt::format("{}: {}", directory.string(), ec.message())};
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace airan::io

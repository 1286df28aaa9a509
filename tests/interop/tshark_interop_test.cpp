// Packets airan writes decode in Wireshark's O-RAN dissector (tshark 4.0, Debian): frame,
// subframe, slot, symbol and section fields, and the BFP exponents and IQ values of BFP9,
// BFP14 and uncompressed traces, against what airan packed. Skipped when tshark is missing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/io/pcap.hpp"

namespace airan::io {
namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

bool have_tshark() { return std::system("tshark --version > /dev/null 2>&1") == 0; }

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!s.empty() && s.back() == separator) parts.emplace_back();
  return parts;
}

struct Case {
  const char* name;
  CompressionMethod method;
  int width;
  bool dynamic;
  const char* wireshark_method;
};

class TsharkInterop : public ::testing::TestWithParam<Case> {};

TEST_P(TsharkInterop, DissectorSeesWhatAiranPacked) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed (scripts/setup.sh installs it)";
  const Case& k = GetParam();
  FronthaulConfig config;
  config.numerology = 1;
  config.carrier_prbs = 12;
  config.eaxc_ids = {0x1234, 0x1235};  // DU port 1, band sector 2, CC 3, RU ports 4 and 5 (4/4/4/4)
  config.uplane.uplink.dynamic = k.dynamic;
  config.uplane.uplink.static_comp = make_ud_comp_hdr(k.width, k.method);
  auto packer = *UplanePacker::create(config);

  std::mt19937 engine(static_cast<unsigned>(k.width));
  std::normal_distribution<float> normal(0.0F, 0.5F);
  phy::ResourceGrid grid(2, 14, 12 * 12);
  for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
  const SlotTime time{77, 6, 1};
  const auto path =
      std::filesystem::temp_directory_path() / (std::string("airan_tshark_") + k.name + std::to_string(::getpid()) + ".pcap");
  {
    auto writer = *PcapWriter::create(path.string(), PcapFormat::pcap);
    ASSERT_TRUE(packer.pack_slot(grid, time, [&](std::span<const std::uint8_t> bytes, int) {
      ASSERT_TRUE(writer.write(bytes, 1'000'000));
    }));
    ASSERT_TRUE(writer.close());
  }
  const std::string command =
      "tshark -r " + path.string() + " -o oran_fh_cus.oran.iq_bitwidth_up:" + std::to_string(k.width) +
      " -o 'oran_fh_cus.oran.ud_comp_up:" + k.wireshark_method + "'" +
      " -o oran_fh_cus.oran.ud_comp_hdr_up:" + (k.dynamic ? "TRUE" : "FALSE") +
      " -o oran_fh_cus.oran.du_port_id_bits:4 -o oran_fh_cus.oran.bandsector_id_bits:4"
      " -o oran_fh_cus.oran.cc_id_bits:4 -o oran_fh_cus.oran.ru_port_id_bits:4"
      " -T fields -E separator=';' -e oran_fh_cus.frameId -e oran_fh_cus.subframe_id -e oran_fh_cus.slotId"
      " -e oran_fh_cus.startSymbolId -e oran_fh_cus.sectionId -e oran_fh_cus.startPrbu -e oran_fh_cus.numPrbu"
      " -e oran_fh_cus.ru_port_id -e oran_fh_cus.exponent -e oran_fh_cus.iSample -e oran_fh_cus.qSample 2>/dev/null";
  const std::string output = run(command);
  std::filesystem::remove(path);
  const auto lines = split(output, '\n');
  ASSERT_GE(lines.size(), 28U) << "tshark printed:\n" << output;

  // What the receiver of these packets must see: the int16 IQ after the compression round trip.
  const CompressionParams params = config.uplane.uplink.static_comp.params();
  std::vector<std::int16_t> iq(12 * 24);
  std::vector<std::int16_t> decoded(iq.size());
  std::vector<std::uint8_t> bytes(12 * static_cast<std::size_t>(compressed_prb_bytes(params)));
  double scale = 0.0;  // Wireshark prints IQ as floats: find its (constant) scale once
  int line_index = 0;
  for (int symbol = 0; symbol < 14; ++symbol) {
    for (int port = 0; port < 2; ++port, ++line_index) {
      const auto f = split(lines[line_index], ';');
      ASSERT_EQ(f.size(), 11U) << lines[line_index];
      EXPECT_EQ(f[0], "77");
      EXPECT_EQ(f[1], "6");
      EXPECT_EQ(f[2], "1");
      EXPECT_EQ(std::stoi(f[3]), symbol);
      EXPECT_EQ(f[4], "1");
      EXPECT_EQ(f[5], "0");
      EXPECT_EQ(f[6], "12");
      EXPECT_EQ(std::stoi(f[7]), 4 + port);
      float_to_iq16(grid.symbol(port, symbol), config.iq_scale, iq);
      compress_prbs(params, iq, bytes);
      ASSERT_TRUE(decompress_prbs(params, bytes, 12, decoded));
      if (k.method == CompressionMethod::block_floating_point) {
        const auto exponents = split(f[8], ',');
        ASSERT_EQ(exponents.size(), 12U);
        for (int prb = 0; prb < 12; ++prb) {
          EXPECT_EQ(std::stoi(exponents[prb]), bfp_exponent(std::span(iq).subspan(prb * 24, 24), k.width))
              << "symbol " << symbol << " PRB " << prb;
        }
      }
      const auto i_values = split(f[9], ',');
      const auto q_values = split(f[10], ',');
      ASSERT_EQ(i_values.size(), 144U);
      ASSERT_EQ(q_values.size(), 144U);
      for (int re = 0; re < 144; ++re) {
        for (int part = 0; part < 2; ++part) {
          const double shown = std::stod(part == 0 ? i_values[re] : q_values[re]);
          const double ours = decoded[2 * re + part];
          if (scale == 0.0 && ours != 0.0) scale = shown / ours;
          // tshark prints 6 significant digits.
          EXPECT_NEAR(shown, ours * scale, std::abs(ours * scale) * 2e-5 + 1e-12)
              << "symbol " << symbol << " port " << port << " RE " << re;
        }
      }
    }
  }
  // The scale Wireshark uses is a power of two (a fixed-point convention, not a mismatch).
  ASSERT_NE(scale, 0.0);
  const double exponent = std::log2(std::abs(scale));
  EXPECT_NEAR(exponent, std::round(exponent), 1e-4) << "scale " << scale;  // from 6 printed digits
}

INSTANTIATE_TEST_SUITE_P(Interop, TsharkInterop,
                         ::testing::Values(Case{"bfp9", CompressionMethod::block_floating_point, 9, true,
                                                "Block Floating Point Compression"},
                                           Case{"bfp14", CompressionMethod::block_floating_point, 14, false,
                                                "Block Floating Point Compression"},
                                           Case{"none16", CompressionMethod::none, 16, false, "No Compression"}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace airan::io

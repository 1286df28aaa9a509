#include "airan/io/pcap.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace airan::io {
namespace {

namespace fs = std::filesystem;

struct TestPacket {
  std::vector<std::uint8_t> bytes;
  std::uint64_t timestamp_ns;
  std::uint32_t original_length;  // 0: bytes.size()
};

class PcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("airan_pcap_") + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::vector<TestPacket> make_packets(std::size_t count, std::size_t max_size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<TestPacket> packets;
  // Timestamps with every nanosecond digit in use, strictly increasing.
  std::uint64_t ts = 1'700'000'000'123'456'789ULL;
  for (std::size_t i = 0; i < count; ++i) {
    TestPacket p;
    p.bytes.resize(1 + rng() % max_size);
    for (auto& b : p.bytes) b = static_cast<std::uint8_t>(rng());
    ts += 1 + rng() % 999'999'999ULL;
    p.timestamp_ns = ts;
    p.original_length = 0;
    packets.push_back(std::move(p));
  }
  return packets;
}

void write_file(const std::string& file, PcapFormat format, const std::vector<TestPacket>& packets) {
  auto writer = PcapWriter::create(file, format);
  ASSERT_TRUE(writer) << writer.error().message;
  for (const auto& p : packets) {
    Status s = writer->write(p.bytes, p.timestamp_ns, p.original_length);
    ASSERT_TRUE(s) << s.message();
  }
  EXPECT_EQ(writer->packets_written(), packets.size());
  Status s = writer->close();
  ASSERT_TRUE(s) << s.message();
}

void expect_same(const std::string& file, const std::vector<TestPacket>& packets) {
  auto reader = PcapReader::open(file);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->link_type(), 1U);
  Packet packet;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    auto more = reader->next(packet);
    ASSERT_TRUE(more) << more.error().message;
    ASSERT_TRUE(*more) << "ended after " << i << " of " << packets.size() << " packets";
    const auto& want = packets[i];
    ASSERT_EQ(packet.data.size(), want.bytes.size()) << "packet " << i;
    EXPECT_TRUE(std::equal(packet.data.begin(), packet.data.end(), want.bytes.begin()))
        << "packet " << i;
    EXPECT_EQ(packet.timestamp_ns, want.timestamp_ns) << "packet " << i;
    EXPECT_EQ(packet.original_length,
              want.original_length == 0 ? want.bytes.size() : want.original_length)
        << "packet " << i;
  }
  auto more = reader->next(packet);
  ASSERT_TRUE(more) << more.error().message;
  EXPECT_FALSE(*more);
  EXPECT_EQ(reader->packets_read(), packets.size());
}

std::vector<std::uint8_t> read_bytes(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& file, const std::vector<std::uint8_t>& bytes, std::size_t n) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
}

std::uint32_t le32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

bool have_tool(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST_F(PcapTest, PcapRoundTripKeepsNanosecondTimestamps) {
  auto packets = make_packets(200, 1600, 1);
  packets.push_back({std::vector<std::uint8_t>(9000, 0xA5), packets.back().timestamp_ns + 1, 0});
  packets.push_back({std::vector<std::uint8_t>(64, 0x11), packets.back().timestamp_ns + 1, 1514});
  packets.push_back({{}, packets.back().timestamp_ns + 7, 0});  // empty record
  const auto file = path("a.pcap");
  write_file(file, PcapFormat::pcap, packets);
  // Classic pcap with the nanosecond magic a1b23c4d, little-endian on this host.
  const auto bytes = read_bytes(file);
  ASSERT_GE(bytes.size(), 24U);
  EXPECT_EQ(le32(bytes, 0), 0xA1B23C4DU);
  expect_same(file, packets);
  auto reader = PcapReader::open(file);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->format(), PcapFormat::pcap);
}

TEST_F(PcapTest, PcapngRoundTripKeepsNanosecondTimestamps) {
  auto packets = make_packets(200, 1600, 2);
  packets.push_back({std::vector<std::uint8_t>(9001, 0x5A), packets.back().timestamp_ns + 1, 0});
  packets.push_back({std::vector<std::uint8_t>(61, 0x22), packets.back().timestamp_ns + 1, 9000});
  packets.push_back({{}, packets.back().timestamp_ns + 3, 0});
  // pcapng timestamps are 64-bit: beyond the 32-bit seconds of classic pcap (year 2160).
  packets.push_back({{1, 2, 3}, 6'000'000'000'000'000'001ULL, 0});
  const auto file = path("a.pcapng");
  write_file(file, PcapFormat::pcapng, packets);
  expect_same(file, packets);
  auto reader = PcapReader::open(file);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->format(), PcapFormat::pcapng);
}

TEST_F(PcapTest, PcapngBlockLayout) {
  const std::vector<TestPacket> packets{{{1, 2, 3, 4, 5}, 0x0000000100000002ULL, 0},
                                        {{9, 8, 7, 6}, 1'000'000'000ULL, 0}};
  const auto file = path("layout.pcapng");
  write_file(file, PcapFormat::pcapng, packets);
  const auto b = read_bytes(file);
  // SHB: type, length 44 (shb_userappl "airan"), byte-order magic, version 1.0, trailer.
  ASSERT_EQ(b.size(), 44U + 32U + (32U + 8U) + (32U + 4U));
  EXPECT_EQ(le32(b, 0), 0x0A0D0D0AU);
  EXPECT_EQ(le32(b, 4), 44U);
  EXPECT_EQ(le32(b, 8), 0x1A2B3C4DU);
  EXPECT_EQ(le32(b, 12), 1U);  // major 1, minor 0
  EXPECT_EQ(le32(b, 40), 44U);
  // IDB at 44: type 1, length 32, linktype 1, snaplen, if_tsresol (9, len 1) = 9, end of options.
  EXPECT_EQ(le32(b, 44), 1U);
  EXPECT_EQ(le32(b, 48), 32U);
  EXPECT_EQ(le32(b, 52), 1U);
  EXPECT_EQ(le32(b, 56), kPcapMaxSnaplen);
  EXPECT_EQ(le32(b, 60), 9U | (1U << 16));
  EXPECT_EQ(b[64], 9U);
  EXPECT_EQ(le32(b, 68), 0U);
  EXPECT_EQ(le32(b, 72), 32U);
  // First EPB at 76: type 6, length 40, interface 0, timestamp high/low, caplen 5, len 5,
  // data padded with 3 zero bytes, trailer length.
  EXPECT_EQ(le32(b, 76), 6U);
  EXPECT_EQ(le32(b, 80), 40U);
  EXPECT_EQ(le32(b, 84), 0U);
  EXPECT_EQ(le32(b, 88), 1U);
  EXPECT_EQ(le32(b, 92), 2U);
  EXPECT_EQ(le32(b, 96), 5U);
  EXPECT_EQ(le32(b, 100), 5U);
  EXPECT_EQ(b[104], 1U);
  EXPECT_EQ(b[109], 0U);
  EXPECT_EQ(b[110], 0U);
  EXPECT_EQ(b[111], 0U);
  EXPECT_EQ(le32(b, 112), 40U);
  EXPECT_EQ(le32(b, 116), 6U);
  EXPECT_EQ(le32(b, 120), 36U);
  EXPECT_EQ(le32(b, b.size() - 4), 36U);
}

TEST_F(PcapTest, EditcapConvertedFilesReadBack) {
  if (!have_tool("editcap")) GTEST_SKIP() << "editcap (Wireshark) is not installed";
  const auto packets = make_packets(50, 1500, 3);
  // Our pcap -> editcap pcapng -> us: libpcap reads Wireshark's pcapng.
  const auto ours_pcap = path("ours.pcap");
  const auto theirs_ng = path("theirs.pcapng");
  write_file(ours_pcap, PcapFormat::pcap, packets);
  ASSERT_EQ(std::system(("editcap -F pcapng '" + ours_pcap + "' '" + theirs_ng + "'").c_str()), 0);
  expect_same(theirs_ng, packets);
  auto reader = PcapReader::open(theirs_ng);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->format(), PcapFormat::pcapng);

  // Our pcapng -> editcap nanosecond pcap -> us: Wireshark accepts our pcapng blocks and
  // sees the same nanosecond timestamps.
  const auto ours_ng = path("ours.pcapng");
  const auto theirs_pcap = path("theirs.pcap");
  write_file(ours_ng, PcapFormat::pcapng, packets);
  ASSERT_EQ(std::system(("editcap -F nsecpcap '" + ours_ng + "' '" + theirs_pcap + "'").c_str()), 0);
  expect_same(theirs_pcap, packets);
}

TEST_F(PcapTest, TsharkReadsOurPcapngTimestamps) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark is not installed";
  const std::vector<TestPacket> packets{{std::vector<std::uint8_t>(60, 0), 1'700'000'000'123'456'789ULL, 0}};
  const auto file = path("ts.pcapng");
  const auto out = path("ts.txt");
  write_file(file, PcapFormat::pcapng, packets);
  ASSERT_EQ(std::system(("tshark -r '" + file + "' -T fields -e frame.time_epoch > '" + out +
                         "' 2>/dev/null")
                            .c_str()),
            0);
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("1700000000.123456789"), std::string::npos) << line;
}

TEST_F(PcapTest, WriterValidatesArguments) {
  const auto file = path("v.pcap");
  auto writer = PcapWriter::create(file, PcapFormat::pcap);
  ASSERT_TRUE(writer);
  std::vector<std::uint8_t> big(kPcapMaxSnaplen + 1);
  Status s = writer->write(big, 0);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("bytes.size() = 262145"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  std::vector<std::uint8_t> small(100);
  s = writer->write(small, 0, 99);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("original_length = 99"), std::string::npos) << s.message();
  s = writer->write(small, (1ULL << 32) * 1'000'000'000ULL);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("timestamp_ns"), std::string::npos) << s.message();
  EXPECT_TRUE(writer->write(small, 5));
  EXPECT_TRUE(writer->close());
  EXPECT_TRUE(writer->close());  // idempotent
  s = writer->write(small, 6);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("closed"), std::string::npos) << s.message();

  auto bad = PcapWriter::create(path("no/such/dir/x.pcapng"), PcapFormat::pcapng);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("no/such/dir/x.pcapng"), std::string::npos);
  auto bad2 = PcapWriter::create(path("no/such/dir/x.pcap"), PcapFormat::pcap);
  ASSERT_FALSE(bad2);
  EXPECT_NE(bad2.error().message.find("no/such/dir/x.pcap"), std::string::npos);
}

TEST_F(PcapTest, WriterMoveAndDestructorClose) {
  const auto file = path("m.pcapng");
  {
    auto writer = PcapWriter::create(file, PcapFormat::pcapng);
    ASSERT_TRUE(writer);
    PcapWriter moved = std::move(*writer);
    EXPECT_TRUE(moved.write(std::vector<std::uint8_t>{1, 2, 3}, 42));
  }  // destructor flushes and closes
  expect_same(file, {{{1, 2, 3}, 42, 0}});
}

TEST_F(PcapTest, OpenErrorsNameTheFile) {
  auto missing = PcapReader::open(path("missing.pcap"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing.pcap"), std::string::npos);

  const auto empty = path("empty.pcap");
  write_bytes(empty, {}, 0);
  auto e = PcapReader::open(empty);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find(empty), std::string::npos) << e.error().message;

  const auto text = path("text.pcap");
  const std::string junk = "this is not a capture file at all, just text\n";
  write_bytes(text, std::vector<std::uint8_t>(junk.begin(), junk.end()), junk.size());
  auto t = PcapReader::open(text);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find(text), std::string::npos) << t.error().message;
}

// Cuts a valid file at every offset: a cut inside the file header fails open(); a cut on a
// record boundary reads the records before it and ends cleanly; any other cut reads the
// records before it, then reports the file and the offset of the broken record.
void check_truncations(const std::string& full, const std::string& cut_file,
                       const std::vector<TestPacket>& packets, std::size_t header_size,
                       const std::vector<std::size_t>& record_sizes) {
  const auto bytes = read_bytes(full);
  std::vector<std::size_t> boundaries{header_size};
  for (std::size_t r : record_sizes) boundaries.push_back(boundaries.back() + r);
  ASSERT_EQ(boundaries.back(), bytes.size());

  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    write_bytes(cut_file, bytes, cut);
    auto reader = PcapReader::open(cut_file);
    if (cut < header_size) {
      ASSERT_FALSE(reader) << "opened a file cut inside its header";
      EXPECT_NE(reader.error().message.find(cut_file), std::string::npos) << reader.error().message;
      continue;
    }
    ASSERT_TRUE(reader) << reader.error().message;
    std::size_t whole = 0;
    while (whole + 1 < boundaries.size() && boundaries[whole + 1] <= cut) ++whole;
    const bool on_boundary = boundaries[whole] == cut;
    Packet packet;
    for (std::size_t i = 0; i < whole; ++i) {
      auto more = reader->next(packet);
      ASSERT_TRUE(more) << more.error().message;
      ASSERT_TRUE(*more);
      ASSERT_EQ(packet.data.size(), packets[i].bytes.size());
      EXPECT_EQ(packet.timestamp_ns, packets[i].timestamp_ns);
    }
    auto last = reader->next(packet);
    if (on_boundary) {
      ASSERT_TRUE(last) << last.error().message;
      EXPECT_FALSE(*last);
    } else {
      ASSERT_FALSE(last) << "read a record cut in the middle";
      const auto& msg = last.error().message;
      EXPECT_NE(msg.find(cut_file), std::string::npos) << msg;
      EXPECT_NE(msg.find("byte offset " + std::to_string(boundaries[whole])), std::string::npos)
          << msg;
      EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
      auto again = reader->next(packet);  // the error sticks
      EXPECT_FALSE(again);
    }
  }
}

TEST_F(PcapTest, TruncatedPcapAtEveryOffset) {
  const auto packets = make_packets(8, 90, 4);
  const auto file = path("t.pcap");
  write_file(file, PcapFormat::pcap, packets);
  std::vector<std::size_t> records;
  for (const auto& p : packets) records.push_back(16 + p.bytes.size());
  check_truncations(file, path("cut.pcap"), packets, 24, records);
}

TEST_F(PcapTest, TruncatedPcapngAtEveryOffset) {
  const auto packets = make_packets(8, 90, 5);
  const auto file = path("t.pcapng");
  write_file(file, PcapFormat::pcapng, packets);
  std::vector<std::size_t> records;
  for (const auto& p : packets) records.push_back(32 + ((p.bytes.size() + 3) & ~std::size_t{3}));
  check_truncations(file, path("cut.pcapng"), packets, 44 + 32, records);
}

// Corrupt bytes anywhere: every read ends, by end of file or by an error naming the file; no
// crash, no hang.
void check_corruptions(const std::string& full, const std::string& bad_file) {
  const auto bytes = read_bytes(full);
  std::mt19937 rng(7);
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (std::uint8_t value : {std::uint8_t{0xFF}, static_cast<std::uint8_t>(rng())}) {
      auto corrupt = bytes;
      corrupt[at] = value;
      write_bytes(bad_file, corrupt, corrupt.size());
      auto reader = PcapReader::open(bad_file);
      if (!reader) {
        EXPECT_NE(reader.error().message.find(bad_file), std::string::npos);
        continue;
      }
      Packet packet;
      for (int guard = 0; guard < 1000; ++guard) {
        auto more = reader->next(packet);
        if (!more) {
          EXPECT_NE(more.error().message.find(bad_file), std::string::npos);
          break;
        }
        if (!*more) break;
        EXPECT_LE(packet.data.size(), 262144U);
      }
    }
  }
}

TEST_F(PcapTest, CorruptPcapNeverCrashes) {
  const auto packets = make_packets(4, 40, 8);
  const auto file = path("c.pcap");
  write_file(file, PcapFormat::pcap, packets);
  check_corruptions(file, path("bad.pcap"));
}

TEST_F(PcapTest, CorruptPcapngNeverCrashes) {
  const auto packets = make_packets(4, 40, 9);
  const auto file = path("c.pcapng");
  write_file(file, PcapFormat::pcapng, packets);
  check_corruptions(file, path("bad.pcapng"));
}

TEST_F(PcapTest, HugeCapturedLengthIsAnError) {
  const auto packets = make_packets(2, 40, 10);
  const auto file = path("h.pcap");
  write_file(file, PcapFormat::pcap, packets);
  auto bytes = read_bytes(file);
  // Record 0 header at 24: ts_sec, ts_nsec, caplen, len. caplen := 0x7fffffff.
  bytes[32] = 0xFF;
  bytes[33] = 0xFF;
  bytes[34] = 0xFF;
  bytes[35] = 0x7F;
  const auto bad = path("h_bad.pcap");
  write_bytes(bad, bytes, bytes.size());
  auto reader = PcapReader::open(bad);
  ASSERT_TRUE(reader) << reader.error().message;
  Packet packet;
  auto more = reader->next(packet);
  ASSERT_FALSE(more);
  EXPECT_NE(more.error().message.find(bad), std::string::npos) << more.error().message;
  EXPECT_NE(more.error().message.find("byte offset 24"), std::string::npos) << more.error().message;
}

}  // namespace
}  // namespace airan::io

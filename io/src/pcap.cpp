#include "airan/io/pcap.hpp"

#include <pcap/pcap.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace airan::io {
namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000ULL;

// pcapng block types and options (pcapng specification, sections 4.1, 4.2, 4.3).
constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescriptionBlock = 0x00000001;
constexpr std::uint32_t kEnhancedPacketBlock = 0x00000006;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptShbUserAppl = 4;
constexpr std::uint16_t kOptIfTsresol = 9;
constexpr std::uint8_t kTsresolNanoseconds = 9;  // 10^-9 s
constexpr char kUserAppl[] = "airan";

constexpr std::uint32_t pad4(std::uint32_t n) { return (n + 3U) & ~3U; }

// Little-endian serialisation into a byte buffer, independent of the host byte order.
class LeBuffer {
 public:
  explicit LeBuffer(std::span<std::uint8_t> out) : out_(out) {}
  void u8(std::uint8_t v) { out_[pos_++] = v; }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v));
    u16(static_cast<std::uint16_t>(v >> 16));
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v));
    u32(static_cast<std::uint32_t>(v >> 32));
  }
  void bytes(const void* data, std::size_t n) {
    std::memcpy(out_.data() + pos_, data, n);
    pos_ += n;
  }
  void zeros(std::size_t n) {
    std::memset(out_.data() + pos_, 0, n);
    pos_ += n;
  }
  std::size_t size() const { return pos_; }

 private:
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// PcapReader

Expected<PcapReader> PcapReader::open(const std::string& path) {
  // Sniff the format from the magic number (libpcap reads both but does not say which).
  PcapFormat format = PcapFormat::pcap;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return Error{fmt::format("PcapReader::open: {}: cannot open: {}", path, errno_text(errno))};
    }
    std::array<std::uint8_t, 4> magic{};
    const std::size_t got = std::fread(magic.data(), 1, magic.size(), f);
    std::fclose(f);
    if (got == magic.size() && magic == std::array<std::uint8_t, 4>{0x0A, 0x0D, 0x0D, 0x0A}) {
      format = PcapFormat::pcapng;
    }
  }

  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf.data());
  if (handle == nullptr) {
    return Error{fmt::format("PcapReader::open: {}: not a readable pcap/pcapng capture: {}", path,
                             errbuf.data())};
  }
  PcapReader reader;
  reader.handle_ = handle;
  reader.path_ = path;
  reader.format_ = format;
  reader.link_type_ = static_cast<std::uint32_t>(pcap_datalink(handle));
  reader.snaplen_ = static_cast<std::uint32_t>(pcap_snapshot(handle));
  return reader;
}

PcapReader::PcapReader(PcapReader&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      path_(std::move(other.path_)),
      format_(other.format_),
      link_type_(other.link_type_),
      snaplen_(other.snaplen_),
      packets_read_(other.packets_read_),
      sticky_error_(std::move(other.sticky_error_)) {}

PcapReader& PcapReader::operator=(PcapReader&& other) noexcept {
  if (this != &other) {
    reset();
    handle_ = std::exchange(other.handle_, nullptr);
    path_ = std::move(other.path_);
    format_ = other.format_;
    link_type_ = other.link_type_;
    snaplen_ = other.snaplen_;
    packets_read_ = other.packets_read_;
    sticky_error_ = std::move(other.sticky_error_);
  }
  return *this;
}

PcapReader::~PcapReader() { reset(); }

void PcapReader::reset() noexcept {
  if (handle_ != nullptr) {
    pcap_close(handle_);
    handle_ = nullptr;
  }
}

Expected<bool> PcapReader::next(Packet& out) {
  if (!sticky_error_.empty()) return Error{sticky_error_};
  if (handle_ == nullptr) return Error{fmt::format("PcapReader::next: {}: reader is closed", path_)};

  // libpcap reads the file through stdio, so the position before the call is the offset of
  // the record about to be read.
  std::FILE* file = pcap_file(handle_);
  const long offset = file != nullptr ? std::ftell(file) : -1L;

  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == 1) {
    out.data = std::span<const std::uint8_t>(data, header->caplen);
    out.timestamp_ns = static_cast<std::uint64_t>(header->ts.tv_sec) * kNsPerSecond +
                       static_cast<std::uint64_t>(header->ts.tv_usec);  // ns with NANO precision
    out.original_length = header->len;
    ++packets_read_;
    return true;
  }
  if (rc == PCAP_ERROR_BREAK) {  // no more records
    out = Packet{};
    return false;
  }
  sticky_error_ = fmt::format(
      "PcapReader::next: {}: truncated or corrupt {} record {} at byte offset {}: {}", path_,
      format_ == PcapFormat::pcapng ? "pcapng" : "pcap", packets_read_, offset,
      rc == PCAP_ERROR ? pcap_geterr(handle_) : "unexpected libpcap status");
  out = Packet{};
  return Error{sticky_error_};
}

// ---------------------------------------------------------------------------------------------
// PcapWriter

Expected<PcapWriter> PcapWriter::create(const std::string& path, PcapFormat format,
                                        LinkType link_type) {
  PcapWriter writer;
  writer.path_ = path;
  writer.format_ = format;
  const auto linktype = static_cast<std::uint16_t>(link_type);

  if (format == PcapFormat::pcap) {
    writer.dead_ = pcap_open_dead_with_tstamp_precision(linktype, static_cast<int>(kPcapMaxSnaplen),
                                                        PCAP_TSTAMP_PRECISION_NANO);
    if (writer.dead_ == nullptr) {
      return Error{fmt::format("PcapWriter::create: {}: link_type = {} not supported by libpcap",
                               path, linktype)};
    }
    writer.dumper_ = pcap_dump_open(writer.dead_, path.c_str());
    if (writer.dumper_ == nullptr) {
      return Error{fmt::format("PcapWriter::create: {}: cannot create: {}", path,
                               pcap_geterr(writer.dead_))};
    }
    return writer;
  }

  writer.file_ = std::fopen(path.c_str(), "wb");
  if (writer.file_ == nullptr) {
    return Error{fmt::format("PcapWriter::create: {}: cannot create: {}", path, errno_text(errno))};
  }
  std::setvbuf(writer.file_, nullptr, _IOFBF, 1U << 20);

  // Section Header Block: type, length, byte-order magic, version 1.0, section length -1
  // (unknown), shb_userappl, opt_endofopt, length.
  constexpr std::uint32_t appl_len = sizeof(kUserAppl) - 1;
  constexpr std::uint32_t shb_len = 4 + 4 + 4 + 2 + 2 + 8 + (4 + pad4(appl_len)) + 4 + 4;
  // Interface Description Block: type, length, linktype, reserved, snaplen, if_tsresol,
  // opt_endofopt, length.
  constexpr std::uint32_t idb_len = 4 + 4 + 2 + 2 + 4 + (4 + 4) + 4 + 4;
  std::array<std::uint8_t, shb_len + idb_len> head{};
  LeBuffer b(head);
  b.u32(kSectionHeaderBlock);
  b.u32(shb_len);
  b.u32(kByteOrderMagic);
  b.u16(1);
  b.u16(0);
  b.u64(~0ULL);
  b.u16(kOptShbUserAppl);
  b.u16(static_cast<std::uint16_t>(appl_len));
  b.bytes(kUserAppl, appl_len);
  b.zeros(pad4(appl_len) - appl_len);
  b.u16(kOptEndOfOpt);
  b.u16(0);
  b.u32(shb_len);

  b.u32(kInterfaceDescriptionBlock);
  b.u32(idb_len);
  b.u16(linktype);
  b.u16(0);
  b.u32(kPcapMaxSnaplen);
  b.u16(kOptIfTsresol);
  b.u16(1);
  b.u8(kTsresolNanoseconds);
  b.zeros(3);
  b.u16(kOptEndOfOpt);
  b.u16(0);
  b.u32(idb_len);

  if (std::fwrite(head.data(), 1, b.size(), writer.file_) != b.size()) {
    return Error{fmt::format("PcapWriter::create: {}: write error: {}", path, errno_text(errno))};
  }
  return writer;
}

PcapWriter::PcapWriter(PcapWriter&& other) noexcept
    : dead_(std::exchange(other.dead_, nullptr)),
      dumper_(std::exchange(other.dumper_, nullptr)),
      file_(std::exchange(other.file_, nullptr)),
      path_(std::move(other.path_)),
      format_(other.format_),
      packets_written_(other.packets_written_) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& other) noexcept {
  if (this != &other) {
    reset();
    dead_ = std::exchange(other.dead_, nullptr);
    dumper_ = std::exchange(other.dumper_, nullptr);
    file_ = std::exchange(other.file_, nullptr);
    path_ = std::move(other.path_);
    format_ = other.format_;
    packets_written_ = other.packets_written_;
  }
  return *this;
}

PcapWriter::~PcapWriter() { reset(); }

void PcapWriter::reset() noexcept {
  if (dumper_ != nullptr) {
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
  }
  if (dead_ != nullptr) {
    pcap_close(dead_);
    dead_ = nullptr;
  }
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

Status PcapWriter::write(std::span<const std::uint8_t> bytes, std::uint64_t timestamp_ns,
                         std::uint32_t original_length) {
  if (!is_open()) return Error{fmt::format("PcapWriter::write: {}: writer is closed", path_)};
  if (bytes.size() > kPcapMaxSnaplen) {
    return Error{fmt::format("PcapWriter::write: {}: bytes.size() = {} exceeds the snap length {}",
                             path_, bytes.size(), kPcapMaxSnaplen)};
  }
  const auto caplen = static_cast<std::uint32_t>(bytes.size());
  const std::uint32_t wire_len = original_length == 0 ? caplen : original_length;
  if (wire_len < caplen) {
    return Error{fmt::format(
        "PcapWriter::write: {}: original_length = {} is smaller than bytes.size() = {}", path_,
        original_length, caplen)};
  }

  if (dumper_ != nullptr) {
    const std::uint64_t seconds = timestamp_ns / kNsPerSecond;
    if (seconds > 0xFFFFFFFFULL) {
      return Error{fmt::format(
          "PcapWriter::write: {}: timestamp_ns = {} does not fit the 32-bit seconds of classic "
          "pcap (allowed < 2^32 s); use PcapFormat::pcapng",
          path_, timestamp_ns)};
    }
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<decltype(header.ts.tv_sec)>(seconds);
    header.ts.tv_usec = static_cast<decltype(header.ts.tv_usec)>(timestamp_ns % kNsPerSecond);
    header.caplen = caplen;
    header.len = wire_len;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, bytes.data());
    if (std::ferror(pcap_dump_file(dumper_)) != 0) {
      return Error{fmt::format("PcapWriter::write: {}: write error on packet {}", path_,
                               packets_written_)};
    }
    ++packets_written_;
    return Status::ok();
  }

  // Enhanced Packet Block: type, length, interface id, timestamp (high, low), captured length,
  // original length, data padded to 32 bits, (no options), length.
  const std::uint32_t padded = pad4(caplen);
  const std::uint32_t block_len = 28 + padded + 4;
  std::array<std::uint8_t, 28> head{};
  LeBuffer h(head);
  h.u32(kEnhancedPacketBlock);
  h.u32(block_len);
  h.u32(0);
  h.u32(static_cast<std::uint32_t>(timestamp_ns >> 32));
  h.u32(static_cast<std::uint32_t>(timestamp_ns));
  h.u32(caplen);
  h.u32(wire_len);
  std::array<std::uint8_t, 8> tail{};
  LeBuffer t(tail);
  t.zeros(padded - caplen);
  t.u32(block_len);
  const bool ok = std::fwrite(head.data(), 1, head.size(), file_) == head.size() &&
                  (caplen == 0 || std::fwrite(bytes.data(), 1, caplen, file_) == caplen) &&
                  std::fwrite(tail.data(), 1, t.size(), file_) == t.size();
  if (!ok) {
    return Error{fmt::format("PcapWriter::write: {}: write error on packet {}: {}", path_,
                             packets_written_, errno_text(errno))};
  }
  ++packets_written_;
  return Status::ok();
}

Status PcapWriter::close() {
  Status status = Status::ok();
  if (dumper_ != nullptr) {
    if (pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_)) != 0) {
      status = Error{fmt::format("PcapWriter::close: {}: write error while flushing", path_)};
    }
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
  }
  if (dead_ != nullptr) {
    pcap_close(dead_);
    dead_ = nullptr;
  }
  if (file_ != nullptr) {
    const bool flush_ok = std::fflush(file_) == 0 && std::ferror(file_) == 0;
    const int flush_errno = errno;
    const bool close_ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flush_ok || !close_ok) {
      status = Error{fmt::format("PcapWriter::close: {}: write error while closing: {}", path_,
                                 errno_text(flush_ok ? errno : flush_errno))};
    }
  }
  return status;
}

}  // namespace airan::io

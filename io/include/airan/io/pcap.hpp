// Packet capture files: pcap and pcapng, read and written with nanosecond timestamps.
//
// Reading goes through libpcap, which understands both formats (classic pcap with
// microsecond or nanosecond magic, and pcapng with any if_tsresol); timestamps are always
// delivered in nanoseconds since the Unix epoch. Writing classic pcap uses libpcap's dumper
// with the nanosecond magic (0xa1b23c4d). Writing pcapng is done here, because libpcap cannot:
// one Section Header Block, one Interface Description Block with if_tsresol = 9
// (nanoseconds), then one Enhanced Packet Block per packet, all little-endian and padded to
// 32 bits (pcapng specification, draft-ietf-opsawg-pcapng).
//
// A truncated or corrupt capture gives an Error that names the file, the byte offset of the
// record that could not be read and what is wrong; it never crashes.
//
// Data path: PcapReader::next() and PcapWriter::write() do not allocate (libpcap reuses its
// record buffer; the pcapng writer streams through a stdio buffer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "airan/phy/expected.hpp"

// libpcap's handle types (pcap_t, pcap_dumper_t), declared here so users need no pcap.h.
struct pcap;
struct pcap_dumper;

namespace airan::io {

enum class PcapFormat { pcap, pcapng };

// Link-layer header types (https://www.tcpdump.org/linktypes.html).
enum class LinkType : std::uint16_t {
  ethernet = 1,   // LINKTYPE_ETHERNET: eCPRI / O-RAN fronthaul frames
  raw = 101,      // LINKTYPE_RAW: raw IPv4/IPv6
  user0 = 147,    // LINKTYPE_USER0: private use
};

// Largest captured length accepted by the writers (libpcap's readers reject more for Ethernet).
inline constexpr std::uint32_t kPcapMaxSnaplen = 262144;

// One record of a capture. `data` points into the reader and stays valid until the next call
// to PcapReader::next() (or the reader is destroyed).
struct Packet {
  std::span<const std::uint8_t> data;
  std::uint64_t timestamp_ns = 0;     // nanoseconds since 1970-01-01 00:00:00 UTC
  std::uint32_t original_length = 0;  // length on the wire; data.size() when not truncated
};

class PcapReader {
 public:
  // Opens a pcap or pcapng file. Errors name the file and what libpcap found wrong
  // (missing file, unknown magic, truncated header, no interface description block...).
  static Expected<PcapReader> open(const std::string& path);

  PcapReader(PcapReader&& other) noexcept;
  PcapReader& operator=(PcapReader&& other) noexcept;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;
  ~PcapReader();

  // Reads the next record into `out`: true when a packet was read, false at the clean end of
  // the file; an Error (naming the file, the byte offset of the record and the record index)
  // for a truncated or corrupt record. After an error every later call returns it again.
  Expected<bool> next(Packet& out);

  PcapFormat format() const { return format_; }
  std::uint32_t link_type() const { return link_type_; }
  std::uint32_t snaplen() const { return snaplen_; }
  const std::string& path() const { return path_; }
  std::uint64_t packets_read() const { return packets_read_; }

 private:
  PcapReader() = default;
  void reset() noexcept;

  ::pcap* handle_ = nullptr;  // pcap_t
  std::string path_;
  PcapFormat format_ = PcapFormat::pcap;
  std::uint32_t link_type_ = 0;
  std::uint32_t snaplen_ = 0;
  std::uint64_t packets_read_ = 0;
  std::string sticky_error_;  // set once a record failed
};

class PcapWriter {
 public:
  // Creates (truncates) `path` and writes the file header (pcap) or the section header and
  // interface description blocks (pcapng, if_tsresol = 9).
  static Expected<PcapWriter> create(const std::string& path, PcapFormat format,
                                     LinkType link_type = LinkType::ethernet);

  PcapWriter(PcapWriter&& other) noexcept;
  PcapWriter& operator=(PcapWriter&& other) noexcept;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  ~PcapWriter();  // closes the file if close() was not called; errors are then lost

  // Appends one packet. `original_length` 0 means bytes.size(); otherwise it must be
  // >= bytes.size(). bytes.size() must be <= kPcapMaxSnaplen. Classic pcap stores 32-bit
  // seconds, so timestamp_ns must be below 2^32 s (year 2106) there.
  Status write(std::span<const std::uint8_t> bytes, std::uint64_t timestamp_ns,
               std::uint32_t original_length = 0);

  // Flushes and closes the file; reports write errors (disk full...). Idempotent.
  Status close();

  PcapFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  std::uint64_t packets_written() const { return packets_written_; }
  bool is_open() const { return dumper_ != nullptr || file_ != nullptr; }

 private:
  PcapWriter() = default;
  void reset() noexcept;

  ::pcap* dead_ = nullptr;           // pcap_t from pcap_open_dead (pcap format)
  ::pcap_dumper* dumper_ = nullptr;  // pcap format
  std::FILE* file_ = nullptr;             // pcapng format
  std::string path_;
  PcapFormat format_ = PcapFormat::pcap;
  std::uint64_t packets_written_ = 0;
};

}  // namespace airan::io

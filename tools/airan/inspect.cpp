#include "airan/inspect.hpp"

#include <algorithm>
#include <bit>
#include <bitset>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "airan/cli.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/io/oran/cplane.hpp"
#include "airan/io/pcap.hpp"

namespace airan::tools {
namespace {

using nlohmann::json;

constexpr int kSymbolsPerSlot = 14;
constexpr int kMaxNrPrbs = 275;               // numPrb = 0 resolved against this when unknown
constexpr int kPrbWords = 16;                 // 1024 PRB bits per symbol (startPrb is 10 bits)
constexpr int kOpenSlots = 8;                 // slots held open per eAxC/direction stream
constexpr std::size_t kMaxMissingExamples = 16;
constexpr std::int64_t kCycleNs = 256LL * 10'000'000;  // the 8-bit frameId cycle: 2.56 s
constexpr std::uint16_t kAllSymbols = (1u << kSymbolsPerSlot) - 1;

// x on the cycle, in (-cycle/2, cycle/2].
std::int64_t wrap_cycle(std::int64_t x, std::int64_t cycle) {
  std::int64_t d = x % cycle;
  if (d < 0) d += cycle;
  return d > cycle / 2 ? d - cycle : d;
}

// Counts of non-negative values in log-linear buckets: exact below 2^kBits, then 2^(kBits-1)
// buckets per octave (0.1 % relative resolution). Memory grows with the largest value only.
class LogHistogram {
 public:
  static constexpr int kBits = 10;
  static constexpr std::uint64_t kExact = 1u << kBits;
  static constexpr std::uint64_t kHalf = kExact / 2;

  void add(std::uint64_t v) {
    const std::size_t i = index(v);
    if (i >= counts_.size()) counts_.resize(i + 1, 0);
    ++counts_[i];
    ++total_;
  }
  std::uint64_t total() const { return total_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }

  static std::size_t index(std::uint64_t v) {
    if (v < kExact) return static_cast<std::size_t>(v);
    const int shift = static_cast<int>(std::bit_width(v)) - kBits;
    return static_cast<std::size_t>(kExact + static_cast<std::uint64_t>(shift - 1) * kHalf + ((v >> shift) - kHalf));
  }
  static std::uint64_t lower(std::size_t i) {
    if (i < kExact) return i;
    const std::size_t j = i - kExact;
    const int shift = static_cast<int>(j / kHalf) + 1;
    return (static_cast<std::uint64_t>(j % kHalf) + kHalf) << shift;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
};

// Signed values: a histogram per sign, exact min and max.
class SignedHistogram {
 public:
  void add(std::int64_t v) {
    if (v < 0) {
      negative_.add(static_cast<std::uint64_t>(-v));
    } else {
      positive_.add(static_cast<std::uint64_t>(v));
    }
    min_ = total() == 1 ? v : std::min(min_, v);
    max_ = total() == 1 ? v : std::max(max_, v);
  }
  std::uint64_t total() const { return negative_.total() + positive_.total(); }
  std::int64_t min() const { return min_; }
  std::int64_t max() const { return max_; }

  // Calls f(representative value, count) in increasing order (buckets: the bound nearest zero,
  // clamped to [min, max]).
  template <typename F>
  void for_each(F&& f) const {
    const auto& neg = negative_.counts();
    for (std::size_t i = neg.size(); i-- > 0;) {
      if (neg[i]) f(std::clamp(-static_cast<std::int64_t>(LogHistogram::lower(i)), min_, max_), neg[i]);
    }
    const auto& pos = positive_.counts();
    for (std::size_t i = 0; i < pos.size(); ++i) {
      if (pos[i]) f(std::clamp(static_cast<std::int64_t>(LogHistogram::lower(i)), min_, max_), pos[i]);
    }
  }

  // Nearest-rank quantiles, shifted by `offset`.
  Distribution distribution(std::int64_t offset) const {
    Distribution d;
    const std::uint64_t n = total();
    if (n == 0) return d;
    d.valid = true;
    d.min = min_ + offset;
    d.max = max_ + offset;
    const auto rank = [n](double q) { return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)))); };
    const std::uint64_t r50 = rank(0.5);
    const std::uint64_t r99 = rank(0.99);
    std::uint64_t seen = 0;
    bool have50 = false;
    bool have99 = false;
    for_each([&](std::int64_t value, std::uint64_t count) {
      seen += count;
      if (!have50 && seen >= r50) {
        d.median = value + offset;
        have50 = true;
      }
      if (!have99 && seen >= r99) {
        d.p99 = value + offset;
        have99 = true;
      }
    });
    return d;
  }

 private:
  LogHistogram negative_;
  LogHistogram positive_;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

// One SeqId stream (eAxC, plane, direction).
struct SeqTracker {
  bool started = false;
  std::uint8_t highest = 0;
  std::bitset<256> seen;

  void on(std::uint8_t s, SequenceStats& st) {
    if (!started) {
      started = true;
      highest = s;
      seen.reset();
      seen.set(s);
      return;
    }
    const int d = static_cast<std::int8_t>(static_cast<std::uint8_t>(s - highest));
    if (d > 0) {
      for (int k = 1; k <= d; ++k) seen.reset(static_cast<std::uint8_t>(highest + k));
      if (d > 1) {
        ++st.gaps;
        st.missing += static_cast<std::uint64_t>(d - 1);
      }
      highest = s;
      seen.set(s);
    } else if (seen.test(s)) {
      ++st.duplicates;
    } else {
      seen.set(s);
      ++st.reordered;
      if (st.missing > 0) --st.missing;
    }
  }
};

struct OpenSlot {
  int index = -1;  // slot_index on the frame cycle; -1 free
  std::uint16_t mask = 0;
  bool first_of_stream = false;
  std::array<std::array<std::uint64_t, kPrbWords>, kSymbolsPerSlot> prbs{};
};

// The U-plane slots of one eAxC and direction.
struct SlotStream {
  std::array<OpenSlot, kOpenSlots> open;
  int newest = -1;
  bool any = false;
};

struct DirectionState {
  CompressionSeen comp;
  io::UplaneConfig parse;  // compression resolved for this direction once decided
  bool decided = false;
  int carrier_inferred = 0;  // carrier a numPrb = 0 section implied (unknown carrier)
  SlotStream slots;
};

struct EaxcState {
  EaxcReport report;
  std::array<SeqTracker, 4> seq;  // [plane (0 U, 1 C)][direction]
  std::array<SequenceStats, 4> seq_stats;
  std::array<DirectionState, 2> dir;  // uplink, downlink
};

class Inspector {
 public:
  explicit Inspector(const InspectOptions& options) : options_(options) {
    frame_config_.accept_udp = options.udp_port != 0;
    frame_config_.udp_port = static_cast<std::uint16_t>(options.udp_port);
    carrier_ = static_cast<std::uint16_t>(options.carrier_prbs > 0 ? options.carrier_prbs : kMaxNrPrbs);
    cplane_config_.carrier_prbs = carrier_;
    cycle_slots_ = io::slots_per_frame_cycle(options.numerology);
  }

  void on_packet(const io::Packet& packet, InspectReport& r);
  void finish(InspectReport& r);

 private:
  bool is_other_traffic(std::span<const std::uint8_t> frame) const;
  void on_uplane(const io::EcpriMessage& m, std::uint64_t ts, InspectReport& r, bool& malformed);
  void on_cplane(const io::EcpriMessage& m, InspectReport& r, bool& malformed);
  EaxcState& eaxc(std::uint16_t id);
  io::CodecError parse_uplane_for(const io::EcpriMessage& m, DirectionState& d);
  bool try_compression(const io::EcpriMessage& m, DirectionState& d, bool dynamic, const io::CompressionParams& params);
  void track_slot(EaxcState& s, io::DataDirection dir, int index, int symbol, const io::UplaneMessage& msg,
                  InspectReport& r);
  void close_slot(EaxcState& s, io::DataDirection dir, OpenSlot& slot, bool at_end, InspectReport& r);
  void count_global_slot(int index, InspectReport& r);
  void on_bfp(const io::UplaneSection& section, EaxcReport& e, InspectReport& r);
  void on_window(std::uint64_t ts, const io::SlotTime& t, int symbol, InspectReport& r);

  InspectOptions options_;
  io::FrameParseConfig frame_config_;
  io::CplaneConfig cplane_config_;
  std::uint16_t carrier_ = kMaxNrPrbs;
  int cycle_slots_ = 0;
  std::map<std::uint16_t, std::unique_ptr<EaxcState>> eaxcs_;
  io::ParsedFrame frame_;
  io::EcpriPdu pdu_;
  io::UplaneMessage uplane_;
  io::CplaneMessage cplane_;
  std::vector<std::int16_t> iq_;
  std::optional<std::uint64_t> previous_ts_;
  SignedHistogram gaps_;
  // Reception window: d = arrival - air - anchor on the cycle, anchor = first UL message's.
  std::optional<std::int64_t> anchor_;
  SignedHistogram delays_;
  std::array<int, kOpenSlots> global_open_{};
  int global_newest_ = -1;
  bool global_any_ = false;
};

EaxcState& Inspector::eaxc(std::uint16_t id) {
  auto& slot = eaxcs_[id];
  if (!slot) {
    slot = std::make_unique<EaxcState>();
    slot->report.eaxc_id = id;
    slot->report.fields = io::decode_eaxc(id, options_.eaxc_split);
    for (DirectionState& d : slot->dir) d.parse.carrier_prbs = carrier_;
  }
  return *slot;
}

// Frames that are simply other traffic: IPv4 that is not UDP to the eCPRI port (checked before
// parse_frame so that, e.g., checksum-offloaded unrelated packets are not reported as errors).
bool Inspector::is_other_traffic(std::span<const std::uint8_t> frame) const {
  if (frame.size() < io::kEthernetHeaderSize) return false;
  std::size_t offset = 12;
  std::uint16_t type = static_cast<std::uint16_t>(frame[offset] << 8 | frame[offset + 1]);
  if (type == io::kEthertypeVlan) {
    if (frame.size() < io::kEthernetHeaderSize + io::kVlanTagSize) return false;
    offset += 4;
    type = static_cast<std::uint16_t>(frame[offset] << 8 | frame[offset + 1]);
  }
  if (type == io::kEthertypeEcpri) return false;
  if (type != io::kEthertypeIpv4 || options_.udp_port == 0) return true;
  const std::size_t ip = offset + 2;
  if (frame.size() < ip + io::kIpv4HeaderSize) return false;  // the parser reports it
  if (frame[ip + 9] != io::kIpProtocolUdp) return true;
  const std::size_t ihl = std::size_t{frame[ip] & 0x0Fu} * 4;
  if (ihl < io::kIpv4HeaderSize || frame.size() < ip + ihl + 4) return false;
  const int port = frame[ip + ihl + 2] << 8 | frame[ip + ihl + 3];
  return port != options_.udp_port;
}

void Inspector::on_packet(const io::Packet& packet, InspectReport& r) {
  ++r.packets;
  const std::uint64_t ts = packet.timestamp_ns;
  if (!r.first_timestamp_ns) r.first_timestamp_ns = ts;
  r.last_timestamp_ns = ts;
  if (previous_ts_) {
    if (ts < *previous_ts_) {
      ++r.timestamp_reversals;
    } else {
      gaps_.add(static_cast<std::int64_t>(ts - *previous_ts_));
    }
  }
  previous_ts_ = ts;

  if (packet.data.size() < packet.original_length) {
    ++r.snaplen_truncated;
    return;
  }
  if (is_other_traffic(packet.data)) {
    ++r.non_ecpri;
    return;
  }
  const io::CodecError fe = io::parse_frame(packet.data, frame_config_, frame_);
  if (fe == io::CodecError::not_ecpri || fe == io::CodecError::not_udp || fe == io::CodecError::wrong_udp_port) {
    ++r.non_ecpri;
    return;
  }
  if (fe != io::CodecError::ok) {
    r.malformed_by_code.count(fe);
    ++r.malformed_packets;
    return;
  }
  ++r.ecpri_frames;
  if (frame_.transport == io::FrameTransport::udp_ipv4) {
    ++r.ecpri_udp;
  } else if (frame_.vlan) {
    ++r.ecpri_vlan;
  } else {
    ++r.ecpri_ethernet;
  }
  bool malformed = false;
  if (const io::CodecError e = io::parse_ecpri_pdu(frame_.ecpri, pdu_); e != io::CodecError::ok) {
    r.malformed_by_code.count(e);
    ++r.malformed_packets;
    return;
  }
  for (const io::EcpriMessage& m : pdu_.view()) {
    ++r.messages;
    if (m.status != io::CodecError::ok) {
      ++r.other_ecpri;  // delimited message of a type the O-RAN codec does not parse
      continue;
    }
    switch (m.type()) {
      case io::EcpriMessageType::iq_data: on_uplane(m, ts, r, malformed); break;
      case io::EcpriMessageType::real_time_control: on_cplane(m, r, malformed); break;
      case io::EcpriMessageType::delay_measurement: ++r.delay_measurement; break;
      default: ++r.other_ecpri; break;
    }
  }
  if (malformed) ++r.malformed_packets;
}

// Tries one compression on `m`. With an unknown carrier and a first section of numPrb = 0 (all
// PRBs from startPrb), the carrier is inferred as the one that this section exactly fills.
bool Inspector::try_compression(const io::EcpriMessage& m, DirectionState& d, bool dynamic,
                                const io::CompressionParams& params) {
  io::UplaneConfig config = d.parse;
  config.uplink = config.downlink = io::UplaneCompressionConfig{dynamic, dynamic ? io::UdCompHdr{} : io::make_ud_comp_hdr(params)};
  const std::size_t header = io::kUplaneHeaderSize + io::kUplaneSectionHeaderSize + (dynamic ? 2 : 0);
  bool inferred = false;
  if (options_.carrier_prbs == 0 && m.payload.size() > header && m.payload[io::kUplaneHeaderSize + 3] == 0) {
    const std::uint8_t* p = m.payload.data() + io::kUplaneHeaderSize;
    const int start = (p[1] & 0x03) << 8 | p[2];
    const std::size_t prb_bytes = io::compressed_prb_bytes(dynamic ? io::decode_ud_comp_hdr(p[4]) : io::make_ud_comp_hdr(params));
    const std::size_t bytes = m.payload.size() - header;
    if (prb_bytes == 0 || bytes % prb_bytes != 0) return false;
    const auto carrier = static_cast<std::size_t>(start) + bytes / prb_bytes;
    if (carrier > static_cast<std::size_t>(kMaxNrPrbs) || carrier <= static_cast<std::size_t>(start)) return false;
    config.carrier_prbs = static_cast<std::uint16_t>(carrier);
    inferred = true;
  }
  if (io::parse_uplane(m, config, uplane_) != io::CodecError::ok) return false;
  d.parse = config;
  if (inferred) d.carrier_inferred = config.carrier_prbs;
  return true;
}

io::CodecError Inspector::parse_uplane_for(const io::EcpriMessage& m, DirectionState& d) {
  if (d.decided) return io::parse_uplane(m, d.parse, uplane_);
  const auto decide = [&](bool dynamic, bool detected) {
    d.decided = true;
    d.comp.mode = dynamic ? "dynamic" : "static";
    d.comp.detected = detected;
    if (!dynamic) d.comp.static_comp = d.parse.uplink.static_comp.params();
  };
  const io::CompressionParams configured = options_.ud_comp.value_or(io::CompressionParams{});
  if (options_.comp_header != CompHeaderMode::auto_detect) {
    const bool dynamic = options_.comp_header == CompHeaderMode::dynamic_header;
    if (!try_compression(m, d, dynamic, configured)) {
      d.parse.uplink = d.parse.downlink =
          io::UplaneCompressionConfig{dynamic, dynamic ? io::UdCompHdr{} : io::make_ud_comp_hdr(configured)};
    }
    decide(dynamic, false);
    return io::parse_uplane(m, d.parse, uplane_);
  }
  // Auto: dynamic, then the configured static compression, then the ones the size implies.
  if (try_compression(m, d, true, {})) {
    decide(true, true);
    return io::CodecError::ok;
  }
  std::vector<io::CompressionParams> candidates;
  if (options_.ud_comp) {
    candidates.push_back(*options_.ud_comp);
  } else if (m.payload.size() > io::kUplaneHeaderSize + io::kUplaneSectionHeaderSize) {
    const std::uint8_t* p = m.payload.data() + io::kUplaneHeaderSize;
    const int start = (p[1] & 0x03) << 8 | p[2];
    const std::size_t bytes = m.payload.size() - io::kUplaneHeaderSize - io::kUplaneSectionHeaderSize;
    const int num = p[3] != 0 ? p[3] : (options_.carrier_prbs > 0 ? options_.carrier_prbs - start : 0);
    if (num > 0 && bytes % static_cast<std::size_t>(num) == 0) {
      const auto per_prb = static_cast<int>(bytes / static_cast<std::size_t>(num));
      if (per_prb % 3 == 0 && per_prb / 3 >= 1 && per_prb / 3 <= 16) {
        candidates.push_back({io::CompressionMethod::none, per_prb / 3});
      } else if ((per_prb - 1) % 3 == 0 && (per_prb - 1) / 3 >= 1 && (per_prb - 1) / 3 <= 16) {
        candidates.push_back({io::CompressionMethod::block_floating_point, (per_prb - 1) / 3});
      }
    } else if (num <= 0) {
      // numPrb = 0 and the carrier unknown: the usual compressions, most common first.
      for (int w : {9, 14, 12, 8, 10, 11, 13, 15, 16}) candidates.push_back({io::CompressionMethod::block_floating_point, w});
      for (int w : {16, 8, 12, 14}) candidates.push_back({io::CompressionMethod::none, w});
    }
  }
  for (const io::CompressionParams& c : candidates) {
    if (try_compression(m, d, false, c)) {
      decide(false, true);
      return io::CodecError::ok;
    }
  }
  // Undecided: report the error of the configured static parse; the next message tries again.
  d.parse.uplink = d.parse.downlink = io::UplaneCompressionConfig{false, io::make_ud_comp_hdr(configured)};
  return io::parse_uplane(m, d.parse, uplane_);
}

void Inspector::on_uplane(const io::EcpriMessage& m, std::uint64_t ts, InspectReport& r, bool& malformed) {
  EaxcState& s = eaxc(m.transport.eaxc_id);
  EaxcReport& e = s.report;
  ++e.messages;
  const io::DataDirection dir = !m.payload.empty() && (m.payload[0] & 0x80u) ? io::DataDirection::downlink
                                                                               : io::DataDirection::uplink;
  const int di = dir == io::DataDirection::downlink ? 1 : 0;
  s.seq[di].on(m.transport.seq_id, s.seq_stats[di]);
  DirectionState& d = s.dir[di];
  d.comp.present = true;
  const auto fail = [&](io::CodecError code) {
    if (code != io::CodecError::ok) r.malformed_by_code.count(code);
    ++r.malformed_messages;
    ++e.malformed;
    malformed = true;
  };
  const io::CodecError err = parse_uplane_for(m, d);
  if (err != io::CodecError::ok) {
    if (d.decided && d.comp.mode == "static" &&
        (err == io::CodecError::truncated_section || err == io::CodecError::section_overflow)) {
      ++e.size_mismatch;
      if (m.payload.size() > io::kUplaneHeaderSize + io::kUplaneSectionHeaderSize) {
        const std::uint8_t* p = m.payload.data() + io::kUplaneHeaderSize;
        const int start = (p[1] & 0x03) << 8 | p[2];
        const int num = p[3] != 0 ? p[3] : carrier_ - start;
        const std::size_t bytes = m.payload.size() - io::kUplaneHeaderSize - io::kUplaneSectionHeaderSize;
        if (num > 0 && bytes % static_cast<std::size_t>(num) == 0) {
          ++e.mismatch_bytes_per_prb[static_cast<int>(bytes / static_cast<std::size_t>(num))];
        }
      }
    }
    return fail(err);
  }
  const io::RadioTiming& t = uplane_.timing;
  if (t.subframe_id > 9 || t.slot_id >= (1 << options_.numerology) || t.symbol_id >= kSymbolsPerSlot) {
    ++r.bad_radio_time;
    return fail(io::CodecError::ok);
  }
  ++(di ? r.uplane_dl : r.uplane_ul);
  ++(di ? e.uplane_dl : e.uplane_ul);
  const RadioPoint point{t.frame_id, t.subframe_id, t.slot_id, t.symbol_id};
  if (!r.first_radio_time) r.first_radio_time = point;
  r.last_radio_time = point;
  const io::SlotTime time{t.frame_id, t.subframe_id, t.slot_id};
  const int index = io::slot_index(time, options_.numerology);
  count_global_slot(index, r);
  for (const io::UplaneSection& section : uplane_.view()) {
    ++e.sections;
    ++e.num_prb[section.num_prb];
    e.start_prb_min = e.start_prb_min < 0 ? section.start_prb : std::min<int>(e.start_prb_min, section.start_prb);
    e.start_prb_max = std::max<int>(e.start_prb_max, section.start_prb);
    e.end_prb_max = std::max<int>(e.end_prb_max, section.start_prb + section.num_prb);
    if (section.comp_hdr_present) ++e.ud_comp_hdr[section.comp.raw];
    ++e.methods[to_string(section.comp.params())];
    if (section.comp.method == io::CompressionMethod::block_floating_point) on_bfp(section, e, r);
  }
  track_slot(s, dir, index, t.symbol_id, uplane_, r);
  if (dir == io::DataDirection::uplink) on_window(ts, time, t.symbol_id, r);
}

void Inspector::on_bfp(const io::UplaneSection& section, EaxcReport& e, InspectReport& r) {
  const auto prb_bytes = io::compressed_prb_bytes(section.comp);
  const int width = section.comp.iq_width;
  iq_.resize(static_cast<std::size_t>(section.num_prb) * io::kIqValuesPerPrb);
  const bool decoded = static_cast<bool>(io::decompress_prbs(section.comp.params(), section.payload, section.num_prb, iq_));
  if (!decoded) ++r.bfp_decompress_errors;
  for (int i = 0; i < section.num_prb; ++i) {
    const int exponent = section.payload[static_cast<std::size_t>(i) * prb_bytes] & 0x0F;
    ++r.bfp_prbs;
    ++r.bfp_exponents[static_cast<std::size_t>(exponent)];
    ++e.bfp_exponents[static_cast<std::size_t>(exponent)];
    if (exponent >= 16 - width) ++r.bfp_at_max_exponent;
    if (decoded) {
      const auto prb = std::span<const std::int16_t>(iq_).subspan(static_cast<std::size_t>(i) * io::kIqValuesPerPrb,
                                                                  io::kIqValuesPerPrb);
      if (std::all_of(prb.begin(), prb.end(), [](std::int16_t v) { return v == 0; })) ++r.bfp_zero_prbs;
    }
  }
}

void Inspector::on_window(std::uint64_t ts, const io::SlotTime& t, int symbol, InspectReport& r) {
  const std::int64_t x = static_cast<std::int64_t>(ts) - io::symbol_air_time_ns(t, symbol, options_.numerology);
  if (!anchor_) anchor_ = x;
  delays_.add(wrap_cycle(x - *anchor_, kCycleNs));
  ++r.window_messages;
  // With a reference known up front, the window counts are exact here; with min_delay they
  // come from the histogram at the end.
  std::int64_t delay = 0;
  if (options_.time_reference == TimeReference::first_packet) {
    delay = wrap_cycle(x - *anchor_, kCycleNs) + (options_.ta4_min_ns + options_.ta4_max_ns) / 2;
  } else if (options_.time_reference == TimeReference::gps) {
    delay = wrap_cycle(x - io::gps_frame_zero_unix_ns(options_.gps_leap_seconds), kCycleNs);
  } else {
    return;
  }
  if (delay < options_.ta4_min_ns) {
    ++r.early;
  } else if (delay > options_.ta4_max_ns) {
    ++r.late;
  } else {
    ++r.on_time;
  }
}

void Inspector::count_global_slot(int index, InspectReport& r) {
  if (global_any_) {
    for (int i : global_open_) {
      if (i == index) return;
    }
  }
  ++r.slots;
  if (!global_any_) {
    global_open_.fill(-1);
    global_any_ = true;
  }
  // Replace the oldest open slot (or a free one).
  int* victim = &global_open_[0];
  for (int& i : global_open_) {
    if (i < 0) {
      victim = &i;
      break;
    }
    if (*victim >= 0 && wrap_cycle(i - index, cycle_slots_) < wrap_cycle(*victim - index, cycle_slots_)) victim = &i;
  }
  *victim = index;
}

void Inspector::track_slot(EaxcState& s, io::DataDirection dir, int index, int symbol, const io::UplaneMessage& msg,
                           InspectReport& r) {
  SlotStream& stream = s.dir[dir == io::DataDirection::downlink ? 1 : 0].slots;
  OpenSlot* slot = nullptr;
  for (OpenSlot& o : stream.open) {
    if (o.index == index) slot = &o;
  }
  if (!slot) {
    if (stream.newest < 0 || wrap_cycle(index - stream.newest, cycle_slots_) > 0) stream.newest = index;
    // Close the slots that fell behind, then take a free one (or the oldest).
    for (OpenSlot& o : stream.open) {
      if (o.index >= 0 && wrap_cycle(o.index - stream.newest, cycle_slots_) <= -kOpenSlots) close_slot(s, dir, o, false, r);
    }
    for (OpenSlot& o : stream.open) {
      if (o.index < 0) {
        slot = &o;
        break;
      }
    }
    if (!slot) {
      slot = &stream.open[0];
      for (OpenSlot& o : stream.open) {
        if (wrap_cycle(o.index - slot->index, cycle_slots_) < 0) slot = &o;
      }
      close_slot(s, dir, *slot, false, r);
    }
    slot->index = index;
    slot->mask = 0;
    slot->first_of_stream = !stream.any;
    stream.any = true;
    for (auto& words : slot->prbs) words.fill(0);
    ++s.report.slots;
  }
  slot->mask = static_cast<std::uint16_t>(slot->mask | (1u << symbol));
  auto& bits = slot->prbs[static_cast<std::size_t>(symbol)];
  for (const io::UplaneSection& section : msg.view()) {
    const int step = section.rb ? 2 : 1;
    for (int i = 0; i < section.num_prb; ++i) {
      const int prb = section.start_prb + i * step;
      if (prb >= kPrbWords * 64) break;
      std::uint64_t& word = bits[static_cast<std::size_t>(prb / 64)];
      const std::uint64_t bit = 1ULL << (prb % 64);
      if (word & bit) ++s.report.duplicate_prbs;
      word |= bit;
    }
  }
}

void Inspector::close_slot(EaxcState& s, io::DataDirection dir, OpenSlot& slot, bool at_end, InspectReport& r) {
  EaxcReport& e = s.report;
  const int seen = std::popcount(slot.mask);
  ++r.symbols_per_slot[seen];
  for (int l = 0; l < kSymbolsPerSlot; ++l) {
    if (!(slot.mask & (1u << l))) continue;
    int prbs = 0;
    for (std::uint64_t w : slot.prbs[static_cast<std::size_t>(l)]) prbs += std::popcount(w);
    ++e.prbs_per_symbol[prbs];
    ++e.symbols;
  }
  const std::uint16_t missing = static_cast<std::uint16_t>(kAllSymbols & ~slot.mask);
  if (missing != 0) {
    // The capture starting inside the stream's first slot, or ending inside its last one.
    const int lowest = std::countr_zero(slot.mask);
    const int highest = 15 - std::countl_zero(slot.mask);
    const bool starts_inside = slot.first_of_stream && slot.mask == (kAllSymbols & ~((1u << lowest) - 1));
    const bool ends_inside = at_end && slot.mask == ((1u << (highest + 1)) - 1);
    if (starts_inside || ends_inside) {
      ++e.edge_partial_slots;
      ++r.edge_partial_slots;
    } else {
      e.missing_symbols += static_cast<std::uint64_t>(std::popcount(missing));
      r.missing_symbols += static_cast<std::uint64_t>(std::popcount(missing));
      if (r.missing_examples.size() < kMaxMissingExamples) {
        const io::SlotTime t = io::slot_time(slot.index, options_.numerology);
        MissingSymbolsExample ex{e.eaxc_id, dir, t.frame, t.subframe, t.slot, {}};
        for (int l = 0; l < kSymbolsPerSlot; ++l) {
          if (missing & (1u << l)) ex.symbols.push_back(l);
        }
        r.missing_examples.push_back(std::move(ex));
      }
    }
  }
  slot.index = -1;
}

void Inspector::on_cplane(const io::EcpriMessage& m, InspectReport& r, bool& malformed) {
  EaxcState& s = eaxc(m.transport.eaxc_id);
  EaxcReport& e = s.report;
  ++e.messages;
  ++e.cplane;
  const int di = !m.payload.empty() && (m.payload[0] & 0x80u) ? 1 : 0;
  s.seq[2 + di].on(m.transport.seq_id, s.seq_stats[2 + di]);
  if (m.payload.size() >= 6 && m.payload[5] != io::cplane_section_type::normal &&
      m.payload[5] != io::cplane_section_type::prach && (m.payload[0] & 0x70u) == 0x10u) {
    ++r.cplane_other;  // section types 0, 5, 6, 7...: counted, not parsed
    return;
  }
  if (const io::CodecError err = io::parse_cplane(m, cplane_config_, cplane_); err != io::CodecError::ok) {
    r.malformed_by_code.count(err);
    ++r.malformed_messages;
    ++e.malformed;
    malformed = true;
    return;
  }
  ++(cplane_.section_type == io::cplane_section_type::prach ? r.cplane_type_3 : r.cplane_type_1);
}

void Inspector::finish(InspectReport& r) {
  for (auto& [id, state] : eaxcs_) {
    for (int di = 0; di < 2; ++di) {
      for (OpenSlot& o : state->dir[static_cast<std::size_t>(di)].slots.open) {
        if (o.index < 0) continue;
        // Only the newest slot of the stream can be cut by the end of the capture.
        const bool newest = o.index == state->dir[static_cast<std::size_t>(di)].slots.newest;
        close_slot(*state, di ? io::DataDirection::downlink : io::DataDirection::uplink, o, newest, r);
      }
    }
    EaxcReport& e = state->report;
    for (const SequenceStats& st : state->seq_stats) {
      e.sequence.gaps += st.gaps;
      e.sequence.missing += st.missing;
      e.sequence.duplicates += st.duplicates;
      e.sequence.reordered += st.reordered;
    }
    e.comp_ul = state->dir[0].comp;
    e.comp_dl = state->dir[1].comp;
    e.carrier_prbs_inferred = std::max(state->dir[0].carrier_inferred, state->dir[1].carrier_inferred);
    const int carrier = options_.carrier_prbs > 0 ? options_.carrier_prbs
                        : e.carrier_prbs_inferred > 0 ? e.carrier_prbs_inferred
                                                      : e.end_prb_max;
    if (carrier > 0) {
      const auto it = e.prbs_per_symbol.find(carrier);
      e.symbols_full = it == e.prbs_per_symbol.end() ? 0 : it->second;
    }
    r.eaxcs.push_back(std::move(e));
  }

  if (r.first_timestamp_ns && r.last_timestamp_ns && *r.last_timestamp_ns >= *r.first_timestamp_ns) {
    r.duration_ns = *r.last_timestamp_ns - *r.first_timestamp_ns;
  }
  if (r.duration_ns > 0 && r.packets > 1) {
    r.packets_per_second = static_cast<double>(r.packets - 1) * 1e9 / static_cast<double>(r.duration_ns);
  }
  r.inter_packet_gap_ns = gaps_.distribution(0);

  if (anchor_) {
    std::int64_t offset = 0;
    switch (options_.time_reference) {
      case TimeReference::min_delay: offset = options_.ta4_min_ns - delays_.min(); break;
      case TimeReference::first_packet: offset = (options_.ta4_min_ns + options_.ta4_max_ns) / 2; break;
      case TimeReference::gps:
        offset = wrap_cycle(*anchor_ - io::gps_frame_zero_unix_ns(options_.gps_leap_seconds), kCycleNs);
        break;
    }
    r.delay_ns = delays_.distribution(offset);
    if (options_.time_reference == TimeReference::min_delay) {
      delays_.for_each([&](std::int64_t value, std::uint64_t count) {
        const std::int64_t delay = value + offset;
        (delay < options_.ta4_min_ns ? r.early : delay > options_.ta4_max_ns ? r.late : r.on_time) += count;
      });
    }
  }

  if (r.bfp_prbs > 0) {
    if (r.bfp_at_max_exponent * 10 >= r.bfp_prbs) {
      r.bfp_hint = "saturated";
    } else if (r.bfp_exponents[0] * 10 >= r.bfp_prbs * 9) {
      r.bfp_hint = "low_level";
    } else {
      r.bfp_hint = "ok";
    }
  }
}

const char* direction_name(io::DataDirection d) { return d == io::DataDirection::downlink ? "dl" : "ul"; }

const char* reference_name(TimeReference t) {
  switch (t) {
    case TimeReference::min_delay: return "min";
    case TimeReference::first_packet: return "first";
    case TimeReference::gps: return "gps";
  }
  return "min";
}

const char* comp_header_name(CompHeaderMode m) {
  switch (m) {
    case CompHeaderMode::auto_detect: return "auto";
    case CompHeaderMode::static_header: return "static";
    case CompHeaderMode::dynamic_header: return "dynamic";
  }
  return "auto";
}

template <typename K>
json count_map(const std::map<K, std::uint64_t>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) {
    if constexpr (std::is_same_v<K, std::string>) {
      out[k] = v;
    } else {
      out[std::to_string(k)] = v;
    }
  }
  return out;
}

json distribution_json(const Distribution& d) {
  if (!d.valid) return nullptr;
  return {{"min", d.min}, {"median", d.median}, {"p99", d.p99}, {"max", d.max}};
}

json radio_point_json(const std::optional<RadioPoint>& p) {
  if (!p) return nullptr;
  return {{"frame", p->frame}, {"subframe", p->subframe}, {"slot", p->slot}, {"symbol", p->symbol}};
}

json compression_json(const CompressionSeen& c) {
  if (!c.present) return nullptr;
  return {{"mode", c.mode},
          {"detected", c.detected},
          {"static", c.static_comp ? json(to_string(*c.static_comp)) : json(nullptr)}};
}

std::string format_map(const std::map<int, std::uint64_t>& m, std::size_t max_entries = 4) {
  std::string out;
  std::size_t n = 0;
  for (const auto& [k, v] : m) {
    if (n == max_entries) {
      out += fmt::format(" +{}", m.size() - n);
      break;
    }
    out += fmt::format("{}{}x{}", n ? " " : "", k, v);
    ++n;
  }
  return out.empty() ? "-" : out;
}

std::string compression_text(const EaxcReport& e) {
  std::string out;
  for (const CompressionSeen* c : {&e.comp_ul, &e.comp_dl}) {
    if (!c->present) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}{}", c == &e.comp_ul ? "UL" : "DL", c->mode,
                       c->static_comp ? " " + to_string(*c->static_comp) : std::string());
  }
  std::string methods;
  for (const auto& [name, n] : e.methods) methods += fmt::format("{}{}x{}", methods.empty() ? "" : " ", name, n);
  if (!methods.empty()) out += " [" + methods + "]";
  if (e.size_mismatch) out += fmt::format(" size mismatch {}", e.size_mismatch);
  return out.empty() ? "-" : out;
}

std::string time_text(const std::optional<RadioPoint>& p) {
  if (!p) return "-";
  return fmt::format("frame {} subframe {} slot {} symbol {}", p->frame, p->subframe, p->slot, p->symbol);
}

std::string ns_text(std::int64_t ns) {
  const double a = std::abs(static_cast<double>(ns));
  if (a >= 1e9) return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
  if (a >= 1e6) return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
  if (a >= 1e3) return fmt::format("{:.3f} us", static_cast<double>(ns) / 1e3);
  return fmt::format("{} ns", ns);
}

std::string distribution_text(const Distribution& d) {
  if (!d.valid) return "-";
  return fmt::format("min {}  median {}  p99 {}  max {}", ns_text(d.min), ns_text(d.median), ns_text(d.p99),
                     ns_text(d.max));
}

}  // namespace

Status InspectOptions::validate() const {
  if (Status s = eaxc_split.validate(); !s) return s;
  if (ud_comp) {
    if (Status s = io::validate(*ud_comp); !s) return s;
  }
  if (comp_header == CompHeaderMode::static_header && !ud_comp) {
    return Error{"--static-comp-header needs --ud-comp (the configured compression, e.g. bfp9)"};
  }
  if (carrier_prbs < 0 || carrier_prbs > kMaxNrPrbs) {
    return Error{fmt::format("--carrier-prbs {} is outside 1..{}", carrier_prbs, kMaxNrPrbs)};
  }
  if (numerology < 0 || numerology > 4) return Error{fmt::format("--numerology {} is outside 0..4", numerology)};
  if (udp_port < 0 || udp_port > 65535) return Error{fmt::format("--udp-port {} is outside 1..65535", udp_port)};
  if (ta4_min_ns > ta4_max_ns) {
    return Error{fmt::format("--ta4-min-us {} is after --ta4-max-us {}", static_cast<double>(ta4_min_ns) / 1e3,
                             static_cast<double>(ta4_max_ns) / 1e3)};
  }
  if (gps_leap_seconds < 0 || gps_leap_seconds > 100) {
    return Error{fmt::format("--gps-leap-seconds {} is outside 0..100", gps_leap_seconds)};
  }
  return Status::ok();
}

Expected<io::CompressionParams> parse_ud_comp(const std::string& text) {
  struct Prefix {
    const char* name;
    io::CompressionMethod method;
  };
  static constexpr Prefix kPrefixes[] = {{"none", io::CompressionMethod::none},
                                         {"bfp", io::CompressionMethod::block_floating_point},
                                         {"bs", io::CompressionMethod::block_scaling},
                                         {"mulaw", io::CompressionMethod::mu_law}};
  for (const Prefix& p : kPrefixes) {
    const std::string name = p.name;
    if (text.rfind(name, 0) != 0) continue;
    const std::string rest = text.substr(name.size());
    if (rest.empty() && p.method == io::CompressionMethod::none) return io::CompressionParams{p.method, 16};
    if (rest.empty() || rest.size() > 2 || !std::all_of(rest.begin(), rest.end(), ::isdigit)) break;
    const int width = std::stoi(rest);
    if (width < 1 || width > 16) break;
    return io::CompressionParams{p.method, width};
  }
  return Error{fmt::format("--ud-comp '{}' is not none, noneN, bfpN, bsN or mulawN with N = iqWidth 1..16", text)};
}

std::string to_string(const io::CompressionParams& params) {
  switch (params.method) {
    case io::CompressionMethod::none: return fmt::format("none{}", params.iq_width);
    case io::CompressionMethod::block_floating_point: return fmt::format("bfp{}", params.iq_width);
    case io::CompressionMethod::block_scaling: return fmt::format("bs{}", params.iq_width);
    case io::CompressionMethod::mu_law: return fmt::format("mulaw{}", params.iq_width);
  }
  return fmt::format("method{}_{}", static_cast<int>(params.method), params.iq_width);
}

Expected<io::EaxcSplit> parse_eaxc_split(const std::string& text) {
  int v[4] = {};
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d,%d,%d,%d%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4 ||
      std::any_of(std::begin(v), std::end(v), [](int x) { return x < 0 || x > 16; })) {
    return Error{fmt::format("--eaxc-split '{}' is not four bit widths A,B,C,D (DU port, band sector, CC, RU port)",
                             text)};
  }
  io::EaxcSplit split{static_cast<std::uint8_t>(v[0]), static_cast<std::uint8_t>(v[1]),
                      static_cast<std::uint8_t>(v[2]), static_cast<std::uint8_t>(v[3])};
  if (Status s = split.validate(); !s) return Error{fmt::format("--eaxc-split '{}': {}", text, s.message())};
  return split;
}

std::uint64_t InspectReport::malformed_total() const { return malformed_by_code.errors() + bad_radio_time; }

Expected<InspectReport> inspect_capture(const std::string& path, const InspectOptions& options,
                                        const std::function<void(std::uint64_t)>& progress) {
  if (Status s = options.validate(); !s) return s.error();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error{fmt::format("{}: no such file", path)};
  if (std::filesystem::is_directory(path, ec)) return Error{fmt::format("{}: is a directory, not a capture", path)};
  auto reader = io::PcapReader::open(path);
  if (!reader) return reader.error();
  if (reader->link_type() != static_cast<std::uint32_t>(io::LinkType::ethernet)) {
    return Error{fmt::format("{}: link type {} is not Ethernet (1): O-RAN fronthaul captures are Ethernet", path,
                             reader->link_type())};
  }
  InspectReport report;
  report.path = path;
  report.format = reader->format() == io::PcapFormat::pcapng ? "pcapng" : "pcap";
  report.link_type = reader->link_type();
  report.options = options;
  auto inspector = std::make_unique<Inspector>(options);
  const std::uint64_t record_overhead = reader->format() == io::PcapFormat::pcapng ? 32 : 16;
  std::uint64_t bytes = 0;
  io::Packet packet;
  for (;;) {
    auto more = reader->next(packet);
    if (!more) {
      report.complete = false;
      report.read_error = more.error().message;
      break;
    }
    if (!*more) break;
    inspector->on_packet(packet, report);
    bytes += packet.data.size() + record_overhead;
    if (progress && (report.packets & 0xFFF) == 0) progress(bytes);
  }
  inspector->finish(report);
  if (progress) progress(bytes);
  return report;
}

nlohmann::json to_json(const InspectReport& r) {
  const InspectOptions& o = r.options;
  json options = {
      {"eaxc_split", {o.eaxc_split.du_port_bits, o.eaxc_split.band_sector_bits, o.eaxc_split.cc_bits,
                      o.eaxc_split.ru_port_bits}},
      {"comp_header", comp_header_name(o.comp_header)},
      {"ud_comp", o.ud_comp ? json(to_string(*o.ud_comp)) : json(nullptr)},
      {"carrier_prbs", o.carrier_prbs > 0 ? json(o.carrier_prbs) : json(nullptr)},
      {"numerology", o.numerology},
      {"udp_port", o.udp_port > 0 ? json(o.udp_port) : json(nullptr)},
      {"ta4_min_ns", o.ta4_min_ns},
      {"ta4_max_ns", o.ta4_max_ns},
      {"time_reference", reference_name(o.time_reference)}};
  json malformed = json::object();
  for (std::size_t i = 1; i < io::kCodecErrorCount; ++i) {
    const auto code = static_cast<io::CodecError>(i);
    if (r.malformed_by_code[code]) malformed[std::string(io::to_string(code))] = r.malformed_by_code[code];
  }
  if (r.bad_radio_time) malformed["bad_radio_time"] = r.bad_radio_time;
  json eaxcs = json::array();
  for (const EaxcReport& e : r.eaxcs) {
    const auto opt_int = [](int v) { return v < 0 ? json(nullptr) : json(v); };
    json hdr = json::object();
    for (const auto& [raw, n] : e.ud_comp_hdr) hdr[fmt::format("0x{:02x}", raw)] = n;
    eaxcs.push_back(
        {{"eaxc_id", e.eaxc_id},
         {"du_port", e.fields.du_port},
         {"band_sector", e.fields.band_sector},
         {"cc", e.fields.cc},
         {"ru_port", e.fields.ru_port},
         {"messages", e.messages},
         {"uplane_ul", e.uplane_ul},
         {"uplane_dl", e.uplane_dl},
         {"cplane", e.cplane},
         {"malformed", e.malformed},
         {"sections", e.sections},
         {"prb",
          {{"carrier_inferred", e.carrier_prbs_inferred > 0 ? json(e.carrier_prbs_inferred) : json(nullptr)},
           {"start_min", opt_int(e.start_prb_min)},
           {"start_max", opt_int(e.start_prb_max)},
           {"end_max", opt_int(e.end_prb_max)},
           {"num_prb", count_map(e.num_prb)},
           {"prbs_per_symbol", count_map(e.prbs_per_symbol)},
           {"symbols", e.symbols},
           {"symbols_full", e.symbols_full},
           {"duplicate_prbs", e.duplicate_prbs}}},
         {"compression",
          {{"uplink", compression_json(e.comp_ul)},
           {"downlink", compression_json(e.comp_dl)},
           {"ud_comp_hdr", hdr},
           {"methods", count_map(e.methods)},
           {"size_mismatch", e.size_mismatch},
           {"mismatch_bytes_per_prb", count_map(e.mismatch_bytes_per_prb)}}},
         {"sequence",
          {{"gaps", e.sequence.gaps},
           {"missing", e.sequence.missing},
           {"duplicates", e.sequence.duplicates},
           {"reordered", e.sequence.reordered}}},
         {"slots", e.slots},
         {"missing_symbols", e.missing_symbols},
         {"edge_partial_slots", e.edge_partial_slots},
         {"bfp_exponents", e.bfp_exponents}});
  }
  json examples = json::array();
  for (const MissingSymbolsExample& ex : r.missing_examples) {
    examples.push_back({{"eaxc_id", ex.eaxc_id},
                        {"direction", direction_name(ex.direction)},
                        {"frame", ex.frame},
                        {"subframe", ex.subframe},
                        {"slot", ex.slot},
                        {"symbols", ex.symbols}});
  }
  return {
      {"file", r.path},
      {"format", r.format},
      {"link_type", r.link_type},
      {"complete", r.complete},
      {"read_error", r.complete ? json(nullptr) : json(r.read_error)},
      {"passed", r.passed()},
      {"options", options},
      {"packets",
       {{"total", r.packets},
        {"ecpri", r.ecpri_frames},
        {"ecpri_ethernet", r.ecpri_ethernet},
        {"ecpri_vlan", r.ecpri_vlan},
        {"ecpri_udp", r.ecpri_udp},
        {"non_ecpri", r.non_ecpri},
        {"snaplen_truncated", r.snaplen_truncated},
        {"malformed", r.malformed_packets}}},
      {"messages",
       {{"total", r.messages},
        {"uplane_ul", r.uplane_ul},
        {"uplane_dl", r.uplane_dl},
        {"cplane_type_1", r.cplane_type_1},
        {"cplane_type_3", r.cplane_type_3},
        {"cplane_other", r.cplane_other},
        {"delay_measurement", r.delay_measurement},
        {"other_ecpri", r.other_ecpri},
        {"malformed", r.malformed_messages}}},
      {"malformed_by_code", malformed},
      {"eaxcs", eaxcs},
      {"radio_time",
       {{"first", radio_point_json(r.first_radio_time)},
        {"last", radio_point_json(r.last_radio_time)},
        {"slots", r.slots},
        {"symbols_per_slot", count_map(r.symbols_per_slot)},
        {"missing_symbols", r.missing_symbols},
        {"edge_partial_slots", r.edge_partial_slots},
        {"missing_examples", examples}}},
      {"timing",
       {{"first_timestamp_ns", r.first_timestamp_ns ? json(*r.first_timestamp_ns) : json(nullptr)},
        {"last_timestamp_ns", r.last_timestamp_ns ? json(*r.last_timestamp_ns) : json(nullptr)},
        {"duration_ns", r.duration_ns},
        {"packets_per_second", r.packets_per_second},
        {"timestamp_reversals", r.timestamp_reversals},
        {"inter_packet_gap_ns", distribution_json(r.inter_packet_gap_ns)},
        {"reception_window",
         {{"direction", "uplink"},
          {"reference", reference_name(o.time_reference)},
          {"ta4_min_ns", o.ta4_min_ns},
          {"ta4_max_ns", o.ta4_max_ns},
          {"messages", r.window_messages},
          {"early", r.early},
          {"on_time", r.on_time},
          {"late", r.late},
          {"delay_ns", distribution_json(r.delay_ns)}}}}},
      {"bfp",
       {{"prbs", r.bfp_prbs},
        {"exponent_histogram", r.bfp_exponents},
        {"at_max_exponent", r.bfp_at_max_exponent},
        {"zero_prbs", r.bfp_zero_prbs},
        {"decompress_errors", r.bfp_decompress_errors},
        {"hint", r.bfp_hint}}}};
}

void print_inspect_report(const InspectReport& r, std::ostream& out) {
  const InspectOptions& o = r.options;
  out << fmt::format("capture    {} ({}, link type {}), {} packets over {}\n", r.path, r.format, r.link_type, r.packets,
                     ns_text(static_cast<std::int64_t>(r.duration_ns)));
  if (!r.complete) out << fmt::format("           TRUNCATED: {}\n", r.read_error);
  out << fmt::format("packets    {:>10} eCPRI ({} Ethernet, {} VLAN, {} UDP)  {} non-eCPRI  {} snaplen-cut  {} malformed\n",
                     r.ecpri_frames, r.ecpri_ethernet, r.ecpri_vlan, r.ecpri_udp, r.non_ecpri, r.snaplen_truncated,
                     r.malformed_packets);
  out << fmt::format("messages   {:>10} total: U-plane UL {}  DL {}  C-plane type 1 {}  type 3 {}  other {}  "
                     "delay meas. {}  other eCPRI {}  malformed {}\n",
                     r.messages, r.uplane_ul, r.uplane_dl, r.cplane_type_1, r.cplane_type_3, r.cplane_other,
                     r.delay_measurement, r.other_ecpri, r.malformed_messages);
  if (r.malformed_total()) {
    out << "malformed  by code:\n";
    for (std::size_t i = 1; i < io::kCodecErrorCount; ++i) {
      const auto code = static_cast<io::CodecError>(i);
      if (r.malformed_by_code[code]) out << fmt::format("             {:<26}{:>10}\n", io::to_string(code), r.malformed_by_code[code]);
    }
    if (r.bad_radio_time) out << fmt::format("             {:<26}{:>10}\n", "bad_radio_time", r.bad_radio_time);
  }

  out << fmt::format("\neAxCs      split {},{},{},{} (DU port, band sector, CC, RU port)\n", o.eaxc_split.du_port_bits,
                     o.eaxc_split.band_sector_bits, o.eaxc_split.cc_bits, o.eaxc_split.ru_port_bits);
  out << fmt::format("  {:<7} {:>3} {:>3} {:>3} {:>3} {:>9} {:>9} {:>9} {:>7} {:>9} {:>6} {:>7} {:>5} {:>6} {:>6} {:>8}\n",
                     "eAxC", "du", "bs", "cc", "ru", "messages", "U-UL", "U-DL", "C", "sections", "gaps", "missing",
                     "dupl", "reord", "slots", "miss.sym");
  for (const EaxcReport& e : r.eaxcs) {
    out << fmt::format("  0x{:04x}  {:>3} {:>3} {:>3} {:>3} {:>9} {:>9} {:>9} {:>7} {:>9} {:>6} {:>7} {:>5} {:>6} {:>6} {:>8}\n",
                       e.eaxc_id, e.fields.du_port, e.fields.band_sector, e.fields.cc, e.fields.ru_port, e.messages,
                       e.uplane_ul, e.uplane_dl, e.cplane, e.sections, e.sequence.gaps, e.sequence.missing,
                       e.sequence.duplicates, e.sequence.reordered, e.slots, e.missing_symbols);
  }
  int inferred = 0;
  for (const EaxcReport& e : r.eaxcs) inferred = std::max(inferred, e.carrier_prbs_inferred);
  out << fmt::format("\nPRBs       carrier {}\n",
                     o.carrier_prbs > 0 ? fmt::format("{} PRBs", o.carrier_prbs)
                     : inferred > 0     ? fmt::format("unknown: {} PRBs inferred from numPrb = 0 sections", inferred)
                                        : std::string("unknown (full = up to the largest end seen)"));
  out << fmt::format("  {:<7} {:>9} {:>6} {:<22} {:>8} {:>8} {:>6}  {}\n", "eAxC", "startPrb", "end", "numPrb x sections",
                     "symbols", "full", "dupl", "compression");
  for (const EaxcReport& e : r.eaxcs) {
    const std::string start =
        e.start_prb_min < 0 ? "-" : e.start_prb_min == e.start_prb_max ? std::to_string(e.start_prb_min)
                                                                       : fmt::format("{}..{}", e.start_prb_min, e.start_prb_max);
    out << fmt::format("  0x{:04x}  {:>9} {:>6} {:<22} {:>8} {:>8} {:>6}  {}\n", e.eaxc_id, start,
                       e.end_prb_max < 0 ? std::string("-") : std::to_string(e.end_prb_max), format_map(e.num_prb),
                       e.symbols, e.symbols_full, e.duplicate_prbs, compression_text(e));
  }

  out << "\nradio time (U-plane)\n";
  out << fmt::format("  first    {}\n  last     {}\n", time_text(r.first_radio_time), time_text(r.last_radio_time));
  out << fmt::format("  slots    {}   symbols per slot: {}   missing symbols {}   slots cut by the capture edges {}\n",
                     r.slots, format_map(r.symbols_per_slot, 8), r.missing_symbols, r.edge_partial_slots);
  for (const MissingSymbolsExample& ex : r.missing_examples) {
    std::string symbols;
    for (int s : ex.symbols) symbols += fmt::format("{}{}", symbols.empty() ? "" : ",", s);
    out << fmt::format("    missing: eAxC 0x{:04x} {} frame {} subframe {} slot {} symbols {}\n", ex.eaxc_id,
                       direction_name(ex.direction), ex.frame, ex.subframe, ex.slot, symbols);
  }

  out << "\ntiming\n";
  out << fmt::format("  duration {}   {:.1f} packets/s   timestamps going backwards {}\n",
                     ns_text(static_cast<std::int64_t>(r.duration_ns)), r.packets_per_second, r.timestamp_reversals);
  out << fmt::format("  gaps     {}\n", distribution_text(r.inter_packet_gap_ns));
  out << fmt::format("  window   UL U-plane, Ta4 {}..{}, reference {}: {} messages: {} early, {} on time, {} late\n",
                     ns_text(o.ta4_min_ns), ns_text(o.ta4_max_ns), reference_name(o.time_reference), r.window_messages,
                     r.early, r.on_time, r.late);
  out << fmt::format("  delay    {}\n", distribution_text(r.delay_ns));

  out << fmt::format("\nBFP        {} PRBs, {} at the largest exponent, {} all zero, {} undecodable: {}\n", r.bfp_prbs,
                     r.bfp_at_max_exponent, r.bfp_zero_prbs, r.bfp_decompress_errors, r.bfp_hint);
  if (r.bfp_prbs) {
    out << "  exponent";
    for (int e = 0; e < 16; ++e) {
      if (r.bfp_exponents[static_cast<std::size_t>(e)]) out << fmt::format("  {}:{}", e, r.bfp_exponents[static_cast<std::size_t>(e)]);
    }
    out << "\n";
  }
  out << fmt::format("\n{}\n", r.passed() ? "OK" : !r.complete ? "FAIL: the capture is truncated or corrupt"
                                                               : fmt::format("FAIL: {} malformed", r.malformed_total()));
}

void add_inspect_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string path;
    bool json = false;
    std::string split = "4,4,4,4";
    std::string ud_comp;
    bool dynamic = false;
    bool static_header = false;
    int carrier_prbs = 0;
    int numerology = 1;
    int udp_port = 0;
    double ta4_min_us = 0.0;
    double ta4_max_us = 300.0;
    std::string reference = "min";
    int leap_seconds = 18;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "O-RAN-aware summary of a pcap/pcapng fronthaul capture: packets, eAxCs, PRBs, compression, "
                 "SeqIds, slots, timing and the reception window; exit 1 on malformed O-RAN packets or a truncated capture");
  cmd->add_option("TRACE", o->path, "pcap or pcapng file")->required();
  cmd->add_flag("--json", o->json, "print the report as one JSON object (layout: tools/airan/inspect.hpp)");
  cmd->add_option("--eaxc-split", o->split, "eAxC id bit widths DU port,band sector,CC,RU port")->capture_default_str();
  cmd->add_option("--ud-comp", o->ud_comp, "static compression: none, noneN, bfpN, bsN, mulawN (N = iqWidth)");
  auto* dyn = cmd->add_flag("--dynamic-comp-header", o->dynamic, "sections carry udCompHdr (default: detected)");
  auto* stat = cmd->add_flag("--static-comp-header", o->static_header, "sections carry no udCompHdr; --ud-comp applies");
  dyn->excludes(stat);
  cmd->add_option("--carrier-prbs", o->carrier_prbs, "carrier width in PRBs (numPrb = 0, coverage); default unknown");
  cmd->add_option("--numerology", o->numerology, "subcarrier spacing 15*2^mu kHz")->capture_default_str();
  cmd->add_option("--udp-port", o->udp_port, "also look for eCPRI over UDP/IPv4 to this port");
  cmd->add_option("--ta4-min-us", o->ta4_min_us, "reception window start after the symbol's air time (us)")
      ->capture_default_str();
  cmd->add_option("--ta4-max-us", o->ta4_max_us, "reception window end (us)")->capture_default_str();
  cmd->add_option("--time-reference", o->reference,
                  "frame-0 reference: min (earliest UL message at Ta4_min), first (first one mid-window, as the slot "
                  "assembler), gps (PTP-synced timestamps)")
      ->check(CLI::IsMember({"min", "first", "gps"}))
      ->capture_default_str();
  cmd->add_option("--gps-leap-seconds", o->leap_seconds, "GPS - UTC for --time-reference gps")->capture_default_str();
  cmd->callback([o, &exit_code] {
    auto usage = [&](const std::string& message) {
      std::cerr << "airan inspect: " << message << "\n";
      exit_code = kExitUsage;
    };
    InspectOptions options;
    auto split = parse_eaxc_split(o->split);
    if (!split) return usage(split.error().message);
    options.eaxc_split = *split;
    if (!o->ud_comp.empty()) {
      auto comp = parse_ud_comp(o->ud_comp);
      if (!comp) return usage(comp.error().message);
      options.ud_comp = *comp;
    }
    options.comp_header = o->dynamic         ? CompHeaderMode::dynamic_header
                          : o->static_header ? CompHeaderMode::static_header
                                             : CompHeaderMode::auto_detect;
    options.carrier_prbs = o->carrier_prbs;
    options.numerology = o->numerology;
    options.udp_port = o->udp_port;
    if (!std::isfinite(o->ta4_min_us) || !std::isfinite(o->ta4_max_us) || std::abs(o->ta4_min_us) > 1e6 ||
        std::abs(o->ta4_max_us) > 1e6) {
      return usage("--ta4-min-us/--ta4-max-us must be finite and within +-1 s");
    }
    options.ta4_min_ns = std::llround(o->ta4_min_us * 1e3);
    options.ta4_max_ns = std::llround(o->ta4_max_us * 1e3);
    options.time_reference = o->reference == "first" ? TimeReference::first_packet
                             : o->reference == "gps" ? TimeReference::gps
                                                     : TimeReference::min_delay;
    options.gps_leap_seconds = o->leap_seconds;
    if (Status s = options.validate(); !s) return usage(s.message());

    std::error_code ec;
    const auto size = std::filesystem::file_size(o->path, ec);
    ProgressBar bar("inspect", ec ? 1 : static_cast<long long>(size));
    auto report = inspect_capture(o->path, options, [&](std::uint64_t bytes) { bar.update(static_cast<long long>(bytes)); });
    bar.finish();
    if (!report) return usage(report.error().message);
    if (o->json) {
      std::cout << to_json(*report).dump(2) << "\n";
    } else {
      print_inspect_report(*report, std::cout);
    }
    if (!report->complete) std::cerr << "airan inspect: " << report->read_error << "\n";
    exit_code = report->passed() ? kExitOk : kExitCheckFailed;
  });
}

}  // namespace airan::tools

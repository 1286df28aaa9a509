#include "airan/io/fronthaul.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "airan/phy/numerology.hpp"

namespace airan::io {
namespace {

constexpr std::int64_t kFrameNs = 10'000'000;
constexpr std::int64_t kSubframeNs = 1'000'000;
constexpr std::uint16_t kSectionId = 1;

std::int64_t tc_to_ns(std::int64_t tc) {
  // T_c = 1 / (480 kHz * 4096): ns = tc * 1e9 / 1966080000 = tc * 15625 / 30720, which stays in
  // 64 bits for any offset within a frame (tc < 2e7).
  return tc * 15'625 / 30'720;
}

int find_port(const std::vector<std::uint16_t>& ids, std::uint16_t id) {
  const auto it = std::find(ids.begin(), ids.end(), id);
  return it == ids.end() ? -1 : static_cast<int>(it - ids.begin());
}

// Signed distance a - b on the slot cycle, in (-cycle/2, cycle/2].
int cyclic_distance(int a, int b, int cycle) {
  int d = (a - b) % cycle;
  if (d < 0) d += cycle;
  return d > cycle / 2 ? d - cycle : d;
}

}  // namespace

Status FronthaulConfig::validate() const {
  if (numerology < 0 || numerology > 4) return Error{fmt::format("numerology {} is outside 0..4", numerology)};
  if (carrier_prbs < 1 || carrier_prbs > 275) {
    return Error{fmt::format("carrier_prbs {} is outside 1..275", carrier_prbs)};
  }
  if (eaxc_ids.empty() || eaxc_ids.size() > 16) {
    return Error{fmt::format("{} eAxC ids: need 1..16 (one per grid port)", eaxc_ids.size())};
  }
  for (std::size_t i = 0; i < eaxc_ids.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (eaxc_ids[i] == eaxc_ids[j]) return Error{fmt::format("eAxC id {} is listed twice", eaxc_ids[i])};
    }
  }
  if (Status s = eaxc_split.validate(); !s) return s;
  for (const auto* c : {&uplane.uplink, &uplane.downlink}) {
    if (Status s = io::validate(c->static_comp.params()); !s) return s;
  }
  if (uplane.carrier_prbs != 0 && uplane.carrier_prbs != carrier_prbs) {
    return Error{fmt::format("uplane.carrier_prbs {} differs from carrier_prbs {}", uplane.carrier_prbs,
                             carrier_prbs)};
  }
  if (!(iq_scale > 0.0F)) return Error{fmt::format("iq_scale {} must be positive", iq_scale)};
  if (mtu < 256 || mtu > 9600) return Error{fmt::format("mtu {} is outside 256..9600", mtu)};
  if (window.ta4_min_ns > window.ta4_max_ns) {
    return Error{fmt::format("reception window Ta4_min {} ns is after Ta4_max {} ns", window.ta4_min_ns,
                             window.ta4_max_ns)};
  }
  if (slots_in_flight < 1 || slots_in_flight > 64) {
    return Error{fmt::format("slots_in_flight {} is outside 1..64", slots_in_flight)};
  }
  if (downlink_eaxc_ids.size() > 16) {
    return Error{fmt::format("{} downlink eAxC ids: need at most 16", downlink_eaxc_ids.size())};
  }
  for (std::size_t i = 0; i < downlink_eaxc_ids.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (downlink_eaxc_ids[i] == downlink_eaxc_ids[j]) {
        return Error{fmt::format("downlink eAxC id {} is listed twice", downlink_eaxc_ids[i])};
      }
    }
  }
  if (t1a_min_up_ns < 0 || t1a_min_up_ns > t1a_max_up_ns) {
    return Error{fmt::format("downlink window: T1a_min_up {} ns must be within 0..T1a_max_up ({} ns)", t1a_min_up_ns,
                             t1a_max_up_ns)};
  }
  return Status::ok();
}

FronthaulConfig FronthaulConfig::downlink() const {
  FronthaulConfig d = *this;
  d.direction = DataDirection::downlink;
  if (!downlink_eaxc_ids.empty()) d.eaxc_ids = downlink_eaxc_ids;
  d.window.ta4_min_ns = -t1a_max_up_ns;
  d.window.ta4_max_ns = -t1a_min_up_ns;
  return d;
}

int slots_per_frame_cycle(int numerology) { return 256 * 10 * (1 << numerology); }

int slot_index(const SlotTime& t, int numerology) {
  return (t.frame * 10 + t.subframe) * (1 << numerology) + t.slot;
}

SlotTime slot_time(int index, int numerology) {
  const int per_subframe = 1 << numerology;
  const int subframes = index / per_subframe;
  return {subframes / 10 % 256, subframes % 10, index % per_subframe};
}

std::int64_t symbol_air_time_ns(const SlotTime& t, int symbol, int numerology) {
  phy::Numerology n;
  n.mu = numerology;
  const std::int64_t within_subframe = n.slot_start_in_subframe_tc(t.slot) + n.symbol_start_tc(symbol, t.slot);
  return t.frame * kFrameNs + t.subframe * kSubframeNs + tc_to_ns(within_subframe);
}

// ---------------------------------------------------------------------------------------------
// Packer

UplanePacker::UplanePacker(const FronthaulConfig& config) : config_(config) {}

Expected<UplanePacker> UplanePacker::create(const FronthaulConfig& input) {
  FronthaulConfig config = input;
  config.uplane.carrier_prbs = static_cast<std::uint16_t>(config.carrier_prbs);
  if (Status s = config.validate(); !s) return s.error();
  UplanePacker packer(config);
  const UplaneCompressionConfig& comp = config.uplane.compression(config.direction);
  const int prb_bytes = compressed_prb_bytes(comp.static_comp.params());
  // What one frame carries besides PRBs: IPv4 + UDP when used (the Ethernet header is not part
  // of the MTU), the eCPRI transport header, the U-plane header and one section header.
  const int overhead = (config.frame.transport == FrameTransport::udp_ipv4 ? 28 : 0) +
                       static_cast<int>(kEcpriTransportHeaderSize + kUplaneHeaderSize + kUplaneSectionHeaderSize) +
                       (comp.dynamic ? 2 : 0);
  packer.prbs_per_packet_ = std::min(config.carrier_prbs, (config.mtu - overhead) / prb_bytes);
  if (packer.prbs_per_packet_ < 1) return Error{fmt::format("mtu {} cannot hold one PRB", config.mtu)};
  packer.seq_ids_.assign(config.eaxc_ids.size(), 0);
  packer.frame_.resize(static_cast<std::size_t>(config.mtu) + 64);
  packer.iq_.resize(static_cast<std::size_t>(config.carrier_prbs) * kIqValuesPerPrb);
  packer.compressed_.resize(static_cast<std::size_t>(config.carrier_prbs) * prb_bytes);
  return packer;
}

Status UplanePacker::pack_slot(const phy::ResourceGrid& grid, const SlotTime& time,
                               const std::function<void(std::span<const std::uint8_t>, int symbol)>& emit) {
  const int ports = config_.ports();
  const int subcarriers = 12 * config_.carrier_prbs;
  if (grid.ports() != ports || grid.symbols() != config_.symbols_per_slot() || grid.subcarriers() != subcarriers) {
    return Error{fmt::format("grid is {} x {} x {}; the fronthaul carries {} ports x 14 x {}", grid.ports(),
                             grid.symbols(), grid.subcarriers(), ports, subcarriers)};
  }
  const UplaneCompressionConfig& comp = config_.uplane.compression(config_.direction);
  const CompressionParams params = comp.static_comp.params();
  const auto prb_bytes = static_cast<std::size_t>(compressed_prb_bytes(params));
  UplaneMessage message;
  message.timing.direction = config_.direction;
  message.timing.frame_id = static_cast<std::uint8_t>(time.frame);
  message.timing.subframe_id = static_cast<std::uint8_t>(time.subframe);
  message.timing.slot_id = static_cast<std::uint8_t>(time.slot);
  message.num_sections = 1;
  for (int symbol = 0; symbol < config_.symbols_per_slot(); ++symbol) {
    message.timing.symbol_id = static_cast<std::uint8_t>(symbol);
    for (int port = 0; port < ports; ++port) {
      float_to_iq16(grid.symbol(port, symbol), config_.iq_scale, iq_);
      compress_prbs(params, iq_, compressed_);
      for (int first = 0; first < config_.carrier_prbs; first += prbs_per_packet_) {
        const int count = std::min(prbs_per_packet_, config_.carrier_prbs - first);
        UplaneSection& section = message.sections[0];
        section.section_id = kSectionId;
        section.start_prb = static_cast<std::uint16_t>(first);
        section.num_prb = static_cast<std::uint16_t>(count);
        section.comp = comp.static_comp;
        section.comp_hdr_present = comp.dynamic;
        section.payload = std::span<const std::uint8_t>(compressed_).subspan(first * prb_bytes, count * prb_bytes);
        EcpriTransport transport;
        transport.eaxc_id = config_.eaxc_ids[port];
        transport.seq_id = seq_ids_[port]++;
        // The eCPRI PDU first, behind room for the headers; then the headers in front of it
        // (write_frame_headers also fills lengths and checksums and pads short frames).
        const std::size_t header_size = frame_header_size(config_.frame);
        const BuildResult body = build_uplane_message(std::span(frame_).subspan(header_size), transport, message,
                                                      config_.uplane);
        if (!body) return to_status(body.error, "U-plane message");
        const BuildResult frame = write_frame_headers(frame_, config_.frame, body.size);
        if (!frame) return to_status(frame.error, "frame headers");
        const std::size_t size = frame.size;
        emit(std::span<const std::uint8_t>(frame_.data(), size), symbol);
      }
    }
  }
  return Status::ok();
}

Status UplanePacker::quantize(const phy::ResourceGrid& grid, phy::ResourceGrid& out) const {
  const CompressionParams params = config_.uplane.compression(config_.direction).static_comp.params();
  out.resize(grid.ports(), grid.symbols(), grid.subcarriers());
  std::vector<std::int16_t> iq(static_cast<std::size_t>(grid.subcarriers()) * 2);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(config_.carrier_prbs) * compressed_prb_bytes(params));
  for (int p = 0; p < grid.ports(); ++p) {
    for (int l = 0; l < grid.symbols(); ++l) {
      float_to_iq16(grid.symbol(p, l), config_.iq_scale, iq);
      compress_prbs(params, iq, bytes);
      if (Status s = decompress_prbs(params, bytes, config_.carrier_prbs, iq); !s) return s;
      iq16_to_float(iq, config_.iq_scale, out.symbol(p, l));
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Slot assembler

SlotAssembler::SlotAssembler(const FronthaulConfig& config) : config_(config) {}

Expected<SlotAssembler> SlotAssembler::create(const FronthaulConfig& input) {
  FronthaulConfig config = input;
  config.uplane.carrier_prbs = static_cast<std::uint16_t>(config.carrier_prbs);
  if (Status s = config.validate(); !s) return s.error();
  SlotAssembler assembler(config);
  assembler.words_per_symbol_ = (config.carrier_prbs + 63) / 64;
  assembler.slots_.resize(static_cast<std::size_t>(config.slots_in_flight));
  for (SlotBuffer& b : assembler.slots_) {
    b.grid.resize(config.ports(), config.symbols_per_slot(), 12 * config.carrier_prbs);
    b.received.assign(static_cast<std::size_t>(config.ports()) * config.symbols_per_slot() *
                          assembler.words_per_symbol_,
                      0);
  }
  assembler.counters_.eaxc.assign(config.eaxc_ids.size(), EaxcCounters{});
  assembler.last_seq_.assign(config.eaxc_ids.size(), std::nullopt);
  assembler.seq_seen_.assign(config.eaxc_ids.size(), {});
  assembler.iq_.resize(static_cast<std::size_t>(config.carrier_prbs) * kIqValuesPerPrb);
  return assembler;
}

Expected<SlotAssembler> SlotAssembler::create(const FronthaulConfig& config, const SectionOutput& output) {
  if (output.max_sections_per_slot < 1 || output.max_sections_per_slot > 65535) {
    return Error{fmt::format("descriptor mode: max_sections_per_slot {} is outside 1..65535",
                             output.max_sections_per_slot)};
  }
  if (config.slots_in_flight < 1 || config.slots_in_flight > 64) {
    return Error{fmt::format("slots_in_flight {} is outside 1..64", config.slots_in_flight)};
  }
  const std::size_t part = output.arena.size() / static_cast<std::size_t>(config.slots_in_flight);
  if (part == 0) {
    return Error{fmt::format("descriptor mode: the payload arena ({} bytes) has no room for {} slots in flight",
                             output.arena.size(), config.slots_in_flight)};
  }
  if (part > 0xFFFFFFFFU) {
    return Error{fmt::format("descriptor mode: {} arena bytes per slot exceed the 32-bit payload offsets", part)};
  }
  auto made = create(config);
  if (!made) return made.error();
  SlotAssembler assembler = std::move(*made);
  assembler.descriptor_mode_ = true;
  for (std::size_t i = 0; i < assembler.slots_.size(); ++i) {
    SlotBuffer& b = assembler.slots_[i];
    b.grid = phy::ResourceGrid();  // descriptor mode keeps no host grid
    b.arena = output.arena.subspan(i * part, part);
    b.sections.assign(static_cast<std::size_t>(output.max_sections_per_slot), SectionDescriptor{});
  }
  return assembler;
}

void SlotAssembler::track_seq_id(int port, std::uint8_t seq_id, EaxcCounters& c) {
  std::bitset<256>& seen = seq_seen_[port];
  if (!last_seq_[port]) {
    last_seq_[port] = seq_id;
    seen.set(seq_id);
    return;
  }
  const int gap = (seq_id - (*last_seq_[port] + 1)) & 0xFF;
  if (gap < 128) {
    // Newer than any seen: the SeqIds jumped over are missing until they turn up.
    for (int k = 1; k <= gap; ++k) seen.reset((*last_seq_[port] + k) & 0xFF);
    seen.set(seq_id);
    c.seq_id_gaps += static_cast<std::uint64_t>(gap);
    last_seq_[port] = seq_id;
  } else if (!seen.test(seq_id)) {
    // Behind the newest and not seen yet: out of order, no longer missing.
    seen.set(seq_id);
    ++c.seq_id_reordered;
    if (c.seq_id_gaps > 0) --c.seq_id_gaps;
  }
  // Behind and already seen: a duplicate, which the PRB bookkeeping counts.
}

void SlotAssembler::on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns,
                             const std::function<void(const AssembledSlot&)>& on_slot) {
  ++counters_.frames;
  ParsedFrame parsed;
  if (const CodecError e = parse_frame(frame, config_.frame_parse, parsed); e != CodecError::ok) {
    counters_.codec.count(e);
    ++(e == CodecError::not_ecpri ? counters_.not_oran : counters_.malformed);
    return;
  }
  if (const CodecError e = parse_ecpri_pdu(parsed.ecpri, pdu_); e != CodecError::ok) {
    counters_.codec.count(e);
    ++counters_.malformed;
    return;
  }
  const int cycle = slots_per_frame_cycle(config_.numerology);
  for (const EcpriMessage& m : pdu_.view()) {
    if (m.status != CodecError::ok) {
      counters_.codec.count(m.status);
      ++counters_.malformed;
      continue;
    }
    if (m.type() != EcpriMessageType::iq_data) {
      ++counters_.not_oran;
      continue;
    }
    // The other direction's flow on the same eAxC ids is not ours: leave its SeqIds and
    // counters alone (dataDirection is the first bit of the U-plane message).
    if (!m.payload.empty() &&
        ((m.payload[0] & 0x80U) != 0 ? DataDirection::downlink : DataDirection::uplink) != config_.direction) {
      ++counters_.wrong_direction;
      continue;
    }
    const int port = find_port(config_.eaxc_ids, m.transport.eaxc_id);
    if (port < 0) {
      ++counters_.unknown_eaxc;
      continue;
    }
    EaxcCounters& c = counters_.eaxc[port];
    ++c.total_msgs_rcvd;
    track_seq_id(port, m.transport.seq_id, c);

    if (const CodecError e = parse_uplane(m, config_.uplane, message_); e != CodecError::ok) {
      counters_.codec.count(e);
      ++counters_.malformed;
      ++c.rx_corrupt;
      continue;
    }
    const RadioTiming& t = message_.timing;
    if (t.direction != config_.direction) {
      ++counters_.wrong_direction;
      continue;
    }
    const SlotTime time{t.frame_id, t.subframe_id, t.slot_id};
    if (t.subframe_id > 9 || t.slot_id >= (1 << config_.numerology) || t.symbol_id >= config_.symbols_per_slot()) {
      ++c.rx_corrupt;
      continue;
    }
    // Reception window against the symbol's air time, on the 2.56 s frame-number cycle.
    if (!config_.window.enabled) {
      ++c.rx_on_time;
    } else if (!classify_and_keep(time, t.symbol_id, arrival_ns, c)) {
      continue;
    }
    const int index = slot_index(time, config_.numerology);
    if (newest_index_ >= 0 && cyclic_distance(index, newest_index_, cycle) <= -config_.slots_in_flight) {
      ++c.rx_late;  // its slot was already closed
      continue;
    }
    SlotBuffer* buffer = buffer_for(index, on_slot);
    int fresh = 0;
    bool any_valid = false;
    for (const UplaneSection& section : message_.view()) {
      const int prbs = descriptor_mode_ ? record_section(*buffer, port, t.symbol_id, section, c)
                                        : write_section(*buffer, port, t.symbol_id, section, c);
      fresh += std::max(prbs, 0);
      any_valid = any_valid || prbs >= 0;
    }
    if (any_valid && fresh == 0) ++c.rx_pkt_dupl;
  }
}

SlotAssembler::SlotBuffer* SlotAssembler::buffer_for(int index,
                                                     const std::function<void(const AssembledSlot&)>& on_slot) {
  const int cycle = slots_per_frame_cycle(config_.numerology);
  if (newest_index_ < 0 || cyclic_distance(index, newest_index_, cycle) > 0) {
    newest_index_ = index;
    // Close the slots that fell out of the window of slots in flight, oldest first.
    for (;;) {
      SlotBuffer* oldest = nullptr;
      for (SlotBuffer& b : slots_) {
        if (b.index >= 0 && cyclic_distance(b.index, newest_index_, cycle) <= -config_.slots_in_flight &&
            (!oldest || cyclic_distance(b.index, oldest->index, cycle) < 0)) {
          oldest = &b;
        }
      }
      if (!oldest) break;
      close(*oldest, on_slot);
    }
  }
  for (SlotBuffer& b : slots_) {
    if (b.index == index) return &b;
  }
  SlotBuffer* free_buffer = nullptr;
  for (SlotBuffer& b : slots_) {
    if (b.index < 0) {
      free_buffer = &b;
      break;
    }
  }
  if (!free_buffer) {
    // All buffers hold slots still in the window: close the oldest to make room.
    SlotBuffer* oldest = &slots_[0];
    for (SlotBuffer& b : slots_) {
      if (cyclic_distance(b.index, oldest->index, cycle) < 0) oldest = &b;
    }
    close(*oldest, on_slot);
    free_buffer = oldest;
  }
  free_buffer->index = index;
  if (!descriptor_mode_) free_buffer->grid.clear();
  std::fill(free_buffer->received.begin(), free_buffer->received.end(), 0);
  free_buffer->prbs = 0;
  free_buffer->arena_used = 0;
  free_buffer->section_count = 0;
  return free_buffer;
}

int SlotAssembler::write_section(SlotBuffer& buffer, int port, int symbol, const UplaneSection& section,
                                 EaxcCounters& c) {
  if (section.rb || section.start_prb + section.num_prb > config_.carrier_prbs) {
    ++c.rx_corrupt;  // every-other-PRB sections are not used by this carrier
    ++counters_.sections_corrupt;
    return -1;
  }
  const std::span<std::int16_t> iq = std::span(iq_).first(static_cast<std::size_t>(section.num_prb) * kIqValuesPerPrb);
  if (Status s = decompress_prbs(section.comp.params(), section.payload, section.num_prb, iq); !s) {
    ++c.rx_corrupt;
    ++counters_.sections_corrupt;
    return -1;
  }
  int fresh = 0;
  std::uint64_t* bits =
      buffer.received.data() + (static_cast<std::size_t>(port) * config_.symbols_per_slot() + symbol) * words_per_symbol_;
  const std::span<phy::Complex> row = buffer.grid.symbol(port, symbol);
  for (int i = 0; i < section.num_prb; ++i) {
    const int prb = section.start_prb + i;
    const std::uint64_t mask = 1ULL << (prb % 64);
    if (bits[prb / 64] & mask) {
      ++c.prbs_duplicate;
      continue;
    }
    bits[prb / 64] |= mask;
    ++buffer.prbs;
    ++c.prbs_received;
    iq16_to_float(iq.subspan(static_cast<std::size_t>(i) * kIqValuesPerPrb, kIqValuesPerPrb), config_.iq_scale,
                  row.subspan(static_cast<std::size_t>(prb) * 12, 12));
    ++fresh;
  }
  return fresh;
}

int SlotAssembler::record_section(SlotBuffer& buffer, int port, int symbol, const UplaneSection& section,
                                  EaxcCounters& c) {
  // The acceptance rules of write_section, without decompressing (check_compressed_prbs makes
  // exactly decompress_prbs's checks), so both modes count the same packets alike.
  const CompressionParams params = section.comp.params();
  if (section.rb || section.start_prb + section.num_prb > config_.carrier_prbs ||
      !check_compressed_prbs(params, section.payload, section.num_prb)) {
    ++c.rx_corrupt;
    ++counters_.sections_corrupt;
    return -1;
  }
  const auto prb_bytes = static_cast<std::size_t>(compressed_prb_bytes(params));
  std::uint64_t* bits =
      buffer.received.data() + (static_cast<std::size_t>(port) * config_.symbols_per_slot() + symbol) * words_per_symbol_;
  auto is_new = [bits](int prb) { return (bits[prb / 64] & (1ULL << (prb % 64))) == 0; };
  // First the room the new PRBs need (one descriptor per run of new PRBs, their bytes), so a
  // section that does not fit changes nothing.
  std::size_t runs = 0;
  std::size_t bytes = 0;
  for (int i = 0; i < section.num_prb; ++i) {
    if (!is_new(section.start_prb + i)) continue;
    bytes += prb_bytes;
    if (i == 0 || !is_new(section.start_prb + i - 1)) ++runs;
  }
  if (runs > 0 && (static_cast<std::size_t>(buffer.section_count) + runs > buffer.sections.size() ||
                   buffer.arena_used + bytes > buffer.arena.size())) {
    ++counters_.sections_dropped_full;
    return -1;
  }
  int fresh = 0;
  for (int i = 0; i < section.num_prb;) {
    if (!is_new(section.start_prb + i)) {
      ++c.prbs_duplicate;
      ++i;
      continue;
    }
    int end = i;
    while (end < section.num_prb && is_new(section.start_prb + end)) ++end;
    for (int k = i; k < end; ++k) bits[(section.start_prb + k) / 64] |= 1ULL << ((section.start_prb + k) % 64);
    const int count = end - i;
    const std::size_t size = static_cast<std::size_t>(count) * prb_bytes;
    std::memcpy(buffer.arena.data() + buffer.arena_used, section.payload.data() + static_cast<std::size_t>(i) * prb_bytes,
                size);
    SectionDescriptor& d = buffer.sections[static_cast<std::size_t>(buffer.section_count++)];
    d.payload_offset = static_cast<std::uint32_t>(buffer.arena_used);
    d.port = static_cast<std::uint16_t>(port);
    d.symbol = static_cast<std::uint8_t>(symbol);
    d.method = params.method;
    d.start_prb = static_cast<std::uint16_t>(section.start_prb + i);
    d.num_prb = static_cast<std::uint16_t>(count);
    d.iq_width = static_cast<std::uint8_t>(params.iq_width);
    buffer.arena_used += size;
    buffer.prbs += count;
    c.prbs_received += static_cast<std::uint64_t>(count);
    fresh += count;
    i = end;
  }
  return fresh;
}

void SlotAssembler::close(SlotBuffer& buffer, const std::function<void(const AssembledSlot&)>& on_slot) {
  const int expected = config_.ports() * config_.symbols_per_slot() * config_.carrier_prbs;
  AssembledSlot slot;
  slot.time = slot_time(buffer.index, config_.numerology);
  if (descriptor_mode_) {
    slot.sections = std::span<const SectionDescriptor>(buffer.sections).first(static_cast<std::size_t>(buffer.section_count));
    slot.payload = std::span<const std::uint8_t>(buffer.arena).first(buffer.arena_used);
  } else {
    slot.grid = &buffer.grid;
  }
  slot.prbs_missing = expected - buffer.prbs;
  slot.complete = slot.prbs_missing == 0;
  ++(slot.complete ? counters_.slots_complete : counters_.slots_incomplete);
  counters_.prbs_missing += static_cast<std::uint64_t>(slot.prbs_missing);
  if (on_slot) on_slot(slot);
  buffer.index = -1;
}

bool SlotAssembler::classify_and_keep(const SlotTime& time, int symbol, std::int64_t arrival_ns, EaxcCounters& c) {
  const std::int64_t air = symbol_air_time_ns(time, symbol, config_.numerology);
  if (!frame_zero_ns_) frame_zero_ns_ = arrival_ns - air - (config_.window.ta4_min_ns + config_.window.ta4_max_ns) / 2;
  constexpr std::int64_t kCycleNs = 256 * kFrameNs;
  std::int64_t delay = (arrival_ns - *frame_zero_ns_ - air) % kCycleNs;
  if (delay < 0) delay += kCycleNs;
  if (delay > kCycleNs / 2) delay -= kCycleNs;
  if (delay > config_.window.ta4_max_ns) {
    ++c.rx_late;  // too late for the slot's processing: dropped
    return false;
  }
  ++(delay < config_.window.ta4_min_ns ? c.rx_early : c.rx_on_time);
  return true;
}

void SlotAssembler::flush(const std::function<void(const AssembledSlot&)>& on_slot) {
  const int cycle = slots_per_frame_cycle(config_.numerology);
  for (;;) {
    SlotBuffer* oldest = nullptr;
    for (SlotBuffer& b : slots_) {
      if (b.index >= 0 && (!oldest || cyclic_distance(b.index, oldest->index, cycle) < 0)) oldest = &b;
    }
    if (!oldest) break;
    close(*oldest, on_slot);
  }
}

}  // namespace airan::io

#include "airan/mac/scheduler.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "airan/mac/grant_to_pdu.hpp"
#include "airan/phy/coding/tbs.hpp"

namespace airan::mac {
namespace {

const char* name(Direction d) { return d == Direction::downlink ? "downlink" : "uplink"; }

constexpr std::array<Direction, 2> kDirections = {Direction::downlink, Direction::uplink};

Status validate_shared_channel(const SharedChannelConfig& c, Direction d) {
  const char* dir = name(d);
  if (c.max_layers < 1 || c.max_layers > kMaxLayers) {
    return Error{fmt::format("{}.max_layers={} is outside 1..{}", dir, c.max_layers, kMaxLayers)};
  }
  if (c.x_overhead != 0 && c.x_overhead != 6 && c.x_overhead != 12 && c.x_overhead != 18) {
    return Error{fmt::format("{}.x_overhead={} is not one of 0, 6, 12, 18", dir, c.x_overhead)};
  }
  if (c.mcs_table == phy::McsTable::tp_qam64 || c.mcs_table == phy::McsTable::tp_qam64_low_se) {
    return Error{fmt::format("{}.mcs_table={}: transform precoding is not scheduled (its PRB counts must be "
                             "2^a 3^b 5^c)",
                             dir, phy::to_string(c.mcs_table))};
  }
  if (d == Direction::downlink && (c.start_symbol < 0 || c.start_symbol > 3)) {
    return Error{fmt::format("downlink.start_symbol={} is outside 0..3 (mapping type A)", c.start_symbol)};
  }
  if (d == Direction::uplink) {
    if (c.start_symbol != 0) return Error{fmt::format("uplink.start_symbol={} must be 0", c.start_symbol)};
    // The FAPI PUSCH PDU carries neither, so a PDU could not reproduce the scheduler's TBS.
    if (c.x_overhead != 0) {
      return Error{fmt::format("uplink.x_overhead={} must be 0: the PUSCH PDU has no field for it", c.x_overhead)};
    }
    if (c.mcs_table == phy::McsTable::qam1024) {
      return Error{"uplink.mcs_table=qam1024: the PUSCH PDU's mcsTable has no 1024QAM table for the uplink"};
    }
  }
  if (c.data_scrambling_id && *c.data_scrambling_id > 1023) {
    return Error{fmt::format("{}.data_scrambling_id={} is outside 0..1023", dir, *c.data_scrambling_id)};
  }
  return Status::ok();
}

Status with_prefix(const char* prefix, const Status& s) {
  if (s) return s;
  return Error{fmt::format("{}{}", prefix, s.message())};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// PacketBuffer

bool PacketBuffer::push(const Packet& packet) {
  if (size_ == capacity()) return false;
  packets_[(head_ + static_cast<std::size_t>(size_)) % packets_.size()] = packet;
  ++size_;
  bytes_ += packet.bytes;
  return true;
}

int PacketBuffer::take(int bytes) {
  int taken = 0;
  while (size_ > 0 && taken < bytes) {
    Packet& head = packets_[head_];
    const int part = std::min(head.bytes, bytes - taken);
    head.bytes -= part;
    taken += part;
    if (head.bytes == 0) {
      head_ = (head_ + 1) % packets_.size();
      --size_;
    }
  }
  bytes_ -= taken;
  return taken;
}

int PacketBuffer::drop_expired(std::int64_t slot) {
  // Packets keep their arrival order; expired ones anywhere in the queue are removed by
  // compacting the ring in place.
  int dropped = 0;
  int kept = 0;
  for (int i = 0; i < size_; ++i) {
    const Packet p = at(i);
    if (p.deadline_slot < slot) {
      dropped += p.bytes;
      continue;
    }
    packets_[(head_ + static_cast<std::size_t>(kept)) % packets_.size()] = p;
    ++kept;
  }
  size_ = kept;
  bytes_ -= dropped;
  return dropped;
}

std::int64_t PacketBuffer::earliest_deadline() const {
  std::int64_t earliest = kNoDeadline;
  for (int i = 0; i < size_; ++i) earliest = std::min(earliest, at(i).deadline_slot);
  return earliest;
}

// ---------------------------------------------------------------------------------------------
// Configuration

Status CellConfig::validate() const {
  if (cell_id < 0 || cell_id > 1007) return Error{fmt::format("cell_id={} is outside 0..1007", cell_id)};
  if (bwp_start < 0) return Error{fmt::format("bwp_start={} is negative", bwp_start)};
  if (bwp_size < 1 || bwp_size > phy::kMaxTbsPrbs) {
    return Error{fmt::format("bwp_size={} is outside 1..{}", bwp_size, phy::kMaxTbsPrbs)};
  }
  if (Status s = with_prefix("tdd: ", tdd.validate()); !s) return s;
  if (Status s = validate_shared_channel(downlink, Direction::downlink); !s) return s;
  if (Status s = validate_shared_channel(uplink, Direction::uplink); !s) return s;
  if (Status s = with_prefix("harq: ", harq.validate()); !s) return s;
  if (Status s = with_prefix("link_adaptation: ", link_adaptation.validate()); !s) return s;
  if (!(pf_time_constant_slots > 1.0)) {
    return Error{fmt::format("pf_time_constant_slots={} must be above 1", pf_time_constant_slots)};
  }
  if (max_grants_per_slot < 1) return Error{fmt::format("max_grants_per_slot={} must be at least 1", max_grants_per_slot)};
  if (max_packets_per_buffer < 1) {
    return Error{fmt::format("max_packets_per_buffer={} must be at least 1", max_packets_per_buffer)};
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Scheduler: creation

Expected<Scheduler> Scheduler::create(const CellConfig& cell, std::span<const UeConfig> ues) {
  if (Status s = cell.validate(); !s) return s.error();
  Scheduler scheduler;
  scheduler.cell_ = cell;
  auto tdd = TddPattern::create(cell.tdd);
  if (!tdd) return tdd.error();
  scheduler.tdd_ = *tdd;

  for (Direction d : kDirections) {
    const SharedChannelConfig& channel = d == Direction::downlink ? cell.downlink : cell.uplink;
    auto selector = McsSelector::create(channel.mcs_table, cell.link_adaptation.shannon_attenuation);
    if (!selector) return selector.error();
    scheduler.selectors_[static_cast<std::size_t>(d)] = *selector;
    // The DMRS overhead per PRB of each slot kind, from the PHY's own planning (so the TBS of a
    // grant equals plan_pusch's / plan_pdsch's). Planned with max_layers so that a DMRS setup
    // that cannot carry them is caught here.
    int special_symbols = 0;
    for (int slot = 0; slot < scheduler.tdd_.period_slots(); ++slot) {
      if (scheduler.tdd_.slot_type(slot) == SlotType::special && d == Direction::downlink) {
        special_symbols = std::max(special_symbols, scheduler.tdd_.downlink_symbols(slot));
      }
    }
    const std::array<int, 2> num_symbols = {kSymbolsPerSlot - channel.start_symbol,
                                            special_symbols - channel.start_symbol};
    for (std::size_t kind = 0; kind < 2; ++kind) {
      if (num_symbols[kind] <= 0) continue;
      Grant probe;
      probe.direction = d;
      probe.rnti = 1;
      probe.rb_size = 1;
      probe.start_symbol = channel.start_symbol;
      probe.num_symbols = num_symbols[kind];
      probe.mcs_table = channel.mcs_table;
      probe.layers = channel.max_layers;
      auto plan = d == Direction::downlink ? phy::plan_pdsch(pdsch_config_for(probe, cell, 0))
                                           : phy::plan_pusch(pusch_config_for(probe, cell, 0));
      if (!plan) {
        // A short S-slot downlink part that fits no DMRS configuration is simply not used.
        if (kind == 1) continue;
        return Error{fmt::format("{}: {} symbols with {} layers do not plan: {}", name(d), num_symbols[kind],
                                 channel.max_layers, plan.error().message)};
      }
      Shape& shape = scheduler.shapes_[static_cast<std::size_t>(d)][kind];
      shape.valid = true;
      shape.start_symbol = channel.start_symbol;
      shape.num_symbols = num_symbols[kind];
      shape.dmrs_res_per_prb = 12 * shape.num_symbols - plan->data_res_per_prb;
    }
  }

  scheduler.ues_.reserve(ues.size());
  for (std::size_t i = 0; i < ues.size(); ++i) {
    const UeConfig& u = ues[i];
    const std::string ue = fmt::format("ue[{}] (rnti {})", i, u.rnti);
    if (u.rnti == 0) return Error{fmt::format("ue[{}]: rnti=0 is not a C-RNTI (1..65535)", i)};
    if (scheduler.ue_index(u.rnti) >= 0) return Error{fmt::format("{}: rnti is used twice", ue)};
    UeContext context;
    context.rnti = u.rnti;
    for (Direction d : kDirections) {
      const auto di = static_cast<std::size_t>(d);
      const int cell_layers = d == Direction::downlink ? cell.downlink.max_layers : cell.uplink.max_layers;
      if (u.max_layers[di] < 1 || u.max_layers[di] > cell_layers) {
        return Error{fmt::format("{}: max_layers[{}]={} is outside 1..{} (the cell's)", ue, name(d), u.max_layers[di],
                                 cell_layers)};
      }
      LinkState& link = context.link(d);
      link.buffer = PacketBuffer(cell.max_packets_per_buffer);
      auto harq = HarqEntity::create(cell.harq);
      if (!harq) return harq.error();
      link.harq = *harq;
      link.outer_loop = OuterLoop(cell.link_adaptation);
      link.sinr_db = u.initial_sinr_db[di];
      link.max_layers = u.max_layers[di];
    }
    if (u.configured_grant) {
      const ConfiguredGrantConfig& cg = *u.configured_grant;
      if (cg.periodicity_slots < 1) {
        return Error{fmt::format("{}: configured_grant.periodicity_slots={} must be positive", ue, cg.periodicity_slots)};
      }
      if (cg.offset_slots < 0 || cg.offset_slots >= cg.periodicity_slots) {
        return Error{fmt::format("{}: configured_grant.offset_slots={} is outside 0..{}", ue, cg.offset_slots,
                                 cg.periodicity_slots - 1)};
      }
      if (cg.rb_size < 1 || cg.rb_size > cell.bwp_size) {
        return Error{fmt::format("{}: configured_grant.rb_size={} is outside 1..{} (the BWP)", ue, cg.rb_size,
                                 cell.bwp_size)};
      }
      if (cg.layers < 1 || cg.layers > u.max_layers[1]) {
        return Error{fmt::format("{}: configured_grant.layers={} is outside 1..{} (the UE's uplink layers)", ue,
                                 cg.layers, u.max_layers[1])};
      }
      const McsSelector& ul = scheduler.selectors_[1];
      if (cg.mcs_index < 0 || cg.mcs_index > ul.max_mcs()) {
        return Error{fmt::format("{}: configured_grant.mcs_index={} is outside 0..{} (table {})", ue, cg.mcs_index,
                                 ul.max_mcs(), phy::to_string(ul.table()))};
      }
      context.configured_grant = cg;
    }
    scheduler.ues_.push_back(std::move(context));
  }
  scheduler.candidates_.reserve(ues.size());
  scheduler.granted_.assign(ues.size(), 0);
  return scheduler;
}

SlotDecision Scheduler::make_slot_decision() const {
  SlotDecision decision;
  decision.grants.reserve(static_cast<std::size_t>(cell_.max_grants_per_slot));
  return decision;
}

int Scheduler::ue_index(std::uint16_t rnti) const {
  for (std::size_t i = 0; i < ues_.size(); ++i) {
    if (ues_[i].rnti == rnti) return static_cast<int>(i);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Reports

Status Scheduler::enqueue(std::uint16_t rnti, Direction direction, int bytes, std::int64_t deadline_slot) {
  const int i = ue_index(rnti);
  if (i < 0) return Error{fmt::format("rnti={} is not a UE of this scheduler", rnti)};
  if (bytes <= 0) return Error{fmt::format("bytes={} must be positive", bytes)};
  LinkState& link = ues_[static_cast<std::size_t>(i)].link(direction);
  if (!link.buffer.push(Packet{.bytes = bytes, .deadline_slot = deadline_slot})) {
    return Error{fmt::format("rnti={}: the {} buffer is full ({} packets)", rnti, name(direction),
                             link.buffer.capacity())};
  }
  return Status::ok();
}

Status Scheduler::report_sinr(std::uint16_t rnti, Direction direction, double sinr_db) {
  const int i = ue_index(rnti);
  if (i < 0) return Error{fmt::format("rnti={} is not a UE of this scheduler", rnti)};
  if (!std::isfinite(sinr_db)) return Error{fmt::format("rnti={}: sinr_db={} is not finite", rnti, sinr_db)};
  ues_[static_cast<std::size_t>(i)].link(direction).sinr_db = sinr_db;
  return Status::ok();
}

Status Scheduler::report_cqi(std::uint16_t rnti, CqiTable table, int cqi) {
  auto se = cqi_spectral_efficiency(table, cqi);
  if (!se) return Error{fmt::format("rnti={}: {}", rnti, se.error().message)};
  const double alpha = cell_.link_adaptation.shannon_attenuation;
  return report_sinr(rnti, Direction::downlink, 10.0 * std::log10(std::exp2(*se / alpha) - 1.0));
}

// ---------------------------------------------------------------------------------------------
// Per-slot helpers

const Scheduler::Shape* Scheduler::shape_for(Direction direction, int num_symbols) const {
  for (const Shape& shape : shapes_[static_cast<std::size_t>(direction)]) {
    if (shape.valid && shape.num_symbols == num_symbols) return &shape;
  }
  return nullptr;
}

int Scheduler::tbs_bytes(Direction direction, int num_symbols, int rb_size, int mcs_index, int layers) const {
  const Shape* shape = shape_for(direction, num_symbols);
  if (shape == nullptr || mcs_index < 0 || mcs_index >= phy::kMcsIndexCount) return 0;
  const phy::McsEntry& entry = mcs_selector(direction).entry(mcs_index);
  if (entry.reserved) return 0;
  phy::TbsConfig config;
  config.n_prb = rb_size;
  config.n_symb_sh = shape->num_symbols;
  config.n_dmrs_prb = shape->dmrs_res_per_prb;
  config.n_oh_prb = direction == Direction::downlink ? cell_.downlink.x_overhead : cell_.uplink.x_overhead;
  config.n_layers = layers;
  auto tbs = phy::tbs_determine(config, entry);
  return tbs ? *tbs / 8 : 0;
}

int Scheduler::smallest_prbs_for(Direction direction, const Shape& shape, std::int64_t bytes, int max_prbs, int mcs,
                                 int layers) const {
  if (max_prbs < 1) return 0;
  if (tbs_bytes(direction, shape.num_symbols, max_prbs, mcs, layers) <= bytes) return max_prbs;
  // The TBS grows with the PRB count: the smallest count whose TBS holds the buffer.
  int lo = 1;
  int hi = max_prbs;
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (tbs_bytes(direction, shape.num_symbols, mid, mcs, layers) >= bytes) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

std::int64_t Scheduler::in_flight_bits(const LinkState& link) const {
  std::int64_t bits = 0;
  for (int p = 0; p < link.harq.num_processes(); ++p) {
    const HarqProcess& process = link.harq.process(p);
    if (process.state != HarqState::idle) bits += 8 * std::int64_t{process.tb.payload_bytes};
  }
  return bits;
}

int Scheduler::link_adapted_mcs(int ue_index, Direction direction) const {
  const LinkState& link = ues_[static_cast<std::size_t>(ue_index)].link(direction);
  return mcs_selector(direction).select(link.sinr_db + link.outer_loop.offset_db());
}

Scheduler::RankChoice Scheduler::rank_adapted(int ue_index, Direction direction, int max_layers) const {
  const LinkState& link = ues_[static_cast<std::size_t>(ue_index)].link(direction);
  const McsSelector& selector = mcs_selector(direction);
  const double sinr = link.sinr_db + link.outer_loop.offset_db();
  RankChoice best{1, selector.select(sinr)};
  double best_rate = selector.entry(best.mcs_index).spectral_efficiency;
  for (int layers = 2; layers <= std::min(link.max_layers, max_layers); ++layers) {
    const double layer_sinr = sinr - cell_.link_adaptation.layer_sinr_loss_db(layers);
    // Below what the lowest MCS needs, more layers only add errors (select() floors at MCS 0).
    if (layer_sinr < selector.required_sinr_db(0)) break;
    const int mcs = selector.select(layer_sinr);
    const double rate = selector.entry(mcs).spectral_efficiency * layers;
    if (rate > best_rate) {
      best = {layers, mcs};
      best_rate = rate;
    }
  }
  return best;
}

double Scheduler::proportional_fair_metric(int ue_index, Direction direction) const {
  const LinkState& link = ues_[static_cast<std::size_t>(ue_index)].link(direction);
  const RankChoice rank = rank_adapted(ue_index, direction, link.max_layers);
  const double rate = mcs_selector(direction).entry(rank.mcs_index).spectral_efficiency * rank.layers;
  const double average =
      link.average_throughput_bits + static_cast<double>(in_flight_bits(link)) / cell_.pf_time_constant_slots;
  // One bit per slot as the floor: a UE never served has the highest metric, not a division by 0.
  return rate / std::max(average, 1.0);
}

void Scheduler::housekeeping(std::int64_t slot_index) {
  const bool downlink_slot = tdd_.downlink_symbols(slot_index) > 0;
  const bool uplink_slot = tdd_.slot_type(slot_index) == SlotType::uplink;
  const double keep = 1.0 - 1.0 / cell_.pf_time_constant_slots;
  for (UeContext& ue : ues_) {
    for (Direction d : kDirections) {
      LinkState& link = ue.link(d);
      link.harq.expire(slot_index);
      link.expired_bytes += link.buffer.drop_expired(slot_index);
      // The average runs over the slots of its own direction: a UE is not penalised in the
      // downlink for the uplink slots in which nothing could be delivered.
      if ((d == Direction::downlink && downlink_slot) || (d == Direction::uplink && uplink_slot)) {
        link.average_throughput_bits *= keep;
      }
    }
  }
}

bool Scheduler::add_grant(SlotDecision& out, const Grant& grant) {
  if (out.grants.size() >= static_cast<std::size_t>(cell_.max_grants_per_slot)) return false;
  out.grants.push_back(grant);
  out.prbs_used += grant.rb_size;
  granted_[static_cast<std::size_t>(grant.ue_index)] = 1;
  ues_[static_cast<std::size_t>(grant.ue_index)].link(grant.direction).grants++;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The slot

Status Scheduler::schedule(std::int64_t slot_index, const SlotLimits& limits, SlotDecision& out) {
  if (out.grants.capacity() < static_cast<std::size_t>(cell_.max_grants_per_slot)) {
    return Error{fmt::format("the SlotDecision holds {} grants without reallocating, max_grants_per_slot is {}: "
                             "make it with make_slot_decision()",
                             out.grants.capacity(), cell_.max_grants_per_slot)};
  }
  if (slot_index <= last_slot_) {
    return Error{fmt::format("slot_index={} does not follow the last scheduled slot {}", slot_index, last_slot_)};
  }
  last_slot_ = slot_index;
  out.grants.clear();
  out.slot_index = slot_index;
  out.slot_type = tdd_.slot_type(slot_index);
  out.active = false;
  out.prbs_used = 0;
  housekeeping(slot_index);

  const bool uplink_slot = out.slot_type == SlotType::uplink;
  const Direction direction = uplink_slot ? Direction::uplink : Direction::downlink;
  const Shape* shape = uplink_slot ? shape_for(Direction::uplink, kSymbolsPerSlot - cell_.uplink.start_symbol)
                                   : shape_for(Direction::downlink,
                                               tdd_.downlink_symbols(slot_index) - cell_.downlink.start_symbol);
  const auto configured_grant_due = [&](const UeContext& ue) {
    return ue.configured_grant && slot_index % ue.configured_grant->periodicity_slots == ue.configured_grant->offset_slots;
  };
  if (!limits.allowed || shape == nullptr) {
    if (uplink_slot) {
      for (UeContext& ue : ues_) ue.configured_grants_skipped += configured_grant_due(ue) ? 1 : 0;
    }
    return Status::ok();
  }
  out.active = true;
  const SharedChannelConfig& channel = uplink_slot ? cell_.uplink : cell_.downlink;
  const int prb_budget = std::clamp(limits.max_prbs, 0, cell_.bwp_size);
  const int layer_cap = std::min(limits.max_layers, channel.max_layers);
  std::fill(granted_.begin(), granted_.end(), std::uint8_t{0});
  int cursor = 0;
  const auto make_grant = [&](int ue_index, int rb_size, int mcs, int tbs, int payload, int layers,
                              const HarqTransmission& tx, bool configured) {
    Grant g;
    g.direction = direction;
    g.rnti = ues_[static_cast<std::size_t>(ue_index)].rnti;
    g.ue_index = ue_index;
    g.rb_start = cursor;
    g.rb_size = rb_size;
    g.start_symbol = shape->start_symbol;
    g.num_symbols = shape->num_symbols;
    g.mcs_table = channel.mcs_table;
    g.mcs_index = mcs;
    g.tbs_bytes = tbs;
    g.payload_bytes = payload;
    g.layers = layers;
    g.harq_process = tx.process;
    g.rv = tx.rv;
    g.ndi = tx.ndi;
    g.retransmission = tx.retransmission;
    g.configured_grant = configured;
    return g;
  };

  // 1. Retransmissions, the oldest first: they hold a HARQ process and buffered soft bits at the
  // receiver, and the data in them is the most delayed.
  candidates_.clear();
  if (layer_cap >= 1) {
    for (std::size_t i = 0; i < ues_.size(); ++i) {
      const HarqEntity& harq = ues_[i].link(direction).harq;
      const int p = harq.next_retransmission();
      if (p < 0) continue;
      candidates_.push_back(
          Candidate{.ue_index = static_cast<int>(i), .priority = 0.0,
                    .metric = -static_cast<double>(harq.process(p).last_tx_slot)});
    }
  }
  std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) {
    return a.metric != b.metric ? a.metric > b.metric : a.ue_index < b.ue_index;
  });
  for (const Candidate& c : candidates_) {
    HarqEntity& harq = ues_[static_cast<std::size_t>(c.ue_index)].link(direction).harq;
    const int p = harq.next_retransmission();
    const HarqTransportBlock tb = harq.process(p).tb;
    // The same TBS needs the same symbols, PRB count and layers; otherwise it waits for a slot
    // that allows them.
    if (tb.num_symbols != shape->num_symbols || tb.start_symbol != shape->start_symbol ||
        tb.rb_size > prb_budget - cursor || tb.layers > layer_cap) {
      continue;
    }
    if (out.grants.size() >= static_cast<std::size_t>(cell_.max_grants_per_slot)) break;
    auto tx = harq.start_retransmission(p, slot_index);
    if (!tx) continue;
    add_grant(out, make_grant(c.ue_index, tb.rb_size, tb.mcs_index, tb.tbs_bytes, tb.payload_bytes, tb.layers, *tx,
                              tb.configured_grant));
    cursor += tb.rb_size;
  }

  // 2. Configured grants of the uplink.
  if (uplink_slot) {
    for (std::size_t i = 0; i < ues_.size(); ++i) {
      UeContext& ue = ues_[i];
      if (!configured_grant_due(ue)) continue;
      const ConfiguredGrantConfig& cg = *ue.configured_grant;
      LinkState& link = ue.link(Direction::uplink);
      const int process = link.harq.free_process();
      if (granted_[i] || process < 0 || cg.rb_size > prb_budget - cursor || cg.layers > layer_cap ||
          out.grants.size() >= static_cast<std::size_t>(cell_.max_grants_per_slot)) {
        ++ue.configured_grants_skipped;
        continue;
      }
      const int tbs = tbs_bytes(Direction::uplink, shape->num_symbols, cg.rb_size, cg.mcs_index, cg.layers);
      const int payload = link.buffer.take(tbs);
      const HarqTransportBlock tb{.tbs_bytes = tbs,
                                  .payload_bytes = payload,
                                  .mcs_table = channel.mcs_table,
                                  .mcs_index = cg.mcs_index,
                                  .rb_size = cg.rb_size,
                                  .start_symbol = shape->start_symbol,
                                  .num_symbols = shape->num_symbols,
                                  .layers = cg.layers,
                                  .configured_grant = true};
      auto tx = link.harq.start_new(process, tb, slot_index);
      if (!tx) continue;
      add_grant(out, make_grant(static_cast<int>(i), cg.rb_size, cg.mcs_index, tbs, payload, cg.layers, *tx, true));
      cursor += cg.rb_size;
    }
  }

  // 3. Proportional fair over the UEs with data, after the policy's priorities.
  candidates_.clear();
  for (std::size_t i = 0; i < ues_.size(); ++i) {
    const LinkState& link = ues_[i].link(direction);
    if (granted_[i] || link.buffer.empty() || link.harq.free_process() < 0) continue;
    const double priority = limits.priority ? limits.priority->priority(ues_[i], direction, slot_index) : 0.0;
    if (priority < 0.0) continue;
    candidates_.push_back(Candidate{.ue_index = static_cast<int>(i),
                                    .priority = priority,
                                    .metric = proportional_fair_metric(static_cast<int>(i), direction)});
  }
  std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.metric != b.metric) return a.metric > b.metric;
    return a.ue_index < b.ue_index;
  });
  for (const Candidate& c : candidates_) {
    if (cursor >= prb_budget || layer_cap < 1 ||
        out.grants.size() >= static_cast<std::size_t>(cell_.max_grants_per_slot)) {
      break;
    }
    LinkState& link = ues_[static_cast<std::size_t>(c.ue_index)].link(direction);
    const RankChoice rank = rank_adapted(c.ue_index, direction, layer_cap);
    const int mcs = rank.mcs_index;
    const int layers = rank.layers;
    const int rb_size = smallest_prbs_for(direction, *shape, link.buffer.bytes(), prb_budget - cursor, mcs, layers);
    const int tbs = tbs_bytes(direction, shape->num_symbols, rb_size, mcs, layers);
    if (rb_size == 0 || tbs == 0) continue;
    const int payload = link.buffer.take(tbs);
    const HarqTransportBlock tb{.tbs_bytes = tbs,
                                .payload_bytes = payload,
                                .mcs_table = channel.mcs_table,
                                .mcs_index = mcs,
                                .rb_size = rb_size,
                                .start_symbol = shape->start_symbol,
                                .num_symbols = shape->num_symbols,
                                .layers = layers,
                                .configured_grant = false};
    auto tx = link.harq.start_new(link.harq.free_process(), tb, slot_index);
    if (!tx) continue;
    add_grant(out, make_grant(c.ue_index, rb_size, mcs, tbs, payload, layers, *tx, false));
    cursor += rb_size;
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Feedback

Status Scheduler::feedback(std::uint16_t rnti, Direction direction, int harq_process, bool crc_ok,
                           std::optional<double> sinr_db) {
  const int i = ue_index(rnti);
  if (i < 0) return Error{fmt::format("rnti={} is not a UE of this scheduler", rnti)};
  LinkState& link = ues_[static_cast<std::size_t>(i)].link(direction);
  if (harq_process < 0 || harq_process >= link.harq.num_processes()) {
    return Error{fmt::format("rnti={}: harq_process={} is outside 0..{}", rnti, harq_process,
                             link.harq.num_processes() - 1)};
  }
  if (sinr_db && !std::isfinite(*sinr_db)) return Error{fmt::format("rnti={}: sinr_db={} is not finite", rnti, *sinr_db)};
  const HarqProcess& process = link.harq.process(harq_process);
  const bool first_transmission = process.transmissions == 1;
  const bool configured = process.tb.configured_grant;
  // A measured SINR is per layer of that transmission: back to the one-layer reference.
  const double layer_loss_db = cell_.link_adaptation.layer_sinr_loss_db(process.tb.layers);
  const HarqOutcome outcome = link.harq.on_feedback(harq_process, crc_ok);
  if (outcome == HarqOutcome::ignored) {
    ++link.ignored_feedback;
  } else {
    if (first_transmission && !configured) {
      if (crc_ok) {
        link.outer_loop.on_ack();
      } else {
        link.outer_loop.on_nack();
      }
    }
    if (outcome == HarqOutcome::delivered) {
      link.average_throughput_bits += 8.0 * process.tb.payload_bytes / cell_.pf_time_constant_slots;
    }
  }
  if (sinr_db) link.sinr_db = *sinr_db + layer_loss_db;
  return Status::ok();
}

}  // namespace airan::mac

#include "airan/replay.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <tuple>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "airan/cli.hpp"
#include "airan/pacer.hpp"
#include "airan/io/dpdk_port.hpp"
#include "airan/io/fronthaul_json.hpp"
#include "airan/io/pcap.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/plots.hpp"
#include "airan/ru_emu.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"
#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/io/cuda/gpu_fronthaul_order.hpp"

namespace airan::tools {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The most bytes a PRB of one symbol and port takes in a U-plane section: 12 IQ pairs of 16 bits
// and a compression parameter (the order step's arena is sized for every PRB at that).
constexpr std::size_t kMaxUplaneBytesPerPrb = 12 * 2 * 2 + 4;

// One stage's time over the slots.
LatencyStats stats_of(const std::vector<ReplaySlotRecord>& slots, double ReplaySlotRecord::*stage_us) {
  std::vector<double> v;
  v.reserve(slots.size());
  for (const ReplaySlotRecord& slot : slots) v.push_back(slot.*stage_us);
  return latency_stats(std::move(v));
}

// A planned PUSCH with everything the receiver needs, made once at load.
struct PlannedPusch {
  mac::PuschPdu pdu;
  phy::PuschPlan plan;
  int harq_process = 0;  // the slot receiver's soft buffer of (rnti, harqProcessID)
};

// A planned PDSCH and its shared-channel plan (the UE-side receiver is the PuschReceiver).
struct PlannedPdsch {
  mac::PdschPdu pdu;
  phy::PuschPlan plan;
};

// Slot index within the 256-frame cycle of a PDU's SFN and slot (frameId = SFN mod 256).
int plan_slot_index(int sfn, int slot, int mu) {
  return ((sfn % 256) * (10 << mu) + slot) % io::slots_per_frame_cycle(mu);
}

}  // namespace

LatencyStats latency_stats(std::vector<double> v) {
  LatencyStats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  s.p50 = at(0.50);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

int mbuf_data_room_for_mtu(int mtu) {
  constexpr int kFrameOverheadBytes = 14 + 4 + 4 + 128;  // Ethernet, VLAN, FCS, mbuf headroom
  return std::min(mtu + kFrameOverheadBytes, 65535);
}

struct ReplayPipeline::State {
  io::FronthaulConfig cell;
  int mu = 1;
  std::vector<PlannedPusch> planned;
  std::multimap<int, std::size_t> by_slot;  // slot_index within the 256-frame cycle -> PDU
  std::unique_ptr<phy::PuschSlotReceiver> receiver;
  std::vector<phy::PuschSlotUe> slot_ues;             // the slot's PUSCHs (capacity: the busiest slot)
  std::vector<phy::PuschSlotUeResult> slot_results;
  std::vector<std::vector<std::uint8_t>> slot_tbs;    // one TB buffer per UE of the busiest slot
  std::optional<io::SlotAssembler> assembler;
  // CUDA backend: the order step unpacks the assembler's sections into the receiver's device grid.
  std::optional<io::GpuFronthaulOrder> order;
  phy::GpuPuschReceiver* gpu = nullptr;
  std::function<void(const io::AssembledSlot&)> on_slot;  // made once: no std::function per frame

  // The downlink check (when the plan has PDSCH PDUs).
  std::vector<PlannedPdsch> planned_dl;
  std::multimap<int, std::size_t> dl_by_slot;
  std::unique_ptr<phy::PuschReceiver> dl_receiver;
  std::optional<io::SlotAssembler> dl_assembler;
  std::function<void(const io::AssembledSlot&)> on_dl_slot;
  std::map<std::pair<int, int>, phy::HarqSoftBuffer> dl_harq;
  long long dl_passed_bits = 0;
  int dl_first_index = -1, dl_last_index = -1;

  std::vector<std::uint8_t> tb;
  phy::ResourceGrid bwp_grid;

  ReplayReport r;
  double sinr_sum = 0;
  long long passed_bits = 0;
  double fronthaul_us = 0;
  long long within_budget = 0;
  int first_index = -1;
  int last_index = -1;
  Status failure = Status::ok();
  double in_callback_us = 0;  // PUSCH time inside on_frame, kept out of the fronthaul figure

  void decode_slot(const io::AssembledSlot& slot);
  void check_downlink_slot(const io::AssembledSlot& slot);
};

void ReplayPipeline::State::check_downlink_slot(const io::AssembledSlot& slot) {
  const auto callback_start = Clock::now();
  const int index = io::slot_index(slot.time, mu);
  if (dl_first_index < 0) dl_first_index = index;
  dl_last_index = index;
  ReplayReport::Pdsch& d = r.pdsch;
  ++d.slots;
  const auto [begin, end] = dl_by_slot.equal_range(index);
  for (auto it = begin; it != end; ++it) {
    const PlannedPdsch& p = planned_dl[it->second];
    const phy::ResourceGrid* grid = slot.grid;
    if (p.pdu.bwpStart != 0 || p.pdu.bwpSize != cell.carrier_prbs) {
      bwp_grid.assign_subcarriers(*grid, 12 * p.pdu.bwpStart, 12 * p.pdu.bwpSize);  // the receiver works on the BWP
      grid = &bwp_grid;
    }
    tb.resize(static_cast<std::size_t>(p.plan.tbs));
    auto result =
        dl_receiver->receive(p.plan, *grid, p.pdu.newData != 0, dl_harq[{p.pdu.rnti, p.pdu.harqProcessID}], tb);
    if (!result) {
      failure = result.error();
      continue;
    }
    ++d.tbs.decoded;
    const bool ok = result->tb_crc_ok && (!p.pdu.tbCrc32 || mac::tb_crc32(tb) == *p.pdu.tbCrc32);
    ++(ok ? d.tbs.crc_pass : d.tbs.crc_fail);
    if (ok) dl_passed_bits += p.plan.tbs;
  }
  in_callback_us += std::chrono::duration<double, std::micro>(Clock::now() - callback_start).count();
}

void ReplayPipeline::State::decode_slot(const io::AssembledSlot& slot) {
  const auto callback_start = Clock::now();
  const int index = io::slot_index(slot.time, mu);
  if (first_index < 0) first_index = index;
  last_index = index;
  ++r.slots;
  double slot_us = fronthaul_us;
  fronthaul_us = 0;
  double est = 0, eq = 0, demap = 0, dec = 0;
  ReplaySlotRecord record{
      .frame = slot.time.frame, .subframe = slot.time.subframe, .slot = slot.time.slot, .fronthaul_us = slot_us};
  double slot_sinr_sum = 0;
  int slot_decoded = 0;
  const auto [begin, end] = by_slot.equal_range(index);
  slot_ues.clear();
  for (auto it = begin; it != end; ++it) {
    const PlannedPusch& p = planned[it->second];
    std::vector<std::uint8_t>& bits = slot_tbs[slot_ues.size()];
    slot_ues.push_back({.plan = &p.plan,
                        .bwp_start_prb = p.pdu.bwpStart,
                        .new_data = p.pdu.newData != 0,
                        .harq_process = p.harq_process,
                        .tb_bits = std::span(bits).first(static_cast<std::size_t>(p.plan.tbs))});
  }
  double phy_us = 0;
  if (!slot_ues.empty()) {
    const std::span<phy::PuschSlotUeResult> results = std::span(slot_results).first(slot_ues.size());
    const auto phy_start = Clock::now();
    Status st = Status::ok();
    if (order) {
      // Packets to the GPU: the sections into the device grid, then the chain, on one stream;
      // finish() waits, so the arena part is read before the assembler may reuse it.
      if (st = order->setup(slot.sections, slot.payload); st) st = order->run(gpu->device_grid(), order->grid_elements());
      if (st) st = gpu->setup(slot_ues, cell.ports(), 12 * cell.carrier_prbs);
      if (st) st = gpu->enqueue();
      if (st) st = gpu->finish(slot_ues, results);
    } else {
      st = receiver->receive(*slot.grid, slot_ues, results);
    }
    if (!st) {
      failure = st;
    } else {
      phy_us = order ? std::chrono::duration<double, std::micro>(Clock::now() - phy_start).count()
                     : receiver->last_times().host_us;
      if (receiver->last_times().device_us >= 0) record.gpu_us = receiver->last_times().device_us;
      std::size_t u = 0;
      for (auto it = begin; it != end; ++it, ++u) {
        const PlannedPusch& p = planned[it->second];
        const phy::PuschSlotUeResult& result = results[u];
        ++r.tbs.decoded;
        const bool ok = result.tb_crc_ok && (!p.pdu.tbCrc32 || mac::tb_crc32(slot_ues[u].tb_bits) == *p.pdu.tbCrc32);
        ++(ok ? r.tbs.crc_pass : r.tbs.crc_fail);
        if (ok) passed_bits += p.plan.tbs;
        sinr_sum += result.sinr_db;
        ++record.tbs;
        record.crc_pass += ok ? 1 : 0;
        slot_sinr_sum += result.sinr_db;
        ++slot_decoded;
        est += result.times.channel_estimation_us;
        eq += result.times.equalization_us;
        demap += result.times.demapping_us;
        dec += result.times.decoding_us;
      }
    }
  }
  record.phy_us = phy_us;
  slot_us += phy_us;
  record.mean_sinr_db = slot_decoded ? slot_sinr_sum / slot_decoded : 0.0;
  record.channel_estimation_us = est;
  record.equalization_us = eq;
  record.demapping_us = demap;
  record.decoding_us = dec;
  record.processing_us = slot_us;
  r.per_slot.push_back(record);
  within_budget += slot_us <= r.slot_budget_us ? 1 : 0;
  in_callback_us += std::chrono::duration<double, std::micro>(Clock::now() - callback_start).count();
}

ReplayPipeline::ReplayPipeline(std::unique_ptr<State> state) : s_(std::move(state)) {}
ReplayPipeline::~ReplayPipeline() = default;

Expected<std::unique_ptr<ReplayPipeline>> ReplayPipeline::create(const io::FronthaulConfig& cell,
                                                                 const mac::SlotPlan& slot_plan,
                                                                 const PipelineOptions& o) {

  if (o.time_reference != "first" && o.time_reference != "gps") {
    return Error{fmt::format("--time-reference {} is not first or gps", o.time_reference)};
  }
  if (o.gps_leap_seconds < 0 || o.gps_leap_seconds > 100) {
    return Error{fmt::format("--gps-leap-seconds {} is outside 0..100", o.gps_leap_seconds)};
  }
  auto s = std::make_unique<State>();
  s->cell = cell;

  // Index the plan by radio time as the fronthaul carries it: frameId = SFN mod 256.
  const int mu = cell.numerology;
  s->mu = mu;
  for (const mac::PuschPdu& pdu : slot_plan.pusch) {
    auto config = mac::to_pusch_config(pdu);
    if (!config) return config.error();
    if (pdu.subcarrierSpacing != mu) {
      return Error{fmt::format("slot plan: rnti {} at sfn {} uses numerology {}, the cell {}", pdu.rnti, pdu.sfn,
                               pdu.subcarrierSpacing, mu)};
    }
    if (pdu.bwpStart + pdu.bwpSize > cell.carrier_prbs) {
      return Error{fmt::format("slot plan: rnti {} at sfn {}: BWP {}+{} beyond the carrier's {} PRBs", pdu.rnti, pdu.sfn,
                               pdu.bwpStart, pdu.bwpSize, cell.carrier_prbs)};
    }
    s->planned.push_back({pdu, *phy::plan_pusch(*config)});
    s->by_slot.emplace(plan_slot_index(pdu.sfn, pdu.slot, mu), s->planned.size() - 1);
  }
  const io::FronthaulConfig downlink = cell.downlink();
  for (const mac::PdschPdu& pdu : slot_plan.pdsch) {
    auto config = mac::to_pdsch_config(pdu);
    if (!config) return config.error();
    if (pdu.subcarrierSpacing != mu) {
      return Error{fmt::format("slot plan: PDSCH of rnti {} at sfn {} uses numerology {}, the cell {}", pdu.rnti,
                               pdu.sfn, pdu.subcarrierSpacing, mu)};
    }
    if (pdu.bwpStart + pdu.bwpSize > cell.carrier_prbs) {
      return Error{fmt::format("slot plan: PDSCH of rnti {} at sfn {}: BWP {}+{} beyond the carrier's {} PRBs",
                               pdu.rnti, pdu.sfn, pdu.bwpStart, pdu.bwpSize, cell.carrier_prbs)};
    }
    if (pdu.nrOfLayers > downlink.ports()) {
      return Error{fmt::format("slot plan: PDSCH of rnti {} at sfn {} has {} layers, the cell {} downlink eAxCs",
                               pdu.rnti, pdu.sfn, pdu.nrOfLayers, downlink.ports())};
    }
    s->planned_dl.push_back({pdu, *phy::plan_pdsch(*config)});
    s->dl_by_slot.emplace(plan_slot_index(pdu.sfn, pdu.slot, mu), s->planned_dl.size() - 1);
  }

  ReplayReport& r = s->r;
  r.slot_budget_us = 1000.0 / (1 << mu);
  r.tbs.scheduled = static_cast<long long>(s->planned.size());
  r.pdsch.present = !s->planned_dl.empty();
  r.pdsch.tbs.scheduled = static_cast<long long>(s->planned_dl.size());

  phy::PuschReceiverConfig rx_config;
  const bool irc = o.equalizer == "mmse-irc";
  auto equalizer = phy::parse_equalizer_type(irc ? "mmse" : o.equalizer);
  if (!equalizer) return Error{fmt::format("--equalizer {} is not mmse, zf or mmse-irc", o.equalizer)};
  rx_config.equalizer = *equalizer;
  rx_config.interference_rejection = irc;

  // The slot receiver, sized for the plan: its busiest slot, largest allocation and one soft
  // buffer per (rnti, HARQ process), plus scratch buffers for the warm-up.
  phy::PuschSlotReceiverConfig slot_config;
  slot_config.receiver = rx_config;
  std::map<std::pair<int, int>, int> harq_index;
  std::size_t busiest = 0;
  int largest_tbs = 0;
  slot_config.limits.max_prbs = 1;
  slot_config.limits.max_layers = 1;
  slot_config.limits.max_modulation_order = 2;
  slot_config.transform_precoding = false;
  for (PlannedPusch& p : s->planned) {
    slot_config.transform_precoding = slot_config.transform_precoding || p.plan.config.transform_precoding;
    p.harq_process = harq_index.try_emplace({p.pdu.rnti, p.pdu.harqProcessID}, static_cast<int>(harq_index.size()))
                         .first->second;
    slot_config.limits.max_prbs = std::max(slot_config.limits.max_prbs, p.pdu.rbSize);
    slot_config.limits.max_layers = std::max(slot_config.limits.max_layers, static_cast<int>(p.pdu.nrOfLayers));
    slot_config.limits.max_modulation_order = std::max(slot_config.limits.max_modulation_order, p.plan.modulation_order);
    largest_tbs = std::max(largest_tbs, p.plan.tbs);
  }
  for (auto it = s->by_slot.begin(); it != s->by_slot.end(); it = s->by_slot.upper_bound(it->first)) {
    busiest = std::max(busiest, s->by_slot.count(it->first));
  }
  if (busiest > 64) return Error{fmt::format("slot plan: {} PUSCHs in one slot, the receiver takes at most 64", busiest)};
  const int scratch_harq = static_cast<int>(harq_index.size());
  slot_config.limits.grid_prbs = cell.carrier_prbs;
  slot_config.limits.max_rx_ports = cell.ports();
  slot_config.limits.max_ues = static_cast<int>(std::max<std::size_t>(busiest, 1));
  slot_config.harq_processes = scratch_harq + slot_config.limits.max_ues;
  if (slot_config.harq_processes > 4096) {
    return Error{fmt::format("slot plan: {} (rnti, HARQ process) pairs, the receiver keeps at most 4096", scratch_harq)};
  }
  s->slot_ues.reserve(busiest);
  s->slot_results.resize(busiest);
  s->slot_tbs.assign(busiest, std::vector<std::uint8_t>(static_cast<std::size_t>(largest_tbs)));

  std::string cpu_reason;
  auto receiver = phy::create_pusch_slot_receiver(o.backend, slot_config, &cpu_reason);
  if (!receiver) return Error{fmt::format("--backend {}: {}", o.backend, receiver.error().message)};
  if (!cpu_reason.empty()) std::cerr << "airan " << o.command << ": CPU backend (" << cpu_reason << ")\n";
  s->receiver = std::move(*receiver);
  const phy::PhyBackend backend = s->receiver->backend();
  r.backend = std::string(phy::to_string(backend));
  if (r.pdsch.present) {
    auto dl_receiver = phy::PuschReceiver::create(rx_config);
    if (!dl_receiver) return dl_receiver.error();
    s->dl_receiver = std::move(*dl_receiver);
    auto dl_assembler = io::SlotAssembler::create(downlink);
    if (!dl_assembler) return Error{"downlink: " + dl_assembler.error().message};
    s->dl_assembler.emplace(std::move(*dl_assembler));
    if (o.time_reference == "gps") {
      s->dl_assembler->set_frame_zero_time(io::gps_frame_zero_unix_ns(o.gps_leap_seconds));
    }
  }

  // Warm-up, untimed: the first receive of each slot composition plans its FFTs, sizes its
  // buffers and (CUDA) captures its graph, which is set-up and not what a slot costs in steady
  // state. On an empty grid, in scratch HARQ buffers. Where the CUDA backend cannot take a slot
  // of the plan (a feature it lacks), auto falls back to the CPU and cuda is an error.
  const auto warm_up = [&]() -> Status {
    phy::ResourceGrid empty(cell.ports(), cell.symbols_per_slot(), 12 * cell.carrier_prbs);
    std::set<std::vector<int>> compositions;
    std::vector<int> key;
    for (auto it = s->by_slot.begin(); it != s->by_slot.end(); it = s->by_slot.upper_bound(it->first)) {
      key.clear();
      s->slot_ues.clear();
      const auto [begin, end] = s->by_slot.equal_range(it->first);
      for (auto p_it = begin; p_it != end; ++p_it) {
        const PlannedPusch& p = s->planned[p_it->second];
        key.insert(key.end(), {p.pdu.bwpStart, p.pdu.bwpSize, p.pdu.rbStart, p.pdu.rbSize, p.pdu.nrOfLayers,
                               p.plan.modulation_order, p.plan.tbs, p.pdu.transformPrecoding});
        const int u = static_cast<int>(s->slot_ues.size());
        s->slot_ues.push_back({.plan = &p.plan,
                               .bwp_start_prb = p.pdu.bwpStart,
                               .new_data = true,
                               .harq_process = scratch_harq + u,
                               .tb_bits = std::span(s->slot_tbs[static_cast<std::size_t>(u)])
                                              .first(static_cast<std::size_t>(p.plan.tbs))});
      }
      if (!compositions.insert(key).second) continue;
      if (Status st = s->receiver->receive(empty, s->slot_ues, std::span(s->slot_results).first(s->slot_ues.size()));
          !st) {
        return st;
      }
    }
    return Status::ok();
  };
  if (Status warm = warm_up(); !warm) {
    if (backend != phy::PhyBackend::cuda || o.backend != "auto") {
      return Error{fmt::format("--backend {}: {}", r.backend, warm.message())};
    }
    std::cerr << "airan " << o.command << ": CPU backend (the CUDA backend cannot take this plan: " << warm.message()
              << ")\n";
    auto cpu = phy::create_pusch_slot_receiver(phy::PhyBackend::cpu, slot_config);
    if (!cpu) return cpu.error();
    s->receiver = std::move(*cpu);
    r.backend = "cpu";
    if (Status again = warm_up(); !again) return again.error();
  }
  // The soft buffers of every (rnti, HARQ process) sized for its TBs before timing starts, as a
  // gNB sizes them at cell start: a process's first slot pays no allocation.
  for (const PlannedPusch& p : s->planned) {
    const phy::PuschSlotUe ue{.plan = &p.plan,
                              .bwp_start_prb = p.pdu.bwpStart,
                              .new_data = true,
                              .harq_process = p.harq_process,
                              .tb_bits = std::span(s->slot_tbs.front()).first(static_cast<std::size_t>(p.plan.tbs))};
    if (Status prepared = s->receiver->prepare(std::span(&ue, 1)); !prepared) return prepared.error();
  }

  // The uplink assembler. On the CUDA backend, packets go to the GPU: the assembler keeps each
  // section compressed in the order step's pinned, mapped arena and the order kernel unpacks
  // them into the receiver's device grid (no host grid, no per-packet copy to the device). Block
  // scaling and mu-law are not unpacked on the GPU: those cells keep the host grid.
  const io::CompressionMethod method = cell.uplane.uplink.static_comp.method;
  // (With dynamic udCompHdr the cell's method is what its sections carry; a section of another
  // method is refused by the order step's setup, naming it.)
  const bool gpu_order = r.backend == "cuda" && (method == io::CompressionMethod::none ||
                                                 method == io::CompressionMethod::block_floating_point);
  if (gpu_order) {
    s->gpu = dynamic_cast<phy::GpuPuschReceiver*>(s->receiver.get());
    io::GpuFronthaulOrderLimits limits;
    limits.ports = cell.ports();
    limits.symbols = cell.symbols_per_slot();
    limits.prbs = cell.carrier_prbs;
    limits.row_stride = 12 * slot_config.limits.grid_prbs;  // the front end's device grid rows
    limits.max_sections = std::min(65535, limits.ports * limits.symbols * cell.carrier_prbs);  // one per PRB at most
    limits.max_payload_bytes = static_cast<std::size_t>(limits.ports) * static_cast<std::size_t>(limits.symbols) *
                               static_cast<std::size_t>(cell.carrier_prbs) * kMaxUplaneBytesPerPrb;
    limits.arena_slots = cell.slots_in_flight;
    limits.iq_scale = cell.iq_scale;
    auto order = s->gpu != nullptr ? io::GpuFronthaulOrder::create(limits, s->gpu->stream())
                                   : Expected<io::GpuFronthaulOrder>(Error{"the receiver is not the GPU's"});
    if (!order) return Error{"--backend cuda: the fronthaul order step: " + order.error().message};
    s->order.emplace(std::move(*order));
    auto assembler = io::SlotAssembler::create(
        cell, io::SectionOutput{.arena = s->order->host_arena(), .max_sections_per_slot = limits.max_sections});
    if (!assembler) return assembler.error();
    s->assembler.emplace(std::move(*assembler));
  } else {
    auto assembler = io::SlotAssembler::create(cell);
    if (!assembler) return assembler.error();
    s->assembler.emplace(std::move(*assembler));
  }
  if (o.time_reference == "gps") s->assembler->set_frame_zero_time(io::gps_frame_zero_unix_ns(o.gps_leap_seconds));
  for (const PlannedPdsch& p : s->planned_dl) {
    s->bwp_grid.resize(downlink.ports(), cell.symbols_per_slot(), 12 * p.pdu.bwpSize);
    s->tb.resize(static_cast<std::size_t>(p.plan.tbs));
    phy::HarqSoftBuffer scratch;
    (void)s->dl_receiver->receive(p.plan, s->bwp_grid, true, scratch, s->tb);
    break;  // one warm-up: the check is outside the latency figures
  }
  State* state = s.get();
  s->on_slot = [state](const io::AssembledSlot& slot) { state->decode_slot(slot); };
  s->on_dl_slot = [state](const io::AssembledSlot& slot) { state->check_downlink_slot(slot); };
  return std::unique_ptr<ReplayPipeline>(new ReplayPipeline(std::move(s)));
}

void ReplayPipeline::on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) {
  State& s = *s_;
  const auto start = Clock::now();
  s.assembler->on_frame(frame, arrival_ns, s.on_slot);
  if (s.dl_assembler) s.dl_assembler->on_frame(frame, arrival_ns, s.on_dl_slot);
  s.fronthaul_us += std::chrono::duration<double, std::micro>(Clock::now() - start).count() - s.in_callback_us;
  s.in_callback_us = 0;
  ++s.r.packets.total;
}

void ReplayPipeline::count_oversize() {
  ++s_->r.packets.total;
  ++s_->r.packets.oversize;
}

long long ReplayPipeline::packets() const { return s_->r.packets.total; }
const io::FronthaulConfig& ReplayPipeline::cell() const { return s_->cell; }

Expected<ReplayReport> ReplayPipeline::finish() {
  State& s = *s_;
  s.assembler->flush(s.on_slot);
  if (s.dl_assembler) s.dl_assembler->flush(s.on_dl_slot);
  if (!s.failure) return s.failure.error();

  ReplayReport& r = s.r;
  const int mu = s.mu;
  const io::AssemblerCounters& c = s.assembler->counters();
  for (const io::EaxcCounters& e : c.eaxc) {
    r.packets.on_time += static_cast<long long>(e.rx_on_time);
    r.packets.early += static_cast<long long>(e.rx_early);
    r.packets.late += static_cast<long long>(e.rx_late);
    r.packets.lost += static_cast<long long>(e.seq_id_gaps);
    r.packets.duplicate += static_cast<long long>(e.rx_pkt_dupl);
  }
  r.packets.malformed = static_cast<long long>(c.malformed + c.sections_corrupt);
  r.packets.not_oran = static_cast<long long>(c.not_oran);
  r.packets.unknown_eaxc = static_cast<long long>(c.unknown_eaxc);
  r.downlink_messages = static_cast<long long>(c.wrong_direction);
  if (s.dl_assembler) {
    ReplayReport::Pdsch& d = r.pdsch;
    for (const io::EaxcCounters& e : s.dl_assembler->counters().eaxc) {
      d.packets.on_time += static_cast<long long>(e.rx_on_time);
      d.packets.early += static_cast<long long>(e.rx_early);
      d.packets.late += static_cast<long long>(e.rx_late);
      d.packets.lost += static_cast<long long>(e.seq_id_gaps);
      d.packets.duplicate += static_cast<long long>(e.rx_pkt_dupl);
      d.packets.corrupt += static_cast<long long>(e.rx_corrupt);
    }
    d.tbs.missing_slot = d.tbs.scheduled - d.tbs.decoded;
    const int cycle = io::slots_per_frame_cycle(mu);
    const long long dl_span =
        s.dl_first_index < 0 ? 0 : (s.dl_last_index - s.dl_first_index + cycle) % cycle + 1;
    const double dl_seconds = static_cast<double>(dl_span) * r.slot_budget_us * 1e-6;
    d.throughput_mbps = dl_seconds > 0 ? static_cast<double>(s.dl_passed_bits) / dl_seconds / 1e6 : 0.0;
    d.bler = d.tbs.scheduled
                 ? static_cast<double>(d.tbs.scheduled - d.tbs.crc_pass) / static_cast<double>(d.tbs.scheduled)
                 : 0.0;
  }
  r.tbs.missing_slot = r.tbs.scheduled - r.tbs.decoded;
  r.slots_incomplete = static_cast<long long>(c.slots_incomplete);
  const long long span_slots =
      s.first_index < 0
          ? 0
          : (s.last_index - s.first_index + io::slots_per_frame_cycle(mu)) % io::slots_per_frame_cycle(mu) + 1;
  const double seconds = static_cast<double>(span_slots) * r.slot_budget_us * 1e-6;
  r.throughput_mbps = seconds > 0 ? static_cast<double>(s.passed_bits) / seconds / 1e6 : 0.0;
  r.tb_bits_passed = s.passed_bits;
  r.bler = r.tbs.scheduled ? static_cast<double>(r.tbs.scheduled - r.tbs.crc_pass) / static_cast<double>(r.tbs.scheduled) : 0.0;
  r.mean_sinr_db = r.tbs.decoded ? s.sinr_sum / static_cast<double>(r.tbs.decoded) : 0.0;
  r.slots_within_budget = r.slots ? static_cast<double>(s.within_budget) / static_cast<double>(r.slots) : 0.0;
  r.fronthaul = stats_of(r.per_slot, &ReplaySlotRecord::fronthaul_us);
  r.channel_estimation = stats_of(r.per_slot, &ReplaySlotRecord::channel_estimation_us);
  r.equalization = stats_of(r.per_slot, &ReplaySlotRecord::equalization_us);
  r.demapping = stats_of(r.per_slot, &ReplaySlotRecord::demapping_us);
  r.decoding = stats_of(r.per_slot, &ReplaySlotRecord::decoding_us);
  r.phy = stats_of(r.per_slot, &ReplaySlotRecord::phy_us);
  r.gpu = stats_of(r.per_slot, &ReplaySlotRecord::gpu_us);
  r.slot = stats_of(r.per_slot, &ReplaySlotRecord::processing_us);
  return r;
}

namespace {

// Reads every record of a capture (to on_packet when given). A damaged record ends the reading:
// its description is returned, and "" when the capture is whole; a file that is not a capture
// is an error.
Expected<std::string> read_capture(const std::string& path, const std::function<void(const io::Packet&)>& on_packet) {
  auto reader = io::PcapReader::open(path);
  if (!reader) return reader.error();
  io::Packet packet;
  for (;;) {
    auto more = reader->next(packet);
    if (!more) return more.error().message;
    if (!*more) return std::string();
    if (on_packet) on_packet(packet);
  }
}

}  // namespace

Expected<ReplayReport> run_replay(const ReplayOptions& o, const std::function<void(long long)>& progress) {
  if (o.io != "dpdk" && o.io != "pcap") return Error{fmt::format("--io {} is not dpdk or pcap", o.io)};
  const PipelineOptions pipeline_options{.backend = o.backend,
                                         .equalizer = o.equalizer,
                                         .time_reference = o.time_reference,
                                         .gps_leap_seconds = o.gps_leap_seconds,
                                         .command = "replay"};
  auto speed = parse_speed(o.speed, "--speed");
  if (!speed) return speed.error();
  if (!fs::exists(o.trace)) return Error{fmt::format("{}: no such trace", o.trace)};
  const std::string plan_path = o.plan.empty() ? ru_emu_plan_path(o.trace).string() : o.plan;
  const std::string cell_path = o.cell.empty() ? ru_emu_cell_path(o.trace).string() : o.cell;
  auto cell = load_cell_settings(cell_path);
  if (!cell) return Error{cell.error().message + " (the fronthaul settings: --cell (JSON or a scenario YAML), or TRACE.cell.json from ru-emu)"};
  auto slot_plan = mac::load_slot_plan(plan_path);
  if (!slot_plan) return Error{slot_plan.error().message + " (--plan, or TRACE.plan.jsonl from ru-emu)"};
  auto pipeline = ReplayPipeline::create(*cell, *slot_plan, pipeline_options);
  if (!pipeline) return pipeline.error();
  ReplayPipeline& p = **pipeline;

  Pacer pacer(*speed);
  // Progress in capture bytes: frames plus a pcap record header each (pcapng's are larger, so
  // its bar ends early; finish() completes it).
  constexpr long long kCaptureRecordHeaderBytes = 16;
  long long bytes_read = 0;
  auto feed = [&](std::span<const std::uint8_t> bytes, std::int64_t timestamp_ns) {
    pacer.wait(timestamp_ns);
    p.on_frame(bytes, timestamp_ns);
    bytes_read += static_cast<long long>(bytes.size()) + kCaptureRecordHeaderBytes;
    if (progress && p.packets() % 256 == 0) progress(bytes_read);
  };

  std::string capture_error;  // why the capture ended early, when it did
  if (o.io == "pcap") {
    auto damage = read_capture(o.trace, [&](const io::Packet& packet) {
      feed(packet.data, static_cast<std::int64_t>(packet.timestamp_ns));
    });
    if (!damage) return damage.error();
    capture_error = *damage;
  } else {
    // net_pcap stops quietly at a damaged record: read the capture's framing once first, so a
    // cut capture is said and not mistaken for a complete one.
    auto damage = read_capture(o.trace, {});
    if (!damage) return damage.error();
    capture_error = *damage;
    io::EalOptions eal;
    auto runtime = io::DpdkRuntime::start(eal);
    if (!runtime) return runtime.error();
    static int replay_count = 0;  // a unique vdev name per replay in this process
    const std::string vdev = fmt::format("net_pcap_replay{}", replay_count++);
    auto port_id = (*runtime)->attach_vdev(vdev + ",rx_pcap=" + fs::absolute(o.trace).string());
    if (!port_id) return port_id.error();
    {
      const auto data_room = static_cast<std::uint16_t>(mbuf_data_room_for_mtu(cell->mtu));
      auto pool = io::PacketPool::create(
          {.name = vdev.substr(4) + "_pool", .mbufs = 8191, .cache_size = 256, .data_room = data_room});
      if (!pool) return pool.error();
      io::PortConfig port_config;
      port_config.rx_timestamps = true;
      auto port = io::DpdkPort::open(vdev, *pool, port_config);
      if (!port) return port.error();
      std::array<rte_mbuf*, 32> burst{};
      // net_pcap has no end-of-file signal: stop once it stays empty.
      auto last_packet = Clock::now();
      while (Clock::now() - last_packet < std::chrono::milliseconds(200)) {
        const std::uint16_t n = port->rx_burst(burst);
        if (n > 0) last_packet = Clock::now();
        for (std::uint16_t i = 0; i < n; ++i) {
          const std::span<const std::uint8_t> bytes = io::mbuf::data(burst[i]);
          if (io::mbuf::packet_length(burst[i]) != bytes.size()) {
            p.count_oversize();  // beyond the MTU: split over mbufs, dropped
            continue;
          }
          feed(bytes, port->rx_timestamp_ns(burst[i]).value_or(0));
        }
        io::mbuf::free_bulk(std::span<rte_mbuf* const>(burst.data(), n));
      }
      (void)port->close();
    }
    (void)(*runtime)->detach_vdev(vdev);
  }
  auto report = p.finish();
  if (!report) return report.error();
  report->trace = o.trace;
  report->io = o.io;
  report->capture_error = capture_error;
  return report;
}

bool ReplayReport::passed() const {
  return tbs.crc_pass == tbs.scheduled && pdsch.tbs.crc_pass == pdsch.tbs.scheduled && capture_error.empty();
}

nlohmann::json to_json(const ReplayReport& r) {
  auto lat = [](const LatencyStats& s) {
    return nlohmann::json{{"p50", s.p50}, {"p99", s.p99}, {"p999", s.p999}, {"max", s.max}, {"mean", s.mean}};
  };
  nlohmann::json pdsch(nullptr);
  if (r.pdsch.present) {
    const ReplayReport::Pdsch& d = r.pdsch;
    pdsch = {{"slots", d.slots},
             {"packets",
              {{"on_time", d.packets.on_time}, {"early", d.packets.early}, {"late", d.packets.late},
               {"lost", d.packets.lost}, {"duplicate", d.packets.duplicate}, {"corrupt", d.packets.corrupt}}},
             {"tbs",
              {{"scheduled", d.tbs.scheduled}, {"decoded", d.tbs.decoded}, {"crc_pass", d.tbs.crc_pass},
               {"crc_fail", d.tbs.crc_fail}, {"missing_slot", d.tbs.missing_slot}}},
             {"throughput_mbps", d.throughput_mbps},
             {"bler", d.bler}};
  }
  return {{"trace", r.trace},
          {"io", r.io},
          {"backend", r.backend},
          {"capture_error", r.capture_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.capture_error)},
          {"slots", r.slots},
          {"slots_incomplete", r.slots_incomplete},
          {"slot_budget_us", r.slot_budget_us},
          {"packets",
           {{"total", r.packets.total}, {"on_time", r.packets.on_time}, {"early", r.packets.early},
            {"late", r.packets.late}, {"lost", r.packets.lost}, {"duplicate", r.packets.duplicate},
            {"oversize", r.packets.oversize},
            {"malformed", r.packets.malformed}, {"not_oran", r.packets.not_oran},
            {"unknown_eaxc", r.packets.unknown_eaxc}, {"downlink", r.downlink_messages}}},
          {"tbs",
           {{"scheduled", r.tbs.scheduled}, {"decoded", r.tbs.decoded}, {"crc_pass", r.tbs.crc_pass},
            {"crc_fail", r.tbs.crc_fail}, {"missing_slot", r.tbs.missing_slot}}},
          {"throughput_mbps", r.throughput_mbps},
          {"bler", r.bler},
          {"mean_sinr_db", r.mean_sinr_db},
          {"slots_within_budget", r.slots_within_budget},
          {"latency_us",
           {{"fronthaul", lat(r.fronthaul)}, {"channel_estimation", lat(r.channel_estimation)},
            {"equalization", lat(r.equalization)}, {"demapping", lat(r.demapping)}, {"decoding", lat(r.decoding)},
            {"phy", lat(r.phy)}, {"gpu", r.backend == "cuda" ? lat(r.gpu) : nlohmann::json(nullptr)},
            {"slot", lat(r.slot)}}},
          {"pdsch", pdsch}};
}

std::string format_report(const ReplayReport& r) {
  std::string out = fmt::format("airan {} {} ({} io, {} backend): {} slots, {} of them with PRBs missing\n", r.command,
                                r.trace, r.io, r.backend, r.slots, r.slots_incomplete);
  if (!r.capture_error.empty()) out += fmt::format("  CAPTURE CUT SHORT: {}\n", r.capture_error);
  out += fmt::format("  packets   {} total: {} on time, {} early, {} late, {} lost, {} duplicate, {} malformed\n",
                     r.packets.total, r.packets.on_time, r.packets.early, r.packets.late, r.packets.lost,
                     r.packets.duplicate, r.packets.malformed);
  if (r.packets.oversize + r.packets.not_oran + r.packets.unknown_eaxc > 0) {
    out += fmt::format("            dropped: {} beyond the MTU, {} not O-RAN U-plane of this cell, {} unknown eAxC\n",
                       r.packets.oversize, r.packets.not_oran, r.packets.unknown_eaxc);
  }
  out += fmt::format("  TBs       {} scheduled, {} decoded, {} CRC pass, {} CRC fail, {} in missing slots\n",
                     r.tbs.scheduled, r.tbs.decoded, r.tbs.crc_pass, r.tbs.crc_fail, r.tbs.missing_slot);
  out += fmt::format("  link      throughput {:.1f} Mbit/s, BLER {:.4g}, mean SINR {:.1f} dB\n", r.throughput_mbps,
                     r.bler, r.mean_sinr_db);
  out += fmt::format("  latency   {:<20} {:>9} {:>9} {:>9} {:>9}   (us; slot budget {:.0f} us, {:.1f} % within)\n",
                     "stage", "p50", "p99", "p99.9", "max", r.slot_budget_us, 100.0 * r.slots_within_budget);
  const bool cuda = r.backend == "cuda";
  const std::array<std::pair<const char*, const LatencyStats*>, 8> rows = {
      {{"fronthaul", &r.fronthaul}, {"channel estimation", &r.channel_estimation},
       {"equalization", &r.equalization}, {"demapping", &r.demapping}, {"decoding", &r.decoding},
       {"phy (all stages)", &r.phy}, {"gpu (device time)", &r.gpu}, {"slot", &r.slot}}};
  for (const auto& [name, s] : rows) {
    const bool per_stage = s != &r.fronthaul && s != &r.phy && s != &r.gpu && s != &r.slot;
    if ((cuda && per_stage) || (!cuda && s == &r.gpu)) continue;  // what this backend does not measure
    out += fmt::format("            {:<20} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f}\n", name, s->p50, s->p99, s->p999, s->max);
  }
  if (r.pdsch.present) {
    const ReplayReport::Pdsch& d = r.pdsch;
    out += fmt::format("  downlink  the DU's PDSCH in {} slots, decoded as a UE would (no channel):\n", d.slots);
    out += fmt::format("            packets {} on time, {} early, {} late (DU transmit window), {} lost, {} duplicate, "
                       "{} corrupt\n",
                       d.packets.on_time, d.packets.early, d.packets.late, d.packets.lost, d.packets.duplicate,
                       d.packets.corrupt);
    out += fmt::format("            TBs {} scheduled, {} decoded, {} CRC pass, {} CRC fail, {} in missing slots; "
                       "{:.1f} Mbit/s, BLER {:.4g}\n",
                       d.tbs.scheduled, d.tbs.decoded, d.tbs.crc_pass, d.tbs.crc_fail, d.tbs.missing_slot,
                       d.throughput_mbps, d.bler);
  } else if (r.downlink_messages > 0) {
    out += fmt::format("  downlink  {} downlink U-plane messages, not checked (the plan has no PDSCH PDU)\n",
                       r.downlink_messages);
  }
  return out;
}

void add_replay_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  auto report_path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Replay a fronthaul capture through the pipeline: slots assembled, PUSCH decoded (and the DU's PDSCH "
      "checked when the plan has PDSCH PDUs), report");
  cmd->add_option("TRACE", o->trace, "pcap or pcapng capture")->required();
  cmd->add_option("--plan", o->plan, "slot plan (JSON Lines; default TRACE.plan.jsonl)");
  cmd->add_option("--cell", o->cell, "fronthaul settings (JSON; default TRACE.cell.json)");
  cmd->add_option("--io", o->io, "how packets enter: dpdk (net_pcap vdev, as a NIC) or pcap (libpcap)")
      ->capture_default_str();
  cmd->add_option("--backend", o->backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--speed", o->speed, "max, realtime or a factor of real time")->capture_default_str();
  cmd->add_option("--equalizer", o->equalizer, "mmse, zf or mmse-irc")->capture_default_str();
  cmd->add_option("--time-reference", o->time_reference,
                  "reception window reference: first (first packet mid-window) or gps (PTP-synced UTC timestamps)")
      ->capture_default_str();
  cmd->add_option("--gps-leap-seconds", o->gps_leap_seconds, "GPS - UTC for --time-reference gps")->capture_default_str();
  cmd->add_option("--report", *report_path, "write the report as JSON to this file");
  cmd->add_option("--plots", o->plots, "write latency_cdf.png and per_slot.png (gnuplot) into this folder");
  cmd->add_flag("--json", *json, "print the report as JSON");
  cmd->callback([o, report_path, json, &exit_code] {
    std::error_code size_error;
    const auto trace_bytes = fs::file_size(o->trace, size_error);
    ProgressBar bar("replay", size_error ? 0 : static_cast<long long>(trace_bytes));
    auto report = run_replay(*o, [&](long long bytes) { bar.update(bytes); });
    bar.finish();
    if (!report) {
      std::cerr << "airan replay: " << report.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    const nlohmann::json j = to_json(*report);
    if (!report_path->empty()) {
      std::ofstream out(*report_path);
      out << j.dump(2) << "\n";
      if (!out) {
        std::cerr << "airan replay: cannot write " << *report_path << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (!o->plots.empty()) {
      if (Status s = write_replay_plots(*report, o->plots); !s) {
        std::cerr << "airan replay: " << s.message() << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    std::cout << (*json ? j.dump(2) + "\n" : format_report(*report));
    exit_code = report->passed() ? kExitOk : kExitCheckFailed;
  });
}

}  // namespace airan::tools

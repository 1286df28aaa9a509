#include "airan/mac/energy_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

namespace airan::mac {
namespace {

constexpr int kSrOccasionSymbol = 12;  // PUCCH for SR in the last two symbols of the slot

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

ai::Direction to_ai(Direction d) { return d == Direction::uplink ? ai::Direction::uplink : ai::Direction::downlink; }

// Earliest deadline first, for policies that ask for it: the sooner the deadline, the higher.
class EarliestDeadlineFirst final : public UePriority {
 public:
  double priority(const UeContext& ue, Direction direction, std::int64_t slot_index) const override {
    const std::int64_t deadline = ue.link(direction).buffer.earliest_deadline();
    if (deadline == kNoDeadline) return 0.0;
    return 1.0 / (1.0 + static_cast<double>(std::max<std::int64_t>(0, deadline - slot_index)));
  }
};

struct PacketRecord {
  std::uint32_t flow_index = 0;
  int ue_index = 0;
  ai::TrafficClass traffic_class = ai::TrafficClass::embb;
  ai::Direction direction = ai::Direction::uplink;
  std::int64_t arrival_ns = 0;
  std::int64_t deadline_ns = 0;
  std::int64_t deadline_slot = 0;
  int bytes = 0;
  int acked_bytes = 0;
  std::int64_t last_ack_end_ns = -1;
  bool lost = false;  // dropped expired, buffer full or in a failed TB
};

struct Part {
  std::uint32_t packet = 0;
  int bytes = 0;
};

// The scheduler's PacketBuffer of one link, mirrored packet by packet so that the bytes a TB
// takes can be traced to their packets (same FIFO, same expiry rule).
struct LinkShadow {
  std::vector<std::uint32_t> queue;  // ring
  std::size_t head = 0;
  int size = 0;
  int head_taken = 0;  // bytes of the head packet already taken
  std::vector<Part> parts;  // [process * capacity + i]
  std::array<int, kMaxHarqProcesses> part_count{};
  int capacity = 0;

  void init(int cap, int processes) {
    capacity = cap;
    queue.assign(static_cast<std::size_t>(cap), 0);
    parts.assign(static_cast<std::size_t>(cap) * static_cast<std::size_t>(processes), Part{});
  }
  std::uint32_t at(int i) const { return queue[(head + static_cast<std::size_t>(i)) % queue.size()]; }
  void push(std::uint32_t packet) {
    queue[(head + static_cast<std::size_t>(size)) % queue.size()] = packet;
    ++size;
  }
  void drop_expired(std::int64_t slot, std::vector<PacketRecord>& packets) {
    int kept = 0;
    for (int i = 0; i < size; ++i) {
      const std::uint32_t p = at(i);
      if (packets[p].deadline_slot < slot) {
        packets[p].lost = true;
        if (i == 0) head_taken = 0;
        continue;
      }
      queue[(head + static_cast<std::size_t>(kept)) % queue.size()] = p;
      ++kept;
    }
    size = kept;
  }
  // PacketBuffer::take, recording the parts of the TB on `process`.
  void take(int bytes, int process, const std::vector<PacketRecord>& packets) {
    int& count = part_count[static_cast<std::size_t>(process)];
    count = 0;
    int taken = 0;
    while (size > 0 && taken < bytes) {
      const std::uint32_t p = queue[head];
      const int left = packets[p].bytes - head_taken;
      const int part = std::min(left, bytes - taken);
      parts[static_cast<std::size_t>(process) * static_cast<std::size_t>(capacity) + static_cast<std::size_t>(count)] =
          Part{p, part};
      ++count;
      taken += part;
      head_taken += part;
      if (head_taken == packets[p].bytes) {
        head = (head + 1) % queue.size();
        --size;
        head_taken = 0;
      }
    }
  }
  std::span<const Part> tb_parts(int process) const {
    return {parts.data() + static_cast<std::size_t>(process) * static_cast<std::size_t>(capacity),
            static_cast<std::size_t>(part_count[static_cast<std::size_t>(process)])};
  }
};

struct Setup {
  ai::TrafficScenario scenario;
  std::vector<UeConfig> ues;
  std::vector<int> flow_ue_index;                       // per flow index
  std::unordered_map<std::uint32_t, std::uint32_t> flow_index;  // flow id -> index
  ai::PolicyCell policy_cell;
  std::int64_t slot_ns = 0;
  std::int64_t slots = 0;
};

std::int64_t slot_duration_ns(const CellConfig& cell) { return 1'000'000 >> cell.tdd.numerology; }

Expected<ai::PolicyCell> make_policy_cell(const EnergyEvaluationConfig& config, const TddPattern& tdd,
                                          const ai::EnergyLedger& ledger) {
  ai::PolicyCell cell;
  cell.slot_duration_ns = slot_duration_ns(config.cell);
  cell.total_prbs = config.cell.bwp_size;
  cell.total_antennas = config.antennas;
  cell.control_symbols = 2;
  for (int s = 0; s < tdd.period_slots(); ++s) {
    ai::SlotKind kind;
    kind.uplink_data = tdd.slot_type(s) == SlotType::uplink;
    kind.downlink_data = tdd.downlink_symbols(s) - config.cell.downlink.start_symbol > 0 && !kind.uplink_data;
    kind.listens_uplink = tdd.uplink_symbols(s) > 0;
    cell.pattern.push_back(kind);
  }
  for (int st = 0; st < ai::kRadioStateCount; ++st)
    cell.minimum_sleep_slots[static_cast<std::size_t>(st)] = ledger.minimum_sleep_slots(static_cast<ai::RadioState>(st));
  if (auto e = cell.validate()) return Error{*e};
  return cell;
}

Expected<Setup> make_setup(const EnergyEvaluationConfig& config) {
  if (Status s = config.validate(); !s) return s.error();
  Setup setup;
  auto scenario = ai::factory_scenario(config.scenario, config.seed);
  if (!scenario) return Error{scenario.error()};
  setup.scenario = std::move(*scenario);
  setup.slot_ns = slot_duration_ns(config.cell);
  setup.slots = static_cast<std::int64_t>(std::llround(config.duration_s * 1e9 / static_cast<double>(setup.slot_ns)));

  // One UE per distinct ue_id, in order of first appearance; SINR per UE from the seed.
  std::unordered_map<std::uint32_t, int> ue_of;
  std::mt19937_64 sinr_rng(config.seed ^ 0x9e3779b97f4a7c15ULL);
  for (std::size_t f = 0; f < setup.scenario.flows.size(); ++f) {
    const ai::FlowConfig& flow = setup.scenario.flows[f];
    setup.flow_index[flow.flow_id] = static_cast<std::uint32_t>(f);
    auto [it, inserted] = ue_of.try_emplace(flow.ue_id, static_cast<int>(setup.ues.size()));
    if (inserted) {
      UeConfig ue;
      ue.rnti = static_cast<std::uint16_t>(setup.ues.size() + 1);
      ue.max_layers = {std::min(2, config.cell.downlink.max_layers), 1};
      const double sinr = config.min_sinr_db + (config.max_sinr_db - config.min_sinr_db) * uniform(sinr_rng);
      ue.initial_sinr_db = {sinr, sinr};
      setup.ues.push_back(ue);
    }
    if (flow.traffic_class == ai::TrafficClass::mobile_robot_video)
      setup.ues[static_cast<std::size_t>(it->second)].max_layers[1] = std::min(2, config.cell.uplink.max_layers);
    setup.flow_ue_index.push_back(it->second);
  }
  if (setup.ues.size() > 65535) return Error{"too many UEs for 16-bit RNTIs"};
  return setup;
}

// The first slot an uplink packet can be granted in: the slot after the first SR occasion at or
// after its arrival. Used by the run and the oracle alike.
std::int64_t first_uplink_grant_slot(std::int64_t arrival_ns, std::int64_t slot_ns, const ai::PolicyCell& cell) {
  std::int64_t s = arrival_ns / slot_ns;
  const auto period = static_cast<std::int64_t>(cell.pattern.size());
  for (std::int64_t k = 0; k <= 2 * period; ++k, ++s) {
    if (!cell.kind(s).listens_uplink) continue;
    if (arrival_ns <= s * slot_ns + slot_ns * kSrOccasionSymbol / kSymbolsPerSlot) return s + 1;
  }
  return s + 1;  // no SR occasion in the pattern: never (the deadline passes first)
}

std::int64_t deadline_slot_of(std::int64_t deadline_ns, std::int64_t slot_ns) { return deadline_ns / slot_ns - 1; }

// Waterfall BLER: 10 % at the MCS's required SINR, `decades_per_db` decades lower per dB above.
double block_error_rate(double sinr_db, double required_db, double decades_per_db) {
  return std::clamp(0.1 * std::pow(10.0, -decades_per_db * (sinr_db - required_db)), 0.0, 1.0);
}

class StatisticalLink final : public SlotLink {
 public:
  Status start(const SlotLinkSetup& setup) override {
    rng_.seed(setup.seed);
    decades_per_db_ = setup.bler_decades_per_db;
    return Status::ok();
  }
  Status carry(const SlotLinkInput& input, std::span<GrantResult> results) override {
    const Scheduler& scheduler = *input.scheduler;
    const auto ues = scheduler.ues();
    for (std::size_t i = 0; i < input.decision->grants.size(); ++i) {
      const Grant& g = input.decision->grants[i];
      // Each layer of a multi-layer grant sees less than the one-layer SINR the MAC tracks.
      const double sinr = ues[static_cast<std::size_t>(g.ue_index)].link(g.direction).sinr_db -
                          scheduler.cell().link_adaptation.layer_sinr_loss_db(g.layers);
      const double required = scheduler.mcs_selector(g.direction).required_sinr_db(g.mcs_index);
      results[i] = GrantResult{uniform(rng_) >= block_error_rate(sinr, required, decades_per_db_), std::nullopt};
    }
    return Status::ok();
  }

 private:
  std::mt19937_64 rng_;
  double decades_per_db_ = 1.0;
};

}  // namespace

std::unique_ptr<SlotLink> make_statistical_link() { return std::make_unique<StatisticalLink>(); }

CellConfig default_energy_cell() {
  CellConfig cell;
  cell.cell_id = 1;
  cell.bwp_start = 0;
  cell.bwp_size = 264;  // 400 MHz at 120 kHz (38.101-2 Table 5.3.2-1)
  // "DUUUUUUU", 1 ms: every uplink packet, whenever it arrives, is reported at an SR occasion
  // and granted in a U slot that ends within 4 slots (0.5 ms); a special slot would put two
  // slots without PUSCH in a row and break that (docs/energy.md, "The cell").
  cell.tdd = TddConfig{.numerology = 3, .period_us = 1000, .downlink_slots = 1, .downlink_symbols = 0,
                       .uplink_slots = 7, .uplink_symbols = 0};
  cell.downlink.mcs_table = phy::McsTable::qam64_low_se;
  cell.downlink.start_symbol = 2;
  cell.downlink.max_layers = 4;
  cell.uplink.mcs_table = phy::McsTable::qam64_low_se;
  cell.uplink.start_symbol = 0;
  cell.uplink.max_layers = 4;
  cell.harq.num_processes = 16;
  cell.harq.max_transmissions = 4;
  cell.harq.feedback_timeout_slots = 20;
  // URLLC: a 1e-5 target; with the step up small the step down (step_up * (1 - t) / t) is
  // 10 dB: one NACK moves the MCS well down, 1e5 ACKs move it back.
  cell.link_adaptation.bler_target = 1e-5;
  cell.link_adaptation.step_up_db = 1e-4;
  cell.link_adaptation.initial_offset_db = -4.0;
  cell.max_grants_per_slot = 64;
  cell.max_packets_per_buffer = 256;
  return cell;
}

Status EnergyEvaluationConfig::validate() const {
  if (!(duration_s > 0.0 && duration_s <= 3600.0)) return Error{fmt::format("duration_s={} must be in (0, 3600]", duration_s)};
  if (antennas < 1 || antennas > kMaxLayers)
    return Error{fmt::format("antennas={} must be within 1..{}", antennas, kMaxLayers)};
  if (cell.downlink.max_layers > antennas || cell.uplink.max_layers > antennas)
    return Error{fmt::format("cell max_layers ({} DL, {} UL) exceed antennas={}", cell.downlink.max_layers,
                             cell.uplink.max_layers, antennas)};
  if (!(min_sinr_db <= max_sinr_db)) return Error{fmt::format("min_sinr_db={} > max_sinr_db={}", min_sinr_db, max_sinr_db)};
  if (!(bler_decades_per_db > 0.0)) return Error{fmt::format("bler_decades_per_db={} must be > 0", bler_decades_per_db)};
  if (auto e = energy_model.validate()) return Error{fmt::format("energy model: {}", *e)};
  if (Status s = cell.validate(); !s) return Error{fmt::format("cell: {}", s.message())};
  return Status::ok();
}

bool EnergyRunResult::zero_misses() const {
  for (const ClassOutcome& c : classes)
    if (c.missed != 0) return false;
  return true;
}

Expected<ai::PolicyCell> energy_policy_cell(const EnergyEvaluationConfig& config) {
  if (Status s = config.validate(); !s) return s.error();
  auto tdd = TddPattern::create(config.cell.tdd);
  if (!tdd) return tdd.error();
  auto ledger = ai::EnergyLedger::create(config.energy_model, slot_duration_ns(config.cell));
  if (!ledger) return Error{ledger.error()};
  return make_policy_cell(config, *tdd, *ledger);
}

Expected<EnergyRunResult> run_energy_evaluation(const EnergyEvaluationConfig& config, ai::EnergyPolicy& policy,
                                                const std::function<void(double)>& progress,
                                                std::vector<PacketOutcome>* outcomes, SlotLink* slot_link) {
  auto setup_or = make_setup(config);
  if (!setup_or) return setup_or.error();
  Setup& setup = *setup_or;
  auto scheduler_or = Scheduler::create(config.cell, setup.ues);
  if (!scheduler_or) return Error{fmt::format("scheduler: {}", scheduler_or.error().message)};
  Scheduler& scheduler = *scheduler_or;
  auto ledger_or = ai::EnergyLedger::create(config.energy_model, setup.slot_ns);
  if (!ledger_or) return Error{ledger_or.error()};
  ai::EnergyLedger& ledger = *ledger_or;
  auto cell_or = make_policy_cell(config, scheduler.tdd(), ledger);
  if (!cell_or) return cell_or.error();
  const ai::PolicyCell& policy_cell = *cell_or;
  auto generator_or = ai::TrafficGenerator::create(setup.scenario.flows, config.seed);
  if (!generator_or) return Error{generator_or.error()};
  ai::TrafficGenerator& generator = *generator_or;
  policy.reset(policy_cell, setup.scenario.flows);
  std::unique_ptr<SlotLink> statistical_link;
  if (slot_link == nullptr) {
    statistical_link = make_statistical_link();
    slot_link = statistical_link.get();
  }
  SlotLinkSetup link_setup;
  link_setup.cell = &config.cell;
  link_setup.ues = setup.ues;
  link_setup.antennas = config.antennas;
  link_setup.seed = config.seed + 1;
  link_setup.bler_decades_per_db = config.bler_decades_per_db;
  if (Status st = slot_link->start(link_setup); !st) return Error{fmt::format("link: {}", st.message())};

  const std::int64_t slot_ns = setup.slot_ns;
  const std::int64_t slots = setup.slots;
  const std::int64_t end_ns = slots * slot_ns;
  const std::size_t ue_count = setup.ues.size();

  // Everything the loop touches, sized here.
  std::vector<PacketRecord> packets;
  packets.reserve(generator.expected_packets(end_ns) + 1024);
  std::vector<ai::Packet> arrivals;
  arrivals.reserve(generator.expected_packets(slot_ns) + 64);
  std::vector<std::uint32_t> pending_uplink;  // not yet reported by an SR, in arrival order
  pending_uplink.reserve(packets.capacity());
  std::size_t pending_head = 0;
  std::vector<std::uint32_t> new_downlink;
  new_downlink.reserve(arrivals.capacity());
  std::vector<LinkShadow> shadows(ue_count * 2);
  for (LinkShadow& s : shadows) s.init(config.cell.max_packets_per_buffer, config.cell.harq.num_processes);
  const auto shadow = [&](int ue, Direction d) -> LinkShadow& {
    return shadows[static_cast<std::size_t>(ue) * 2 + static_cast<std::size_t>(d)];
  };
  std::vector<ai::LinkObservation> links;
  links.reserve(ue_count * 2);
  SlotDecision decision = scheduler.make_slot_decision();
  const EarliestDeadlineFirst edf;
  std::vector<GrantResult> grant_results(static_cast<std::size_t>(std::max(1, config.cell.max_grants_per_slot)));
  // Payload of one PRB and one layer of a full slot per MCS and direction, for "PRBs needed".
  std::array<std::array<double, phy::kMcsIndexCount>, 2> bytes_per_prb{};
  for (Direction d : {Direction::downlink, Direction::uplink}) {
    const int symbols = kSymbolsPerSlot - (d == Direction::downlink ? config.cell.downlink.start_symbol : 0);
    for (int m = 0; m <= scheduler.mcs_selector(d).max_mcs(); ++m)
      bytes_per_prb[static_cast<std::size_t>(d)][static_cast<std::size_t>(m)] =
          std::max(1, scheduler.tbs_bytes(d, symbols, 10, m, 1)) / 10.0;
  }

  EnergyRunResult result;
  result.policy = std::string(policy.name());
  result.parameters = policy.parameters();
  result.slots = slots;
  result.slot_duration_ms = static_cast<double>(slot_ns) * 1e-6;
  result.joules_per_relative_unit = config.energy_model.watts_per_relative_unit * 1e-3;
  std::int64_t slots_in_state = 0;
  ai::RadioState previous_state = ai::RadioState::active;

  for (std::int64_t s = 0; s < slots; ++s) {
    const std::int64_t start = s * slot_ns;
    const ai::SlotKind& kind = policy_cell.kind(s);

    // Arrivals of this slot: uplink ones wait for an SR occasion, downlink ones for the next slot.
    arrivals.clear();
    generator.generate_until(start + slot_ns, arrivals);
    new_downlink.clear();
    for (const ai::Packet& a : arrivals) {
      PacketRecord r;
      // Every generated packet belongs to a scenario flow (the generator was built from them).
      const auto flow = setup.flow_index.find(a.flow_id);
      if (flow == setup.flow_index.end()) return Error{fmt::format("slot {}: packet of unknown flow {}", s, a.flow_id)};
      r.flow_index = flow->second;
      r.ue_index = setup.flow_ue_index[r.flow_index];
      r.traffic_class = a.traffic_class;
      r.direction = a.direction;
      r.arrival_ns = a.arrival_ns;
      r.deadline_ns = a.deadline_ns;
      r.deadline_slot = deadline_slot_of(a.deadline_ns, slot_ns);
      r.bytes = static_cast<int>(a.bytes);
      const auto id = static_cast<std::uint32_t>(packets.size());
      packets.push_back(r);
      (a.direction == ai::Direction::uplink ? pending_uplink : new_downlink).push_back(id);
    }

    // The scheduler drops expired packets at the start of schedule(); the shadows do the same.
    for (std::size_t u = 0; u < ue_count; ++u)
      for (Direction d : {Direction::downlink, Direction::uplink})
        if (shadow(static_cast<int>(u), d).size > 0) shadow(static_cast<int>(u), d).drop_expired(s, packets);

    // Observation.
    links.clear();
    const auto ues = scheduler.ues();
    for (std::size_t u = 0; u < ue_count; ++u) {
      for (Direction d : {Direction::downlink, Direction::uplink}) {
        const LinkState& link = ues[u].link(d);
        const bool retransmission = link.harq.next_retransmission() >= 0;
        if (link.buffer.empty() && !retransmission) continue;
        ai::LinkObservation o;
        o.ue_index = static_cast<std::uint32_t>(u);
        o.direction = to_ai(d);
        o.buffered_bytes = link.buffer.bytes();
        o.earliest_deadline_slot = link.buffer.earliest_deadline();
        if (retransmission) o.earliest_deadline_slot = std::min(o.earliest_deadline_slot, s);
        const int mcs = scheduler.link_adapted_mcs(static_cast<int>(u), d);
        const double per_prb = bytes_per_prb[static_cast<std::size_t>(d)][static_cast<std::size_t>(mcs)];
        o.prbs_needed = static_cast<int>(std::ceil(static_cast<double>(link.buffer.bytes()) / per_prb));
        o.retransmission_pending = retransmission;
        links.push_back(o);
      }
    }
    ai::SlotObservation observation;
    observation.slot_index = s;
    observation.slot_start_ns = start;
    observation.kind = kind;
    observation.links = links;
    observation.ledger_state = previous_state;
    observation.slots_in_state = slots_in_state;
    ai::EnergyDecision choice = policy.decide(observation);
    const bool active = choice.state == ai::RadioState::active;
    const int antennas = std::clamp(choice.active_antennas, 1, config.antennas);

    SlotLimits limits;
    limits.allowed = active && choice.schedule;
    limits.max_prbs = std::max(0, choice.max_prbs);
    limits.max_layers = antennas;
    limits.priority = choice.earliest_deadline_first ? &edf : nullptr;
    if (Status st = scheduler.schedule(s, limits, decision); !st) return Error{fmt::format("slot {}: {}", s, st.message())};

    // The link, HARQ feedback and deliveries. At most one grant per UE and slot: feedback of one
    // grant does not change what the link sees for another, so carrying all grants first and
    // feeding back in grant order gives what grant-by-grant would.
    const std::int64_t slot_end = start + slot_ns;
    ai::ComputeWork work;
    if (decision.grants.size() > grant_results.size())
      return Error{fmt::format("slot {}: {} grants, more than max_grants_per_slot", s, decision.grants.size())};
    const std::span<GrantResult> slot_results(grant_results.data(), decision.grants.size());
    if (!decision.grants.empty()) {
      const SlotLinkInput input{s, &decision, &scheduler};
      if (Status st = slot_link->carry(input, slot_results); !st) return Error{fmt::format("slot {}: link: {}", s, st.message())};
    }
    for (std::size_t gi = 0; gi < decision.grants.size(); ++gi) {
      const Grant& g = decision.grants[gi];
      LinkShadow& sh = shadow(g.ue_index, g.direction);
      if (!g.retransmission) sh.take(g.payload_bytes, g.harq_process, packets);
      work.add_allocation(g.rb_size, g.layers);
      const GrantResult& outcome = slot_results[gi];
      const bool crc_ok = outcome.crc_ok;
      ++result.link.tbs;
      result.link.crc_pass += crc_ok ? 1 : 0;
      if (outcome.sinr_db) {
        ++result.link.sinr_measurements;
        result.link.sinr_sum_db += *outcome.sinr_db;
      }
      if (Status st = scheduler.feedback(g.rnti, g.direction, g.harq_process, crc_ok, outcome.sinr_db); !st)
        return Error{fmt::format("slot {}: feedback: {}", s, st.message())};
      const HarqProcess& process = ues[static_cast<std::size_t>(g.ue_index)].link(g.direction).harq.process(g.harq_process);
      if (crc_ok) {
        for (const Part& part : sh.tb_parts(g.harq_process)) {
          PacketRecord& r = packets[part.packet];
          r.acked_bytes += part.bytes;
          r.last_ack_end_ns = std::max(r.last_ack_end_ns, slot_end);
        }
        sh.part_count[static_cast<std::size_t>(g.harq_process)] = 0;
      } else if (process.state == HarqState::idle) {  // failed at max transmissions
        for (const Part& part : sh.tb_parts(g.harq_process)) packets[part.packet].lost = true;
        sh.part_count[static_cast<std::size_t>(g.harq_process)] = 0;
      }
    }

    // Energy.
    ai::SlotActivity activity;
    activity.state = choice.state;
    activity.direction = kind.uplink_data ? ai::Direction::uplink : ai::Direction::downlink;
    activity.active_symbols =
        !decision.grants.empty() ? kSymbolsPerSlot : (choice.symbol_dtx ? policy_cell.control_symbols : kSymbolsPerSlot);
    activity.total_prbs = config.cell.bwp_size;
    activity.active_prbs = active ? std::min(decision.prbs_used, config.cell.bwp_size) : 0;
    activity.total_antennas = config.antennas;
    activity.active_antennas = active ? antennas : config.antennas;
    activity.processed = active;
    activity.work = work;
    ai::EnergyBreakdown charged;
    const ai::AccountStatus status = ledger.account_slot(activity, &charged);
    if (status != ai::AccountStatus::ok) {
      return Error{fmt::format("slot {}: policy {} ({}): the ledger rejected the slot: {}", s, policy.name(),
                               policy.parameters(), ai::to_string(status))};
    }
    result.sum_of_slot_charges += charged.total();
    slots_in_state = choice.state == previous_state ? slots_in_state + 1 : 1;
    previous_state = choice.state;

    // SR occasion: uplink packets that arrived by it reach the scheduler (grantable next slot).
    if (active && kind.listens_uplink) {
      const std::int64_t occasion = start + slot_ns * kSrOccasionSymbol / kSymbolsPerSlot;
      while (pending_head < pending_uplink.size() && packets[pending_uplink[pending_head]].arrival_ns <= occasion) {
        const std::uint32_t id = pending_uplink[pending_head++];
        PacketRecord& r = packets[id];
        const int rnti = setup.ues[static_cast<std::size_t>(r.ue_index)].rnti;
        if (scheduler.enqueue(static_cast<std::uint16_t>(rnti), Direction::uplink, r.bytes, r.deadline_slot)) {
          shadow(r.ue_index, Direction::uplink).push(id);
        } else {
          r.lost = true;
        }
        policy.on_arrival_observed(r.flow_index, occasion);
      }
    }
    for (const std::uint32_t id : new_downlink) {
      PacketRecord& r = packets[id];
      const int rnti = setup.ues[static_cast<std::size_t>(r.ue_index)].rnti;
      if (scheduler.enqueue(static_cast<std::uint16_t>(rnti), Direction::downlink, r.bytes, r.deadline_slot)) {
        shadow(r.ue_index, Direction::downlink).push(id);
      } else {
        r.lost = true;
      }
      policy.on_arrival_observed(r.flow_index, r.arrival_ns);
    }
    if (progress && (s % 4096 == 0 || s + 1 == slots)) progress(static_cast<double>(s + 1) / static_cast<double>(slots));
  }

  // Outcomes: packets whose deadline falls inside the run.
  const auto& totals = ledger.totals();
  result.energy = totals;
  for (int st = 0; st < ai::kRadioStateCount; ++st)
    result.slots_in_state[static_cast<std::size_t>(st)] = ledger.slots_in(static_cast<ai::RadioState>(st));
  result.ledger_rejections = ledger.rejected_slots();
  std::int64_t offered_bits = 0;
  std::int64_t embb_bits = 0;
  if (outcomes) outcomes->clear();
  for (const PacketRecord& r : packets) {
    offered_bits += 8LL * r.bytes;
    const bool counted = r.deadline_ns <= end_ns;
    const bool delivered = counted && !r.lost && r.acked_bytes == r.bytes && r.last_ack_end_ns <= r.deadline_ns;
    if (outcomes) {
      outcomes->push_back(PacketOutcome{r.traffic_class, r.direction, r.arrival_ns, r.deadline_ns, counted, delivered,
                                        r.last_ack_end_ns});
    }
    if (!counted) continue;
    if (std::getenv("AIRAN_DEBUG_MISSES") && !delivered && r.traffic_class == ai::TrafficClass::motion_control)
      fmt::print(stderr, "miss ue {} flow {} arrival {} deadline {} bytes {} acked {} lost {} last_ack_end {}\n", r.ue_index,
                 r.flow_index, r.arrival_ns, r.deadline_ns, r.bytes, r.acked_bytes, r.lost, r.last_ack_end_ns);
    ClassOutcome& c = result.classes[static_cast<std::size_t>(r.traffic_class)];
    ++c.packets;
    if (delivered) {
      ++c.delivered;
      result.delivered_bits += 8LL * r.bytes;
      if (r.traffic_class == ai::TrafficClass::embb) embb_bits += 8LL * r.bytes;
      if (r.last_ack_end_ns > r.deadline_ns) ++result.late_deliveries;
    } else {
      ++c.missed;
    }
  }
  const double seconds = static_cast<double>(end_ns) * 1e-9;
  result.embb_throughput_mbps = static_cast<double>(embb_bits) / seconds * 1e-6;
  result.offered_mbps = static_cast<double>(offered_bits) / seconds * 1e-6;
  return result;
}

Expected<EnergyRunResult> oracle_energy_bound(const EnergyEvaluationConfig& config) {
  auto setup_or = make_setup(config);
  if (!setup_or) return setup_or.error();
  const Setup& setup = *setup_or;
  auto scheduler_or = Scheduler::create(config.cell, setup.ues);
  if (!scheduler_or) return Error{fmt::format("scheduler: {}", scheduler_or.error().message)};
  const Scheduler& scheduler = *scheduler_or;
  auto ledger_or = ai::EnergyLedger::create(config.energy_model, setup.slot_ns);
  if (!ledger_or) return Error{ledger_or.error()};
  auto cell_or = make_policy_cell(config, scheduler.tdd(), *ledger_or);
  if (!cell_or) return cell_or.error();
  auto generator_or = ai::TrafficGenerator::create(setup.scenario.flows, config.seed);
  if (!generator_or) return Error{generator_or.error()};

  const std::int64_t end_ns = setup.slots * setup.slot_ns;
  std::vector<ai::Packet> all;
  all.reserve(generator_or->expected_packets(end_ns));
  generator_or->generate_until(end_ns, all);

  ai::OracleProblem problem;
  problem.cell = *cell_or;
  problem.slots = setup.slots;
  problem.windows.reserve(all.size());
  std::int64_t offered_bits = 0;
  for (const ai::Packet& p : all) {
    offered_bits += 8LL * p.bytes;
    if (p.deadline_ns > end_ns) continue;
    ai::OracleWindow w;
    w.direction = p.direction;
    w.first_slot = p.direction == ai::Direction::downlink ? p.arrival_ns / setup.slot_ns + 1
                                                          : first_uplink_grant_slot(p.arrival_ns, setup.slot_ns, *cell_or);
    w.last_slot = deadline_slot_of(p.deadline_ns, setup.slot_ns);
    w.bytes = p.bytes;
    problem.windows.push_back(w);
  }
  for (Direction d : {Direction::downlink, Direction::uplink}) {
    const int symbols = kSymbolsPerSlot - (d == Direction::downlink ? config.cell.downlink.start_symbol : 0);
    const int mcs = scheduler.mcs_selector(d).max_mcs();
    double best = 0.0;
    for (int rb = 1; rb <= config.cell.bwp_size; ++rb)
      best = std::max(best, static_cast<double>(scheduler.tbs_bytes(d, symbols, rb, mcs, 1)) / rb);
    problem.max_bytes_per_prb_layer[static_cast<std::size_t>(to_ai(d) == ai::Direction::downlink ? 0 : 1)] = best;
  }
  auto bound = ai::compute_oracle_bound(problem, config.energy_model);
  if (!bound) return Error{bound.error()};

  EnergyRunResult result;
  result.policy = "oracle";
  result.parameters = fmt::format("lower bound, {} data slots at least", bound->data_slots);
  result.is_oracle = true;
  result.slots = setup.slots;
  result.slot_duration_ms = static_cast<double>(setup.slot_ns) * 1e-6;
  result.energy = bound->energy;
  result.sum_of_slot_charges = bound->energy.total();
  result.joules_per_relative_unit = config.energy_model.watts_per_relative_unit * 1e-3;
  const double seconds = static_cast<double>(end_ns) * 1e-9;
  result.offered_mbps = static_cast<double>(offered_bits) / seconds * 1e-6;
  // The bound assumes every packet delivered in time.
  std::int64_t embb_bits = 0;
  for (const ai::Packet& p : all) {
    if (p.deadline_ns > end_ns) continue;
    ClassOutcome& c = result.classes[static_cast<std::size_t>(p.traffic_class)];
    ++c.packets;
    ++c.delivered;
    result.delivered_bits += 8LL * p.bytes;
    if (p.traffic_class == ai::TrafficClass::embb) embb_bits += 8LL * p.bytes;
  }
  result.embb_throughput_mbps = static_cast<double>(embb_bits) / seconds * 1e-6;
  return result;
}

}  // namespace airan::mac

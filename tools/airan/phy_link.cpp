#include "airan/phy_link.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>

#include <fmt/format.h>

#include "airan/io/fronthaul.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/uplane.hpp"
#include "airan/mac/grant_to_pdu.hpp"
#include "airan/parallel.hpp"
#include "airan/phy/channel/channel_model.hpp"
#include "airan/phy/mimo/equalizer.hpp"
#include "airan/phy/numerology.hpp"
#include "airan/phy/pdsch/pdsch.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::tools {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kStreamChannel = 3;
constexpr std::uint64_t kStreamNoise = 2;
constexpr std::uint64_t kStreamTb = 16;
constexpr int kMaxLayers = 4;
constexpr std::size_t kMaxCachedPlans = 4096;
constexpr double kNoNoiseEstimateDb = 100.0;  // DMRS SNR above this: the noise estimate failed

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

int direction_index(mac::Direction d) { return d == mac::Direction::downlink ? 0 : 1; }

}  // namespace

struct PhyLink::State {
  PhyLinkConfig config;
  phy::EqualizerType equalizer = phy::EqualizerType::mmse;

  // Per run (start()).
  mac::CellConfig cell;
  std::vector<mac::UeConfig> ues;
  std::uint64_t seed = 1;
  int antennas = 4;
  int subcarriers = 0;
  phy::Numerology numerology;
  std::optional<io::UplanePacker> packer, dl_packer;
  std::optional<io::SlotAssembler> assembler, dl_assembler;
  std::unique_ptr<phy::PuschSlotReceiver> receiver;  // the gNB: every uplink grant of a slot at once
  std::unique_ptr<phy::PuschReceiver> dl_receiver;     // a UE
  std::vector<phy::PuschSlotUe> slot_ues;
  std::vector<phy::PuschSlotUeResult> slot_results;
  std::vector<std::size_t> slot_grants;               // grant index of each slot UE
  std::vector<std::vector<std::uint8_t>> slot_tbs;    // one per uplink grant of the slot
  phy::PuschTransmitter transmitter;
  phy::PdschTransmitter dl_transmitter;
  std::vector<std::unique_ptr<phy::ChannelModel>> channels;  // [(ue * 2 + direction) * 4 + layers - 1]
  std::vector<std::vector<std::uint8_t>> sent_tbs;           // [(ue * 2 + direction) * processes + process]
  std::vector<phy::HarqSoftBuffer> soft_buffers;             // same index
  std::mt19937_64 noise_rng;
  std::mt19937_64 tb_rng;
  PhyLinkFigures figures;

  // Scratch, sized once.
  phy::ResourceGrid cell_grid, dl_grid, tx_grid, ue_grid, ue_tx_grid;
  // Plans by shape (everything a plan depends on: direction, slot number, RNTI, allocation, MCS,
  // layers, RV): periodic traffic repeats its shapes, and planning allocates. Bounded: cleared
  // when it reaches kMaxCachedPlans, before a slot's lookups.
  using PlanKey = std::array<int, 10>;
  std::map<PlanKey, phy::PuschPlan> plan_cache;
  std::vector<const phy::PuschPlan*> plans;  // the slot's, grant order (into plan_cache)
  std::vector<std::uint8_t> received_tb;

  // The slot being carried (for the assembler callbacks).
  const mac::SlotLinkInput* input = nullptr;
  std::span<mac::GrantResult> results;
  Status failure = Status::ok();
  std::function<void(const io::AssembledSlot&)> on_uplink_slot;
  std::function<void(const io::AssembledSlot&)> on_downlink_slot;

  std::size_t buffer_index(const mac::Grant& g) const {
    return (static_cast<std::size_t>(g.ue_index) * 2 + static_cast<std::size_t>(direction_index(g.direction))) *
               static_cast<std::size_t>(cell.harq.num_processes) +
           static_cast<std::size_t>(g.harq_process);
  }
  // Amplitude of a UE's signal at each receive antenna (unit noise per RE and antenna).
  float amplitude(const mac::Grant& g, int rx_ports) const {
    const double sinr_db = ues[static_cast<std::size_t>(g.ue_index)].initial_sinr_db[static_cast<std::size_t>(
        direction_index(g.direction))];
    const double snr = std::pow(10.0, sinr_db / 10.0) / rx_ports;
    return static_cast<float>(std::sqrt(snr / g.layers));
  }
  Expected<phy::ChannelModel*> channel_for(const mac::Grant& g) {
    const std::size_t index =
        (static_cast<std::size_t>(g.ue_index) * 2 + static_cast<std::size_t>(direction_index(g.direction))) * kMaxLayers +
        static_cast<std::size_t>(g.layers - 1);
    if (!channels[index]) {
      phy::ChannelConfig cc;
      cc.profile = config.channel;
      cc.delay_spread_s = config.delay_spread_s;
      cc.max_doppler_hz = config.max_doppler_hz;
      cc.tx_ports = g.layers;
      cc.rx_ports = g.direction == mac::Direction::uplink ? antennas : config.ue_antennas;
      cc.seed = item_seed(seed, static_cast<long long>(index), kStreamChannel);
      auto channel = phy::make_channel(cc);
      if (!channel) return Error{fmt::format("channel of UE {}: {}", g.ue_index, channel.error().message)};
      channels[index] = std::move(*channel);
    }
    return channels[index].get();
  }
  void add_noise(phy::ResourceGrid& grid, int first, int count) {
    std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
    for (int p = 0; p < grid.ports(); ++p)
      for (int l = 0; l < phy::kSymbolsPerSlot; ++l)
        for (auto& x : grid.symbol(p, l).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count)))
          x += phy::Complex(normal(noise_rng), normal(noise_rng));
  }
  std::span<std::uint8_t> tb_to_send(const mac::Grant& g, int tbs_bits) {
    std::vector<std::uint8_t>& tb = sent_tbs[buffer_index(g)];
    if (!g.retransmission || static_cast<int>(tb.size()) != tbs_bits) {
      tb.resize(static_cast<std::size_t>(tbs_bits));
      for (auto& b : tb) b = static_cast<std::uint8_t>(tb_rng() >> 63);
    }
    return tb;
  }
  // Receives grant i of the slot on `grid` (the receiver's view) and fills its result.
  void receive(phy::PuschReceiver& rx, std::size_t i, const phy::ResourceGrid& grid, PhyLinkFigures::Direction& d) {
    const mac::Grant& g = input->decision->grants[i];
    const phy::PuschPlan& plan = *plans[i];
    received_tb.resize(static_cast<std::size_t>(plan.tbs));
    auto r = rx.receive(plan, grid, !g.retransmission, soft_buffers[buffer_index(g)], received_tb);
    if (!r) {
      failure = Error{fmt::format("receive of rnti {}: {}", g.rnti, r.error().message)};
      return;
    }
    const std::vector<std::uint8_t>& sent = sent_tbs[buffer_index(g)];
    const bool ok = r->tb_crc_ok && std::equal(sent.begin(), sent.end(), received_tb.begin(), received_tb.end());
    // On one PRB the DMRS leaves the noise estimate nothing to work with (it comes out near zero
    // and the SINR at the receiver's cap): no report then, rather than a 60 dB one.
    const bool measured = r->dmrs_snr_db < kNoNoiseEstimateDb;
    results[i] = mac::GrantResult{ok, measured ? std::optional<double>(r->sinr_db) : std::nullopt};
    ++d.tbs;
    d.crc_pass += ok ? 1 : 0;
    if (measured) {
      ++d.sinr_measurements;
      d.sinr_sum_db += r->sinr_db;
    }
  }
  void uplink_slot(const io::AssembledSlot& slot) {
    slot_ues.clear();
    slot_grants.clear();
    for (std::size_t i = 0; i < input->decision->grants.size(); ++i) {
      const mac::Grant& g = input->decision->grants[i];
      if (g.direction != mac::Direction::uplink) continue;
      std::vector<std::uint8_t>& bits = slot_tbs[slot_ues.size()];
      bits.resize(static_cast<std::size_t>(plans[i]->tbs));  // grows to the largest TB, then stays
      slot_ues.push_back({.plan = plans[i],
                          .bwp_start_prb = 0,
                          .new_data = !g.retransmission,
                          .harq_process = g.ue_index * cell.harq.num_processes + g.harq_process,
                          .tb_bits = bits});
      slot_grants.push_back(i);
    }
    if (slot_ues.empty()) return;
    const auto out = std::span(slot_results).first(slot_ues.size());
    if (Status st = receiver->receive(*slot.grid, slot_ues, out); !st) {
      failure = Error{fmt::format("uplink receive: {}", st.message())};
      return;
    }
    for (std::size_t u = 0; u < slot_ues.size(); ++u) {
      const std::size_t i = slot_grants[u];
      const mac::Grant& g = input->decision->grants[i];
      const std::vector<std::uint8_t>& sent = sent_tbs[buffer_index(g)];
      const phy::PuschSlotUeResult& r = out[u];
      const bool ok = r.tb_crc_ok && std::equal(sent.begin(), sent.end(), slot_ues[u].tb_bits.begin(),
                                                slot_ues[u].tb_bits.end());
      // As receive(): no SINR report where the DMRS left nothing to estimate the noise on (one
      // PRB); the CUDA backend estimates no DMRS SNR, so there the PRB count decides.
      const bool measured = std::isnan(r.dmrs_snr_db) ? plans[i]->config.rb_size > 1 : r.dmrs_snr_db < kNoNoiseEstimateDb;
      results[i] = mac::GrantResult{ok, measured ? std::optional<double>(r.sinr_db) : std::nullopt};
      ++figures.uplink.tbs;
      figures.uplink.crc_pass += ok ? 1 : 0;
      if (measured) {
        ++figures.uplink.sinr_measurements;
        figures.uplink.sinr_sum_db += r.sinr_db;
      }
    }
  }
  void downlink_slot(const io::AssembledSlot& slot) {
    // The UE side: each UE's layers through its channel, plus noise, into its receiver.
    for (std::size_t i = 0; i < input->decision->grants.size(); ++i) {
      const mac::Grant& g = input->decision->grants[i];
      if (g.direction != mac::Direction::downlink) continue;
      const phy::PuschPlan& plan = *plans[i];
      const int first = plan.first_subcarrier();
      const int count = plan.num_subcarriers();
      ue_tx_grid.resize(g.layers, phy::kSymbolsPerSlot, subcarriers);
      for (int v = 0; v < g.layers; ++v)
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l) {
          const auto src = slot.grid->symbol(v, l);
          std::copy(src.begin(), src.end(), ue_tx_grid.symbol(v, l).begin());
        }
      auto channel = channel_for(g);
      if (!channel) {
        failure = channel.error();
        return;
      }
      if (Status st = (*channel)->apply(ue_tx_grid, ue_grid, numerology, input->slot_index); !st) {
        failure = st;
        return;
      }
      const float a = amplitude(g, config.ue_antennas);
      for (int r = 0; r < ue_grid.ports(); ++r)
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l)
          for (auto& x : ue_grid.symbol(r, l).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count)))
            x *= a;
      add_noise(ue_grid, first, count);
      receive(*dl_receiver, i, ue_grid, figures.downlink);
    }
  }
};

PhyLink::PhyLink(std::unique_ptr<State> state) : s_(std::move(state)) {}
PhyLink::~PhyLink() = default;
const PhyLinkFigures& PhyLink::figures() const { return s_->figures; }

Expected<std::unique_ptr<PhyLink>> PhyLink::create(const PhyLinkConfig& config) {
  if (config.ue_antennas < 1 || config.ue_antennas > 16)
    return Error{fmt::format("ue_antennas={} must be within 1..16", config.ue_antennas)};
  if (Status st = io::validate(config.compression); !st) return Error{fmt::format("compression: {}", st.message())};
  if (config.backend != "auto" && !phy::parse_phy_backend(config.backend)) {
    return Error{fmt::format("--backend {} is not auto, cpu or cuda", config.backend)};
  }
  auto equalizer = phy::parse_equalizer_type(config.equalizer);
  if (!equalizer) return Error{fmt::format("equalizer '{}' is not mmse or zf", config.equalizer)};
  phy::ChannelConfig probe;
  probe.profile = config.channel;
  probe.delay_spread_s = config.delay_spread_s;
  probe.max_doppler_hz = config.max_doppler_hz;
  if (auto c = phy::make_channel(probe); !c) return Error{fmt::format("channel: {}", c.error().message)};
  auto s = std::make_unique<State>();
  s->config = config;
  s->equalizer = *equalizer;
  State* state = s.get();
  s->on_uplink_slot = [state](const io::AssembledSlot& slot) { state->uplink_slot(slot); };
  s->on_downlink_slot = [state](const io::AssembledSlot& slot) { state->downlink_slot(slot); };
  return std::unique_ptr<PhyLink>(new PhyLink(std::move(s)));
}

Status PhyLink::start(const mac::SlotLinkSetup& setup) {
  State& s = *s_;
  if (setup.cell == nullptr) return Error{"no cell"};
  s.cell = *setup.cell;
  s.ues.assign(setup.ues.begin(), setup.ues.end());
  s.seed = setup.seed;
  s.antennas = setup.antennas;
  s.numerology.mu = s.cell.numerology();
  s.subcarriers = 12 * s.cell.bwp_size;
  if (s.cell.bwp_start != 0) return Error{fmt::format("bwp_start={}: the link needs the BWP at the carrier's start", s.cell.bwp_start)};
  for (const mac::UeConfig& ue : s.ues)
    if (ue.max_layers[0] > s.config.ue_antennas)
      return Error{fmt::format("rnti {}: {} downlink layers but UEs have {} antennas", ue.rnti, ue.max_layers[0],
                               s.config.ue_antennas)};

  // The fronthaul of the cell: one eAxC per antenna, BFP, no reception window (no radio timing).
  io::FronthaulConfig fh;
  fh.numerology = s.numerology.mu;
  fh.carrier_prbs = s.cell.bwp_size;
  fh.eaxc_ids.clear();
  for (int r = 0; r < s.antennas; ++r) {
    auto id = io::encode_eaxc(io::Eaxc{0, 0, 0, static_cast<std::uint16_t>(r)}, fh.eaxc_split);
    if (!id) return id.error();
    fh.eaxc_ids.push_back(*id);
  }
  fh.downlink_eaxc_ids = fh.eaxc_ids;
  for (io::UplaneCompressionConfig* d : {&fh.uplane.uplink, &fh.uplane.downlink}) {
    d->dynamic = false;
    d->static_comp = io::make_ud_comp_hdr(s.config.compression);
  }
  fh.frame.source = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  fh.frame.destination = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  fh.window.enabled = false;
  // Headroom above the strongest UE's per-antenna signal plus noise (as ru-emu).
  double max_snr = 0.0;
  for (const mac::UeConfig& ue : s.ues) max_snr = std::max(max_snr, std::pow(10.0, ue.initial_sinr_db[1] / 10.0) / s.antennas);
  fh.iq_scale = static_cast<float>(4096.0 / std::sqrt(1.0 + max_snr));
  if (Status st = fh.validate(); !st) return Error{fmt::format("fronthaul: {}", st.message())};
  io::FronthaulConfig dl = fh.downlink();
  dl.window.enabled = false;
  io::FronthaulConfig dl_packing = dl;
  std::swap(dl_packing.frame.source, dl_packing.frame.destination);

  auto packer = io::UplanePacker::create(fh);
  if (!packer) return Error{"fronthaul: " + packer.error().message};
  s.packer.emplace(std::move(*packer));
  auto assembler = io::SlotAssembler::create(fh);
  if (!assembler) return Error{"fronthaul: " + assembler.error().message};
  s.assembler.emplace(std::move(*assembler));
  auto dl_packer = io::UplanePacker::create(dl_packing);
  if (!dl_packer) return Error{"fronthaul (downlink): " + dl_packer.error().message};
  s.dl_packer.emplace(std::move(*dl_packer));
  auto dl_assembler = io::SlotAssembler::create(dl);
  if (!dl_assembler) return Error{"fronthaul (downlink): " + dl_assembler.error().message};
  s.dl_assembler.emplace(std::move(*dl_assembler));

  phy::PuschReceiverConfig rx_config;
  rx_config.equalizer = s.equalizer;
  const std::size_t links = s.ues.size() * 2;
  const std::size_t buffers = links * static_cast<std::size_t>(s.cell.harq.num_processes);
  phy::PuschSlotReceiverConfig slot_config;
  slot_config.receiver = rx_config;
  int max_ul_layers = 1;
  for (const mac::UeConfig& ue : s.ues) max_ul_layers = std::max(max_ul_layers, ue.max_layers[1]);
  const int grants = std::max(1, s.cell.max_grants_per_slot);
  slot_config.limits = {.max_prbs = s.cell.bwp_size,
                        .grid_prbs = s.cell.bwp_size,
                        .max_layers = std::min(max_ul_layers, 4),
                        .max_rx_ports = s.antennas,
                        .max_ues = std::min(grants, 64),
                        .max_modulation_order = 8};
  // One soft buffer per uplink HARQ process of every UE (the GPU keeps each at the largest TB).
  slot_config.harq_processes = static_cast<int>(s.ues.size()) * s.cell.harq.num_processes;
  slot_config.transform_precoding = false;  // the MAC schedules CP-OFDM
  auto receiver = phy::create_pusch_slot_receiver(s.config.backend, slot_config);
  if (!receiver) return Error{fmt::format("uplink receiver ({} backend): {}", s.config.backend, receiver.error().message)};
  s.receiver = std::move(*receiver);
  s.slot_ues.reserve(static_cast<std::size_t>(grants));
  s.slot_grants.reserve(static_cast<std::size_t>(grants));
  s.slot_results.resize(static_cast<std::size_t>(grants));
  s.slot_tbs.resize(static_cast<std::size_t>(grants));
  auto dl_receiver = phy::PuschReceiver::create(rx_config);
  if (!dl_receiver) return dl_receiver.error();
  s.dl_receiver = std::move(*dl_receiver);

  s.channels.clear();
  s.channels.resize(links * kMaxLayers);
  s.sent_tbs.assign(buffers, {});
  s.soft_buffers.clear();
  s.soft_buffers.resize(buffers);
  s.noise_rng.seed(item_seed(s.seed, 0, kStreamNoise));
  s.tb_rng.seed(item_seed(s.seed, 0, kStreamTb));
  s.cell_grid.resize(s.antennas, phy::kSymbolsPerSlot, s.subcarriers);
  s.dl_grid.resize(s.antennas, phy::kSymbolsPerSlot, s.subcarriers);
  s.plan_cache.clear();
  s.plans.clear();
  s.plans.reserve(static_cast<std::size_t>(std::max(1, s.cell.max_grants_per_slot)));
  s.figures = PhyLinkFigures{};
  s.failure = Status::ok();
  return Status::ok();
}

Status PhyLink::carry(const mac::SlotLinkInput& input, std::span<mac::GrantResult> results) {
  State& s = *s_;
  if (!s.packer) return Error{"carry before start"};
  const auto slot_start = Clock::now();
  const std::vector<mac::Grant>& grants = input.decision->grants;
  const int mu = s.numerology.mu;
  const std::int64_t index = input.slot_index;
  const int slots_per_frame = 10 << mu;
  const int slot_in_frame = static_cast<int>(index % slots_per_frame);
  s.input = &input;
  s.results = results;
  for (mac::GrantResult& r : results) r = mac::GrantResult{};

  // Plans, grant order; the TBS the scheduler promised must be what the PHY plans.
  s.plans.clear();
  if (s.plan_cache.size() + grants.size() > kMaxCachedPlans) s.plan_cache.clear();
  bool any_uplink = false, any_downlink = false;
  for (const mac::Grant& g : grants) {
    const State::PlanKey key{direction_index(g.direction), slot_in_frame, g.rnti, g.rb_start, g.rb_size, g.start_symbol,
                             g.num_symbols, g.mcs_index, g.layers, g.rv};
    auto cached = s.plan_cache.find(key);
    if (cached == s.plan_cache.end()) {
      auto plan = g.direction == mac::Direction::uplink
                      ? phy::plan_pusch(mac::pusch_config_for(g, s.cell, slot_in_frame))
                      : phy::plan_pdsch(mac::pdsch_config_for(g, s.cell, slot_in_frame));
      if (!plan) return Error{fmt::format("grant of rnti {} does not plan: {}", g.rnti, plan.error().message)};
      cached = s.plan_cache.emplace(key, std::move(*plan)).first;
    }
    if (cached->second.tbs != 8 * g.tbs_bytes)
      return Error{fmt::format("grant of rnti {}: tbs_bytes={} but the PHY plans {} bits", g.rnti, g.tbs_bytes,
                               cached->second.tbs)};
    s.plans.push_back(&cached->second);
    (g.direction == mac::Direction::uplink ? any_uplink : any_downlink) = true;
  }
  const io::SlotTime time = io::slot_time(static_cast<int>(index % io::slots_per_frame_cycle(mu)), mu);
  const std::int64_t arrival_ns = index * (1'000'000 >> mu);
  double du_us = 0.0;

  if (any_uplink) {
    // The UEs: PUSCH, channel, SINR, summed over the air into the cell's antennas.
    s.cell_grid.clear();
    for (std::size_t i = 0; i < grants.size(); ++i) {
      const mac::Grant& g = grants[i];
      if (g.direction != mac::Direction::uplink) continue;
      const phy::PuschPlan& plan = *s.plans[i];
      if (Status st = s.transmitter.transmit(plan, s.tb_to_send(g, plan.tbs), s.tx_grid); !st) return st;
      auto channel = s.channel_for(g);
      if (!channel) return channel.error();
      if (Status st = (*channel)->apply(s.tx_grid, s.ue_grid, s.numerology, index); !st) return st;
      const float a = s.amplitude(g, s.antennas);
      const auto first = static_cast<std::size_t>(plan.first_subcarrier());
      const auto count = static_cast<std::size_t>(plan.num_subcarriers());
      for (int r = 0; r < s.antennas; ++r)
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l) {
          const auto src = s.ue_grid.symbol(r, l).subspan(first, count);
          const auto dst = s.cell_grid.symbol(r, l).subspan(first, count);
          for (std::size_t x = 0; x < count; ++x) dst[x] += a * src[x];
        }
      s.add_noise(s.cell_grid, plan.first_subcarrier(), plan.num_subcarriers());
    }
    // The RU packs, the DU assembles and receives (inside the assembler's callback).
    const Status packed = s.packer->pack_slot(s.cell_grid, time, [&](std::span<const std::uint8_t> frame, int) {
      ++s.figures.fronthaul_packets;
      const auto t = Clock::now();
      s.assembler->on_frame(frame, arrival_ns, s.on_uplink_slot);
      du_us += micros_since(t);
    });
    if (!packed) return packed;
    const auto t = Clock::now();
    s.assembler->flush(s.on_uplink_slot);
    du_us += micros_since(t);
    if (!s.failure) return s.failure;
  }

  if (any_downlink) {
    // The DU: PDSCH per grant into its grid, packed; the RU assembles; the UEs receive.
    auto t = Clock::now();
    s.dl_grid.clear();
    for (std::size_t i = 0; i < grants.size(); ++i) {
      const mac::Grant& g = grants[i];
      if (g.direction != mac::Direction::downlink) continue;
      const phy::PuschPlan& plan = *s.plans[i];
      if (g.layers > s.antennas) return Error{fmt::format("rnti {}: {} layers on {} antennas", g.rnti, g.layers, s.antennas)};
      if (Status st = s.dl_transmitter.transmit(plan, s.tb_to_send(g, plan.tbs), s.tx_grid); !st) return st;
      const auto first = static_cast<std::size_t>(plan.first_subcarrier());
      const auto count = static_cast<std::size_t>(plan.num_subcarriers());
      for (int v = 0; v < s.tx_grid.ports(); ++v)
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l) {
          const auto src = s.tx_grid.symbol(v, l).subspan(first, count);
          std::copy(src.begin(), src.end(), s.dl_grid.symbol(v, l).subspan(first, count).begin());
        }
    }
    du_us += micros_since(t);
    double ue_side_us = 0.0;
    t = Clock::now();
    const Status packed = s.dl_packer->pack_slot(s.dl_grid, time, [&](std::span<const std::uint8_t> frame, int) {
      ++s.figures.fronthaul_packets;
      const auto u = Clock::now();
      s.dl_assembler->on_frame(frame, arrival_ns, s.on_downlink_slot);
      ue_side_us += micros_since(u);
    });
    du_us += micros_since(t) - ue_side_us;
    if (!packed) return packed;
    s.dl_assembler->flush(s.on_downlink_slot);
    if (!s.failure) return s.failure;
  }
  s.figures.du_us.push_back(du_us);
  s.figures.slot_us.push_back(micros_since(slot_start));
  return Status::ok();
}

}  // namespace airan::tools

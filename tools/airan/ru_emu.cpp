#include "airan/ru_emu.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airan/cli.hpp"
#include "airan/dpdk_device.hpp"
#include "airan/pacer.hpp"
#include "airan/io/fronthaul.hpp"
#include "airan/io/fronthaul_json.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/uplane.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/parallel.hpp"
#include "airan/phy/channel/channel_model.hpp"
#include "airan/phy/numerology.hpp"
#include "airan/phy/pdsch/pdsch.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::tools {
namespace {

// Random streams of item_seed(seed, item, stream); the TB of UE u uses stream kStreamTb + u.
constexpr std::uint64_t kStreamNoise = 2;
constexpr std::uint64_t kStreamChannel = 3;
constexpr std::uint64_t kStreamJitter = 4;
constexpr std::uint64_t kStreamImpairment = 5;
constexpr std::uint64_t kStreamDownlinkJitter = 6;
constexpr std::uint64_t kStreamTb = 16;

constexpr std::int64_t kFrameCycleNs = 256LL * 10'000'000;  // 256 frames of 10 ms

enum class Fate : std::uint8_t { none, lost, duplicated, reordered, late, corrupt };

struct OutPacket {
  std::int64_t ts = 0;  // ns since the Unix epoch
  std::uint16_t eaxc = 0;
  Fate fate = Fate::none;
  bool swapped = false;
  std::vector<std::uint8_t> bytes;
};

// The trace's name without its extension (as `airan replay` finds the files next to a trace).
std::filesystem::path trace_stem(const std::filesystem::path& trace) {
  std::filesystem::path p = trace;
  return p.replace_extension();
}

// Air time (ns from frame 0 of slot 0 at the epoch) of symbol `symbol` of slot `index`.
std::int64_t air_time_ns(long long index, int symbol, int mu) {
  const int cycle = io::slots_per_frame_cycle(mu);
  return static_cast<std::int64_t>(index / cycle) * kFrameCycleNs +
         io::symbol_air_time_ns(io::slot_time(static_cast<int>(index % cycle), mu), symbol, mu);
}

}  // namespace

std::filesystem::path ru_emu_plan_path(const std::filesystem::path& trace) {
  return trace_stem(trace).string() + ".plan.jsonl";
}
std::filesystem::path ru_emu_cell_path(const std::filesystem::path& trace) {
  return trace_stem(trace).string() + ".cell.json";
}

float ru_emu_iq_scale(const Scenario& s) {
  if (s.fronthaul.iq_scale) return *s.fronthaul.iq_scale;
  double max_snr = 0.0;
  for (const ScenarioUe& u : s.ues) {
    if (!u.downlink) max_snr = std::max(max_snr, std::pow(10.0, u.snr_db / 10.0));
  }
  return static_cast<float>(4096.0 / std::sqrt(1.0 + max_snr));
}

Expected<io::FronthaulConfig> load_cell_settings(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  if (extension != ".yaml" && extension != ".yml") return io::load_fronthaul_config(path);
  auto scenario = load_scenario(path);
  if (!scenario) return scenario.error();
  return scenario_fronthaul_config(*scenario, ru_emu_iq_scale(*scenario));
}

Expected<RuEmuSummary> run_ru_emu(const Scenario& s, const RuEmuOptions& o,
                                  const std::function<void(long long)>& progress) {
  if (Status st = validate(s); !st) return st.error();
  const long long slots = o.slots.value_or(s.slots);
  const std::uint64_t seed = o.seed.value_or(s.seed);
  if (slots < 1 || slots > 1'000'000) return Error{fmt::format("--slots {} is outside 1..1000000", slots)};
  if (o.output.empty()) return Error{"-o: no output file given"};

  const int mu = s.cell.numerology;
  const int rx = s.cell.rx_antennas;
  const int subcarriers = 12 * s.cell.prbs;
  const int slots_per_frame = 10 << mu;

  RuEmuSummary summary;
  summary.iq_scale = ru_emu_iq_scale(s);
  summary.trace = o.output;
  summary.plan = ru_emu_plan_path(o.output);
  summary.cell = ru_emu_cell_path(o.output);

  auto fronthaul = scenario_fronthaul_config(s, summary.iq_scale);
  if (!fronthaul) return Error{"fronthaul: " + fronthaul.error().message};
  auto packer = io::UplanePacker::create(*fronthaul);
  if (!packer) return Error{"fronthaul: " + packer.error().message};
  // The downlink flow goes the other way: from the DU to the RU.
  io::FronthaulConfig dl_fronthaul = fronthaul->downlink();
  std::swap(dl_fronthaul.frame.source, dl_fronthaul.frame.destination);
  std::swap(dl_fronthaul.frame.ipv4_source, dl_fronthaul.frame.ipv4_destination);
  auto dl_packer = io::UplanePacker::create(dl_fronthaul);
  if (!dl_packer) return Error{"fronthaul (downlink): " + dl_packer.error().message};
  const bool downlink = has_downlink_ues(s);

  // Per UE: channel model, transmitter and the plans of the slots of a frame (made on first use).
  struct UeState {
    std::unique_ptr<phy::ChannelModel> channel;
    phy::PuschTransmitter transmitter;
    std::vector<std::optional<phy::PuschPlan>> plans;
    float scale = 1.0F;
  };
  std::vector<UeState> ues(s.ues.size());
  struct DownlinkUeState {
    phy::PdschTransmitter transmitter;
    std::vector<std::optional<phy::PuschPlan>> plans;
  };
  std::vector<DownlinkUeState> dl_ues(s.ues.size());
  for (std::size_t i = 0; i < s.ues.size(); ++i) {
    const ScenarioUe& u = s.ues[i];
    if (u.downlink) {
      dl_ues[i].plans.resize(static_cast<std::size_t>(slots_per_frame));
      continue;
    }
    phy::ChannelConfig cc;
    cc.profile = u.channel;
    cc.tx_ports = u.layers;
    cc.rx_ports = rx;
    cc.max_doppler_hz = u.doppler_hz;
    cc.seed = item_seed(seed, static_cast<long long>(i), kStreamChannel);
    auto channel = phy::make_channel(cc);
    if (!channel) return Error{fmt::format("ues[{}].channel: {}", i, channel.error().message)};
    ues[i].channel = std::move(*channel);
    ues[i].plans.resize(static_cast<std::size_t>(slots_per_frame));
    ues[i].scale = static_cast<float>(std::sqrt(std::pow(10.0, u.snr_db / 10.0) / u.layers));
  }

  if (Status st = io::save_fronthaul_config(*fronthaul, summary.cell); !st) return st.error();
  std::ofstream plan_out(summary.plan);
  if (!plan_out) return Error{fmt::format("{}: cannot write", summary.plan.string())};
  auto writer = io::PcapWriter::create(o.output.string(), o.format);
  if (!writer) return writer.error();

  phy::Numerology numerology;
  numerology.mu = mu;
  phy::ResourceGrid cell_grid(rx, phy::kSymbolsPerSlot, subcarriers);
  phy::ResourceGrid dl_grid(dl_fronthaul.ports(), phy::kSymbolsPerSlot, subcarriers);
  phy::ResourceGrid tx_grid;
  phy::ResourceGrid ue_grid;
  std::vector<std::uint8_t> tb;
  std::vector<OutPacket> slot_packets;
  std::vector<OutPacket> pending;  // in time order once sorted; written when no later slot can precede them
  const std::size_t section_offset =
      io::frame_header_size(fronthaul->frame) + io::kEcpriTransportHeaderSize + io::kUplaneHeaderSize;
  const std::size_t eaxc_offset = io::frame_header_size(fronthaul->frame) + 4;  // ecpriRtcid / PC_ID
  const auto ta3_ns = static_cast<std::int64_t>(std::llround(s.fronthaul.ta3_us * 1000.0));
  const auto t1a_ns = static_cast<std::int64_t>(std::llround(s.fronthaul.t1a_us * 1000.0));
  // The earliest a packet of slot k + 1 can be stamped, relative to its first symbol's air time.
  const std::int64_t earliest_ns = downlink ? std::min(ta3_ns, -t1a_ns) : ta3_ns;
  const double jitter_ns = s.fronthaul.jitter_us * 1000.0;
  const ScenarioImpairments& imp = s.impairments;
  const double t_loss = imp.loss;
  const double t_dup = t_loss + imp.duplicate;
  const double t_reorder = t_dup + imp.reorder;
  const double t_late = t_reorder + imp.late;
  const double t_corrupt = t_late + imp.corrupt;

  auto write_until = [&](std::int64_t cutoff) -> Status {
    std::stable_sort(pending.begin(), pending.end(),
                     [](const OutPacket& a, const OutPacket& b) { return a.ts < b.ts; });
    std::size_t n = 0;
    for (; n < pending.size() && pending[n].ts < cutoff; ++n) {
      if (Status st = writer->write(pending[n].bytes, static_cast<std::uint64_t>(pending[n].ts)); !st) return st;
      ++summary.packets;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
    return Status::ok();
  };

  const auto epoch = static_cast<std::int64_t>(kRuEmuEpochNs);
  // The DU's downlink of slot k: each scheduled downlink UE's PDSCH on downlink eAxCs
  // 0..layers-1, packed and stamped T1a before the symbols' air time (jitter added).
  auto emit_downlink = [&](long long k) -> Status {
    const long long dl_number = summary.downlink_slots++;
    const int slot_in_frame = static_cast<int>(k % slots_per_frame);
    const int sfn = static_cast<int>((k / slots_per_frame) % 1024);
    dl_grid.clear();
    bool any = false;
    for (std::size_t i = 0; i < s.ues.size(); ++i) {
      const ScenarioUe& u = s.ues[i];
      if (!u.downlink || !ue_transmits(u, dl_number)) continue;
      DownlinkUeState& ue = dl_ues[i];
      auto& plan = ue.plans[static_cast<std::size_t>(slot_in_frame)];
      if (!plan) {
        auto p = phy::plan_pdsch(ue_pdsch_config(s, static_cast<int>(i), slot_in_frame));
        if (!p) return Error{fmt::format("ues[{}]: {}", i, p.error().message)};
        plan = std::move(*p);
      }
      tb.resize(static_cast<std::size_t>(plan->tbs));
      std::mt19937_64 bits(item_seed(seed, k, kStreamTb + i));
      for (auto& b : tb) b = static_cast<std::uint8_t>(bits() >> 63);
      if (Status st = ue.transmitter.transmit(*plan, tb, tx_grid); !st) return st;
      const auto first = static_cast<std::size_t>(plan->first_subcarrier());
      const auto count = static_cast<std::size_t>(plan->num_subcarriers());
      for (int v = 0; v < tx_grid.ports(); ++v) {
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l) {
          const auto src = tx_grid.symbol(v, l).subspan(first, count);
          std::copy(src.begin(), src.end(), dl_grid.symbol(v, l).subspan(first, count).begin());
        }
      }
      mac::PdschPdu pdu = mac::make_pdsch_pdu(*plan, sfn);
      pdu.tbCrc32 = mac::tb_crc32(tb);
      mac::write_slot_plan_line(plan_out, pdu);
      ++summary.pdsch_pdus;
      any = true;
    }
    if (!any) return Status::ok();
    std::mt19937_64 jitter_rng(item_seed(seed, k, kStreamDownlinkJitter));
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const io::SlotTime time = io::slot_time(static_cast<int>(k % io::slots_per_frame_cycle(mu)), mu);
    return dl_packer->pack_slot(dl_grid, time, [&](std::span<const std::uint8_t> frame, int symbol) {
      OutPacket p;
      const double jitter = jitter_ns > 0.0 ? uniform(jitter_rng) * jitter_ns : 0.0;
      p.ts = epoch + air_time_ns(k, symbol, mu) - t1a_ns + static_cast<std::int64_t>(jitter);
      p.bytes.assign(frame.begin(), frame.end());
      ++summary.downlink_packets;
      pending.push_back(std::move(p));
    });
  };

  for (long long k = 0; k < slots; ++k) {
    ++summary.slots;
    if (downlink && is_downlink_slot(s, k)) {
      if (Status st = emit_downlink(k); !st) return st.error();
    }
    if (!is_uplink_slot(s, k)) {
      if (Status st = write_until(epoch + air_time_ns(k + 1, 0, mu) + earliest_ns); !st) return st.error();
      if (progress) progress(k + 1);
      continue;
    }
    const long long ul_number = summary.uplink_slots++;
    const int slot_in_frame = static_cast<int>(k % slots_per_frame);
    const int sfn = static_cast<int>((k / slots_per_frame) % 1024);
    cell_grid.clear();
    for (std::size_t i = 0; i < s.ues.size(); ++i) {
      const ScenarioUe& u = s.ues[i];
      if (u.downlink || !ue_transmits(u, ul_number)) continue;
      UeState& ue = ues[i];
      auto& plan = ue.plans[static_cast<std::size_t>(slot_in_frame)];
      if (!plan) {
        auto p = phy::plan_pusch(ue_pusch_config(s, static_cast<int>(i), slot_in_frame));
        if (!p) return Error{fmt::format("ues[{}]: {}", i, p.error().message)};
        plan = std::move(*p);
      }
      tb.resize(static_cast<std::size_t>(plan->tbs));
      std::mt19937_64 bits(item_seed(seed, k, kStreamTb + i));
      for (auto& b : tb) b = static_cast<std::uint8_t>(bits() >> 63);
      if (Status st = ue.transmitter.transmit(*plan, tb, tx_grid); !st) return st.error();
      if (Status st = ue.channel->apply(tx_grid, ue_grid, numerology, k); !st) return st.error();
      const int first = plan->first_subcarrier();
      const int count = plan->num_subcarriers();
      for (int r = 0; r < rx; ++r) {
        for (int l = 0; l < phy::kSymbolsPerSlot; ++l) {
          const auto src = ue_grid.symbol(r, l).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count));
          const auto dst = cell_grid.symbol(r, l).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count));
          for (std::size_t x = 0; x < src.size(); ++x) dst[x] += ue.scale * src[x];
        }
      }
      mac::PuschPdu pdu = mac::make_pusch_pdu(*plan, sfn);
      pdu.tbCrc32 = mac::tb_crc32(tb);
      mac::write_slot_plan_line(plan_out, pdu);
      ++summary.pdus;
    }
    {
      std::mt19937_64 noise(item_seed(seed, k, kStreamNoise));
      std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
      for (auto& x : cell_grid.data()) x += phy::Complex(normal(noise), normal(noise));
    }

    // The RU: pack, timestamp, impair.
    std::mt19937_64 jitter_rng(item_seed(seed, k, kStreamJitter));
    std::mt19937_64 impairment_rng(item_seed(seed, k, kStreamImpairment));
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    slot_packets.clear();
    const io::SlotTime time = io::slot_time(static_cast<int>(k % io::slots_per_frame_cycle(mu)), mu);
    const Status packed = packer->pack_slot(cell_grid, time, [&](std::span<const std::uint8_t> frame, int symbol) {
      OutPacket p;
      const double jitter = jitter_ns > 0.0 ? uniform(jitter_rng) * jitter_ns : 0.0;
      p.ts = epoch + air_time_ns(k, symbol, mu) + ta3_ns + static_cast<std::int64_t>(jitter);
      p.eaxc = static_cast<std::uint16_t>(frame[eaxc_offset] << 8 | frame[eaxc_offset + 1]);
      p.bytes.assign(frame.begin(), frame.end());
      slot_packets.push_back(std::move(p));
    });
    if (!packed) return packed.error();
    if (imp.any()) {
      for (OutPacket& p : slot_packets) {
        const double x = uniform(impairment_rng);
        p.fate = x < t_loss      ? Fate::lost
                 : x < t_dup     ? Fate::duplicated
                 : x < t_reorder ? Fate::reordered
                 : x < t_late    ? Fate::late
                 : x < t_corrupt ? Fate::corrupt
                                 : Fate::none;
      }
      if (summary.uplink_slots == 1) {
        // The first packet of the trace goes out intact: a DU that takes its timing reference
        // from the first packet (SlotAssembler without set_frame_zero_time) would otherwise be
        // 400 us off for a late one.
        const auto first = std::min_element(slot_packets.begin(), slot_packets.end(),
                                            [](const OutPacket& a, const OutPacket& b) { return a.ts < b.ts; });
        if (first != slot_packets.end()) first->fate = Fate::none;
      }
      for (std::size_t i = 0; i < slot_packets.size(); ++i) {
        OutPacket& p = slot_packets[i];
        switch (p.fate) {
          case Fate::none: break;
          case Fate::lost: ++summary.injected.lost; break;
          case Fate::duplicated: ++summary.injected.duplicated; break;
          case Fate::late:
            p.ts += kRuEmuLateNs;
            ++summary.injected.late;
            break;
          case Fate::corrupt:
            // startPrbu (the low 10 bits of section header bytes 1..2) = 1023: beyond any carrier.
            p.bytes[section_offset + 1] |= 0x03;
            p.bytes[section_offset + 2] = 0xFF;
            ++summary.injected.corrupt;
            break;
          case Fate::reordered: {
            // The next packet of the same eAxC in the slot, when it goes out unimpaired.
            std::size_t j = i + 1;
            while (j < slot_packets.size() && slot_packets[j].eaxc != p.eaxc) ++j;
            if (j >= slot_packets.size() || slot_packets[j].fate != Fate::none || slot_packets[j].swapped) {
              p.fate = Fate::none;  // nothing to swap with: sent normally, not counted
              break;
            }
            std::swap(p.ts, slot_packets[j].ts);
            p.swapped = slot_packets[j].swapped = true;
            ++summary.injected.reordered;
            break;
          }
        }
      }
    }
    for (OutPacket& p : slot_packets) {
      if (p.fate == Fate::lost) continue;
      if (p.fate == Fate::duplicated) pending.push_back(p);
      pending.push_back(std::move(p));
    }
    // No packet of a later slot can arrive before the next slot's first symbol + Ta3 (uplink)
    // or - T1a (downlink).
    if (Status st = write_until(epoch + air_time_ns(k + 1, 0, mu) + earliest_ns); !st) return st.error();
    if (progress) progress(k + 1);
  }
  if (Status st = write_until(std::numeric_limits<std::int64_t>::max()); !st) return st.error();
  if (Status st = writer->close(); !st) return st.error();
  plan_out.close();
  if (!plan_out) return Error{fmt::format("{}: write failed", summary.plan.string())};
  return summary;
}

Expected<RuEmuTxResult> transmit_trace(const std::filesystem::path& trace, const std::string& port, double speed,
                                       int mtu) {
  auto reader = io::PcapReader::open(trace.string());
  if (!reader) return reader.error();
  auto device = DpdkDevice::open(port, mtu, "airan_ru_emu_tx");
  if (!device) return device.error();
  io::DpdkPort& tx = (*device)->port();
  io::PacketPool& pool = (*device)->pool();
  RuEmuTxResult result;
  result.device = (*device)->name();
  TimerSlack slack;  // the pacer's sleeps end on time, not up to 50 us late
  const RealtimePriority priority(50);
  if (!priority.ok() && speed > 0) std::cerr << "airan ru-emu: --tx: " << priority.why() << "\n";
  Pacer pacer(speed);
  io::Packet packet;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto more = reader->next(packet);
    if (!more) return more.error();
    if (!*more) break;
    ++result.frames;
    std::array<rte_mbuf*, 1> m{};
    if (!pool.alloc_bulk(m)) continue;  // the pool is empty: not sent
    if (!io::mbuf::assign(m[0], packet.data)) {
      io::mbuf::free(m[0]);  // beyond the data room (the cell's MTU): not sent
      continue;
    }
    pacer.wait(static_cast<std::int64_t>(packet.timestamp_ns));
    // A full tx ring empties within microseconds: retry for up to 100 ms before giving up.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    while (tx.tx_burst(m) == 0) {
      if (std::chrono::steady_clock::now() > give_up) {
        io::mbuf::free(m[0]);
        m[0] = nullptr;
        break;
      }
      std::this_thread::yield();
    }
    if (m[0] != nullptr) ++result.sent;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void add_ru_emu_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string scenario;
    std::string output;
    bool pcapng = false;
    long long slots = 0;
    std::uint64_t seed = 0;
    bool json = false;
    std::string tx;
    std::string tx_speed = "realtime";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "ru-emu",
      "Emulate UEs and an O-RAN RU on the uplink: writes TRACE.pcap, TRACE.plan.jsonl and TRACE.cell.json "
      "(the files `airan replay` reads). Scenario format: docs/scenarios.md");
  cmd->add_option("scenario", a->scenario, "scenario YAML (e.g. data/scenarios/demo.yaml)")->required();
  cmd->add_option("-o,--output", a->output, "trace file TRACE.pcap or TRACE.pcapng")->required();
  cmd->add_flag("--pcapng", a->pcapng, "write pcapng (also chosen by a .pcapng file name)");
  auto* slots = cmd->add_option("--slots", a->slots, "slots to emulate (overrides the scenario's)");
  auto* seed = cmd->add_option("--seed", a->seed, "random seed (overrides the scenario's)");
  cmd->add_option("--tx", a->tx,
                  "then send the trace's frames through this DPDK port: PCI address (0000:3b:00.0) or vdev "
                  "(net_af_packet0,iface=veth0)");
  cmd->add_option("--tx-speed", a->tx_speed, "pacing of --tx: realtime (capture timestamps), max or a factor")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print the summary as JSON");
  cmd->callback([a, slots, seed, &exit_code] {
    auto tx_speed = parse_speed(a->tx_speed, "--tx-speed");
    if (!tx_speed) {
      std::cerr << "airan ru-emu: " << tx_speed.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto scenario = load_scenario(a->scenario);
    if (!scenario) {
      std::cerr << "airan ru-emu: " << scenario.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    RuEmuOptions o;
    o.output = a->output;
    o.format = a->pcapng || std::filesystem::path(a->output).extension() == ".pcapng" ? io::PcapFormat::pcapng
                                                                                       : io::PcapFormat::pcap;
    if (slots->count() > 0) o.slots = a->slots;
    if (seed->count() > 0) o.seed = a->seed;
    const long long total = o.slots.value_or(scenario->slots);
    ProgressBar bar("ru-emu", total);
    auto result = run_ru_emu(*scenario, o, [&](long long done) { bar.update(done); });
    bar.finish();
    if (!result) {
      std::cerr << "airan ru-emu: " << result.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    const RuEmuSummary& r = *result;
    const RuEmuInjected& i = r.injected;
    std::optional<RuEmuTxResult> sent;
    if (!a->tx.empty()) {
      auto tx = transmit_trace(r.trace, a->tx, *tx_speed, scenario->fronthaul.mtu);
      if (!tx) {
        std::cerr << "airan ru-emu: --tx " << a->tx << ": " << tx.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
      sent = *tx;
    }
    if (a->json) {
      nlohmann::json j = {{"slots", r.slots},
                          {"uplink_slots", r.uplink_slots},
                          {"downlink_slots", r.downlink_slots},
                          {"pdus", r.pdus},
                          {"pdsch_pdus", r.pdsch_pdus},
                          {"downlink_packets", r.downlink_packets},
                          {"packets", r.packets},
                          {"injected",
                           {{"lost", i.lost},
                            {"duplicated", i.duplicated},
                            {"reordered", i.reordered},
                            {"late", i.late},
                            {"corrupt", i.corrupt}}},
                          {"seed", o.seed.value_or(scenario->seed)},
                          {"iq_scale", r.iq_scale},
                          {"frame_zero_ns", kRuEmuEpochNs},
                          {"trace", r.trace.string()},
                          {"plan", r.plan.string()},
                          {"cell", r.cell.string()}};
      if (sent) {
        j["tx"] = {{"port", a->tx}, {"device", sent->device}, {"speed", a->tx_speed},
                   {"frames", sent->frames}, {"sent", sent->sent}, {"seconds", sent->seconds}};
      }
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format(
          "ru-emu: {} slots ({} uplink, {} downlink), {} PUSCH and {} PDSCH PDUs, {} packets ({} downlink)\n"
          "injected (uplink): lost {}, duplicated {}, reordered {}, late {}, corrupt {}\n"
          "wrote {}, {}, {}\n",
          r.slots, r.uplink_slots, r.downlink_slots, r.pdus, r.pdsch_pdus, r.packets, r.downlink_packets, i.lost, i.duplicated, i.reordered, i.late, i.corrupt,
          r.trace.string(), r.plan.string(), r.cell.string());
      if (sent) {
        std::cout << fmt::format("tx: sent {} of {} frames through {} in {:.3f} s ({})\n", sent->sent, sent->frames,
                                 sent->device, sent->seconds, a->tx_speed);
      }
    }
    // Frames the port did not take are a failed check: the receiver will miss them.
    exit_code = sent && sent->sent != sent->frames ? kExitCheckFailed : kExitOk;
  });
}

}  // namespace airan::tools

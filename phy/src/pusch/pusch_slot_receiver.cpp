// The slot receiver's CPU backend (PuschReceiver per UE), the checks both backends share and
// the factory.
#include "airan/phy/pusch/pusch_slot_receiver.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {

std::string_view to_string(PhyBackend backend) { return backend == PhyBackend::cuda ? "cuda" : "cpu"; }

Expected<PhyBackend> parse_phy_backend(std::string_view name) {
  if (name == "cpu") return PhyBackend::cpu;
  if (name == "cuda") return PhyBackend::cuda;
  return Error{fmt::format("backend '{}' is not cpu or cuda", name)};
}

Status validate(const PuschSlotReceiverConfig& config) {
  if (Status s = validate(config.receiver); !s) return s;
  const GpuPuschLimits& l = config.limits;
  if (l.max_prbs < 1 || l.max_prbs > 275) return Error{fmt::format("limits.max_prbs={} is outside 1..275", l.max_prbs)};
  if (l.grid_prbs < l.max_prbs || l.grid_prbs > 275) {
    return Error{fmt::format("limits.grid_prbs={} is outside max_prbs={}..275", l.grid_prbs, l.max_prbs)};
  }
  if (l.max_layers < 1 || l.max_layers > 4) return Error{fmt::format("limits.max_layers={} is outside 1..4", l.max_layers)};
  if (l.max_rx_ports < 1 || l.max_rx_ports > 16) {
    return Error{fmt::format("limits.max_rx_ports={} is outside 1..16", l.max_rx_ports)};
  }
  if (l.max_ues < 1 || l.max_ues > 64) return Error{fmt::format("limits.max_ues={} is outside 1..64", l.max_ues)};
  if (l.max_cells < 1 || l.max_cells > 64) {
    return Error{fmt::format("limits.max_cells={} is outside 1..64", l.max_cells)};
  }
  const int q = l.max_modulation_order;
  if (q != 2 && q != 4 && q != 6 && q != 8 && q != 10) {
    return Error{fmt::format("limits.max_modulation_order={} is not 2, 4, 6, 8 or 10", q)};
  }
  if (config.harq_processes < 1 || config.harq_processes > 4096) {
    return Error{fmt::format("harq_processes={} is outside 1..4096", config.harq_processes)};
  }
  return Status::ok();
}

namespace detail {

Status check_slot(const PuschSlotReceiverConfig& config, const ResourceGrid& cell_grid,
                  std::span<const PuschSlotUe> ues, std::size_t results) {
  const GpuPuschLimits& l = config.limits;
  if (results != ues.size()) {
    return Error{fmt::format("{} results for {} UEs", results, ues.size())};
  }
  if (static_cast<int>(ues.size()) > l.max_ues) {
    return Error{fmt::format("{} UEs in the slot, the receiver takes at most limits.max_ues={}", ues.size(), l.max_ues)};
  }
  if (cell_grid.symbols() != kSymbolsPerSlot) {
    return Error{fmt::format("the cell grid has {} symbols, a slot {}", cell_grid.symbols(), kSymbolsPerSlot)};
  }
  if (cell_grid.ports() < 1 || cell_grid.ports() > l.max_rx_ports) {
    return Error{fmt::format("the cell grid has {} receive ports, limits.max_rx_ports={}", cell_grid.ports(),
                             l.max_rx_ports)};
  }
  if (cell_grid.subcarriers() % 12 != 0 || cell_grid.subcarriers() > 12 * l.grid_prbs) {
    return Error{fmt::format("the cell grid has {} subcarriers, limits.grid_prbs={} allow {}", cell_grid.subcarriers(),
                             l.grid_prbs, 12 * l.grid_prbs)};
  }
  const int grid_prbs = cell_grid.subcarriers() / 12;
  for (std::size_t u = 0; u < ues.size(); ++u) {
    const PuschSlotUe& ue = ues[u];
    auto fail = [u](const std::string& what) { return Error{fmt::format("UE {}: {}", u, what)}; };
    if (ue.plan == nullptr) return fail("no plan");
    if (ue.cell != 0) return fail(fmt::format("cell {}: receive() takes one cell's grid (cell 0)", ue.cell));
    const PuschConfig& c = ue.plan->config;
    if (ue.bwp_start_prb < 0 || ue.bwp_start_prb + c.bwp_size > grid_prbs) {
      return fail(fmt::format("BWP {}+{} PRBs lies outside the {}-PRB cell grid", ue.bwp_start_prb, c.bwp_size,
                              grid_prbs));
    }
    if (c.rb_size > l.max_prbs) return fail(fmt::format("{} PRBs, limits.max_prbs={}", c.rb_size, l.max_prbs));
    if (c.num_layers > l.max_layers) return fail(fmt::format("{} layers, limits.max_layers={}", c.num_layers, l.max_layers));
    if (c.num_layers > cell_grid.ports()) {
      return fail(fmt::format("{} layers on {} receive ports", c.num_layers, cell_grid.ports()));
    }
    if (ue.plan->modulation_order > l.max_modulation_order) {
      return fail(fmt::format("Qm={}, limits.max_modulation_order={}", ue.plan->modulation_order,
                              l.max_modulation_order));
    }
    if (ue.harq_process < 0 || ue.harq_process >= config.harq_processes) {
      return fail(fmt::format("harq_process={} is outside 0..{}", ue.harq_process, config.harq_processes - 1));
    }
    for (std::size_t v = 0; v < u; ++v) {
      if (ues[v].harq_process == ue.harq_process) {
        return fail(fmt::format("harq_process={} is UE {}'s too", ue.harq_process, v));
      }
    }
    if (ue.tb_bits.size() != static_cast<std::size_t>(ue.plan->tbs)) {
      return fail(fmt::format("tb_bits holds {} bits, the TBS is {}", ue.tb_bits.size(), ue.plan->tbs));
    }
  }
  return Status::ok();
}

}  // namespace detail

namespace {

using Clock = std::chrono::steady_clock;

class CpuPuschSlotReceiver final : public PuschSlotReceiver {
 public:
  CpuPuschSlotReceiver(const PuschSlotReceiverConfig& config, std::unique_ptr<PuschReceiver> receiver)
      : config_(config), receiver_(std::move(receiver)), harq_(static_cast<std::size_t>(config.harq_processes)) {}

  PhyBackend backend() const override { return PhyBackend::cpu; }
  const PuschSlotTimes& last_times() const override { return times_; }

  Status prepare(std::span<const PuschSlotUe> ues) override {
    for (std::size_t u = 0; u < ues.size(); ++u) {
      if (ues[u].plan == nullptr) return Error{fmt::format("UE {}: no plan", u)};
      if (ues[u].harq_process < 0 || ues[u].harq_process >= config_.harq_processes) {
        return Error{fmt::format("UE {}: harq_process={} is outside 0..{}", u, ues[u].harq_process,
                                 config_.harq_processes - 1)};
      }
      HarqSoftBuffer& harq = harq_[static_cast<std::size_t>(ues[u].harq_process)];
      harq.reset(ues[u].plan->sch);
      for (int r = 0; r < ues[u].plan->sch.segmentation.num_blocks; ++r) std::ranges::fill(harq.block(r), Llr{0});
    }
    return Status::ok();
  }

  Status receive(const ResourceGrid& cell_grid, std::span<const PuschSlotUe> ues,
                 std::span<PuschSlotUeResult> results) override {
    const auto start = Clock::now();
    if (Status s = detail::check_slot(config_, cell_grid, ues, results.size()); !s) return s;
    for (std::size_t u = 0; u < ues.size(); ++u) {
      const PuschSlotUe& ue = ues[u];
      const PuschPlan& plan = *ue.plan;
      const ResourceGrid* grid = &cell_grid;
      if (ue.bwp_start_prb != 0 || 12 * plan.config.bwp_size != cell_grid.subcarriers()) {
        // The receiver works on the BWP.
        bwp_grid_.assign_subcarriers(cell_grid, 12 * ue.bwp_start_prb, 12 * plan.config.bwp_size);
        grid = &bwp_grid_;
      }
      auto r = receiver_->receive(plan, *grid, ue.new_data, harq_[static_cast<std::size_t>(ue.harq_process)], ue.tb_bits);
      if (!r) return Error{fmt::format("UE {}: {}", u, r.error().message)};
      PuschSlotUeResult& out = results[u];
      out.tb_crc_ok = r->tb_crc_ok;
      out.code_blocks = r->decode.num_blocks;
      out.code_blocks_ok = r->decode.blocks_crc_ok;
      out.max_iterations = r->decode.max_iterations;
      out.sinr_db = r->sinr_db;
      out.noise_variance = r->noise_variance;
      out.dmrs_snr_db = r->dmrs_snr_db;
      out.times = r->times;
    }
    times_.host_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    times_.device_us = -1.0;
    return Status::ok();
  }

 private:
  PuschSlotReceiverConfig config_;
  std::unique_ptr<PuschReceiver> receiver_;
  std::vector<HarqSoftBuffer> harq_;
  ResourceGrid bwp_grid_;
  PuschSlotTimes times_;
};

}  // namespace

Expected<std::unique_ptr<PuschSlotReceiver>> create_pusch_slot_receiver(PhyBackend backend,
                                                                      const PuschSlotReceiverConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  if (backend == PhyBackend::cuda) {
    auto gpu = GpuPuschReceiver::create(config);
    if (!gpu) return gpu.error();
    return std::unique_ptr<PuschSlotReceiver>(std::move(*gpu));
  }
  auto receiver = PuschReceiver::create(config.receiver);
  if (!receiver) return receiver.error();
  return std::unique_ptr<PuschSlotReceiver>(new CpuPuschSlotReceiver(config, std::move(*receiver)));
}

Expected<std::unique_ptr<PuschSlotReceiver>> create_pusch_slot_receiver(std::string_view backend,
                                                                      const PuschSlotReceiverConfig& config,
                                                                      std::string* cpu_reason) {
  if (backend != "auto") {
    auto chosen = parse_phy_backend(backend);
    if (!chosen) return Error{fmt::format("backend '{}' is not auto, cpu or cuda", backend)};
    return create_pusch_slot_receiver(*chosen, config);
  }
  const GpuInfo& gpu = detect_gpu();
  std::string reason = gpu.reason;
  if (gpu.available) {
    auto cuda = create_pusch_slot_receiver(PhyBackend::cuda, config);
    if (cuda) return cuda;
    reason = "the CUDA backend cannot run: " + cuda.error().message;
  }
  if (cpu_reason != nullptr) *cpu_reason = reason;
  return create_pusch_slot_receiver(PhyBackend::cpu, config);
}

}  // namespace airan::phy

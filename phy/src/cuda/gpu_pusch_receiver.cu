// GpuPuschReceiver: the PUSCH chain on one stream, the front end's. Its own kernels (gain,
// quantize, assemble) run the per-thread bodies of detail/gpu_pusch_chain_kernels.hpp; the
// stages between are GpuPuschFrontEnd, GpuRateRecovery and GpuLdpcDecoder, created on the same
// stream so that their launches order without events and capture into one graph.
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/detail/gpu_pusch_chain_host.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

namespace chain = gpu_pusch_chain;
using Clock = std::chrono::steady_clock;

constexpr int kThreads = chain::kThreadsPerBlock;
constexpr int kCachedGraphs = 8;

__global__ void __launch_bounds__(kThreads) gain_kernel(chain::KernelParams p) {
  const int ue = static_cast<int>(blockIdx.x);
  const chain::GainPartial part = chain::gain_partial(p, ue, static_cast<int>(threadIdx.x), kThreads);
  __shared__ double magnitude[kThreads / 32];
  __shared__ double inverse_noise[kThreads / 32];
  const double m = cuda_support::warp_sum(part.magnitude);
  const double n = cuda_support::warp_sum(part.inverse_noise);
  if (threadIdx.x % 32 == 0) {
    magnitude[threadIdx.x / 32] = m;
    inverse_noise[threadIdx.x / 32] = n;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double total_m = 0.0;
    double total_n = 0.0;
    for (int w = 0; w < kThreads / 32; ++w) {
      total_m += magnitude[w];
      total_n += inverse_noise[w];
    }
    p.gains[ue] = chain::gain_from_sum(p.ues[ue], total_m);
    p.sinr_sums[ue] = static_cast<float>(total_n);
  }
}

__global__ void __launch_bounds__(kThreads) quantize_kernel(chain::KernelParams p) {
  const int ue = static_cast<int>(blockIdx.y);
  const int g = static_cast<int>(p.ues[ue].g);
  unsigned nonzero = 0;
  for (int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); i < g;
       i += static_cast<int>(gridDim.x * blockDim.x)) {
    nonzero += chain::quantize_element(p, ue, i) ? 1U : 0U;
  }
  nonzero = cuda_support::warp_sum(nonzero);
  if (threadIdx.x % 32 == 0 && nonzero != 0) atomicAdd(&p.nonzero[ue], nonzero);
}

__global__ void __launch_bounds__(kThreads) assemble_kernel(chain::KernelParams p) {
  const int ue = static_cast<int>(blockIdx.y);
  const int b = static_cast<int>(p.ues[ue].b);
  std::uint32_t remainder = 0;
  for (int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); i < b;
       i += static_cast<int>(gridDim.x * blockDim.x)) {
    remainder ^= chain::assemble_element(p, ue, i);
  }
  for (int offset = 16; offset > 0; offset /= 2) remainder ^= __shfl_xor_sync(0xFFFFFFFFU, remainder, offset);
  if (threadIdx.x % 32 == 0 && remainder != 0) atomicXor(&p.tb_remainders[ue], remainder);
}

constexpr const char* kComponent = "GPU PUSCH receiver";

Status cuda_status(cudaError_t status, const char* what) { return cuda_support::status(status, kComponent, what); }

}  // namespace

struct GpuPuschReceiver::Impl {
  PuschSlotReceiverConfig config;
  chain::Sizing sizing;
  std::unique_ptr<GpuPuschFrontEnd> front_end;
  std::optional<GpuRateRecovery> rate_recovery;
  std::optional<GpuLdpcDecoder> decoder;
  cudaStream_t stream = nullptr;  // the front end's
  cudaEvent_t started = nullptr;
  cudaEvent_t finished = nullptr;
  cudaEvent_t descriptors_copied = nullptr;
  bool descriptors_in_flight = false;
  // stage_timing: recorded after each stage of a plain launch (front end, quantize, rate
  // recovery, LDPC, assemble); `finished` closes the results' copies.
  std::array<cudaEvent_t, 5> stage_done{};
  bool timing_stages = false;  // this slot's launch recorded them

  chain::KernelParams params{};
  cuda_support::Allocations memory{kComponent};  // freed after the destructor's body
  chain::UeDescriptor* host_ues = nullptr;
  float* host_sinr_sums = nullptr;
  std::uint32_t* host_nonzero = nullptr;
  float* host_gains = nullptr;
  std::uint32_t* host_remainders = nullptr;
  float* host_noise = nullptr;
  std::uint8_t* host_tb_bits = nullptr;
  unsigned quantize_blocks = 1;
  unsigned assemble_blocks = 1;

  std::vector<chain::HarqProcess> harq;
  chain::SoftBufferPool soft_buffers;
  chain::SlotChain slot;
  std::vector<GpuPuschUe> front_end_ues;
  int ue_count = 0;
  bool set_up = false;
  bool enqueued = false;
  PuschSlotTimes times;

  struct CachedGraph {
    std::vector<int> shape;
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    unsigned long long last_use = 0;
  };
  std::array<CachedGraph, kCachedGraphs> graphs;
  unsigned long long uses = 0;

  ~Impl() {
    if (stream != nullptr) cudaStreamSynchronize(stream);
    for (CachedGraph& g : graphs) {
      if (g.exec) cudaGraphExecDestroy(g.exec);
      if (g.graph) cudaGraphDestroy(g.graph);
    }
    if (started) cudaEventDestroy(started);
    if (finished) cudaEventDestroy(finished);
    if (descriptors_copied) cudaEventDestroy(descriptors_copied);
    for (cudaEvent_t e : stage_done) {
      if (e) cudaEventDestroy(e);
    }
    // The decoder and rate recovery do not own the stream; the front end (destroyed last,
    // being declared first) does.
    decoder.reset();
    rate_recovery.reset();
  }

  // After stage `i` of a plain, timed launch.
  Status stage_mark(int i, bool timed) {
    return timed ? cuda_status(cudaEventRecord(stage_done[static_cast<std::size_t>(i)], stream), "stage event")
                 : Status::ok();
  }

  // Everything after the descriptor copies: what one captured graph holds.
  Status launch_compute(bool timed = false) {
    const auto ues = static_cast<unsigned>(ue_count);
    if (Status s = cuda_status(cudaMemsetAsync(params.nonzero, 0, ues * sizeof(std::uint32_t), stream), "clear");
        !s) {
      return s;
    }
    if (Status s =
            cuda_status(cudaMemsetAsync(params.tb_remainders, 0, ues * sizeof(std::uint32_t), stream), "clear");
        !s) {
      return s;
    }
    if (Status s = front_end->run(); !s) return s;
    if (Status s = stage_mark(0, timed); !s) return s;
    gain_kernel<<<ues, kThreads, 0, stream>>>(params);
    quantize_kernel<<<dim3(quantize_blocks, ues), kThreads, 0, stream>>>(params);
    if (Status s = cuda_status(cudaGetLastError(), "launching the gain and quantize kernels"); !s) return s;
    if (Status s = stage_mark(1, timed); !s) return s;
    const std::size_t decoder_capacity =
        static_cast<std::size_t>(sizing.max_code_blocks) * static_cast<std::size_t>(chain::kLlrsPerBlockSlot);
    if (Status s = rate_recovery->run(decoder->device_llrs(), decoder_capacity); !s) return s;
    if (Status s = stage_mark(2, timed); !s) return s;
    if (Status s = decoder->run(); !s) return s;
    if (Status s = stage_mark(3, timed); !s) return s;
    assemble_kernel<<<dim3(assemble_blocks, ues), kThreads, 0, stream>>>(params);
    if (Status s = cuda_status(cudaGetLastError(), "launching the assemble kernel"); !s) return s;
    return stage_mark(4, timed);
  }

  // The cached graph for the slot's shape, captured now if there is none.
  Expected<cudaGraphExec_t> graph_for_slot() {
    ++uses;
    CachedGraph* oldest = &graphs[0];
    for (CachedGraph& g : graphs) {
      if (g.exec != nullptr && g.shape == slot.shape) {
        g.last_use = uses;
        return g.exec;
      }
      if (g.last_use < oldest->last_use) oldest = &g;
    }
    CachedGraph& g = *oldest;
    if (g.exec) cudaGraphExecDestroy(g.exec);
    if (g.graph) cudaGraphDestroy(g.graph);
    g.exec = nullptr;
    g.graph = nullptr;
    if (Status s = cuda_support::capture(stream, [this] { return launch_compute(); }, g.graph, g.exec, kComponent); !s) {
      return s.error();
    }
    g.shape.assign(slot.shape.begin(), slot.shape.end());  // capacity reserved at create
    g.last_use = uses;
    return g.exec;
  }
};

GpuPuschReceiver::GpuPuschReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuPuschReceiver::~GpuPuschReceiver() = default;

Expected<std::unique_ptr<GpuPuschReceiver>> GpuPuschReceiver::create(const PuschSlotReceiverConfig& config) {
  auto sizing = chain::sizing(config);
  if (!sizing) return Error{"GPU PUSCH receiver: " + sizing.error().message};
  if (config.receiver.interference_rejection) {
    return Error{"GPU PUSCH receiver: MMSE-IRC (interference_rejection) is not implemented on the GPU; use mmse or zf"};
  }
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU PUSCH receiver: no usable GPU: " + gpu.reason};

  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.config = config;
  m.sizing = *sizing;
  GpuPuschFrontEndConfig front_end_config;
  front_end_config.equalizer = config.receiver.equalizer;
  front_end_config.estimator = config.receiver.estimator;
  front_end_config.transform_precoding = config.transform_precoding;
  auto front_end = GpuPuschFrontEnd::create(config.limits, front_end_config);
  if (!front_end) return front_end.error();
  m.front_end = std::move(*front_end);
  m.stream = static_cast<cudaStream_t>(m.front_end->stream());
  const chain::Sizing& z = m.sizing;

  GpuRateRecoveryConfig rr_config;
  rr_config.max_code_blocks = z.max_code_blocks;
  rr_config.max_e_per_block = static_cast<int>(std::min<std::size_t>(z.llr_stride, 1'000'000));
  rr_config.harq_buffers = z.soft_buffers;
  rr_config.max_received_soft_bits = z.received_capacity;
  auto rate_recovery = GpuRateRecovery::create(rr_config, m.stream);
  if (!rate_recovery) return rate_recovery.error();
  m.rate_recovery.emplace(std::move(*rate_recovery));

  GpuLdpcDecoderConfig decoder_config;
  decoder_config.max_code_blocks = z.max_code_blocks;
  decoder_config.max_llrs_per_block = chain::kLlrsPerBlockSlot;
  decoder_config.scaling_x16 = config.receiver.decoder.scaling_x16;
  decoder_config.offset = config.receiver.decoder.offset;
  auto decoder = GpuLdpcDecoder::create(decoder_config, m.stream);
  if (!decoder) return decoder.error();
  m.decoder.emplace(std::move(*decoder));

  const auto ues = static_cast<std::size_t>(z.max_ues);
  chain::KernelParams& p = m.params;
  chain::UeDescriptor* ue_descriptors = nullptr;
  std::uint32_t* crc_tables = nullptr;
  const GpuPuschFrontEnd::DeviceOutputs outputs = m.front_end->device_outputs();
  const std::vector<std::uint32_t> host_crc_tables = chain::tb_crc_tables(z.crc_table_length);
  const Status allocations[] = {
      m.memory.device(ue_descriptors, ues, "UE descriptors"),
      m.memory.device(p.gains, ues, "gains"),
      m.memory.device(p.sinr_sums, ues, "SINR sums"),
      m.memory.device(p.nonzero, ues, "soft-bit counts"),
      m.memory.device(crc_tables, host_crc_tables.size(), "TB CRC tables"),
      m.memory.device(p.tb_bits, z.tb_bits_capacity, "TB bits"),
      m.memory.device(p.tb_remainders, ues, "TB CRC remainders"),
      m.memory.pinned(m.host_ues, ues, "pinned UE descriptors"),
      m.memory.pinned(m.host_sinr_sums, ues, "pinned SINR sums"),
      m.memory.pinned(m.host_nonzero, ues, "pinned soft-bit counts"),
      m.memory.pinned(m.host_gains, ues, "pinned gains"),
      m.memory.pinned(m.host_remainders, ues, "pinned TB CRC remainders"),
      m.memory.pinned(m.host_noise, ues, "pinned noise variances"),
      m.memory.pinned(m.host_tb_bits, z.tb_bits_capacity, "pinned TB bits"),
      cuda_status(cudaEventCreate(&m.started), "event"),
      cuda_status(cudaEventCreate(&m.finished), "event"),
      cuda_status(cudaEventCreateWithFlags(&m.descriptors_copied, cudaEventDisableTiming), "event"),
      cuda_status(cudaEventCreate(&m.stage_done[0]), "event"),
      cuda_status(cudaEventCreate(&m.stage_done[1]), "event"),
      cuda_status(cudaEventCreate(&m.stage_done[2]), "event"),
      cuda_status(cudaEventCreate(&m.stage_done[3]), "event"),
      cuda_status(cudaEventCreate(&m.stage_done[4]), "event"),
  };
  for (const Status& s : allocations) {
    if (!s) return s.error();
  }
  if (Status s = cuda_status(cudaMemcpy(crc_tables, host_crc_tables.data(),
                                        host_crc_tables.size() * sizeof(std::uint32_t), cudaMemcpyHostToDevice),
                             "uploading the TB CRC tables");
      !s) {
    return s.error();
  }
  p.ues = ue_descriptors;
  p.llrs = outputs.llrs;
  p.llr_stride = outputs.llr_stride;
  p.symbol_noise = outputs.symbol_noise;
  p.symbol_stride = outputs.symbol_stride;
  p.received = static_cast<std::int8_t*>(m.rate_recovery->device_llrs());
  p.block_bits = static_cast<const std::uint8_t*>(m.decoder->device_hard_bits());
  p.bits_stride = GpuLdpcDecoder::hard_bits_stride();
  p.crc_tables = crc_tables;
  p.crc_table_length = static_cast<std::uint32_t>(z.crc_table_length);
  const auto blocks_for = [](std::size_t work) {
    return static_cast<unsigned>(std::min<std::size_t>((work + kThreads - 1) / kThreads, 1024));
  };
  m.quantize_blocks = blocks_for(z.llr_stride);
  m.assemble_blocks = blocks_for(z.llr_stride);
  m.harq.resize(static_cast<std::size_t>(z.harq_processes));
  m.soft_buffers.reset(z.soft_buffers, z.harq_processes, z.max_blocks_per_tb);
  m.slot.reserve(z);
  m.front_end_ues.reserve(ues);
  for (Impl::CachedGraph& g : m.graphs) g.shape.reserve(1 + 3 * ues);
  return std::unique_ptr<GpuPuschReceiver>(new GpuPuschReceiver(std::move(impl)));
}

Status GpuPuschReceiver::setup(std::span<const PuschSlotUe> ues, int rx_ports, int grid_subcarriers) {
  Impl& m = *impl_;
  m.set_up = false;
  // The front end validates first: plan_slot lends soft buffers, which should happen only for a
  // slot that will run.
  if (ues.size() > static_cast<std::size_t>(m.sizing.max_ues)) {
    return Error{"GPU PUSCH receiver: " + std::to_string(ues.size()) + " UEs in the slot, created for at most " +
                 std::to_string(m.sizing.max_ues)};
  }
  m.front_end_ues.clear();
  for (const PuschSlotUe& ue : ues) m.front_end_ues.push_back({ue.plan, 12 * ue.bwp_start_prb, ue.cell});
  if (Status s = m.front_end->setup(m.front_end_ues, rx_ports, grid_subcarriers); !s) return s;
  if (Status s = chain::plan_slot(m.sizing, m.config, ues, m.harq, m.soft_buffers, m.slot); !s) return s;
  if (Status s = m.rate_recovery->setup(m.slot.rate_recovery); !s) return s;
  if (Status s = m.decoder->setup(m.slot.code_blocks); !s) return s;
  if (m.descriptors_in_flight) {
    if (Status s = cuda_status(cudaEventSynchronize(m.descriptors_copied), "previous descriptor copy"); !s) return s;
    m.descriptors_in_flight = false;
  }
  std::copy(m.slot.ues.begin(), m.slot.ues.end(), m.host_ues);
  m.ue_count = static_cast<int>(ues.size());
  m.set_up = true;
  return Status::ok();
}

Status GpuPuschReceiver::prepare(std::span<const PuschSlotUe> ues) {
  Impl& m = *impl_;
  for (std::size_t u = 0; u < ues.size(); ++u) {
    PuschSlotUe fresh = ues[u];
    fresh.new_data = true;
    if (fresh.plan == nullptr) return Error{"GPU PUSCH receiver: UE " + std::to_string(u) + ": no plan"};
    if (fresh.harq_process < 0 || fresh.harq_process >= m.sizing.harq_processes) {
      return Error{"GPU PUSCH receiver: UE " + std::to_string(u) + ": harq_process=" +
                   std::to_string(fresh.harq_process) + " is outside 0.." + std::to_string(m.sizing.harq_processes - 1)};
    }
    if (fresh.plan->sch.segmentation.num_blocks > m.sizing.max_blocks_per_tb) {
      return Error{"GPU PUSCH receiver: UE " + std::to_string(u) + ": more code blocks than the limits allow"};
    }
    if (Status s = m.soft_buffers.assign(std::span(&fresh, 1)); !s) return s;
    for (int r = 0; r < fresh.plan->sch.segmentation.num_blocks; ++r) {
      if (Status s = m.rate_recovery->clear_harq_buffer(m.soft_buffers.buffer(fresh.harq_process, r)); !s) return s;
    }
    m.harq[static_cast<std::size_t>(fresh.harq_process)] = chain::HarqProcess{};
  }
  return cuda_status(cudaStreamSynchronize(m.stream), "clearing soft buffers");
}

Status GpuPuschReceiver::upload_grid(const ResourceGrid& cell_grid, int cell) {
  return impl_->front_end->upload_grid(cell, cell_grid);
}

void* GpuPuschReceiver::device_grid(int cell) { return impl_->front_end->device_grid(cell); }

Status GpuPuschReceiver::enqueue() {
  Impl& m = *impl_;
  if (!m.set_up) return Error{"GPU PUSCH receiver: enqueue without a successful setup"};
  const auto ues = static_cast<std::size_t>(m.ue_count);
  if (Status s = cuda_status(cudaEventRecord(m.started, m.stream), "event"); !s) return s;
  if (Status s = cuda_status(cudaMemcpyAsync(const_cast<chain::UeDescriptor*>(m.params.ues), m.host_ues,
                                             ues * sizeof(chain::UeDescriptor), cudaMemcpyHostToDevice, m.stream),
                             "UE descriptor copy");
      !s) {
    return s;
  }
  if (Status s = cuda_status(cudaEventRecord(m.descriptors_copied, m.stream), "event"); !s) return s;
  m.descriptors_in_flight = true;
  m.timing_stages = m.config.stage_timing && !m.config.cuda_graph;
  if (m.config.cuda_graph) {
    auto exec = m.graph_for_slot();
    if (!exec) return exec.error();
    if (Status s = cuda_status(cudaGraphLaunch(*exec, m.stream), "graph launch"); !s) return s;
  } else if (Status s = m.launch_compute(m.timing_stages); !s) {
    return s;
  }
  const chain::KernelParams& p = m.params;
  const GpuPuschFrontEnd::DeviceOutputs outputs = m.front_end->device_outputs();
  const cudaError_t copies[] = {
      cudaMemcpyAsync(m.host_tb_bits, p.tb_bits, m.slot.tb_bits_extent, cudaMemcpyDeviceToHost, m.stream),
      cudaMemcpyAsync(m.host_remainders, p.tb_remainders, ues * sizeof(std::uint32_t), cudaMemcpyDeviceToHost, m.stream),
      cudaMemcpyAsync(m.host_nonzero, p.nonzero, ues * sizeof(std::uint32_t), cudaMemcpyDeviceToHost, m.stream),
      cudaMemcpyAsync(m.host_gains, p.gains, ues * sizeof(float), cudaMemcpyDeviceToHost, m.stream),
      cudaMemcpyAsync(m.host_sinr_sums, p.sinr_sums, ues * sizeof(float), cudaMemcpyDeviceToHost, m.stream),
      cudaMemcpyAsync(m.host_noise, outputs.noise_variances, ues * sizeof(float), cudaMemcpyDeviceToHost, m.stream),
  };
  for (cudaError_t c : copies) {
    if (Status s = cuda_status(c, "copying results to the host"); !s) return s;
  }
  if (Status s = m.decoder->download_outcomes(); !s) return s;
  if (Status s = cuda_status(cudaEventRecord(m.finished, m.stream), "event"); !s) return s;
  m.enqueued = true;
  return Status::ok();
}

Status GpuPuschReceiver::finish(std::span<const PuschSlotUe> ues, std::span<PuschSlotUeResult> results) {
  Impl& m = *impl_;
  if (!m.enqueued) return Error{"GPU PUSCH receiver: finish without enqueue"};
  if (static_cast<int>(ues.size()) != m.ue_count || results.size() != ues.size()) {
    return Error{"GPU PUSCH receiver: finish got " + std::to_string(ues.size()) + " UEs and " +
                 std::to_string(results.size()) + " results, setup " + std::to_string(m.ue_count)};
  }
  m.enqueued = false;
  if (Status s = cuda_status(cudaStreamSynchronize(m.stream), "running the slot"); !s) return s;
  float elapsed_ms = 0.0F;
  if (cudaEventElapsedTime(&elapsed_ms, m.started, m.finished) == cudaSuccess) {
    m.times.device_us = 1000.0 * elapsed_ms;
  }
  m.times.stages = PuschSlotTimes::Stages{};
  if (m.timing_stages) {
    const auto between = [](cudaEvent_t a, cudaEvent_t b) {
      float ms = 0.0F;
      return cudaEventElapsedTime(&ms, a, b) == cudaSuccess ? 1000.0 * ms : -1.0;
    };
    m.times.stages.front_end_us = between(m.started, m.stage_done[0]);
    m.times.stages.quantize_us = between(m.stage_done[0], m.stage_done[1]);
    m.times.stages.rate_recovery_us = between(m.stage_done[1], m.stage_done[2]);
    m.times.stages.ldpc_us = between(m.stage_done[2], m.stage_done[3]);
    m.times.stages.assemble_us = between(m.stage_done[3], m.stage_done[4]);
    m.times.stages.results_us = between(m.stage_done[4], m.finished);
  }
  for (std::size_t u = 0; u < ues.size(); ++u) {
    const PuschSlotUe& ue = ues[u];
    const chain::UeDescriptor& d = m.slot.ues[u];
    const CodeBlockSegmentation& seg = ue.plan->sch.segmentation;
    PuschSlotUeResult& out = results[u];
    out = PuschSlotUeResult{};
    out.code_blocks = seg.num_blocks;
    for (int r = 0; r < seg.num_blocks; ++r) {
      const int block = static_cast<int>(d.first_block) + r;
      const LdpcDecoderResult ldpc = m.decoder->result(block);
      out.max_iterations = std::max(out.max_iterations, ldpc.iterations);
      const bool ok = seg.num_blocks > 1 ? m.decoder->crc_ok(block).value_or(false) : ldpc.parity_ok;
      out.code_blocks_ok += ok ? 1 : 0;
    }
    const bool energy =
        chain::tb_has_energy(ue, m.host_nonzero[u], m.harq[static_cast<std::size_t>(ue.harq_process)]);
    out.tb_crc_ok = energy && out.code_blocks_ok == seg.num_blocks && m.host_remainders[u] == 0;
    std::memcpy(ue.tb_bits.data(), m.host_tb_bits + d.tb_offset, static_cast<std::size_t>(d.tbs));
    const double symbols = static_cast<double>(d.g / d.qm);
    out.sinr_db = symbols > 0 ? 10.0 * std::log10(static_cast<double>(m.host_sinr_sums[u]) / symbols) : 0.0;
    out.noise_variance = m.host_noise[u];
  }
  chain::commit_harq(ues, m.slot, std::span<const std::uint32_t>(m.host_nonzero, ues.size()),
                     std::span<const float>(m.host_gains, ues.size()), m.harq);
  return Status::ok();
}

Status GpuPuschReceiver::receive(const ResourceGrid& cell_grid, std::span<const PuschSlotUe> ues,
                                 std::span<PuschSlotUeResult> results) {
  const auto start = Clock::now();
  Impl& m = *impl_;
  if (Status s = detail::check_slot(m.config, cell_grid, ues, results.size()); !s) return s;
  if (Status s = setup(ues, cell_grid.ports(), cell_grid.subcarriers()); !s) return s;
  if (Status s = upload_grid(cell_grid); !s) return s;
  if (Status s = enqueue(); !s) return s;
  if (Status s = finish(ues, results); !s) return s;
  m.times.host_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  return Status::ok();
}

const PuschSlotTimes& GpuPuschReceiver::last_times() const { return impl_->times; }
void* GpuPuschReceiver::stream() const { return impl_->stream; }
std::size_t GpuPuschReceiver::device_bytes() const {
  return impl_->memory.device_bytes() + impl_->front_end->device_bytes();
}
int GpuPuschReceiver::cached_graphs() const {
  int n = 0;
  for (const Impl::CachedGraph& g : impl_->graphs) n += g.exec != nullptr ? 1 : 0;
  return n;
}

}  // namespace airan::phy

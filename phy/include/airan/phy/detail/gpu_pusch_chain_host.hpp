// Host side of the GPU PUSCH chain (built with and without the CUDA backend, so that the CPU
// tests exercise it): buffer sizes from the limits, the per-slot plan of every stage's
// descriptors and the HARQ bookkeeping, the TB CRC tables, and the emulation of the chain's
// own kernels (detail/gpu_pusch_chain_kernels.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/detail/gpu_pusch_chain_kernels.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"

namespace airan::phy::gpu_pusch_chain {

inline constexpr int kLlrsPerBlockSlot = 66 * 384;  // decoder input per code block (N of BG1, Z = 384)

struct Sizing {
  int max_ues = 0;
  std::size_t llr_stride = 0;         // the front end's LLRs per UE
  std::size_t received_capacity = 0;  // int8 soft bits of a slot, all UEs
  int max_blocks_per_tb = 0;
  int max_code_blocks = 0;            // per slot, all UEs
  std::size_t tb_bits_capacity = 0;   // TB bits of a slot, all UEs
  int crc_table_length = 0;           // longest B = A + TB CRC
  int harq_processes = 0;
  int soft_buffers = 0;               // device code-block soft buffers (SoftBufferPool)
};

// What the limits need; errors when they exceed what one decoder launch takes.
Expected<Sizing> sizing(const PuschSlotReceiverConfig& config);

// Per HARQ process, on the host: what its soft bits came with (which TB and buffers they are:
// the SoftBufferPool's).
struct HarqProcess {
  int coverage = 0;     // soft bits of d received so far (as HarqSoftBuffer::coverage)
  bool energy = false;  // some transmission carried a non-zero soft bit
  float gain = 0.0F;    // the first transmission's LLR gain, kept for its retransmissions
};

// The device code-block soft buffers, lent to HARQ processes: new data returns the process's
// buffers to the pool and takes one per code block of its TB; a retransmission keeps them.
// Sized once; no allocation after reset.
class SoftBufferPool {
 public:
  void reset(int buffers, int processes, int blocks_per_process);
  int free_count() const { return static_cast<int>(free_.size()); }
  int held(int process) const { return count_[static_cast<std::size_t>(process)]; }
  // The TBS of the TB whose soft bits the process's buffers hold; -1 when none.
  int tbs(int process) const { return tbs_[static_cast<std::size_t>(process)]; }
  int buffer(int process, int block) const {
    return held_[static_cast<std::size_t>(process) * static_cast<std::size_t>(per_process_) +
                 static_cast<std::size_t>(block)];
  }
  // Lends buffers to the new-data UEs of a slot (one per code block of each TB), all or none:
  // when the free buffers and those the new data returns do not cover it, nothing changes and
  // the error says how many are short.
  Status assign(std::span<const PuschSlotUe> ues);

 private:
  std::vector<int> free_;   // a stack of free buffer indices (capacity: every buffer)
  std::vector<int> held_;   // [process][per_process_]
  std::vector<int> count_;  // per process
  std::vector<int> tbs_;    // per process
  int per_process_ = 0;
};

// Every stage's descriptors for one slot; sized once (reserve), refilled per slot.
struct SlotChain {
  std::vector<UeDescriptor> ues;
  std::vector<GpuRateRecoveryBlock> rate_recovery;
  std::vector<GpuLdpcCodeBlock> code_blocks;
  std::vector<int> coverage;     // per UE, after this slot
  std::vector<int> shape;        // what a captured graph depends on: UEs, then (C, BG, Z) per UE
  std::size_t received_extent = 0;
  std::size_t tb_bits_extent = 0;
  int max_b = 0;                 // longest B of the slot
  int max_g = 0;

  void reserve(const Sizing& sizing);
};

// Validates the slot against the sizing and the HARQ state (errors name the UE and field),
// lends the new data its soft buffers from `pool` and fills `chain`. No allocation once `chain`
// is reserved. The pool changes only when the whole slot is valid.
Status plan_slot(const Sizing& sizing, const PuschSlotReceiverConfig& config, std::span<const PuschSlotUe> ues,
                 std::span<const HarqProcess> harq, SoftBufferPool& pool, SlotChain& chain);

// After the slot ran: the HARQ processes' new state (nonzero: each UE's non-zero soft bits;
// gains: the gain each UE's soft bits were quantised with).
void commit_harq(std::span<const PuschSlotUe> ues, const SlotChain& chain, std::span<const std::uint32_t> nonzero,
                 std::span<const float> gains, std::span<HarqProcess> harq);

// Whether UE u's TB counts as received at all (a TB with no energy in any transmission would
// decode to zeros, which pass every CRC).
bool tb_has_energy(const PuschSlotUe& ue, std::uint32_t nonzero, const HarqProcess& before);

// [CRC24A][CRC16] tables of x^(j + L) mod g, j < length.
std::vector<std::uint32_t> tb_crc_tables(int length);

// The chain's kernels on the host, every thread in turn (params as the CUDA launch gets them).
void emulate_quantize(const KernelParams& params, int ues);
void emulate_assemble(const KernelParams& params, int ues);

}  // namespace airan::phy::gpu_pusch_chain

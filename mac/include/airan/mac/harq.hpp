// HARQ entity of one UE and one direction (TS 38.321 5.3.2 / 5.4.2): 8..16 stop-and-wait
// processes, the redundancy-version sequence 0, 2, 3, 1 (38.214 Table 6.1.2.1-2, the order that
// sends the systematic bits first and then the parity that adds most), NDI toggling per new TB,
// a bounded number of transmissions, and a feedback timeout.
//
// The entity is the gNB's bookkeeping: the scheduler asks which process to use, starts a
// transmission on it, and reports ACK/NACK (CRC) when the PHY has decoded it. A process whose
// feedback does not arrive within the timeout is treated as NACKed (DTX: the receiver saw
// nothing), so it neither stays blocked forever nor is freed as if it had succeeded.
#pragma once

#include <array>
#include <cstdint>

#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/expected.hpp"

namespace airan::mac {

inline constexpr int kMinHarqProcesses = 8;
inline constexpr int kMaxHarqProcesses = 16;
inline constexpr std::array<int, 4> kRvSequence = {0, 2, 3, 1};

struct HarqConfig {
  int num_processes = 16;            // 8..16
  int max_transmissions = 4;         // first transmission included: 1..16
  int feedback_timeout_slots = 20;   // slots after a transmission without feedback: then NACK

  Status validate() const;
};

enum class HarqState : std::uint8_t {
  idle,                  // free for a new TB
  awaiting_feedback,     // transmitted, CRC not known yet
  pending_retransmission // NACKed (or timed out) with transmissions left
};

// What a transmission carries; a retransmission repeats all of it but the rv (same TBS).
struct HarqTransportBlock {
  int tbs_bytes = 0;
  int payload_bytes = 0;  // buffered bytes the TB carries (the rest is padding)
  phy::McsTable mcs_table = phy::McsTable::qam64;
  int mcs_index = 0;
  int rb_size = 0;
  int start_symbol = 0;
  int num_symbols = 0;
  int layers = 1;
  bool configured_grant = false;
};

struct HarqProcess {
  HarqState state = HarqState::idle;
  bool ndi = false;          // toggled at every new TB (the first TB sends true)
  int transmissions = 0;     // of the current TB, 1 after the first
  int rv = 0;                // of the latest transmission
  std::int64_t last_tx_slot = 0;
  HarqTransportBlock tb;
};

// One transmission the scheduler puts in a grant.
struct HarqTransmission {
  int process = -1;
  int rv = 0;
  bool ndi = false;
  bool retransmission = false;
};

enum class HarqOutcome : std::uint8_t {
  delivered,          // ACK
  will_retransmit,    // NACK, transmissions left
  failed,             // NACK at max_transmissions: the TB is dropped
  ignored,            // feedback for a process not awaiting any (late or duplicate)
};

struct HarqCounters {
  std::int64_t new_transmissions = 0;
  std::int64_t retransmissions = 0;
  std::int64_t acks = 0;
  std::int64_t nacks = 0;
  std::int64_t timeouts = 0;   // feedback never came; counted as NACKs too
  std::int64_t failures = 0;   // TBs dropped after max_transmissions
  std::int64_t delivered_payload_bytes = 0;  // buffered bytes of ACKed TBs
  std::int64_t lost_payload_bytes = 0;       // buffered bytes of failed TBs
};

class HarqEntity {
 public:
  HarqEntity() = default;
  static Expected<HarqEntity> create(const HarqConfig& config);

  const HarqConfig& config() const { return config_; }
  int num_processes() const { return config_.num_processes; }
  const HarqProcess& process(int id) const { return processes_[static_cast<std::size_t>(id)]; }
  const HarqCounters& counters() const { return counters_; }

  // A free process for a new TB (the lowest id), or -1 when all are busy.
  int free_process() const;
  // The process waiting longest for its retransmission, or -1.
  int next_retransmission() const;

  // Starts a new TB on an idle process: NDI toggles, rv 0. Errors on a busy or unknown process.
  Expected<HarqTransmission> start_new(int process, const HarqTransportBlock& tb, std::int64_t slot);
  // Retransmits a NACKed TB with the next rv of 0, 2, 3, 1; NDI unchanged.
  Expected<HarqTransmission> start_retransmission(int process, std::int64_t slot);

  // The CRC of the latest transmission of a process.
  HarqOutcome on_feedback(int process, bool crc_ok);
  // Processes without feedback for longer than the timeout become NACKed; returns how many
  // (their outcomes are will_retransmit or failed as for a NACK; failures count as failures).
  int expire(std::int64_t slot);

 private:
  HarqOutcome on_nack(HarqProcess& p);

  HarqConfig config_;
  std::array<HarqProcess, kMaxHarqProcesses> processes_{};
  HarqCounters counters_;
};

}  // namespace airan::mac

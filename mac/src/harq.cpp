#include "airan/mac/harq.hpp"

#include <fmt/format.h>

namespace airan::mac {

Status HarqConfig::validate() const {
  if (num_processes < kMinHarqProcesses || num_processes > kMaxHarqProcesses) {
    return Error{fmt::format("num_processes={} is outside {}..{}", num_processes, kMinHarqProcesses,
                             kMaxHarqProcesses)};
  }
  if (max_transmissions < 1 || max_transmissions > 16) {
    return Error{fmt::format("max_transmissions={} is outside 1..16", max_transmissions)};
  }
  if (feedback_timeout_slots < 1) {
    return Error{fmt::format("feedback_timeout_slots={} must be at least 1", feedback_timeout_slots)};
  }
  return Status::ok();
}

Expected<HarqEntity> HarqEntity::create(const HarqConfig& config) {
  if (Status s = config.validate(); !s) return s.error();
  HarqEntity entity;
  entity.config_ = config;
  return entity;
}

int HarqEntity::free_process() const {
  for (int id = 0; id < config_.num_processes; ++id) {
    if (processes_[static_cast<std::size_t>(id)].state == HarqState::idle) return id;
  }
  return -1;
}

int HarqEntity::next_retransmission() const {
  int best = -1;
  for (int id = 0; id < config_.num_processes; ++id) {
    const HarqProcess& p = processes_[static_cast<std::size_t>(id)];
    if (p.state != HarqState::pending_retransmission) continue;
    if (best < 0 || p.last_tx_slot < processes_[static_cast<std::size_t>(best)].last_tx_slot) best = id;
  }
  return best;
}

Expected<HarqTransmission> HarqEntity::start_new(int process, const HarqTransportBlock& tb, std::int64_t slot) {
  if (process < 0 || process >= config_.num_processes) {
    return Error{fmt::format("HARQ process {} is outside 0..{}", process, config_.num_processes - 1)};
  }
  HarqProcess& p = processes_[static_cast<std::size_t>(process)];
  if (p.state != HarqState::idle) return Error{fmt::format("HARQ process {} is busy", process)};
  p.state = HarqState::awaiting_feedback;
  p.ndi = !p.ndi;
  p.transmissions = 1;
  p.rv = kRvSequence[0];
  p.last_tx_slot = slot;
  p.tb = tb;
  ++counters_.new_transmissions;
  return HarqTransmission{.process = process, .rv = p.rv, .ndi = p.ndi, .retransmission = false};
}

Expected<HarqTransmission> HarqEntity::start_retransmission(int process, std::int64_t slot) {
  if (process < 0 || process >= config_.num_processes) {
    return Error{fmt::format("HARQ process {} is outside 0..{}", process, config_.num_processes - 1)};
  }
  HarqProcess& p = processes_[static_cast<std::size_t>(process)];
  if (p.state != HarqState::pending_retransmission) {
    return Error{fmt::format("HARQ process {} has no retransmission pending", process)};
  }
  p.state = HarqState::awaiting_feedback;
  p.rv = kRvSequence[static_cast<std::size_t>(p.transmissions) % kRvSequence.size()];
  ++p.transmissions;
  p.last_tx_slot = slot;
  ++counters_.retransmissions;
  return HarqTransmission{.process = process, .rv = p.rv, .ndi = p.ndi, .retransmission = true};
}

HarqOutcome HarqEntity::on_nack(HarqProcess& p) {
  ++counters_.nacks;
  if (p.transmissions >= config_.max_transmissions) {
    p.state = HarqState::idle;
    ++counters_.failures;
    counters_.lost_payload_bytes += p.tb.payload_bytes;
    return HarqOutcome::failed;
  }
  p.state = HarqState::pending_retransmission;
  return HarqOutcome::will_retransmit;
}

HarqOutcome HarqEntity::on_feedback(int process, bool crc_ok) {
  if (process < 0 || process >= config_.num_processes) return HarqOutcome::ignored;
  HarqProcess& p = processes_[static_cast<std::size_t>(process)];
  if (p.state != HarqState::awaiting_feedback) return HarqOutcome::ignored;
  if (crc_ok) {
    // The TB stays in the process (state idle) so the caller can still read what was delivered.
    p.state = HarqState::idle;
    ++counters_.acks;
    counters_.delivered_payload_bytes += p.tb.payload_bytes;
    return HarqOutcome::delivered;
  }
  return on_nack(p);
}

int HarqEntity::expire(std::int64_t slot) {
  int expired = 0;
  for (int id = 0; id < config_.num_processes; ++id) {
    HarqProcess& p = processes_[static_cast<std::size_t>(id)];
    if (p.state != HarqState::awaiting_feedback || slot - p.last_tx_slot <= config_.feedback_timeout_slots) continue;
    ++counters_.timeouts;
    on_nack(p);
    ++expired;
  }
  return expired;
}

}  // namespace airan::mac

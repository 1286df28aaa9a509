// `airan run --scenario NAME`: the MAC-driven emulated cell. A factory scenario's traffic goes
// through the MAC scheduler under an energy policy (mac::run_energy_evaluation) and every slot's
// grants through the real chain (PhyLink: UE emulation, channel, BFP9 fronthaul, slot assembly,
// PUSCH/PDSCH reception, CRC and measured SINR back into HARQ and link adaptation). The same
// traffic runs a second time under always-on, so the report sets the policy's energy next to
// always-on's and both next to the PHY's results.
//
// The cell is mac::default_energy_cell() (numerology 3, 264 PRBs, TDD DUUUUUUU, 4 antennas, low-SE
// MCS table, URLLC link adaptation); `prbs` can narrow it. Measured on one core: 0.1 s of air time
// of factory-10 (both runs) takes about 3 s at 264 PRBs, 1.2 s at 66 (docs/energy.md, "In the
// pipeline").
//
// JSON (--json), keys stable:
//   command "run", scenario, policy, parameters (the policy's), seed, duration_s, slots,
//   slot_duration_ms,
//   cell {numerology, prbs, antennas, tdd, channel, compression},
//   phy {tbs, crc_pass, bler, mean_sinr_db,                  the policy's run, both directions
//        uplink {tbs, crc_pass, bler, mean_sinr_db}, downlink {same},
//        fronthaul_packets,
//        du_us_per_slot {p50, p99, p999, max, mean}          the DU's PHY time per slot with grants
//                                                            (uplink: assembly + PUSCH receive;
//                                                            downlink: PDSCH transmit + packing)
//        emulated_us_per_slot {p50, p99, p999, max, mean}}   the whole emulated slot (UEs, channels)
//   mac {energy_mj_per_slot {radio, compute, total},
//        saved_vs_always_on_pct                              100 * (1 - total / always-on's total)
//        deadline_miss_rate {motion_control, cooperative_robot, mobile_robot_control,
//                            mobile_robot_video, emergency_stop, embb}   null: no packet of the class
//        packets {counted, delivered, missed}                with their deadline inside the run
//        embb_throughput_mbps, late_deliveries, ledger_rejections}
//   always_on {parameters, phy {...}, mac {...}}               the same keys for the always-on run
//   invariant_failures [strings]                               empty when every hard invariant held
// Exit: 0 done; 1 a hard invariant failed (a packet counted delivered after its deadline, the
// ledger rejected a slot, the slot charges do not add up); 2 bad input (an unknown scenario or
// policy: the message lists the valid ones).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/mac/energy_evaluation.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy_link.hpp"

namespace airan::tools {

struct MacRunOptions {
  std::string scenario = "factory-10";
  std::string policy = "ai";
  double duration_s = 0.1;  // of air time
  std::uint64_t seed = 1;
  int prbs = 264;           // of the cell (the energy evaluation's)
  PhyLinkConfig link;
};

struct MacRunSide {
  mac::EnergyRunResult result;
  PhyLinkFigures phy;
};

struct MacRunReport {
  MacRunOptions options;
  mac::EnergyEvaluationConfig config;
  MacRunSide policy;
  MacRunSide always_on;
  double saved_vs_always_on_pct = 0.0;
  std::vector<std::string> invariant_failures;
};

// Errors: bad input (exit 2). A run that breaks a hard invariant is in invariant_failures.
Expected<MacRunReport> run_mac_pipeline(const MacRunOptions& options);
nlohmann::json to_json(const MacRunReport& report);
// The PHY and MAC/energy results of the policy and always-on side by side.
std::string format_mac_run(const MacRunReport& report);

}  // namespace airan::tools

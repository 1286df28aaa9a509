// The oracle: a lower bound on the energy of any policy that delivers every packet before its
// deadline, computed offline from the whole arrival list (which no real policy knows).
//
// What it is, exactly. Every packet needs at least one active slot that carries data in its
// direction within its window [first usable slot, last slot that still meets the deadline]
// (the evaluation gives the windows with the same rules it runs by: downlink from the slot after
// the arrival, uplink from the data slot after the first SR occasion that can report it).
// The bound relaxes everything else away:
//   - a data slot costs at least an active slot of its direction with no PRB and one antenna,
//     plus the DU's fronthaul time for one antenna (the cheapest slot that can carry data);
//   - every other slot costs at least the cheapest sleep that fits its gap between data slots
//     (micro sleep, or light / deep sleep with their transition energy when the gap reaches the
//     state's minimum period; any state at the end of the run, whose period never has to end);
//   - PRB-dependent energy is at least what the required bytes need at the highest MCS
//     (radio dynamic power and DU decoding time, linear models only: with exponents != 1 this
//     term is left out), and idle compute is the same for every policy.
// Over these costs the set of data slots is chosen optimally by dynamic programming (a data slot
// at j may follow one at i when no window lies strictly between them), so the result is the
// exact optimum of the relaxation and therefore a bound that no deadline-meeting policy can beat
// under the evaluation's rules (SR listening, HARQ retransmissions, capacity and MCS limits are
// what a real policy pays on top). It is not a schedule that could be run.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "airan/ai/energy_model.hpp"
#include "airan/ai/energy_policy.hpp"
#include "airan/ai/result.hpp"
#include "airan/ai/traffic.hpp"

namespace airan::ai {

struct OracleWindow {
  Direction direction = Direction::uplink;
  std::int64_t first_slot = 0;  // inclusive
  std::int64_t last_slot = 0;   // inclusive
  std::int64_t bytes = 0;
};

struct OracleProblem {
  PolicyCell cell;
  std::int64_t slots = 0;  // the run: slots 0..slots-1
  std::vector<OracleWindow> windows;
  // Highest payload per PRB and layer of a full data slot (highest MCS), per direction
  // [downlink, uplink]; 0 leaves the PRB-dependent term out.
  std::array<double, 2> max_bytes_per_prb_layer{0.0, 0.0};
};

struct OracleBound {
  EnergyBreakdown energy;        // relative units over the whole run
  std::int64_t data_slots = 0;   // in the optimal set
  std::int64_t windows_used = 0; // windows with at least one slot of their direction
};

Result<OracleBound> compute_oracle_bound(const OracleProblem& problem, const EnergyModel& model);

}  // namespace airan::ai

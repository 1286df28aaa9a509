// From a scheduler grant to what the PHY runs: the FAPI PUSCH/PDSCH PDU of the slot plan, and the PHY
// configurations both directions are planned with. The scheduler's TBS and these configurations
// come from the same CellConfig, so a grant's tbs_bytes is what plan_pusch / plan_pdsch give.
//
// Not on the per-slot scheduling path: planning a PUSCH allocates (its SCH plan), and checking a
// PDU with to_pusch_config plans every DMRS candidate; a FAPI sender runs these once per grant.
#pragma once

#include <cstdint>

#include "airan/mac/scheduler.hpp"
#include "airan/mac/slot_plan.hpp"
#include "airan/phy/pdsch/pdsch.hpp"
#include "airan/phy/pusch/pusch_config.hpp"

namespace airan::mac {

struct SlotTime {
  int sfn = 0;   // 0..1023
  int slot = 0;  // within the frame
};
// The SFN and slot of a slot index counted from SFN 0 slot 0 (SFN wraps at 1024).
SlotTime slot_time(std::int64_t slot_index, int numerology);

// The PHY configuration of a grant (mapping type A, DMRS ports 0..layers-1, the cell's DMRS and
// scrambling). slot_in_frame sets the slot number of the scrambling and DMRS sequences.
phy::PuschConfig pusch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame);
phy::PdschConfig pdsch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame);

// The UL_TTI.request PUSCH PDU of an uplink grant, checked with to_pusch_config; errors say why
// (a downlink grant, a grant that does not plan, a TBS that disagrees with the grant's).
Expected<PuschPdu> to_pusch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot);
// The DL_TTI.request PDSCH PDU of a downlink grant, checked with to_pdsch_config; errors as above.
Expected<PdschPdu> to_pdsch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot);

}  // namespace airan::mac

// The slot plan: what the MAC scheduled in each slot, per UE, as the PHY needs it, with the
// field names of SCF 222 5G FAPI (UL_TTI.request PUSCH PDU, DL_TTI.request PDSCH PDU). Stored
// as JSON Lines: one PDU per line, so a plan streams next to a trace (TRACE.plan.jsonl).
//
// Schema (one JSON object per line; FAPI names, plus airan's where FAPI has none):
//   pduType              "PUSCH" or "PDSCH"
//   sfn, slot            system frame number 0..1023, slot within the frame
//   cellId               physical cell id 0..1007 (airan; FAPI carries it in the cell config)
//   subcarrierSpacing    mu 0..4
//   rnti                 1..65535
//   bwpStart, bwpSize    the BWP in CRBs
//   rbStart, rbSize      the allocation within the BWP (resource allocation type 1)
//   StartSymbolIndex, NrOfSymbols
//   mcsIndex, mcsTable   mcsTable 0: 64QAM, 1: 256QAM, 2: low-SE 64QAM, 3: TP 64QAM, 4: TP low-SE
//   qamModOrder          bits per symbol (checked against the MCS)
//   targetCodeRate       R * 1024 * 10 (checked against the MCS)
//   TBSize               bytes (checked against 38.214)
//   nrOfLayers           1..4
//   transformPrecoding   0: enabled, 1: disabled (FAPI's convention)
//   dataScramblingId     n_ID of the data scrambling
//   ulDmrsSymbPos        bitmap, bit l = DMRS on symbol l
//   dmrsConfigType       0: type 1, 1: type 2
//   ulDmrsScramblingId   N_ID^0 (and N_ID^1) of the DMRS
//   puschIdentity        n_ID^RS of the low-PAPR DMRS (transform precoding)
//   scid                 0 or 1
//   numDmrsCdmGrpsNoData 1..3
//   dmrsPorts            bitmap, bit p = DMRS port p (one per layer)
//   rvIndex, harqProcessID, newData
//   tbCrc32              optional (airan): CRC-32 (IEEE) of the TB bytes, MSB-first packing,
//                        for checking a decoded TB without carrying it
// A PDSCH PDU (one codeword, 1..4 layers, mapping type A: what phy::PdschTransmitter sends)
// has the same fields except transformPrecoding, puschIdentity, ulDmrsSymbPos and
// ulDmrsScramblingId; instead:
//   dlDmrsSymbPos        bitmap, bit l = DMRS on symbol l
//   dlDmrsScramblingId   N_ID^0 (and N_ID^1) of the DMRS (default cellId)
//   harqProcessID, newData  airan's: FAPI carries them in the DCI, a UE-side check needs them
// Unknown keys are an error (a typo must not silently change a slot).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/phy/expected.hpp"
#include "airan/phy/pdsch/pdsch.hpp"
#include "airan/phy/pusch/pusch_config.hpp"

namespace airan::mac {

// The fields the PUSCH and PDSCH PDUs share (their FAPI names and meaning are the same).
struct SharedChannelPdu {
  int sfn = 0;
  int slot = 0;
  int cellId = 0;
  int subcarrierSpacing = 1;
  int rnti = 1;
  int bwpStart = 0;
  int bwpSize = 0;
  int rbStart = 0;
  int rbSize = 0;
  int StartSymbolIndex = 0;
  int NrOfSymbols = 14;
  int mcsIndex = 0;
  int mcsTable = 0;
  int qamModOrder = 0;
  int targetCodeRate = 0;
  int TBSize = 0;
  int nrOfLayers = 1;
  int dataScramblingId = 0;
  int dmrsConfigType = 0;
  int scid = 0;
  int numDmrsCdmGrpsNoData = 2;
  int dmrsPorts = 1;
  int rvIndex = 0;
  int harqProcessID = 0;
  int newData = 1;
  std::optional<std::uint32_t> tbCrc32;
};

struct PuschPdu : SharedChannelPdu {
  int transformPrecoding = 1;
  int ulDmrsSymbPos = 0;
  int ulDmrsScramblingId = 0;
  int puschIdentity = 0;
};

struct PdschPdu : SharedChannelPdu {
  int dlDmrsSymbPos = 0;
  int dlDmrsScramblingId = 0;
};

// A whole plan: the uplink and downlink PDUs, each in file order.
struct SlotPlan {
  std::vector<PuschPdu> pusch;
  std::vector<PdschPdu> pdsch;
};

// The PDU of a planned PUSCH: every field from the PHY plan (DMRS bitmap, TBS, rate, ...).
PuschPdu make_pusch_pdu(const phy::PuschPlan& plan, int sfn);

// The PHY configuration a PDU describes; errors name the field and say what is wrong, e.g. a
// ulDmrsSymbPos that matches no DMRS configuration, or a TBSize that disagrees with 38.214.
Expected<phy::PuschConfig> to_pusch_config(const PuschPdu& pdu);

// The PDU of a planned PDSCH (a PdschPlan from phy::plan_pdsch).
PdschPdu make_pdsch_pdu(const phy::PuschPlan& pdsch_plan, int sfn);
// The PHY configuration a PDSCH PDU describes (mapping type A); errors as to_pusch_config.
Expected<phy::PdschConfig> to_pdsch_config(const PdschPdu& pdu);

nlohmann::json to_json(const PuschPdu& pdu);
nlohmann::json to_json(const PdschPdu& pdu);
// Parse one line's object; errors name the field.
Expected<PuschPdu> pusch_pdu_from_json(const nlohmann::json& j);
Expected<PdschPdu> pdsch_pdu_from_json(const nlohmann::json& j);

// Loads and validates a whole plan; errors name the file, line and field.
Expected<SlotPlan> load_slot_plan(const std::filesystem::path& path);
void write_slot_plan_line(std::ostream& out, const PuschPdu& pdu);
void write_slot_plan_line(std::ostream& out, const PdschPdu& pdu);

// CRC-32 (IEEE 802.3) of a TB given as unpacked bits (MSB-first bytes).
std::uint32_t tb_crc32(std::span<const std::uint8_t> tb_bits);

}  // namespace airan::mac

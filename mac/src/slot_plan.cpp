#include "airan/mac/slot_plan.hpp"

#include <array>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "airan/phy/coding/bits.hpp"

namespace airan::mac {
namespace {

using nlohmann::json;

// FAPI mcsTable values; 5 (1024QAM) is airan's, FAPI's Rel-15 table list stops at 4.
constexpr std::array<phy::McsTable, 6> kFapiMcsTables = {phy::McsTable::qam64,     phy::McsTable::qam256,
                                                         phy::McsTable::qam64_low_se, phy::McsTable::tp_qam64,
                                                         phy::McsTable::tp_qam64_low_se, phy::McsTable::qam1024};

int fapi_mcs_table(phy::McsTable table) {
  for (std::size_t i = 0; i < kFapiMcsTables.size(); ++i) {
    if (kFapiMcsTables[i] == table) return static_cast<int>(i);
  }
  return 0;
}

int dmrs_bitmap(const phy::PuschPlan& plan) {
  int bitmap = 0;
  for (int s = 0; s < plan.num_dmrs_symbols; ++s) bitmap |= 1 << plan.dmrs_symbols[s];
  return bitmap;
}

// The integer fields both PDUs carry, required and optional (a missing optional keeps its
// default), as pointers into one PDU.
using IntField = std::pair<const char*, int*>;
std::array<IntField, 21> shared_required_fields(SharedChannelPdu& p) {
  return {{{"sfn", &p.sfn}, {"slot", &p.slot}, {"cellId", &p.cellId}, {"subcarrierSpacing", &p.subcarrierSpacing},
           {"rnti", &p.rnti}, {"bwpStart", &p.bwpStart}, {"bwpSize", &p.bwpSize}, {"rbStart", &p.rbStart},
           {"rbSize", &p.rbSize}, {"StartSymbolIndex", &p.StartSymbolIndex}, {"NrOfSymbols", &p.NrOfSymbols},
           {"mcsIndex", &p.mcsIndex}, {"mcsTable", &p.mcsTable}, {"qamModOrder", &p.qamModOrder},
           {"targetCodeRate", &p.targetCodeRate}, {"TBSize", &p.TBSize}, {"nrOfLayers", &p.nrOfLayers},
           {"dataScramblingId", &p.dataScramblingId}, {"dmrsConfigType", &p.dmrsConfigType},
           {"numDmrsCdmGrpsNoData", &p.numDmrsCdmGrpsNoData}, {"dmrsPorts", &p.dmrsPorts}}};
}
std::array<IntField, 4> shared_optional_fields(SharedChannelPdu& p) {
  return {{{"scid", &p.scid}, {"rvIndex", &p.rvIndex}, {"harqProcessID", &p.harqProcessID}, {"newData", &p.newData}}};
}

Status check_range(const char* field, int value, int lo, int hi) {
  if (value < lo || value > hi) return Error{fmt::format("{}={} is outside {}..{}", field, value, lo, hi)};
  return Status::ok();
}

// The layers' DMRS ports from the FAPI bitmap (one port per layer, in increasing order).
Status ports_from_bitmap(int bitmap, int layers, phy::DmrsConfig& dmrs) {
  int layer = 0;
  for (int port = 0; port < 12; ++port) {
    if (!((bitmap >> port) & 1)) continue;
    if (layer >= layers) break;
    dmrs.ports[static_cast<std::size_t>(layer++)] = port;
  }
  if (layer != layers || (bitmap >> (dmrs.ports[static_cast<std::size_t>(layer - 1)] + 1)) != 0) {
    return Error{fmt::format("dmrsPorts={:#x} does not name exactly nrOfLayers={} ports", bitmap, layers)};
  }
  return Status::ok();
}

// The TBS, modulation and rate a PDU states against what 38.214 gives for its allocation.
Status check_coding(const phy::PuschPlan& plan, int tb_size, int qam_mod_order, int target_code_rate, int mcs_index,
                    int mcs_table) {
  if (plan.tbs != 8 * tb_size) {
    return Error{fmt::format("TBSize={} bytes, but 38.214 gives {} bytes for this allocation and MCS", tb_size,
                             plan.tbs / 8)};
  }
  if (plan.modulation_order != qam_mod_order) {
    return Error{fmt::format("qamModOrder={} disagrees with MCS {} of table {} (Qm {})", qam_mod_order, mcs_index,
                             mcs_table, plan.modulation_order)};
  }
  if (std::abs(plan.mcs.target_code_rate_x1024 * 10.0 - target_code_rate) > 1.0) {
    return Error{fmt::format("targetCodeRate={} disagrees with MCS {} of table {} ({})", target_code_rate, mcs_index,
                             mcs_table, plan.mcs.target_code_rate_x1024 * 10.0)};
  }
  return Status::ok();
}

// Reads one PDU object of type `pdu_type`: the shared fields and the direction's own, required
// ones must be there, optional ones keep their value when absent, and a key that is none of them
// is an error (a typo must not silently change a slot).
Status read_pdu(const json& j, const char* pdu_type, SharedChannelPdu& shared, std::span<const IntField> own_required,
                std::span<const IntField> own_optional) {
  if (!j.is_object()) return Error{"not a JSON object"};
  if (j.value("pduType", std::string()) != pdu_type) {
    return Error{fmt::format("field 'pduType' must be \"{}\"", pdu_type)};
  }
  const auto shared_required = shared_required_fields(shared);
  const auto shared_optional = shared_optional_fields(shared);
  const std::array<std::span<const IntField>, 4> groups = {shared_required, own_required, shared_optional, own_optional};
  for (const auto& [key, value] : j.items()) {
    if (key == "pduType" || key == "tbCrc32") continue;
    const bool known = std::any_of(groups.begin(), groups.end(), [&](std::span<const IntField> group) {
      return std::any_of(group.begin(), group.end(), [&](const IntField& f) { return key == f.first; });
    });
    if (!known) return Error{fmt::format("unknown field '{}' for a {} PDU", key, pdu_type)};
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const bool required = g < 2;
    for (const auto& [key, field] : groups[g]) {
      if (!j.contains(key)) {
        if (required) return Error{fmt::format("field '{}' is missing", key)};
        continue;
      }
      if (!j[key].is_number_integer()) return Error{fmt::format("field '{}' is not an integer", key)};
      *field = j[key].get<int>();
    }
  }
  if (j.contains("tbCrc32")) {
    if (!j["tbCrc32"].is_number_unsigned()) return Error{"field 'tbCrc32' is not an unsigned integer"};
    shared.tbCrc32 = j["tbCrc32"].get<std::uint32_t>();
  }
  return Status::ok();
}

json shared_to_json(const SharedChannelPdu& p, const char* pdu_type) {
  json j = {{"pduType", pdu_type},
            {"sfn", p.sfn},
            {"slot", p.slot},
            {"cellId", p.cellId},
            {"subcarrierSpacing", p.subcarrierSpacing},
            {"rnti", p.rnti},
            {"bwpStart", p.bwpStart},
            {"bwpSize", p.bwpSize},
            {"rbStart", p.rbStart},
            {"rbSize", p.rbSize},
            {"StartSymbolIndex", p.StartSymbolIndex},
            {"NrOfSymbols", p.NrOfSymbols},
            {"mcsIndex", p.mcsIndex},
            {"mcsTable", p.mcsTable},
            {"qamModOrder", p.qamModOrder},
            {"targetCodeRate", p.targetCodeRate},
            {"TBSize", p.TBSize},
            {"nrOfLayers", p.nrOfLayers},
            {"dataScramblingId", p.dataScramblingId},
            {"dmrsConfigType", p.dmrsConfigType},
            {"scid", p.scid},
            {"numDmrsCdmGrpsNoData", p.numDmrsCdmGrpsNoData},
            {"dmrsPorts", p.dmrsPorts},
            {"rvIndex", p.rvIndex},
            {"harqProcessID", p.harqProcessID},
            {"newData", p.newData}};
  if (p.tbCrc32) j["tbCrc32"] = *p.tbCrc32;
  return j;
}

}  // namespace

PuschPdu make_pusch_pdu(const phy::PuschPlan& plan, int sfn) {
  const phy::PuschConfig& c = plan.config;
  PuschPdu p;
  p.sfn = sfn;
  p.slot = c.slot_number;
  p.cellId = c.n_cell_id;
  p.subcarrierSpacing = c.numerology;
  p.rnti = c.rnti;
  p.bwpStart = c.bwp_start;
  p.bwpSize = c.bwp_size;
  p.rbStart = c.rb_start;
  p.rbSize = c.rb_size;
  p.StartSymbolIndex = c.start_symbol;
  p.NrOfSymbols = c.num_symbols;
  p.mcsIndex = c.mcs_index;
  p.mcsTable = fapi_mcs_table(c.mcs_table);
  p.qamModOrder = plan.modulation_order;
  p.targetCodeRate = static_cast<int>(std::lround(plan.mcs.target_code_rate_x1024 * 10.0));
  p.TBSize = plan.tbs / 8;
  p.nrOfLayers = c.num_layers;
  p.transformPrecoding = c.transform_precoding ? 0 : 1;
  p.dataScramblingId = plan.data_scrambling_id;
  p.ulDmrsSymbPos = dmrs_bitmap(plan);
  p.dmrsConfigType = c.dmrs.config_type - 1;
  p.ulDmrsScramblingId = c.dmrs.n_id[0];
  p.puschIdentity = c.tp_dmrs_n_id.value_or(static_cast<std::uint16_t>(c.n_cell_id));
  p.scid = c.dmrs.n_scid;
  p.numDmrsCdmGrpsNoData = c.dmrs.num_cdm_groups_without_data;
  p.dmrsPorts = 0;
  for (int v = 0; v < c.num_layers; ++v) p.dmrsPorts |= 1 << c.dmrs.ports[v];
  p.rvIndex = c.rv;
  return p;
}

Expected<phy::PuschConfig> to_pusch_config(const PuschPdu& p) {
  const auto range = check_range;
  for (Status s : {range("sfn", p.sfn, 0, 1023), range("subcarrierSpacing", p.subcarrierSpacing, 0, 4),
                   range("rnti", p.rnti, 1, 65535), range("mcsTable", p.mcsTable, 0, 5),
                   range("nrOfLayers", p.nrOfLayers, 1, 4), range("transformPrecoding", p.transformPrecoding, 0, 1),
                   range("dataScramblingId", p.dataScramblingId, 0, 1023),
                   range("ulDmrsScramblingId", p.ulDmrsScramblingId, 0, 65535),
                   range("puschIdentity", p.puschIdentity, 0, 1007), range("dmrsConfigType", p.dmrsConfigType, 0, 1),
                   range("ulDmrsSymbPos", p.ulDmrsSymbPos, 1, (1 << 14) - 1), range("dmrsPorts", p.dmrsPorts, 1, 4095),
                   range("newData", p.newData, 0, 1), range("harqProcessID", p.harqProcessID, 0, 15)}) {
    if (!s) return s.error();
  }
  phy::PuschConfig c;
  c.n_cell_id = p.cellId;
  c.slot_number = p.slot;
  c.numerology = p.subcarrierSpacing;
  c.bwp_start = p.bwpStart;
  c.bwp_size = p.bwpSize;
  c.rb_start = p.rbStart;
  c.rb_size = p.rbSize;
  c.start_symbol = p.StartSymbolIndex;
  c.num_symbols = p.NrOfSymbols;
  c.rnti = static_cast<std::uint16_t>(p.rnti);
  c.data_scrambling_id = static_cast<std::uint16_t>(p.dataScramblingId);
  c.num_layers = p.nrOfLayers;
  c.num_antenna_ports = p.nrOfLayers;
  c.transform_precoding = p.transformPrecoding == 0;
  c.tp_dmrs_n_id = static_cast<std::uint16_t>(p.puschIdentity);
  c.mcs_table = kFapiMcsTables[static_cast<std::size_t>(p.mcsTable)];
  c.mcs_index = p.mcsIndex;
  c.rv = p.rvIndex;
  c.dmrs.config_type = p.dmrsConfigType + 1;
  c.dmrs.num_cdm_groups_without_data = p.numDmrsCdmGrpsNoData;
  c.dmrs.n_scid = p.scid;
  c.dmrs.n_id = {static_cast<std::uint16_t>(p.ulDmrsScramblingId), static_cast<std::uint16_t>(p.ulDmrsScramblingId)};
  if (Status s = ports_from_bitmap(p.dmrsPorts, p.nrOfLayers, c.dmrs); !s) return s.error();
  // FAPI gives the DMRS symbols as a bitmap: find the configuration of Tables 6.4.1.1.3-3/4
  // that places exactly those symbols.
  std::optional<Status> first_error;
  for (auto mapping : {phy::PuschMappingType::a, phy::PuschMappingType::b}) {
    for (int length : {1, 2}) {
      for (int additional = 0; additional <= 3; ++additional) {
        for (int type_a_position : {2, 3}) {
          if (mapping == phy::PuschMappingType::b && type_a_position == 3) continue;
          phy::PuschConfig candidate = c;
          candidate.mapping_type = mapping;
          candidate.dmrs.length = length;
          candidate.dmrs.additional_position = additional;
          candidate.dmrs.type_a_position = type_a_position;
          auto plan = phy::plan_pusch(candidate);
          if (!plan) {
            if (!first_error) first_error = plan.error();
            continue;
          }
          if (dmrs_bitmap(*plan) != p.ulDmrsSymbPos) continue;
          if (Status s = check_coding(*plan, p.TBSize, p.qamModOrder, p.targetCodeRate, p.mcsIndex, p.mcsTable); !s) {
            return s.error();
          }
          return candidate;
        }
      }
    }
  }
  // No candidate planned: the configuration itself is wrong; report why.
  phy::PuschConfig plain = c;
  if (auto plan = phy::plan_pusch(plain); !plan) return plan.error();
  return Error{fmt::format("ulDmrsSymbPos={:#06x} matches no DMRS configuration of 38.211 Tables 6.4.1.1.3-3/4 "
                           "for symbols {}..{}",
                           p.ulDmrsSymbPos, p.StartSymbolIndex, p.StartSymbolIndex + p.NrOfSymbols - 1)};
}

nlohmann::json to_json(const PuschPdu& p) {
  json j = shared_to_json(p, "PUSCH");
  j["transformPrecoding"] = p.transformPrecoding;
  j["ulDmrsSymbPos"] = p.ulDmrsSymbPos;
  j["ulDmrsScramblingId"] = p.ulDmrsScramblingId;
  j["puschIdentity"] = p.puschIdentity;
  return j;
}

Expected<PuschPdu> pusch_pdu_from_json(const nlohmann::json& j) {
  PuschPdu p;
  if (j.is_object() && j.contains("cellId") && j["cellId"].is_number_integer()) {
    p.ulDmrsScramblingId = p.puschIdentity = j["cellId"].get<int>();  // FAPI's defaults
  }
  const std::array<IntField, 2> required = {{{"transformPrecoding", &p.transformPrecoding},
                                             {"ulDmrsSymbPos", &p.ulDmrsSymbPos}}};
  const std::array<IntField, 2> optional = {{{"ulDmrsScramblingId", &p.ulDmrsScramblingId},
                                             {"puschIdentity", &p.puschIdentity}}};
  if (Status s = read_pdu(j, "PUSCH", p, required, optional); !s) return s.error();
  return p;
}

PdschPdu make_pdsch_pdu(const phy::PuschPlan& plan, int sfn) {
  // The PDSCH runs on the shared-channel plan: the PUSCH PDU of the same plan has every field.
  const PuschPdu pusch = make_pusch_pdu(plan, sfn);
  PdschPdu p;
  static_cast<SharedChannelPdu&>(p) = pusch;
  p.dlDmrsSymbPos = pusch.ulDmrsSymbPos;
  p.dlDmrsScramblingId = pusch.ulDmrsScramblingId;
  return p;
}

Expected<phy::PdschConfig> to_pdsch_config(const PdschPdu& p) {
  for (Status s : {check_range("sfn", p.sfn, 0, 1023), check_range("subcarrierSpacing", p.subcarrierSpacing, 0, 4),
                   check_range("rnti", p.rnti, 1, 65535), check_range("mcsTable", p.mcsTable, 0, 2),
                   check_range("nrOfLayers", p.nrOfLayers, 1, 4),
                   check_range("dataScramblingId", p.dataScramblingId, 0, 1023),
                   check_range("dlDmrsScramblingId", p.dlDmrsScramblingId, 0, 65535),
                   check_range("dmrsConfigType", p.dmrsConfigType, 0, 1), check_range("scid", p.scid, 0, 1),
                   check_range("dlDmrsSymbPos", p.dlDmrsSymbPos, 1, (1 << 14) - 1),
                   check_range("dmrsPorts", p.dmrsPorts, 1, 4095), check_range("newData", p.newData, 0, 1),
                   check_range("harqProcessID", p.harqProcessID, 0, 15)}) {
    if (!s) return s.error();
  }
  phy::PdschConfig c;
  c.n_cell_id = p.cellId;
  c.slot_number = p.slot;
  c.numerology = p.subcarrierSpacing;
  c.bwp_start = p.bwpStart;
  c.bwp_size = p.bwpSize;
  c.rb_start = p.rbStart;
  c.rb_size = p.rbSize;
  c.start_symbol = p.StartSymbolIndex;
  c.num_symbols = p.NrOfSymbols;
  c.rnti = static_cast<std::uint16_t>(p.rnti);
  c.data_scrambling_id = static_cast<std::uint16_t>(p.dataScramblingId);
  c.num_layers = p.nrOfLayers;
  c.mcs_table = kFapiMcsTables[static_cast<std::size_t>(p.mcsTable)];
  c.mcs_index = p.mcsIndex;
  c.rv = p.rvIndex;
  c.dmrs.config_type = p.dmrsConfigType + 1;
  c.dmrs.num_cdm_groups_without_data = p.numDmrsCdmGrpsNoData;
  c.dmrs.n_scid = p.scid;
  c.dmrs.n_id = {static_cast<std::uint16_t>(p.dlDmrsScramblingId), static_cast<std::uint16_t>(p.dlDmrsScramblingId)};
  if (Status s = ports_from_bitmap(p.dmrsPorts, p.nrOfLayers, c.dmrs); !s) return s.error();
  // The DMRS configuration of Tables 7.4.1.1.2-3/4 (mapping type A) that places exactly the
  // symbols of dlDmrsSymbPos.
  for (int length : {1, 2}) {
    for (int additional = 0; additional <= 3; ++additional) {
      for (int type_a_position : {2, 3}) {
        phy::PdschConfig candidate = c;
        candidate.dmrs.length = length;
        candidate.dmrs.additional_position = additional;
        candidate.dmrs.type_a_position = type_a_position;
        auto plan = phy::plan_pdsch(candidate);
        if (!plan || dmrs_bitmap(*plan) != p.dlDmrsSymbPos) continue;
        if (Status s = check_coding(*plan, p.TBSize, p.qamModOrder, p.targetCodeRate, p.mcsIndex, p.mcsTable); !s) {
          return s.error();
        }
        return candidate;
      }
    }
  }
  if (auto plan = phy::plan_pdsch(c); !plan) return plan.error();
  return Error{fmt::format("dlDmrsSymbPos={:#06x} matches no DMRS configuration of 38.211 Tables 7.4.1.1.2-3/4 "
                           "(mapping type A) for symbols {}..{}",
                           p.dlDmrsSymbPos, p.StartSymbolIndex, p.StartSymbolIndex + p.NrOfSymbols - 1)};
}

nlohmann::json to_json(const PdschPdu& p) {
  json j = shared_to_json(p, "PDSCH");
  j["dlDmrsSymbPos"] = p.dlDmrsSymbPos;
  j["dlDmrsScramblingId"] = p.dlDmrsScramblingId;
  return j;
}

Expected<PdschPdu> pdsch_pdu_from_json(const nlohmann::json& j) {
  PdschPdu p;
  if (j.is_object() && j.contains("cellId") && j["cellId"].is_number_integer()) {
    p.dlDmrsScramblingId = j["cellId"].get<int>();  // FAPI's default
  }
  const std::array<IntField, 1> required = {{{"dlDmrsSymbPos", &p.dlDmrsSymbPos}}};
  const std::array<IntField, 1> optional = {{{"dlDmrsScramblingId", &p.dlDmrsScramblingId}}};
  if (Status s = read_pdu(j, "PDSCH", p, required, optional); !s) return s.error();
  return p;
}

Expected<SlotPlan> load_slot_plan(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("{}: cannot open the slot plan", path.string())};
  SlotPlan plan;
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& message) {
    return Error{fmt::format("{}:{}: {}", path.string(), number, message)};
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("not valid JSON");
    if (!j.is_object()) return fail("not a JSON object");
    const std::string type = j.contains("pduType") && j["pduType"].is_string() ? j["pduType"].get<std::string>() : "";
    if (type == "PUSCH") {
      auto pdu = pusch_pdu_from_json(j);
      if (!pdu) return fail(pdu.error().message);
      if (auto config = to_pusch_config(*pdu); !config) return fail(config.error().message);
      plan.pusch.push_back(*pdu);
    } else if (type == "PDSCH") {
      auto pdu = pdsch_pdu_from_json(j);
      if (!pdu) return fail(pdu.error().message);
      if (auto config = to_pdsch_config(*pdu); !config) return fail(config.error().message);
      plan.pdsch.push_back(*pdu);
    } else {
      return fail("field 'pduType' must be \"PUSCH\" or \"PDSCH\"");
    }
  }
  return plan;
}

void write_slot_plan_line(std::ostream& out, const PuschPdu& pdu) { out << to_json(pdu).dump() << '\n'; }
void write_slot_plan_line(std::ostream& out, const PdschPdu& pdu) { out << to_json(pdu).dump() << '\n'; }
std::uint32_t tb_crc32(std::span<const std::uint8_t> tb_bits) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (std::size_t i = 0; i + 8 <= tb_bits.size(); i += 8) {
    crc ^= phy::pack_8_bits(tb_bits.data() + i);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

}  // namespace airan::mac

#include "airan/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <numeric>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "airan/io/fronthaul.hpp"
#include "airan/phy/channel/channel_model.hpp"
#include "airan/phy/numerology.hpp"

namespace airan::tools {
namespace {

// Thrown inside the parser only, caught by parse_scenario: the message names the key path.
struct ParseError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ParseError{path + ": " + what}; }

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

const char* kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "undefined";
  }
}

void expect_map(const YAML::Node& n, const std::string& path) {
  if (!n.IsMap()) fail(path, fmt::format("is {}, expected a mapping", kind(n)));
}

// Every key of `n` must be one of `allowed`.
void check_keys(const YAML::Node& n, const std::string& path, std::initializer_list<const char*> allowed) {
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(join(path, key), fmt::format("unknown key (allowed here: {})", list));
    }
  }
}

template <typename T>
T scalar(const YAML::Node& n, const std::string& path, const char* what) {
  if (!n.IsScalar()) fail(path, fmt::format("is {}, expected {}", kind(n), what));
  T value{};
  if (!YAML::convert<T>::decode(n, value)) fail(path, fmt::format("'{}' is not {}", n.Scalar(), what));
  return value;
}

// Decimal, or hexadecimal with 0x (RNTIs are often written 0x4601). The text is parsed here:
// yaml-cpp's conversion accepts "3.5" as an int on some versions.
int get_int(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(path, fmt::format("is {}, expected an integer", kind(n)));
  const std::string& s = n.Scalar();
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const char* begin = s.data() + (hex ? 2 : 0);
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v, hex ? 16 : 10);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v < -2147483647LL || v > 2147483647LL) {
    fail(path, fmt::format("'{}' is not an integer", s));
  }
  return static_cast<int>(v);
}
long long get_long(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(path, fmt::format("is {}, expected an integer", kind(n)));
  const std::string& s = n.Scalar();
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) fail(path, fmt::format("'{}' is not an integer", s));
  return v;
}
std::uint64_t get_u64(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(path, fmt::format("is {}, expected an unsigned integer", kind(n)));
  const std::string& s = n.Scalar();
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) fail(path, fmt::format("'{}' is not an unsigned integer", s));
  return v;
}
double get_double(const YAML::Node& n, const std::string& path) { return scalar<double>(n, path, "a number"); }
bool get_bool(const YAML::Node& n, const std::string& path) { return scalar<bool>(n, path, "true or false"); }
std::string get_string(const YAML::Node& n, const std::string& path) { return scalar<std::string>(n, path, "a string"); }

std::vector<int> get_int_list(const YAML::Node& n, const std::string& path, std::size_t size) {
  if (!n.IsSequence() || n.size() != size) fail(path, fmt::format("expected a list of {} integers", size));
  std::vector<int> out;
  for (std::size_t i = 0; i < size; ++i) out.push_back(get_int(n[i], fmt::format("{}[{}]", path, i)));
  return out;
}

void parse_cell(const YAML::Node& n, ScenarioCell& c) {
  const std::string path = "cell";
  expect_map(n, path);
  check_keys(n, path, {"numerology", "bandwidth_mhz", "prbs", "rx_antennas", "tx_antennas", "cell_id", "tdd_pattern"});
  if (n["numerology"]) c.numerology = get_int(n["numerology"], "cell.numerology");
  if (c.numerology < 0 || c.numerology > 4) fail("cell.numerology", fmt::format("{} is outside 0..4", c.numerology));
  if (n["bandwidth_mhz"] && n["prbs"]) fail(path, "give bandwidth_mhz or prbs, not both");
  if (n["bandwidth_mhz"]) {
    const int bw = get_int(n["bandwidth_mhz"], "cell.bandwidth_mhz");
    const int scs = 15 << c.numerology;
    const auto range = (c.numerology <= 2 && bw <= 100) ? phy::FrequencyRange::fr1 : phy::FrequencyRange::fr2;
    auto rbs = phy::max_transmission_bandwidth_rbs(scs, bw, range);
    if (!rbs) fail("cell.bandwidth_mhz", fmt::format("{} MHz at {} kHz: {}", bw, scs, rbs.error().message));
    c.bandwidth_mhz = bw;
    c.prbs = *rbs;
  } else if (n["prbs"]) {
    c.prbs = get_int(n["prbs"], "cell.prbs");
  } else {
    fail(path, "needs bandwidth_mhz or prbs");
  }
  if (n["rx_antennas"]) c.rx_antennas = get_int(n["rx_antennas"], "cell.rx_antennas");
  c.tx_antennas = n["tx_antennas"] ? get_int(n["tx_antennas"], "cell.tx_antennas") : c.rx_antennas;
  if (n["cell_id"]) c.cell_id = get_int(n["cell_id"], "cell.cell_id");
  if (n["tdd_pattern"]) c.tdd_pattern = get_string(n["tdd_pattern"], "cell.tdd_pattern");
}

void parse_fronthaul(const YAML::Node& n, ScenarioFronthaul& f) {
  const std::string path = "fronthaul";
  expect_map(n, path);
  check_keys(n, path,
             {"compression", "dynamic_header", "eaxc_split", "vlan", "udp_port", "mtu", "iq_scale", "ta3_us",
              "t1a_us", "jitter_us"});
  if (n["compression"]) {
    f.compression_name = get_string(n["compression"], "fronthaul.compression");
    auto params = parse_compression(f.compression_name);
    if (!params) fail("fronthaul.compression", params.error().message);
    f.compression = *params;
  }
  if (n["dynamic_header"]) f.dynamic_header = get_bool(n["dynamic_header"], "fronthaul.dynamic_header");
  if (n["eaxc_split"]) {
    const auto v = get_int_list(n["eaxc_split"], "fronthaul.eaxc_split", 4);
    for (std::size_t i = 0; i < 4; ++i) {
      if (v[i] < 0 || v[i] > 16) fail(fmt::format("fronthaul.eaxc_split[{}]", i), fmt::format("{} is outside 0..16", v[i]));
    }
    f.eaxc_split = {static_cast<std::uint8_t>(v[0]), static_cast<std::uint8_t>(v[1]), static_cast<std::uint8_t>(v[2]),
                    static_cast<std::uint8_t>(v[3])};
  }
  if (n["vlan"] && !n["vlan"].IsNull()) {
    const int vlan = get_int(n["vlan"], "fronthaul.vlan");
    if (vlan < 0 || vlan > 4095) fail("fronthaul.vlan", fmt::format("{} is outside 0..4095", vlan));
    f.vlan = static_cast<std::uint16_t>(vlan);
  }
  if (n["udp_port"] && !n["udp_port"].IsNull()) {
    const int port = get_int(n["udp_port"], "fronthaul.udp_port");
    if (port < 1 || port > 65535) fail("fronthaul.udp_port", fmt::format("{} is outside 1..65535", port));
    f.udp_port = static_cast<std::uint16_t>(port);
  }
  if (n["mtu"]) f.mtu = get_int(n["mtu"], "fronthaul.mtu");
  if (n["iq_scale"]) f.iq_scale = static_cast<float>(get_double(n["iq_scale"], "fronthaul.iq_scale"));
  if (n["ta3_us"]) f.ta3_us = get_double(n["ta3_us"], "fronthaul.ta3_us");
  if (n["t1a_us"]) f.t1a_us = get_double(n["t1a_us"], "fronthaul.t1a_us");
  if (n["jitter_us"]) f.jitter_us = get_double(n["jitter_us"], "fronthaul.jitter_us");
}

void parse_ue(const YAML::Node& n, const std::string& path, ScenarioUe& u) {
  expect_map(n, path);
  check_keys(n, path,
             {"direction", "rnti", "prbs", "mcs", "mcs_table", "layers", "dmrs", "transform_precoding", "snr_db",
              "channel", "doppler_hz", "period_slots", "slot_offset"});
  for (const char* required : {"rnti", "prbs", "mcs"}) {
    if (!n[required]) fail(join(path, required), "is required");
  }
  if (n["direction"]) {
    const std::string direction = get_string(n["direction"], join(path, "direction"));
    if (direction != "uplink" && direction != "downlink") {
      fail(join(path, "direction"), fmt::format("'{}' is not uplink or downlink", direction));
    }
    u.downlink = direction == "downlink";
  }
  if (u.downlink) {
    // The trace holds what the DU sends: no radio channel lies between it and the capture.
    for (const char* uplink_only : {"transform_precoding", "snr_db", "channel", "doppler_hz"}) {
      if (n[uplink_only]) fail(join(path, uplink_only), "applies to uplink UEs only (a downlink trace has no channel)");
    }
  }
  u.rnti = get_int(n["rnti"], join(path, "rnti"));
  const auto prbs = get_int_list(n["prbs"], join(path, "prbs"), 2);
  u.prb_start = prbs[0];
  u.prb_size = prbs[1];
  u.mcs = get_int(n["mcs"], join(path, "mcs"));
  if (n["mcs_table"]) {
    const std::string name = get_string(n["mcs_table"], join(path, "mcs_table"));
    auto table = phy::parse_mcs_table(name);
    if (!table) {
      std::string list;
      for (phy::McsTable t : phy::all_mcs_tables()) list += (list.empty() ? "" : ", ") + std::string(phy::to_string(t));
      fail(join(path, "mcs_table"), fmt::format("'{}' is not one of {}", name, list));
    }
    u.mcs_table = *table;
  }
  if (n["layers"]) u.layers = get_int(n["layers"], join(path, "layers"));
  if (const YAML::Node d = n["dmrs"]) {
    const std::string dpath = join(path, "dmrs");
    expect_map(d, dpath);
    check_keys(d, dpath, {"type", "additional_position", "cdm_groups_without_data"});
    if (d["type"]) u.dmrs.type = get_int(d["type"], join(dpath, "type"));
    if (d["additional_position"]) u.dmrs.additional_position = get_int(d["additional_position"], join(dpath, "additional_position"));
    if (d["cdm_groups_without_data"]) {
      u.dmrs.cdm_groups_without_data = get_int(d["cdm_groups_without_data"], join(dpath, "cdm_groups_without_data"));
    }
  }
  if (n["transform_precoding"]) u.transform_precoding = get_bool(n["transform_precoding"], join(path, "transform_precoding"));
  if (n["snr_db"]) u.snr_db = get_double(n["snr_db"], join(path, "snr_db"));
  if (n["channel"]) u.channel = get_string(n["channel"], join(path, "channel"));
  if (n["doppler_hz"]) u.doppler_hz = get_double(n["doppler_hz"], join(path, "doppler_hz"));
  if (n["period_slots"]) u.period_slots = get_int(n["period_slots"], join(path, "period_slots"));
  if (n["slot_offset"]) u.slot_offset = get_int(n["slot_offset"], join(path, "slot_offset"));
}

void parse_impairments(const YAML::Node& n, ScenarioImpairments& imp) {
  const std::string path = "impairments";
  expect_map(n, path);
  check_keys(n, path, {"loss", "duplicate", "reorder", "late", "corrupt"});
  if (n["loss"]) imp.loss = get_double(n["loss"], "impairments.loss");
  if (n["duplicate"]) imp.duplicate = get_double(n["duplicate"], "impairments.duplicate");
  if (n["reorder"]) imp.reorder = get_double(n["reorder"], "impairments.reorder");
  if (n["late"]) imp.late = get_double(n["late"], "impairments.late");
  if (n["corrupt"]) imp.corrupt = get_double(n["corrupt"], "impairments.corrupt");
}

Scenario parse_root(const YAML::Node& root) {
  Scenario s;
  if (!root.IsMap()) throw ParseError{fmt::format("scenario: the document is {}, expected a mapping", kind(root))};
  check_keys(root, "", {"cell", "fronthaul", "slots", "seed", "ues", "impairments"});
  if (!root["cell"]) fail("cell", "is required");
  parse_cell(root["cell"], s.cell);
  if (root["fronthaul"]) parse_fronthaul(root["fronthaul"], s.fronthaul);
  if (root["slots"]) s.slots = get_long(root["slots"], "slots");
  if (root["seed"]) s.seed = get_u64(root["seed"], "seed");
  if (!root["ues"]) fail("ues", "is required");
  const YAML::Node ues = root["ues"];
  if (!ues.IsSequence() || ues.size() == 0) fail("ues", "expected a non-empty list of UEs");
  for (std::size_t i = 0; i < ues.size(); ++i) {
    ScenarioUe u;
    parse_ue(ues[i], fmt::format("ues[{}]", i), u);
    s.ues.push_back(u);
  }
  if (root["impairments"]) parse_impairments(root["impairments"], s.impairments);
  return s;
}

// Highest MCS index of the table that has a code rate (the rows above are reserved).
int max_mcs(phy::McsTable table) {
  int max = 0;
  for (int i = 0; i < phy::kMcsIndexCount; ++i) {
    auto e = phy::mcs_lookup(table, i);
    if (e && !e->reserved) max = i;
  }
  return max;
}

Status range(const std::string& path, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) return Error{fmt::format("{}: {} is outside {}..{}", path, value, lo, hi)};
  return Status::ok();
}

}  // namespace

Expected<io::CompressionParams> parse_compression(std::string_view name) {
  const std::string bad = fmt::format(
      "'{}' is not none, bfp<N>, mu_law<N> or block_scaling<N> (N = IQ width 1..16, e.g. bfp9, bfp14, mu_law8)",
      name);
  if (name == "none") return io::CompressionParams{io::CompressionMethod::none, 16};
  struct Prefix {
    std::string_view text;
    io::CompressionMethod method;
  };
  for (const Prefix& p : {Prefix{"bfp", io::CompressionMethod::block_floating_point},
                          Prefix{"mu_law", io::CompressionMethod::mu_law},
                          Prefix{"block_scaling", io::CompressionMethod::block_scaling}}) {
    if (name.substr(0, p.text.size()) != p.text) continue;
    const std::string_view digits = name.substr(p.text.size());
    int width = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), width);
    if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || width < 1 || width > 16) {
      return Error{bad};
    }
    return io::CompressionParams{p.method, width};
  }
  return Error{bad};
}

Status validate(const Scenario& s) {
  const ScenarioCell& c = s.cell;
  for (Status st : {range("cell.numerology", c.numerology, 0, 4), range("cell.prbs", c.prbs, 1, 275),
                    range("cell.rx_antennas", c.rx_antennas, 1, 16),
                    range("cell.tx_antennas", c.tx_antennas == 0 ? c.rx_antennas : c.tx_antennas, 1, 16),
                    range("cell.cell_id", c.cell_id, 0, 1007),
                    range("slots", static_cast<double>(s.slots), 1, 1'000'000)}) {
    if (!st) return st;
  }
  if (c.tdd_pattern.empty() || c.tdd_pattern.size() > 640) {
    return Error{fmt::format("cell.tdd_pattern: '{}' must have 1..640 slots", c.tdd_pattern)};
  }
  for (char ch : c.tdd_pattern) {
    if (ch != 'D' && ch != 'U' && ch != 'S') {
      return Error{fmt::format("cell.tdd_pattern: '{}' has '{}'; use D, U and S only", c.tdd_pattern, ch)};
    }
  }
  const bool any_uplink_ue = std::any_of(s.ues.begin(), s.ues.end(), [](const ScenarioUe& u) { return !u.downlink; });
  if (any_uplink_ue && c.tdd_pattern.find('U') == std::string::npos) {
    return Error{fmt::format("cell.tdd_pattern: '{}' has no U slot to carry PUSCH", c.tdd_pattern)};
  }
  if (has_downlink_ues(s) && c.tdd_pattern.find('D') == std::string::npos) {
    return Error{fmt::format("cell.tdd_pattern: '{}' has no D slot to carry PDSCH", c.tdd_pattern)};
  }
  const int tx_antennas = c.tx_antennas == 0 ? c.rx_antennas : c.tx_antennas;

  const ScenarioFronthaul& f = s.fronthaul;
  if (Status st = io::validate(f.compression); !st) return Error{"fronthaul.compression: " + st.message()};
  if (Status st = f.eaxc_split.validate(); !st) return Error{"fronthaul.eaxc_split: " + st.message()};
  if (std::max(c.rx_antennas, tx_antennas) - 1 > (1 << std::min<int>(f.eaxc_split.ru_port_bits, 16)) - 1) {
    return Error{fmt::format("fronthaul.eaxc_split: {} ru_port bits cannot number {} eAxCs (cell.rx_antennas, "
                             "cell.tx_antennas)",
                             f.eaxc_split.ru_port_bits, std::max(c.rx_antennas, tx_antennas))};
  }
  for (Status st : {range("fronthaul.mtu", f.mtu, 256, 9600), range("fronthaul.ta3_us", f.ta3_us, 0, 10'000),
                    range("fronthaul.t1a_us", f.t1a_us, 71, 428),
                    range("fronthaul.jitter_us", f.jitter_us, 0, 1'000)}) {
    if (!st) return st;
  }
  if (f.iq_scale && !(*f.iq_scale > 0.0F && *f.iq_scale < 1e9F)) {
    return Error{fmt::format("fronthaul.iq_scale: {} must be positive", *f.iq_scale)};
  }

  const ScenarioImpairments& imp = s.impairments;
  const std::pair<const char*, double> probabilities[] = {{"impairments.loss", imp.loss},
                                                          {"impairments.duplicate", imp.duplicate},
                                                          {"impairments.reorder", imp.reorder},
                                                          {"impairments.late", imp.late},
                                                          {"impairments.corrupt", imp.corrupt}};
  double total = 0.0;
  for (const auto& [path, p] : probabilities) {
    if (Status st = range(path, p, 0.0, 1.0); !st) return st;
    total += p;
  }
  if (total > 1.0 + 1e-12) {
    return Error{fmt::format("impairments: the probabilities add up to {} (a packet gets at most one; at most 1)", total)};
  }

  if (s.ues.empty()) return Error{"ues: the scenario has no UE"};
  if (s.ues.size() > 64) return Error{fmt::format("ues: {} UEs; at most 64", s.ues.size())};
  for (std::size_t i = 0; i < s.ues.size(); ++i) {
    const ScenarioUe& u = s.ues[i];
    const std::string p = fmt::format("ues[{}]", i);
    for (Status st : {range(p + ".rnti", u.rnti, 1, 65519), range(p + ".layers", u.layers, 1, 4),
                      range(p + ".dmrs.type", u.dmrs.type, 1, 2),
                      range(p + ".dmrs.additional_position", u.dmrs.additional_position, 0, 3),
                      range(p + ".dmrs.cdm_groups_without_data", u.dmrs.cdm_groups_without_data, 1, 3),
                      range(p + ".snr_db", u.snr_db, -30, 80), range(p + ".doppler_hz", u.doppler_hz, 0, 10'000),
                      range(p + ".period_slots", u.period_slots, 1, 1024)}) {
      if (!st) return st;
    }
    if (u.slot_offset < 0 || u.slot_offset >= u.period_slots) {
      return Error{fmt::format("{}.slot_offset: {} is outside 0..{} (period_slots {})", p, u.slot_offset,
                               u.period_slots - 1, u.period_slots)};
    }
    const int top = max_mcs(u.mcs_table);
    if (u.mcs < 0 || u.mcs > top) {
      return Error{fmt::format("{}.mcs: {} is outside 0..{} for table {}", p, u.mcs, top, phy::to_string(u.mcs_table))};
    }
    if (u.prb_start < 0 || u.prb_size < 1 || u.prb_start + u.prb_size > c.prbs) {
      return Error{fmt::format("{}.prbs: [{}, {}] does not lie within the carrier's {} PRBs (0..{})", p, u.prb_start,
                               u.prb_size, c.prbs, c.prbs - 1)};
    }
    if (!u.downlink && u.layers > c.rx_antennas) {
      return Error{fmt::format("{}.layers: {} is more than cell.rx_antennas {}", p, u.layers, c.rx_antennas)};
    }
    if (u.downlink && u.layers > tx_antennas) {
      return Error{fmt::format("{}.layers: {} is more than cell.tx_antennas {}", p, u.layers, tx_antennas)};
    }
    for (std::size_t j = 0; j < i; ++j) {
      const ScenarioUe& o = s.ues[j];
      if (o.rnti == u.rnti) return Error{fmt::format("{}.rnti: {} is also the rnti of ues[{}]", p, u.rnti, j)};
      if (o.downlink != u.downlink) continue;  // different slots
      // Both transmit in some slot when their offsets agree modulo gcd(periods).
      const int g = std::gcd(u.period_slots, o.period_slots);
      const bool share_slots = (u.slot_offset % g) == (o.slot_offset % g);
      const bool overlap = u.prb_start < o.prb_start + o.prb_size && o.prb_start < u.prb_start + u.prb_size;
      if (share_slots && overlap) {
        return Error{fmt::format("{}.prbs: [{}, {}] overlaps ues[{}].prbs: [{}, {}] in the slots both transmit in", p,
                                 u.prb_start, u.prb_size, j, o.prb_start, o.prb_size)};
      }
    }
    if (u.downlink) {
      if (u.mcs_table != phy::McsTable::qam64 && u.mcs_table != phy::McsTable::qam256 &&
          u.mcs_table != phy::McsTable::qam64_low_se) {
        return Error{fmt::format("{}.mcs_table: {} is not a PDSCH table (qam64, qam256, qam64_low_se)", p,
                                 phy::to_string(u.mcs_table))};
      }
      auto plan = phy::plan_pdsch(ue_pdsch_config(s, static_cast<int>(i), 0));
      if (!plan) return Error{fmt::format("{}: {}", p, plan.error().message)};
      continue;
    }
    auto plan = phy::plan_pusch(ue_pusch_config(s, static_cast<int>(i), 0));
    if (!plan) return Error{fmt::format("{}: {}", p, plan.error().message)};
    phy::ChannelConfig channel;
    channel.profile = u.channel;
    channel.tx_ports = u.layers;
    channel.rx_ports = c.rx_antennas;
    channel.max_doppler_hz = u.doppler_hz;
    if (Status st = channel.validate(); !st) return Error{fmt::format("{}.channel: {}", p, st.message())};
    if (auto model = phy::make_channel(channel); !model) {
      return Error{fmt::format("{}.channel: '{}': {}", p, u.channel, model.error().message)};
    }
  }

  auto fronthaul = scenario_fronthaul_config(s, f.iq_scale.value_or(4096.0F));
  if (!fronthaul) return Error{"fronthaul: " + fronthaul.error().message};
  if (auto packer = io::UplanePacker::create(*fronthaul); !packer) return Error{"fronthaul: " + packer.error().message};
  return Status::ok();
}

Expected<Scenario> parse_scenario(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("not valid YAML: line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg)};
  }
  Scenario s;
  try {
    s = parse_root(root);
  } catch (const ParseError& e) {
    return Error{e.message};
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("line {}: {}", e.mark.line + 1, e.msg)};
  }
  if (Status st = validate(s); !st) return st.error();
  return s;
}

Expected<Scenario> load_scenario(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("{}: cannot open", path.string())};
  std::stringstream text;
  text << in.rdbuf();
  auto s = parse_scenario(text.str());
  if (!s) return Error{fmt::format("{}: {}", path.string(), s.error().message)};
  return s;
}

bool is_uplink_slot(const Scenario& s, long long slot_index) {
  const auto& p = s.cell.tdd_pattern;
  return p[static_cast<std::size_t>(slot_index % static_cast<long long>(p.size()))] == 'U';
}

bool is_downlink_slot(const Scenario& s, long long slot_index) {
  const auto& p = s.cell.tdd_pattern;
  return p[static_cast<std::size_t>(slot_index % static_cast<long long>(p.size()))] == 'D';
}

bool has_downlink_ues(const Scenario& s) {
  return std::any_of(s.ues.begin(), s.ues.end(), [](const ScenarioUe& u) { return u.downlink; });
}

bool ue_transmits(const ScenarioUe& ue, long long direction_slot_number) {
  return direction_slot_number % ue.period_slots == ue.slot_offset;
}

namespace {

// What a UE's PUSCH and PDSCH configurations share: the whole slot over the carrier as the BWP,
// the UE's PRBs, layers, DMRS and MCS, DMRS and data scrambling by the cell id.
template <typename Config>
Config ue_shared_channel_config(const Scenario& s, int ue, int slot_in_frame) {
  const ScenarioUe& u = s.ues[static_cast<std::size_t>(ue)];
  Config c;
  c.n_cell_id = s.cell.cell_id;
  c.slot_number = slot_in_frame;
  c.numerology = s.cell.numerology;
  c.bwp_start = 0;
  c.bwp_size = s.cell.prbs;
  c.rb_start = u.prb_start;
  c.rb_size = u.prb_size;
  c.start_symbol = 0;
  c.num_symbols = phy::kSymbolsPerSlot;
  c.rnti = static_cast<std::uint16_t>(u.rnti);
  c.num_layers = u.layers;
  c.dmrs.config_type = u.dmrs.type;
  c.dmrs.additional_position = u.dmrs.additional_position;
  c.dmrs.num_cdm_groups_without_data = u.dmrs.cdm_groups_without_data;
  c.dmrs.n_id = {static_cast<std::uint16_t>(s.cell.cell_id), static_cast<std::uint16_t>(s.cell.cell_id)};
  c.mcs_table = u.mcs_table;
  c.mcs_index = u.mcs;
  return c;
}

}  // namespace

phy::PdschConfig ue_pdsch_config(const Scenario& s, int ue, int slot_in_frame) {
  return ue_shared_channel_config<phy::PdschConfig>(s, ue, slot_in_frame);
}

phy::PuschConfig ue_pusch_config(const Scenario& s, int ue, int slot_in_frame) {
  auto c = ue_shared_channel_config<phy::PuschConfig>(s, ue, slot_in_frame);
  const ScenarioUe& u = s.ues[static_cast<std::size_t>(ue)];
  c.mapping_type = phy::PuschMappingType::a;
  c.num_antenna_ports = u.layers;
  c.transform_precoding = u.transform_precoding;
  return c;
}

Expected<io::FronthaulConfig> scenario_fronthaul_config(const Scenario& s, float iq_scale) {
  const ScenarioFronthaul& f = s.fronthaul;
  io::FronthaulConfig c;
  c.numerology = s.cell.numerology;
  c.carrier_prbs = s.cell.prbs;
  c.eaxc_split = f.eaxc_split;
  c.eaxc_ids.clear();
  for (int r = 0; r < s.cell.rx_antennas; ++r) {
    auto id = io::encode_eaxc(io::Eaxc{0, 0, 0, static_cast<std::uint16_t>(r)}, f.eaxc_split);
    if (!id) return id.error();
    c.eaxc_ids.push_back(*id);
  }
  for (io::UplaneCompressionConfig* d : {&c.uplane.uplink, &c.uplane.downlink}) {
    d->dynamic = f.dynamic_header;
    d->static_comp = io::make_ud_comp_hdr(f.compression);
  }
  c.direction = io::DataDirection::uplink;
  c.frame.source = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};       // the RU
  c.frame.destination = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // the DU
  if (f.vlan) c.frame.vlan = io::VlanTag{7, false, *f.vlan};
  if (f.udp_port) {
    c.frame.transport = io::FrameTransport::udp_ipv4;
    c.frame.ipv4_source = 0xC0A80102;       // 192.168.1.2 (RU)
    c.frame.ipv4_destination = 0xC0A80101;  // 192.168.1.1 (DU)
    c.frame.udp_source_port = *f.udp_port;
    c.frame.udp_destination_port = *f.udp_port;
    c.frame_parse.udp_port = *f.udp_port;
  }
  const int tx_antennas = s.cell.tx_antennas == 0 ? s.cell.rx_antennas : s.cell.tx_antennas;
  for (int t = 0; t < tx_antennas; ++t) {
    auto id = io::encode_eaxc(io::Eaxc{0, 0, 0, static_cast<std::uint16_t>(t)}, f.eaxc_split);
    if (!id) return id.error();
    c.downlink_eaxc_ids.push_back(*id);
  }
  c.iq_scale = iq_scale;
  c.mtu = f.mtu;
  if (Status st = c.validate(); !st) return st.error();
  return c;
}

}  // namespace airan::tools

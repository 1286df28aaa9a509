// `airan inspect TRACE`: an O-RAN-aware summary of a pcap/pcapng capture, the first thing a lab
// runs on a capture from its own RU. The work is the library function inspect_capture(), which
// later commands (`airan replay`) reuse; the command prints its InspectReport as a table or as
// JSON.
//
// The capture is read once, streaming: memory is bounded by the number of eAxCs (a few KB of
// state each), not by the number of packets; distributions (inter-packet gaps, reception-window
// delays) go into log-linear histograms (exact below 1024 ns, 0.1 % relative resolution above).
//
// What is counted
//   packets   every record. Ethernet frames whose ethertype is eCPRI (0xAEFE, with or without one
//             VLAN tag) or, with --udp-port P, IPv4/UDP to port P carry eCPRI; everything else
//             (ARP, PTP, LLDP, other UDP...) is non-eCPRI, not an error. Records cut by the
//             capture's snaplen (captured < original length) are counted and not parsed.
//   messages  every eCPRI message (concatenated messages count one each): U-plane (type 0) UL/DL
//             from the dataDirection bit, C-plane (type 2) by section type (1, 3, other types
//             such as 0/5/6/7 are counted, not parsed), one-way delay measurement (type 5), other
//             eCPRI types. Malformed: whatever the codec rejects (io::CodecError names) plus
//             "bad_radio_time" (subframe > 9, slot >= 2^mu or symbol > 13 in a U-plane header).
//   eAxC      per eAxC id: messages, U-plane sections, PRB coverage, compression, SeqId
//             statistics (per eAxC, plane and direction: each is its own SeqId stream), slots
//             and missing symbols (per eAxC and direction), BFP exponents.
//   slots     a slot of an eAxC/direction is closed when 8 newer slots of that stream were seen
//             or at the end; its symbols seen go to symbols_per_slot, 14 minus them to
//             missing_symbols, except for the first and last slot of a stream when the capture
//             merely starts or ends inside it (edge_partial_slots).
//   window    uplink U-plane messages only (the O-DU's Ta4 reception window, as the slot
//             assembler uses it): delay = arrival timestamp - air time of the message's symbol
//             - frame-0 reference, on the 2.56 s frameId cycle. The reference (--time-reference):
//               min    (default) the earliest message is aligned to Ta4_min: no message is
//                      early and late ones show the jitter that does not fit the window;
//               first  the first uplink message sits mid-window, as SlotAssembler infers it;
//               gps    frame 0 starts every 2.56 s from the GPS epoch (timestamps are UTC;
//                      --gps-leap-seconds, default 18): for captures from a PTP-synced host.
//             Early: delay < Ta4_min; late: delay > Ta4_max; on time: the rest.
//   BFP       every PRB of every BFP section: its exponent (udCompParam low 4 bits), whether it
//             is at the largest exponent its width allows (16 - iqWidth: the signal reaches full
//             scale) and whether it decompresses to all zeros. The hint says "saturated" when at
//             least 10 % of PRBs are at the largest exponent, "low_level" when at least 90 %
//             have exponent 0, otherwise "ok" ("none" without BFP).
//
// Compression (--static-comp-header / --dynamic-comp-header, --ud-comp): by default it is
// detected per eAxC and direction from the first U-plane message that parses: with the
// udCompHdr (dynamic), else static with --ud-comp, else static with the width that the first
// section's payload size implies (3*w bytes per PRB: none, 3*w+1: BFP). With static compression
// configured, messages whose payload does not match it are counted in size_mismatch and their
// bytes per PRB (when one section makes it computable) in mismatch_bytes_per_prb. Without
// --carrier-prbs, a first section with numPrb = 0 ("every PRB from startPrb") is resolved with the
// carrier that its payload exactly fills (reported as prb.carrier_inferred; with no compression
// known either, BFP and uncompressed widths are tried, BFP 9 first).
//
// JSON layout (--json; keys stable, snake_case; counts are integers, times in ns; a map keyed by a
// number has the number as a decimal string key):
// {
//   "file": "path", "format": "pcap"|"pcapng", "link_type": 1,
//   "complete": bool,                 // false: the capture is truncated or corrupt
//   "read_error": string|null,        // the reader's error (file, byte offset, record index)
//   "passed": bool,                   // complete and no malformed message
//   "options": {"eaxc_split": [4,4,4,4], "comp_header": "auto"|"static"|"dynamic",
//               "ud_comp": "bfp9"|null, "carrier_prbs": int|null, "numerology": int,
//               "udp_port": int|null, "ta4_min_ns": int, "ta4_max_ns": int,
//               "time_reference": "min"|"first"|"gps"},
//   "packets": {"total", "ecpri", "ecpri_ethernet", "ecpri_vlan", "ecpri_udp", "non_ecpri",
//               "snaplen_truncated", "malformed"},          // malformed: frames with >= 1 error
//   "messages": {"total", "uplane_ul", "uplane_dl", "cplane_type_1", "cplane_type_3",
//                "cplane_other", "delay_measurement", "other_ecpri", "malformed"},
//   "malformed_by_code": {"truncated_section": n, ...},       // only codes that occurred
//   "eaxcs": [{                                               // sorted by eaxc_id
//       "eaxc_id": int, "du_port", "band_sector", "cc", "ru_port",
//       "messages", "uplane_ul", "uplane_dl", "cplane", "malformed", "sections",
//       "prb": {"carrier_inferred": int|null,  // without --carrier-prbs: what numPrb = 0 implied
//               "start_min": int|null, "start_max": int|null, "end_max": int|null,
//               "num_prb": {"51": n},            // sections by numPrb
//               "prbs_per_symbol": {"51": n},    // symbols by distinct PRBs received
//               "symbols": n, "symbols_full": n, // symbols covering 0..carrier-1 (carrier:
//                                                // --carrier-prbs, else inferred, else end_max)
//               "duplicate_prbs": n},
//       "compression": {"uplink": {"mode": "dynamic"|"static"|"unknown", "detected": bool,
//                                  "static": "bfp9"|null}|null,
//                       "downlink": (same)|null,
//                       "ud_comp_hdr": {"0x91": n},   // dynamic sections by raw udCompHdr
//                       "methods": {"bfp9": n},       // every section by method and width
//                       "size_mismatch": n, "mismatch_bytes_per_prb": {"28": n}},
//       "sequence": {"gaps": n, "missing": n, "duplicates": n, "reordered": n},
//       "slots": n, "missing_symbols": n, "edge_partial_slots": n,
//       "bfp_exponents": [16 counts]}],
//   "radio_time": {"first": {"frame","subframe","slot","symbol"}|null, "last": (same)|null,
//                  "slots": n,                       // slot occurrences with U-plane
//                  "symbols_per_slot": {"14": n},    // per eAxC/direction slot
//                  "missing_symbols": n, "edge_partial_slots": n,
//                  "missing_examples": [{"eaxc_id", "direction": "ul"|"dl", "frame",
//                                        "subframe", "slot", "symbols": [..]}]},  // first 16
//   "timing": {"first_timestamp_ns": int|null, "last_timestamp_ns": int|null,
//              "duration_ns": int, "packets_per_second": float, "timestamp_reversals": n,
//              "inter_packet_gap_ns": {"min","median","p99","max"}|null,
//              "reception_window": {"direction": "uplink", "reference": "min"|"first"|"gps",
//                                   "ta4_min_ns", "ta4_max_ns", "messages", "early", "on_time",
//                                   "late", "delay_ns": {"min","median","p99","max"}|null}},
//   "bfp": {"prbs": n, "exponent_histogram": [16 counts], "at_max_exponent": n,
//           "zero_prbs": n, "decompress_errors": n, "hint": "none"|"ok"|"saturated"|"low_level"}
// }
//
// Exit codes: 0 ok; 1 malformed O-RAN messages, or a truncated/corrupt capture (the report
// covers what was read and names the error); 2 usage or input error (missing file, not a
// capture, not Ethernet, bad options).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/io/compression.hpp"
#include "airan/io/oran/ecpri.hpp"
#include "airan/io/oran/ethernet.hpp"
#include "airan/io/oran/uplane.hpp"
#include "airan/phy/expected.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

enum class CompHeaderMode { auto_detect, static_header, dynamic_header };
enum class TimeReference { min_delay, first_packet, gps };

struct InspectOptions {
  io::EaxcSplit eaxc_split;
  CompHeaderMode comp_header = CompHeaderMode::auto_detect;
  std::optional<io::CompressionParams> ud_comp;  // static compression (or the auto guess)
  int carrier_prbs = 0;                          // 0: unknown (inferred from numPrb = 0 sections)
  int numerology = 1;
  int udp_port = 0;                              // 0: eCPRI over UDP not looked for
  std::int64_t ta4_min_ns = 0;
  std::int64_t ta4_max_ns = 300'000;
  TimeReference time_reference = TimeReference::min_delay;
  int gps_leap_seconds = 18;
  Status validate() const;
};

// "none" (16 bits), "noneN", "bfpN", "bsN" (block scaling), "mulawN"; N = iqWidth 1..16.
Expected<io::CompressionParams> parse_ud_comp(const std::string& text);
std::string to_string(const io::CompressionParams& params);  // the same names
// "A,B,C,D" bit widths summing to 16.
Expected<io::EaxcSplit> parse_eaxc_split(const std::string& text);

// min / median / p99 / max of a distribution; valid = false when empty.
struct Distribution {
  bool valid = false;
  std::int64_t min = 0;
  std::int64_t median = 0;
  std::int64_t p99 = 0;
  std::int64_t max = 0;
};

struct SequenceStats {
  std::uint64_t gaps = 0;        // jumps forward over at least one SeqId
  std::uint64_t missing = 0;     // SeqIds jumped over and never received later
  std::uint64_t duplicates = 0;  // SeqId received again (within the last 128)
  std::uint64_t reordered = 0;   // SeqId received after a later one
};

struct CompressionSeen {
  bool present = false;  // messages of this direction were seen
  std::string mode = "unknown";  // "dynamic", "static", "unknown"
  bool detected = false;         // decided by auto-detection
  std::optional<io::CompressionParams> static_comp;
};

struct EaxcReport {
  std::uint16_t eaxc_id = 0;
  io::Eaxc fields;
  std::uint64_t messages = 0;
  std::uint64_t uplane_ul = 0;
  std::uint64_t uplane_dl = 0;
  std::uint64_t cplane = 0;
  std::uint64_t malformed = 0;
  std::uint64_t sections = 0;
  // PRBs (U-plane sections).
  int start_prb_min = -1;
  int start_prb_max = -1;
  int end_prb_max = -1;  // max startPrb + numPrb
  int carrier_prbs_inferred = 0;  // carrier unknown: the one a numPrb = 0 section filled (0: none)
  std::map<int, std::uint64_t> num_prb;
  std::map<int, std::uint64_t> prbs_per_symbol;
  std::uint64_t symbols = 0;
  std::uint64_t symbols_full = 0;
  std::uint64_t duplicate_prbs = 0;
  // Compression.
  CompressionSeen comp_ul;
  CompressionSeen comp_dl;
  std::map<int, std::uint64_t> ud_comp_hdr;         // raw byte -> dynamic sections
  std::map<std::string, std::uint64_t> methods;     // "bfp9" -> sections
  std::uint64_t size_mismatch = 0;
  std::map<int, std::uint64_t> mismatch_bytes_per_prb;
  SequenceStats sequence;
  std::uint64_t slots = 0;
  std::uint64_t missing_symbols = 0;
  std::uint64_t edge_partial_slots = 0;
  std::array<std::uint64_t, 16> bfp_exponents{};
};

struct RadioPoint {
  int frame = 0;
  int subframe = 0;
  int slot = 0;
  int symbol = 0;
};

struct MissingSymbolsExample {
  std::uint16_t eaxc_id = 0;
  io::DataDirection direction = io::DataDirection::uplink;
  int frame = 0;
  int subframe = 0;
  int slot = 0;
  std::vector<int> symbols;
};

struct InspectReport {
  std::string path;
  std::string format;  // "pcap" or "pcapng"
  std::uint32_t link_type = 0;
  bool complete = true;
  std::string read_error;
  InspectOptions options;

  // Packets (records).
  std::uint64_t packets = 0;
  std::uint64_t ecpri_frames = 0;
  std::uint64_t ecpri_ethernet = 0;  // untagged
  std::uint64_t ecpri_vlan = 0;
  std::uint64_t ecpri_udp = 0;
  std::uint64_t non_ecpri = 0;
  std::uint64_t snaplen_truncated = 0;
  std::uint64_t malformed_packets = 0;
  // eCPRI messages.
  std::uint64_t messages = 0;
  std::uint64_t uplane_ul = 0;
  std::uint64_t uplane_dl = 0;
  std::uint64_t cplane_type_1 = 0;
  std::uint64_t cplane_type_3 = 0;
  std::uint64_t cplane_other = 0;
  std::uint64_t delay_measurement = 0;
  std::uint64_t other_ecpri = 0;
  std::uint64_t malformed_messages = 0;
  io::CodecCounters malformed_by_code;  // ok slot unused
  std::uint64_t bad_radio_time = 0;     // also in malformed_messages
  std::uint64_t malformed_total() const;  // every counted error (frame and message level)

  std::vector<EaxcReport> eaxcs;  // sorted by id

  // Radio time (U-plane).
  std::optional<RadioPoint> first_radio_time;
  std::optional<RadioPoint> last_radio_time;
  std::uint64_t slots = 0;
  std::map<int, std::uint64_t> symbols_per_slot;
  std::uint64_t missing_symbols = 0;
  std::uint64_t edge_partial_slots = 0;
  std::vector<MissingSymbolsExample> missing_examples;  // the first 16

  // Timing.
  std::optional<std::uint64_t> first_timestamp_ns;
  std::optional<std::uint64_t> last_timestamp_ns;
  std::uint64_t duration_ns = 0;
  double packets_per_second = 0.0;
  std::uint64_t timestamp_reversals = 0;  // a record older than the one before it
  Distribution inter_packet_gap_ns;
  std::uint64_t window_messages = 0;
  std::uint64_t early = 0;
  std::uint64_t on_time = 0;
  std::uint64_t late = 0;
  Distribution delay_ns;

  // BFP.
  std::uint64_t bfp_prbs = 0;
  std::array<std::uint64_t, 16> bfp_exponents{};
  std::uint64_t bfp_at_max_exponent = 0;
  std::uint64_t bfp_zero_prbs = 0;
  std::uint64_t bfp_decompress_errors = 0;
  std::string bfp_hint = "none";

  // Complete and without malformed messages (the command's exit 0).
  bool passed() const { return complete && malformed_total() == 0; }
};

// Reads the capture at `path` and summarises it. An Error (exit 2) when the file cannot be
// opened as a capture, is not Ethernet, or the options are invalid; a capture that is truncated
// or corrupt part-way gives a report with complete = false and read_error set. `progress`, when
// given, is called now and then with the approximate number of bytes read.
Expected<InspectReport> inspect_capture(const std::string& path, const InspectOptions& options,
                                        const std::function<void(std::uint64_t)>& progress = {});

nlohmann::json to_json(const InspectReport& report);
void print_inspect_report(const InspectReport& report, std::ostream& out);

void add_inspect_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools

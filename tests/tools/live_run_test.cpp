// `airan run`: live reception through DPDK net_af_packet on a veth pair, fed by
// `airan ru-emu --tx` from another process (each with its own EAL). Needs root and iproute2 to
// create the veth pair; skips with the reason otherwise. The pair lives in the root network
// namespace (a namespace would need the receiving process started inside it) with unique
// names per test process, and is deleted on every path.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools_test_support.hpp"

namespace airan::tools {
namespace {

using test_support::kScenarioDir;
using test_support::run_airan;
using test_support::read_text;
using test_support::TempDir;
namespace fs = std::filesystem;

// Runs a shell command quietly; its output goes to `output` when given.
int shell(const std::string& command, std::string* output = nullptr) {
  const std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
  const int status = pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A veth pair a <-> b with end a in its own network namespace (the RU's side) and b in ours
// (the DU's): both up, MTU 9000, IPv6 off (no router solicitations or other frames of the
// kernel's own on the wire). The namespace and the pair go when the object goes.
class VethPair {
 public:
  VethPair()
      : ns_(fmt::format("airan{}", ::getpid())), a_(fmt::format("ar{}a", ::getpid())), b_(fmt::format("ar{}b", ::getpid())) {
    // Leftovers of a killed run with this pid.
    (void)shell("ip netns del " + ns_);
    (void)shell("ip link del " + b_);
    if (!run(fmt::format("ip netns add {}", ns_))) return;
    ns_created_ = true;
    if (!run(fmt::format("ip link add {} type veth peer name {}", a_, b_))) return;
    pair_created_ = true;
    if (!run(fmt::format("ip link set {} netns {}", a_, ns_))) return;
    (void)shell(fmt::format("ip netns exec {} sysctl -qw net.ipv6.conf.{}.disable_ipv6=1", ns_, a_));
    (void)shell(fmt::format("sysctl -qw net.ipv6.conf.{}.disable_ipv6=1", b_));
    if (!run(fmt::format("ip -n {} link set {} mtu 9000 up", ns_, a_))) return;
    (void)run(fmt::format("ip link set {} mtu 9000 up", b_));
  }
  ~VethPair() {
    if (pair_created_) (void)shell("ip link del " + b_);
    if (ns_created_) (void)shell("ip netns del " + ns_);
  }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& ns() const { return ns_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }

 private:
  bool run(const std::string& command) {
    std::string out;
    if (shell(command, &out) == 0) return true;
    error_ = command + ": " + out;
    return false;
  }
  std::string ns_, a_, b_, error_;
  bool ns_created_ = false;
  bool pair_created_ = false;
};

// Runs a command; stdout to `output`, stderr dropped. Returns the exit status.
int shell_stdout(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return -1;
  output.clear();
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(LiveRun, DemoTraceOverAVethPairFromANetnsDecodesEveryTb) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace and a veth pair (running as uid " << ::geteuid() << ")";
  if (shell("command -v ip") != 0) GTEST_SKIP() << "the ip command (iproute2) is not installed";
  VethPair veth;
  if (!veth.ok()) GTEST_SKIP() << "cannot set up the namespace and veth pair: " << veth.error();

  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  const auto emulated = run_airan(fmt::format("ru-emu {} -o {} --json", (kScenarioDir / "demo.yaml").string(),
                                              trace.string()),
                                  false);
  ASSERT_EQ(emulated.exit_code, 0) << emulated.output;
  const auto emu = nlohmann::json::parse(emulated.output);
  const long long packets = emu["packets"].get<long long>();
  const long long pdus = emu["pdus"].get<long long>();
  // This test is about the receive path, not about this host's scheduling: a 100 ms reception
  // window keeps a loaded CI machine's pauses of a few ms from counting packets late.
  {
    const fs::path cell_path = dir.path() / "demo.cell.json";
    auto cell = nlohmann::json::parse(read_text(cell_path));
    cell["ta4_min_us"] = 0.0;
    cell["ta4_max_us"] = 100000.0;
    std::ofstream(cell_path) << cell.dump(2) << "\n";
  }

  // The receiver in the background: stdout (the JSON report), stderr and the exit status to files.
  const fs::path out = dir.path() / "run.json";
  const fs::path err = dir.path() / "run.err";
  const fs::path rc = dir.path() / "run.rc";
  const std::string run_command = fmt::format(
      "{} run --port net_af_packet0,iface={} --cell {} --plan {} --idle-timeout 1 --duration 60 --json >{} 2>{}; "
      "echo $? >{}",
      AIRAN_BINARY, veth.b(), (dir.path() / "demo.cell.json").string(), (dir.path() / "demo.plan.jsonl").string(),
      out.string(), err.string(), rc.string());
  FILE* run = popen(run_command.c_str(), "r");
  ASSERT_NE(run, nullptr) << run_command;
  // Wait until it receives (EAL start, port open), or it has exited.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_text(err).find("receiving on") == std::string::npos && !fs::exists(rc) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool receiving = read_text(err).find("receiving on") != std::string::npos;

  std::string sent_output;
  int sent_exit = -1;
  if (receiving) {
    // The RU side sends from inside its namespace.
    sent_exit = shell_stdout(
        fmt::format("ip netns exec {} {} ru-emu {} -o {} --tx net_af_packet1,iface={} --tx-speed realtime --json",
                    veth.ns(), AIRAN_BINARY, (kScenarioDir / "demo.yaml").string(), (dir.path() / "tx.pcap").string(),
                    veth.a()),
        sent_output);
  }
  pclose(run);  // returns once the receiver stopped: 1 s after the last frame, or 60 s
  const std::string run_err = read_text(err);
  ASSERT_TRUE(receiving) << "airan run did not start receiving:\n" << run_err;
  ASSERT_EQ(sent_exit, 0) << sent_output;
  const auto tx = nlohmann::json::parse(sent_output)["tx"];
  EXPECT_EQ(tx["sent"].get<long long>(), packets) << tx.dump();

  ASSERT_EQ(std::stoi(read_text(rc)), 0) << run_err << read_text(out);
  const auto r = nlohmann::json::parse(read_text(out));
  SCOPED_TRACE(r.dump(2));
  EXPECT_EQ(r["stopped_by"], "idle-timeout");
  // Frames of the kernel's own (none expected with IPv6 off) count as not O-RAN and are left out.
  EXPECT_EQ(r["packets"]["total"].get<long long>() - r["packets"]["not_oran"].get<long long>(), packets);
  EXPECT_EQ(r["packets"]["lost"], 0);
  EXPECT_EQ(r["packets"]["late"], 0);
  EXPECT_EQ(r["packets"]["malformed"], 0);
  EXPECT_EQ(r["packets"]["oversize"], 0);
  EXPECT_EQ(r["tbs"]["scheduled"].get<long long>(), pdus);
  EXPECT_EQ(r["tbs"]["crc_pass"].get<long long>(), pdus);
}

TEST(LiveRun, UsageErrorsNameWhatIsWrong) {
  TempDir dir;
  const auto no_port = run_airan("run --cell c.json --plan p.jsonl");
  EXPECT_EQ(no_port.exit_code, 2);
  EXPECT_NE(no_port.output.find("--port"), std::string::npos) << no_port.output;

  const fs::path trace = dir.path() / "demo.pcap";
  ASSERT_EQ(run_airan(fmt::format("ru-emu {} -o {}", (kScenarioDir / "demo.yaml").string(), trace.string())).exit_code,
            0);
  const std::string files =
      fmt::format("--cell {} --plan {}", (dir.path() / "demo.cell.json").string(), (dir.path() / "demo.plan.jsonl").string());
  const auto bad_port = run_airan("run --port eth0 " + files);
  EXPECT_EQ(bad_port.exit_code, 2);
  EXPECT_NE(bad_port.output.find("--port eth0: neither a PCI address"), std::string::npos) << bad_port.output;
  const auto bad_cell = run_airan("run --port net_null0 --cell /no/such.json --plan x.jsonl");
  EXPECT_EQ(bad_cell.exit_code, 2);
  EXPECT_NE(bad_cell.output.find("--cell"), std::string::npos) << bad_cell.output;
  const auto bad_duration = run_airan("run --port net_null0 --duration -1 " + files);
  EXPECT_EQ(bad_duration.exit_code, 2);
  EXPECT_NE(bad_duration.output.find("--duration -1"), std::string::npos) << bad_duration.output;
  const auto bad_speed = run_airan(fmt::format("ru-emu {} -o {} --tx net_null0 --tx-speed warp",
                                               (kScenarioDir / "demo.yaml").string(), trace.string()));
  EXPECT_EQ(bad_speed.exit_code, 2);
  EXPECT_NE(bad_speed.output.find("--tx-speed warp"), std::string::npos) << bad_speed.output;
  EXPECT_EQ(run_airan("run --help").exit_code, 0);
}

// net_ring receives nothing (nothing sends to it): --duration ends the run, the report still
// comes, and the exit status says the plan's TBs did not pass (their slots never came).
TEST(LiveRun, DurationEndsARunWithoutTrafficAndTheReportSaysSo) {
  TempDir dir;
  const fs::path trace = dir.path() / "demo.pcap";
  ASSERT_EQ(run_airan(fmt::format("ru-emu {} -o {}", (kScenarioDir / "demo.yaml").string(), trace.string())).exit_code,
            0);
  const auto r = run_airan(fmt::format("run --port net_ring0 --cell {} --plan {} --duration 0.3 --json",
                                       (dir.path() / "demo.cell.json").string(),
                                       (dir.path() / "demo.plan.jsonl").string()),
                           false);
  if (r.exit_code == 2) GTEST_SKIP() << "DPDK cannot start here: " << r.output;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["stopped_by"], "duration");
  EXPECT_EQ(j["packets"]["total"], 0);
  EXPECT_EQ(j["tbs"]["crc_pass"], 0);
  EXPECT_GT(j["tbs"]["missing_slot"].get<long long>(), 0);
}

}  // namespace
}  // namespace airan::tools

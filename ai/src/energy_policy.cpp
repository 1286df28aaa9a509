#include "airan/ai/energy_policy.hpp"
#include "airan/ai/learned_predictor.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace airan::ai {

std::optional<std::string> PolicyCell::validate() const {
  if (slot_duration_ns <= 0) return fmt::format("slot_duration_ns {} must be > 0", slot_duration_ns);
  if (total_prbs < 1) return fmt::format("total_prbs {} must be >= 1", total_prbs);
  if (total_antennas < 1) return fmt::format("total_antennas {} must be >= 1", total_antennas);
  if (control_symbols < 0 || control_symbols > kSymbolsPerSlot)
    return fmt::format("control_symbols {} must be within 0..{}", control_symbols, kSymbolsPerSlot);
  if (pattern.empty()) return std::string("pattern must hold at least one slot");
  return std::nullopt;
}

std::optional<std::string> TimerSleepConfig::validate() const {
  if (idle_slots_before_light < 1)
    return fmt::format("timer-sleep idle_slots_before_light {} must be >= 1", idle_slots_before_light);
  if (idle_slots_before_deep != 0 && idle_slots_before_deep < idle_slots_before_light)
    return fmt::format("timer-sleep idle_slots_before_deep {} must be 0 (never) or >= idle_slots_before_light {}",
                       idle_slots_before_deep, idle_slots_before_light);
  return std::nullopt;
}

std::optional<std::string> AntennaMutingConfig::validate() const {
  if (!(load_threshold >= 0.0 && load_threshold <= 1.0))
    return fmt::format("antenna-muting load_threshold {} must be within [0, 1]", load_threshold);
  if (muted_antennas < 1) return fmt::format("antenna-muting muted_antennas {} must be >= 1", muted_antennas);
  return std::nullopt;
}

std::optional<std::string> PredictiveConfig::validate() const {
  if (wake_margin_slots < 0) return fmt::format("ai wake_margin_slots {} must be >= 0", wake_margin_slots);
  if (deadline_margin_slots < 0) return fmt::format("ai deadline_margin_slots {} must be >= 0", deadline_margin_slots);
  if (!(unpredictable_spread_share > 0.0))
    return fmt::format("ai unpredictable_spread_share {} must be > 0", unpredictable_spread_share);
  if (!(antenna_fill >= 0.0 && antenna_fill <= 1.0))
    return fmt::format("ai antenna_fill {} must be within [0, 1]", antenna_fill);
  return std::nullopt;
}

namespace {

bool carries(const SlotKind& kind, Direction d) {
  return d == Direction::downlink ? kind.downlink_data : kind.uplink_data;
}

// A ledger in a sleep period shorter than its minimum must stay there.
bool must_keep_sleeping(const SlotObservation& slot, const PolicyCell& cell) {
  return slot.ledger_state != RadioState::active &&
         slot.slots_in_state < cell.minimum_sleep_slots[static_cast<int>(slot.ledger_state)];
}

EnergyDecision keep_sleeping(const SlotObservation& slot) {
  EnergyDecision d;
  d.state = slot.ledger_state;
  d.schedule = false;
  return d;
}

// Data for the slot's data direction: buffered bytes or a retransmission.
struct SlotLoad {
  bool has_data = false;
  int prbs_needed = 0;
};
SlotLoad load_of(const SlotObservation& slot) {
  SlotLoad load;
  for (const LinkObservation& link : slot.links) {
    if (!carries(slot.kind, link.direction)) continue;
    load.has_data = true;
    load.prbs_needed += link.prbs_needed;
  }
  return load;
}

class AlwaysOnPolicy final : public EnergyPolicy {
 public:
  std::string_view name() const override { return "always-on"; }
  std::string parameters() const override { return ""; }
  void reset(const PolicyCell&, std::span<const FlowConfig>) override {}
  EnergyDecision decide(const SlotObservation&) override { return EnergyDecision{}; }
};

// Micro sleep in slots with nothing to send; SR occasions listen with symbol DTX. Optionally
// antennas muted at low load (the antenna-muting baseline is this with a threshold).
class MicroSleepPolicy : public EnergyPolicy {
 public:
  explicit MicroSleepPolicy(std::optional<AntennaMutingConfig> muting = std::nullopt) : muting_(muting) {}
  std::string_view name() const override { return muting_ ? "antenna-muting" : "micro-sleep"; }
  std::string parameters() const override {
    if (!muting_) return "";
    return fmt::format("load_threshold={} muted_antennas={}", muting_->load_threshold, muting_->muted_antennas);
  }
  void reset(const PolicyCell& cell, std::span<const FlowConfig>) override { cell_ = cell; }
  EnergyDecision decide(const SlotObservation& slot) override {
    EnergyDecision d;
    d.symbol_dtx = true;
    const SlotLoad load = load_of(slot);
    if (!load.has_data && !slot.kind.listens_uplink) {
      d.state = RadioState::micro_sleep;
      d.schedule = false;
      return d;
    }
    if (muting_ && static_cast<double>(load.prbs_needed) < muting_->load_threshold * cell_.total_prbs) {
      d.active_antennas = muting_->muted_antennas;
    }
    return d;
  }

 protected:
  std::optional<AntennaMutingConfig> muting_;
  PolicyCell cell_;
};

// Micro sleep as above, plus an inactivity timer: after N consecutive slots without any data
// (either direction), light sleep for its minimum period; after M, deep sleep for its minimum.
// The radio then wakes and listens, and the timer goes on counting idle slots.
class TimerSleepPolicy final : public EnergyPolicy {
 public:
  explicit TimerSleepPolicy(const TimerSleepConfig& config) : config_(config) {}
  std::string_view name() const override { return "timer-sleep"; }
  std::string parameters() const override {
    return config_.idle_slots_before_deep == 0
               ? fmt::format("light_after={} deep_after=never", config_.idle_slots_before_light)
               : fmt::format("light_after={} deep_after={}", config_.idle_slots_before_light,
                             config_.idle_slots_before_deep);
  }
  void reset(const PolicyCell& cell, std::span<const FlowConfig>) override {
    cell_ = cell;
    idle_slots_ = 0;
  }
  EnergyDecision decide(const SlotObservation& slot) override {
    if (must_keep_sleeping(slot, cell_)) return keep_sleeping(slot);
    idle_slots_ = slot.links.empty() ? idle_slots_ + 1 : 0;
    const bool woke_from_long_sleep =
        slot.ledger_state == RadioState::light_sleep || slot.ledger_state == RadioState::deep_sleep;
    if (!woke_from_long_sleep && slot.links.empty()) {
      EnergyDecision d;
      d.schedule = false;
      if (config_.idle_slots_before_deep > 0 && idle_slots_ >= config_.idle_slots_before_deep) {
        d.state = RadioState::deep_sleep;
        return d;
      }
      if (idle_slots_ >= config_.idle_slots_before_light) {
        d.state = RadioState::light_sleep;
        return d;
      }
    }
    // Below the timers (or just woken to listen): the micro-sleep behaviour.
    EnergyDecision d;
    d.symbol_dtx = true;
    if (!load_of(slot).has_data && !slot.kind.listens_uplink && !woke_from_long_sleep) {
      d.state = RadioState::micro_sleep;
      d.schedule = false;
    }
    return d;
  }

 private:
  TimerSleepConfig config_;
  PolicyCell cell_;
  std::int64_t idle_slots_ = 0;
};

// The predictive policy; see energy_policy.hpp and docs/energy.md ("Policies").
class PredictivePolicy final : public EnergyPolicy {
 public:
  PredictivePolicy(const PredictiveConfig& config, ArrivalPredictor& predictor, std::string name)
      : config_(config), predictor_(predictor), name_(std::move(name)) {}

  std::string_view name() const override { return name_; }
  std::string parameters() const override {
    return fmt::format("predictor={} wake_margin={} deadline_margin={} antenna_fill={}", predictor_.name(),
                       config_.wake_margin_slots, config_.deadline_margin_slots, config_.antenna_fill);
  }

  void reset(const PolicyCell& cell, std::span<const FlowConfig> flows) override {
    cell_ = cell;
    flows_.assign(flows.begin(), flows.end());
    last_listen_slot_ = -1;
    // Data slots of each direction within the next pattern period, for "how many chances are
    // left before this deadline" without scanning slot by slot.
    const auto period = static_cast<std::int64_t>(cell.pattern.size());
    for (int d = 0; d < 2; ++d) {
      data_slots_per_period_[d] = 0;
      for (const SlotKind& k : cell.pattern) data_slots_per_period_[d] += carries(k, static_cast<Direction>(d)) ? 1 : 0;
    }
    std::int64_t listens = 0;
    for (const SlotKind& k : cell.pattern) listens += k.listens_uplink ? 1 : 0;
    // The longest wait for the next SR occasion, in slots.
    longest_listen_gap_ = listens == 0 ? period : (period + listens - 1) / listens + 1;
    // Unpredictable uplink flows are heard within their deadline if the radio listens at least
    // every `budget` slots: the deadline less two SR-occasion gaps (hearing, then a data slot)
    // and the margin.
    flow_listen_budget_.clear();
    for (const FlowConfig& f : flows_) {
      const std::int64_t deadline_slots = f.deadline_ns / cell.slot_duration_ns;
      flow_listen_budget_.push_back(
          std::max<std::int64_t>(1, deadline_slots - 2 * longest_listen_gap_ - config_.deadline_margin_slots));
    }
  }

  void on_arrival_observed(std::uint32_t flow, std::int64_t observed_ns) override {
    predictor_.observe(flow, observed_ns);
  }

  EnergyDecision decide(const SlotObservation& slot) override {
    if (must_keep_sleeping(slot, cell_)) return keep_sleeping(slot);
    const std::int64_t s = slot.slot_index;

    // 1. Data that must go now: a retransmission (HARQ needs the time), a deadline with no more
    //    than the margin of data slots of its direction left, or more than half a slot of PRBs.
    bool serve = false;
    int prbs_needed = 0;
    for (const LinkObservation& link : slot.links) {
      if (!carries(slot.kind, link.direction)) continue;
      prbs_needed += link.prbs_needed;
      if (link.retransmission_pending ||
          data_slots_between(link.direction, s + 1, link.earliest_deadline_slot) <= config_.deadline_margin_slots) {
        serve = true;
      }
    }
    if (2 * prbs_needed >= cell_.total_prbs) serve = true;

    // 2. Listening: an SR occasion while an uplink flow's forecast window is open (or about to
    //    be), or when an unpredictable flow has not been listened for as long as its deadline
    //    allows.
    bool listen = false;
    if (slot.kind.listens_uplink) {
      const std::int64_t now = slot.slot_start_ns;
      const std::int64_t margin_ns = config_.wake_margin_slots * cell_.slot_duration_ns;
      for (std::size_t f = 0; f < flows_.size() && !listen; ++f) {
        if (flows_[f].direction != Direction::uplink) continue;
        const ArrivalForecast fc = predictor_.forecast(static_cast<std::uint32_t>(f), now);
        if (!predictable(fc, flows_[f])) {
          listen = last_listen_slot_ < 0 || s - last_listen_slot_ >= flow_listen_budget_[f];
          continue;
        }
        // Open from margin before the window until the end of this slot: an arrival in it is
        // reported at this occasion.
        if (fc.next_ns - fc.spread_ns - margin_ns <= now + cell_.slot_duration_ns) listen = true;
      }
    }

    EnergyDecision d;
    d.symbol_dtx = true;
    d.earliest_deadline_first = true;
    if (serve || listen) {
      if (listen) last_listen_slot_ = s;
      // Listening alone keeps only the control symbols on (symbol DTX); granting makes the slot
      // a full data slot, so data waits until it is due and then goes together with the rest.
      d.schedule = serve;
      if (config_.antenna_fill > 0.0) {
        const double per_antenna = config_.antenna_fill * cell_.total_prbs;
        d.active_antennas = std::clamp(static_cast<int>(std::ceil(prbs_needed / per_antenna)), 1, cell_.total_antennas);
      }
      return d;
    }

    // 3. Asleep until the next need: the deepest state whose minimum period ends before it.
    d.schedule = false;
    const std::int64_t free_slots = slots_until_next_need(slot);
    d.state = RadioState::micro_sleep;
    for (RadioState deeper : {RadioState::light_sleep, RadioState::deep_sleep}) {
      if (free_slots >= cell_.minimum_sleep_slots[static_cast<int>(deeper)]) d.state = deeper;
    }
    // Staying in a deeper state already paid for is cheaper than stepping up to micro sleep.
    if (slot.ledger_state != RadioState::active && static_cast<int>(slot.ledger_state) > static_cast<int>(d.state)) {
      d.state = slot.ledger_state;
    }
    return d;
  }

 private:
  bool predictable(const ArrivalForecast& fc, const FlowConfig& flow) const {
    return fc.known && flow.pattern == ArrivalPattern::periodic &&
           static_cast<double>(fc.spread_ns) <= config_.unpredictable_spread_share * static_cast<double>(flow.interval_ns);
  }

  // Data slots of direction d in [from, to] (0 when to < from).
  std::int64_t data_slots_between(Direction d, std::int64_t from, std::int64_t to) const {
    if (to < from) return 0;
    const auto period = static_cast<std::int64_t>(cell_.pattern.size());
    const std::int64_t length = to - from + 1;
    std::int64_t count = (length / period) * data_slots_per_period_[static_cast<int>(d)];
    for (std::int64_t k = from + (length / period) * period; k <= to; ++k) count += carries(cell_.kind(k), d) ? 1 : 0;
    return count;
  }

  // Slots from this one until the radio must be active again (this slot included).
  std::int64_t slots_until_next_need(const SlotObservation& slot) const {
    const std::int64_t s = slot.slot_index;
    std::int64_t need = INT64_MAX;
    for (const LinkObservation& link : slot.links) {
      // The latest slot that still leaves the margin: walk back from the deadline.
      const std::int64_t span = link.earliest_deadline_slot - s;
      if (span < 0) return 0;
      need = std::min(need, link.earliest_deadline_slot - (config_.deadline_margin_slots + 1) *
                                                              static_cast<std::int64_t>(cell_.pattern.size()));
      if (link.retransmission_pending) return 0;
    }
    const std::int64_t margin_ns = config_.wake_margin_slots * cell_.slot_duration_ns;
    for (std::size_t f = 0; f < flows_.size(); ++f) {
      if (flows_[f].direction != Direction::uplink) continue;
      const ArrivalForecast fc = predictor_.forecast(static_cast<std::uint32_t>(f), slot.slot_start_ns);
      if (!predictable(fc, flows_[f])) {
        need = std::min(need, (last_listen_slot_ < 0 ? s : last_listen_slot_) + flow_listen_budget_[f]);
        continue;
      }
      need = std::min(need, (fc.next_ns - fc.spread_ns - margin_ns) / cell_.slot_duration_ns - 1);
    }
    return need == INT64_MAX ? INT64_MAX : std::max<std::int64_t>(0, need - s);
  }

  PredictiveConfig config_;
  ArrivalPredictor& predictor_;
  std::string name_;
  PolicyCell cell_;
  std::vector<FlowConfig> flows_;
  std::vector<std::int64_t> flow_listen_budget_;
  std::int64_t data_slots_per_period_[2] = {0, 0};
  std::int64_t longest_listen_gap_ = 1;
  std::int64_t last_listen_slot_ = -1;
};

// A predictor that never knows: the predictive policy under it listens as for unpredictable
// flows. The ablation "ai-no-forecast" shows what forecasting adds to the same policy.
class NoForecastPredictor final : public ArrivalPredictor {
 public:
  explicit NoForecastPredictor(std::size_t flows) : flows_(flows) {}
  std::string_view name() const override { return "none"; }
  std::size_t flows() const override { return flows_; }
  void observe(std::uint32_t, std::int64_t) override {}
  ArrivalForecast forecast(std::uint32_t, std::int64_t) const override { return {}; }

 private:
  std::size_t flows_;
};

// A predictive policy together with the predictor it owns.
class OwningPredictivePolicy final : public EnergyPolicy {
 public:
  OwningPredictivePolicy(const PredictiveConfig& config, std::unique_ptr<ArrivalPredictor> predictor, std::string name)
      : predictor_(std::move(predictor)), policy_(config, *predictor_, std::move(name)) {}
  std::string_view name() const override { return policy_.name(); }
  std::string parameters() const override { return policy_.parameters(); }
  void reset(const PolicyCell& cell, std::span<const FlowConfig> flows) override { policy_.reset(cell, flows); }
  void on_arrival_observed(std::uint32_t flow, std::int64_t observed_ns) override {
    policy_.on_arrival_observed(flow, observed_ns);
  }
  EnergyDecision decide(const SlotObservation& slot) override { return policy_.decide(slot); }

 private:
  std::unique_ptr<ArrivalPredictor> predictor_;
  PredictivePolicy policy_;
};

std::vector<PolicyFamily> built_in_families() {
  std::vector<PolicyFamily> families;
  families.push_back({"always-on", "every slot active, all symbols, PRBs and antennas; proportional fair", false,
                      {{"", [](std::size_t) { return make_always_on_policy(); }}}});
  families.push_back({"micro-sleep", "micro sleep in slots with nothing to send; SR occasions listen with symbol DTX",
                      false, {{"", [](std::size_t) { return make_micro_sleep_policy(); }}}});
  PolicyFamily timer{"timer-sleep", "micro sleep plus light/deep sleep after idle timers", false, {}};
  for (const auto& [light, deep] : std::initializer_list<std::pair<int, int>>{
           {8, 0}, {32, 0}, {128, 0}, {512, 0}, {32, 400}, {128, 800}}) {
    const TimerSleepConfig config{light, deep};
    timer.variants.push_back({make_timer_sleep_policy(config)->parameters(),
                              [config](std::size_t) { return make_timer_sleep_policy(config); }});
  }
  families.push_back(std::move(timer));
  PolicyFamily muting{"antenna-muting", "micro sleep plus antennas muted at low PRB load", false, {}};
  for (const auto& [threshold, antennas] : std::initializer_list<std::pair<double, int>>{
           {0.25, 2}, {0.5, 2}, {1.0, 2}, {0.25, 1}, {0.5, 1}, {0.75, 1}, {1.0, 1}}) {
    const AntennaMutingConfig config{threshold, antennas};
    muting.variants.push_back({make_antenna_muting_policy(config)->parameters(),
                               [config](std::size_t) { return make_antenna_muting_policy(config); }});
  }
  families.push_back(std::move(muting));
  families.push_back({"oracle", "lower bound on the energy of any policy that meets every deadline (knows all arrivals)",
                      true, {}});
  families.push_back(predictive_policy_family(
      "ai", "predictive: learned flow timing (period predictor), sleep until forecasts, late packing, EDF, antennas",
      [](std::size_t flows) { return make_period_predictor(flows); }));
  families.push_back(predictive_policy_family(
      "ai-no-forecast",
      "ablation: the ai policy with a predictor that never forecasts (listens as for sporadic flows)",
      [](std::size_t flows) -> std::unique_ptr<ArrivalPredictor> { return std::make_unique<NoForecastPredictor>(flows); }));
  // The same policy over the PyTorch-trained predictor (the shipped model, CPU inference). A
  // model that does not parse or build leaves the family out (a test requires it to be there);
  // the model is the only thing that can make the CPU predictor fail, so once it has built, it
  // builds for every scenario.
  if (default_learned_predictor_model() && make_learned_predictor(*default_learned_predictor_model(), 1)) {
    families.push_back(predictive_policy_family(
        "ai-learned", "predictive over the learned arrival predictor (PyTorch-trained MLP, shipped model)",
        [](std::size_t flows) -> std::unique_ptr<ArrivalPredictor> {
          return std::move(make_learned_predictor(*default_learned_predictor_model(), flows).value());
        }));
  }
  return families;
}

}  // namespace

PolicyFamily predictive_policy_family(std::string name, std::string description, PredictorFactory make_predictor) {
  PolicyFamily family{name, std::move(description), false, {}};
  for (const auto& [wake, margin, fill] : std::initializer_list<std::tuple<int, int, double>>{
           {1, 1, 0.8}, {1, 0, 0.8}, {2, 1, 0.8}, {1, 1, 0.5}, {1, 2, 0.8}, {1, 1, 1.0}, {1, 0, 1.0}, {1, 2, 1.0}}) {
    PredictiveConfig config;
    config.wake_margin_slots = wake;
    config.deadline_margin_slots = margin;
    config.antenna_fill = fill;
    auto policy_of = [config, make_predictor, name](std::size_t flows) -> std::unique_ptr<EnergyPolicy> {
      return std::make_unique<OwningPredictivePolicy>(config, make_predictor(flows), name);
    };
    family.variants.push_back({policy_of(1)->parameters(), policy_of});
  }
  return family;
}

namespace {

std::vector<PolicyFamily>& registry() {
  static std::vector<PolicyFamily> families = built_in_families();
  return families;
}

}  // namespace

std::unique_ptr<EnergyPolicy> make_always_on_policy() { return std::make_unique<AlwaysOnPolicy>(); }
std::unique_ptr<EnergyPolicy> make_micro_sleep_policy() { return std::make_unique<MicroSleepPolicy>(); }
std::unique_ptr<EnergyPolicy> make_timer_sleep_policy(const TimerSleepConfig& config) {
  return std::make_unique<TimerSleepPolicy>(config);
}
std::unique_ptr<EnergyPolicy> make_antenna_muting_policy(const AntennaMutingConfig& config) {
  return std::make_unique<MicroSleepPolicy>(config);
}
std::unique_ptr<EnergyPolicy> make_predictive_policy(const PredictiveConfig& config, ArrivalPredictor& predictor,
                                                     std::string name) {
  return std::make_unique<PredictivePolicy>(config, predictor, std::move(name));
}

const std::vector<PolicyFamily>& energy_policy_families() { return registry(); }

std::vector<std::string_view> energy_policy_names() {
  std::vector<std::string_view> names;
  for (const PolicyFamily& f : registry()) names.push_back(f.name);
  return names;
}

const PolicyFamily* find_energy_policy(std::string_view name) {
  for (const PolicyFamily& f : registry())
    if (f.name == name) return &f;
  return nullptr;
}

Result<bool> register_energy_policy(PolicyFamily family) {
  if (family.name.empty()) return ErrorMessage{"a policy family needs a name"};
  if (find_energy_policy(family.name) != nullptr)
    return ErrorMessage{fmt::format("a policy named '{}' is registered already", family.name)};
  if (!family.is_oracle && family.variants.empty())
    return ErrorMessage{fmt::format("policy '{}' has no variant to run", family.name)};
  registry().push_back(std::move(family));
  return true;
}

}  // namespace airan::ai

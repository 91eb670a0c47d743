// The hot-potato engine benchmark (/work/shared/bench/hot-potato.md): the workload through the
// engine's real node, network and delivery path, next to a bare binary-heap loop in the same
// process, with the reference checksums checked for both.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "engine/simulation.h"

namespace kafkasim::bench {
namespace {

struct Workload {
  std::uint64_t nodes = 1000;
  std::uint64_t messages = 10'000;        // in flight from t = 0
  std::uint64_t deliveries = 10'000'000;  // M: the M-th delivery is the last
};

struct Result {
  std::uint64_t deliveries = 0;
  std::uint64_t virtual_end_ns = 0;
  std::uint64_t chk_dst = 0;
  std::uint64_t chk_time = 0;
  double seconds = 0.0;
  double Rate() const { return static_cast<double>(deliveries) / seconds; }
};

struct Reference {
  std::uint64_t deliveries;
  std::uint64_t virtual_end_ns;
  std::uint64_t chk_dst;
  std::uint64_t chk_time;
};

// The normative table, valid for N = 1000 and K = 10,000.
constexpr Reference kReferences[] = {
    {1'000'000, 150725526, 499836851, 75729630391994},
    {10'000'000, 1500628563, 4994354801, 7506575035759008},
};

// Node n's generator state is the (n+1)-th output of a master splitmix64 seeded with 42.
std::vector<SplitMix64> NodeGenerators(std::uint64_t nodes) {
  SplitMix64 master(42);
  std::vector<SplitMix64> generators;
  generators.reserve(nodes);
  for (std::uint64_t n = 0; n < nodes; ++n) generators.emplace_back(master.Next());
  return generators;
}

std::uint64_t PickDestination(std::uint64_t self, std::uint64_t r1, std::uint64_t nodes) {
  return (self + 1 + r1 % (nodes - 1)) % nodes;
}

std::int64_t PickLatencyNs(std::uint64_t r2) {
  return static_cast<std::int64_t>(1'000'000 + r2 % 1'000'001);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- Bare heap: the floor any engine is measured against. ----

struct BareEvent {
  std::int64_t time;
  std::uint64_t seq;
  std::uint64_t dst;
  bool operator>(const BareEvent& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

Result RunBareHeap(const Workload& w) {
  std::vector<SplitMix64> rng = NodeGenerators(w.nodes);
  Result r;
  const auto start = std::chrono::steady_clock::now();
  std::priority_queue<BareEvent, std::vector<BareEvent>, std::greater<>> heap;
  std::uint64_t seq = 0;
  auto send = [&](std::uint64_t from, std::int64_t now) {
    const std::uint64_t dst = PickDestination(from, rng[from].Next(), w.nodes);
    heap.push(BareEvent{now + PickLatencyNs(rng[from].Next()), seq++, dst});
  };
  for (std::uint64_t i = 0; i < w.messages; ++i) send(i % w.nodes, 0);
  while (!heap.empty()) {
    const BareEvent e = heap.top();
    heap.pop();
    ++r.deliveries;
    r.chk_dst += e.dst;
    r.chk_time += static_cast<std::uint64_t>(e.time);
    if (r.deliveries == w.deliveries) {
      r.virtual_end_ns = static_cast<std::uint64_t>(e.time);
      break;
    }
    send(e.dst, e.time);
  }
  r.seconds = SecondsSince(start);
  return r;
}

// ---- Engine: Simulation, Node, NodeEnv::Send, Network latency model, Deliver. ----

// What the nodes share: their generators (the latency model draws r2 from the sender's) and
// the counters and checksums of the run.
struct PotatoWorld {
  Workload workload;
  std::vector<SplitMix64> rng;
  Result result;
};

class PotatoNode : public Node {
 public:
  PotatoNode(NodeEnv& env, PotatoWorld& world) : env_(env), world_(world) {}

  // Draws r1 and sends; the network's latency model then draws r2 from the same generator.
  void SendOne() {
    const std::uint64_t self = env_.self();
    const std::uint64_t dst = PickDestination(self, world_.rng[self].Next(), world_.workload.nodes);
    env_.Send(static_cast<NodeIndex>(dst), nullptr);  // a null payload: nothing to share
  }

  void OnMessage(const Message& message) override {
    Result& r = world_.result;
    const auto now = static_cast<std::uint64_t>(message.deliver_at.ns);
    ++r.deliveries;
    r.chk_dst += env_.self();
    r.chk_time += now;
    if (r.deliveries == world_.workload.deliveries) {
      r.virtual_end_ns = now;
      return;  // the M-th delivery is the last: the loop stops on the counter
    }
    SendOne();
  }

 private:
  NodeEnv& env_;
  PotatoWorld& world_;
};

Result RunEngine(const Workload& w) {
  PotatoWorld world{w, NodeGenerators(w.nodes), Result{}};
  NetworkConfig config;
  config.fifo_per_connection = false;  // latencies are independent per message
  Simulation sim(42, config);
  sim.network().set_latency_model([&world](NodeIndex from, NodeIndex /*to*/) {
    return Nanoseconds(PickLatencyNs(world.rng[from].Next()));
  });
  std::vector<PotatoNode*> nodes(w.nodes);
  for (std::uint64_t n = 0; n < w.nodes; ++n) {
    sim.AddNode("node-" + std::to_string(n), [&world, &nodes](NodeEnv& env) {
      auto node = std::make_unique<PotatoNode>(env, world);
      nodes[env.self()] = node.get();
      return node;
    });
    sim.StartNode(static_cast<NodeIndex>(n));
  }

  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < w.messages; ++i) nodes[i % w.nodes]->SendOne();
  while (world.result.deliveries < w.deliveries && sim.Step()) {
  }
  world.result.seconds = SecondsSince(start);
  return world.result;
}

// ---- Checking and reporting. ----

// True when the run matches the reference (or no reference exists for this workload).
bool Check(const char* name, const Workload& w, const Result& r) {
  if (w.nodes != 1000 || w.messages != 10'000) return true;
  for (const Reference& ref : kReferences) {
    if (ref.deliveries != w.deliveries) continue;
    bool ok = r.deliveries == ref.deliveries && r.virtual_end_ns == ref.virtual_end_ns &&
              r.chk_time == ref.chk_time;
    if (ok && r.chk_dst != ref.chk_dst) {
      // Legitimate only when another event shares the M-th delivery's nanosecond.
      std::printf("%s: chk_dst %llu differs from the reference %llu (same-nanosecond tie?)\n", name,
                  static_cast<unsigned long long>(r.chk_dst),
                  static_cast<unsigned long long>(ref.chk_dst));
    }
    if (!ok) {
      std::printf(
          "%s: MISMATCH with the reference: deliveries=%llu virtual_end_ns=%llu "
          "chk_time=%llu, expected %llu %llu %llu\n",
          name, static_cast<unsigned long long>(r.deliveries),
          static_cast<unsigned long long>(r.virtual_end_ns),
          static_cast<unsigned long long>(r.chk_time),
          static_cast<unsigned long long>(ref.deliveries),
          static_cast<unsigned long long>(ref.virtual_end_ns),
          static_cast<unsigned long long>(ref.chk_time));
    }
    return ok;
  }
  return true;
}

void Print(const char* name, int run, const Result& r) {
  std::printf(
      "%-9s run %d: deliveries=%llu virtual_end_ns=%llu chk_dst=%llu chk_time=%llu "
      "%.3fs %.2f M deliveries/s\n",
      name, run, static_cast<unsigned long long>(r.deliveries),
      static_cast<unsigned long long>(r.virtual_end_ns), static_cast<unsigned long long>(r.chk_dst),
      static_cast<unsigned long long>(r.chk_time), r.seconds, r.Rate() / 1e6);
  std::fflush(stdout);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

bool ParseCount(const char* text, std::uint64_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) return false;
  out = v;
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: hot_potato [--deliveries M] [--nodes N] [--messages K] [--runs R]\n"
               "                  [--min-ratio X]\n"
               "  defaults: M=10000000 N=1000 K=10000 R=3 (N >= 2, all counts > 0)\n"
               "  --min-ratio X: exit 1 when the engine/bare-heap ratio is below X (0 < X <= 1),\n"
               "  the regression guard CI runs\n");
  return 2;
}

int Main(int argc, char** argv) {
  Workload w;
  std::uint64_t runs = 3;
  double min_ratio = 0;
  for (int i = 1; i < argc; ++i) {
    const char* flag = argv[i];
    if (std::strcmp(flag, "--min-ratio") == 0) {
      char* end = nullptr;
      if (i + 1 >= argc) return Usage();
      min_ratio = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(min_ratio > 0 && min_ratio <= 1)) return Usage();
      continue;
    }
    std::uint64_t* target = nullptr;
    if (std::strcmp(flag, "--deliveries") == 0) target = &w.deliveries;
    if (std::strcmp(flag, "--nodes") == 0) target = &w.nodes;
    if (std::strcmp(flag, "--messages") == 0) target = &w.messages;
    if (std::strcmp(flag, "--runs") == 0) target = &runs;
    if (target == nullptr || i + 1 >= argc || !ParseCount(argv[++i], *target)) return Usage();
  }
  if (w.nodes < 2 || w.nodes > kNoNode) return Usage();

  std::printf("hot potato: N=%llu nodes, K=%llu messages, M=%llu deliveries, %llu runs\n",
              static_cast<unsigned long long>(w.nodes), static_cast<unsigned long long>(w.messages),
              static_cast<unsigned long long>(w.deliveries), static_cast<unsigned long long>(runs));
  bool ok = true;
  std::vector<double> engine_rates;
  std::vector<double> heap_rates;
  // Alternate the two so drift on a shared machine hits both alike.
  for (std::uint64_t run = 1; run <= runs; ++run) {
    const Result engine = RunEngine(w);
    Print("engine", static_cast<int>(run), engine);
    ok = Check("engine", w, engine) && ok;
    engine_rates.push_back(engine.Rate());

    const Result heap = RunBareHeap(w);
    Print("bare heap", static_cast<int>(run), heap);
    ok = Check("bare heap", w, heap) && ok;
    heap_rates.push_back(heap.Rate());

    if (engine.chk_dst != heap.chk_dst || engine.chk_time != heap.chk_time ||
        engine.virtual_end_ns != heap.virtual_end_ns) {
      std::printf("engine and bare heap disagree\n");
      ok = false;
    }
  }
  const double engine_median = Median(engine_rates);
  const double heap_median = Median(heap_rates);
  std::printf("median engine:    %.2f M deliveries/s\n", engine_median / 1e6);
  std::printf("median bare heap: %.2f M deliveries/s\n", heap_median / 1e6);
  std::printf("ratio engine/bare heap: %.3f (engine %.2f M/s, bare heap %.2f M/s)\n",
              engine_median / heap_median, engine_median / 1e6, heap_median / 1e6);
  std::printf("checksums: %s\n", ok ? "match" : "MISMATCH");
  if (min_ratio > 0 && engine_median / heap_median < min_ratio) {
    // Both rates come from this process, alternating, so machine load hits them alike: a ratio
    // this far below the documented one (docs/BENCHMARKS.md) is a regression of the engine.
    std::printf("REGRESSION: ratio %.3f is below the guard's %.3f\n", engine_median / heap_median,
                min_ratio);
    return 1;
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace kafkasim::bench

int main(int argc, char** argv) { return kafkasim::bench::Main(argc, argv); }

// C++ Cap'n Proto baselines for scripts/bench. The workloads are specified in
// README.md next to this file; the Swift benchmark (Sources/capnp-bench) mirrors them.
//
//   bench-cxx P1|P2|P3|P4|P5   run one figure, print one number on stdout
//   bench-cxx P6|P6a           idle spawned child's RSS / anonymous RSS, MB
//   bench-cxx P5-check         print the P5 checksum for seed 42 (decimal uint64)
//   bench-cxx -ipcfd N         child role: serve Bench over fd N until the peer closes
//
// Exit status: 0 ok, 2 usage error, 3 figure not implemented, 1 other failure.

#include "bench.capnp.h"

#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double microsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

// BENCH_VERBOSE=1 prints every batch's value to stderr.
double median(std::vector<double> v) {
  static const bool verbose = getenv("BENCH_VERBOSE") != nullptr;
  if (verbose) {
    for (double x : v) fprintf(stderr, "%.2f ", x);
    fprintf(stderr, "\n");
  }
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Written at the end of every workload so the optimiser must compute it.
volatile uint64_t sink = 0;

// ---------------------------------------------------------------------------------------------
// P5: build then read a rich struct.

constexpr uint64_t K1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t K2 = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t FNV_OFFSET = 0xCBF29CE484222325ull;
constexpr uint64_t FNV_PRIME = 0x00000100000001B3ull;
constexpr uint32_t ITEM_COUNT = 1000;

const char* const ROOT_NAME = "swift-multiprocess benchmark";
const char* const ROOT_SUMMARY =
    "A rich struct with three fields of every primitive kind, three texts, "
    "a nested struct and a list of one thousand items.";
const char* const ROOT_TAG = "p5";
const char* const INNER_LABEL = "inner";
const char* const ITEM_NAMES[8] = {"alpha", "bravo", "charlie", "delta",
                                   "echo", "foxtrot", "golf", "hotel"};

inline uint64_t mix(uint64_t s, uint64_t k) { return s * K1 + k * K2; }  // wrapping
inline bool mixBool(uint64_t s, uint64_t k) { return (mix(s, k) >> 63) == 1; }
inline double mixF64(uint64_t s, uint64_t k) { return double(mix(s, k) >> 11) * 0x1p-53; }
inline float mixF32(uint64_t s, uint64_t k) { return float(uint32_t(mix(s, k) >> 40)) * 0x1p-24f; }

inline uint64_t fold(uint64_t h, uint64_t x) { return (h ^ x) * FNV_PRIME; }
inline uint64_t foldI(uint64_t h, int64_t x) { return fold(h, uint64_t(x)); }
inline uint64_t foldB(uint64_t h, bool x) { return fold(h, x ? 1 : 0); }
inline uint64_t foldF32(uint64_t h, float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  return fold(h, bits);
}
inline uint64_t foldF64(uint64_t h, double x) {
  uint64_t bits;
  memcpy(&bits, &x, 8);
  return fold(h, bits);
}
inline uint64_t foldText(uint64_t h, capnp::Text::Reader t) {
  uint64_t sum = 0;
  for (char c : t) sum += uint8_t(c);
  return fold(fold(h, t.size()), sum);
}

void buildRoot(::Root::Builder r, uint64_t s) {
  r.setBool0(mixBool(s, 0));
  r.setBool1(mixBool(s, 1));
  r.setBool2(mixBool(s, 2));
  r.setI8v0(int8_t(mix(s, 3)));
  r.setI8v1(int8_t(mix(s, 4)));
  r.setI8v2(int8_t(mix(s, 5)));
  r.setI16v0(int16_t(mix(s, 6)));
  r.setI16v1(int16_t(mix(s, 7)));
  r.setI16v2(int16_t(mix(s, 8)));
  r.setI32v0(int32_t(mix(s, 9)));
  r.setI32v1(int32_t(mix(s, 10)));
  r.setI32v2(int32_t(mix(s, 11)));
  r.setI64v0(int64_t(mix(s, 12)));
  r.setI64v1(int64_t(mix(s, 13)));
  r.setI64v2(int64_t(mix(s, 14)));
  r.setU8v0(uint8_t(mix(s, 15)));
  r.setU8v1(uint8_t(mix(s, 16)));
  r.setU8v2(uint8_t(mix(s, 17)));
  r.setU16v0(uint16_t(mix(s, 18)));
  r.setU16v1(uint16_t(mix(s, 19)));
  r.setU16v2(uint16_t(mix(s, 20)));
  r.setU32v0(uint32_t(mix(s, 21)));
  r.setU32v1(uint32_t(mix(s, 22)));
  r.setU32v2(uint32_t(mix(s, 23)));
  r.setU64v0(mix(s, 24));
  r.setU64v1(mix(s, 25));
  r.setU64v2(mix(s, 26));
  r.setF32v0(mixF32(s, 27));
  r.setF32v1(mixF32(s, 28));
  r.setF32v2(mixF32(s, 29));
  r.setF64v0(mixF64(s, 30));
  r.setF64v1(mixF64(s, 31));
  r.setF64v2(mixF64(s, 32));
  r.setName(ROOT_NAME);
  r.setSummary(ROOT_SUMMARY);
  r.setTag(ROOT_TAG);
  auto inner = r.initInner();
  inner.setA(uint32_t(mix(s, 33)));
  inner.setB(int64_t(mix(s, 34)));
  inner.setC(mixF64(s, 35));
  inner.setD(mixBool(s, 36));
  inner.setLabel(INNER_LABEL);
  auto items = r.initItems(ITEM_COUNT);
  for (uint32_t i = 0; i < ITEM_COUNT; i++) {
    auto item = items[i];
    item.setId(i);
    item.setValue(int64_t(mix(s, 1000 + i)));
    item.setRatio(double(i) * 0.5);
    item.setFlag(i % 3 == 0);
    item.setKind(uint16_t(i % 7));
    item.setScore(float(i) * 0.25f);
    item.setName(ITEM_NAMES[i % 8]);
  }
}

uint64_t readRoot(::Root::Reader r) {
  uint64_t h = FNV_OFFSET;
  h = foldB(h, r.getBool0());
  h = foldB(h, r.getBool1());
  h = foldB(h, r.getBool2());
  h = foldI(h, r.getI8v0());
  h = foldI(h, r.getI8v1());
  h = foldI(h, r.getI8v2());
  h = foldI(h, r.getI16v0());
  h = foldI(h, r.getI16v1());
  h = foldI(h, r.getI16v2());
  h = foldI(h, r.getI32v0());
  h = foldI(h, r.getI32v1());
  h = foldI(h, r.getI32v2());
  h = foldI(h, r.getI64v0());
  h = foldI(h, r.getI64v1());
  h = foldI(h, r.getI64v2());
  h = fold(h, r.getU8v0());
  h = fold(h, r.getU8v1());
  h = fold(h, r.getU8v2());
  h = fold(h, r.getU16v0());
  h = fold(h, r.getU16v1());
  h = fold(h, r.getU16v2());
  h = fold(h, r.getU32v0());
  h = fold(h, r.getU32v1());
  h = fold(h, r.getU32v2());
  h = fold(h, r.getU64v0());
  h = fold(h, r.getU64v1());
  h = fold(h, r.getU64v2());
  h = foldF32(h, r.getF32v0());
  h = foldF32(h, r.getF32v1());
  h = foldF32(h, r.getF32v2());
  h = foldF64(h, r.getF64v0());
  h = foldF64(h, r.getF64v1());
  h = foldF64(h, r.getF64v2());
  h = foldText(h, r.getName());
  h = foldText(h, r.getSummary());
  h = foldText(h, r.getTag());
  auto inner = r.getInner();
  h = fold(h, inner.getA());
  h = foldI(h, inner.getB());
  h = foldF64(h, inner.getC());
  h = foldB(h, inner.getD());
  h = foldText(h, inner.getLabel());
  auto items = r.getItems();
  h = fold(h, items.size());
  for (auto item : items) {
    h = fold(h, item.getId());
    h = foldI(h, item.getValue());
    h = foldF64(h, item.getRatio());
    h = foldB(h, item.getFlag());
    h = fold(h, item.getKind());
    h = foldF32(h, item.getScore());
    h = foldText(h, item.getName());
  }
  return h;
}

// One P5 iteration: new message builder (default options), build all, read all.
uint64_t p5Iteration(uint64_t s) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<::Root>();
  buildRoot(root, s);
  return readRoot(message.getRoot<::Root>().asReader());
}

constexpr int P5_WARMUP = 500;
constexpr int P5_BATCHES = 11;
constexpr int P5_BATCH_ITERATIONS = 500;

double runP5() {
  uint64_t s = 0, acc = 0;
  for (int i = 0; i < P5_WARMUP; i++) acc ^= p5Iteration(s++);
  std::vector<double> perIteration;
  for (int b = 0; b < P5_BATCHES; b++) {
    auto t0 = Clock::now();
    for (int i = 0; i < P5_BATCH_ITERATIONS; i++) acc ^= p5Iteration(s++);
    perIteration.push_back(microsSince(t0) / P5_BATCH_ITERATIONS);
  }
  sink = acc;
  return median(perIteration);
}

// ---------------------------------------------------------------------------------------------
// RPC: child role and spawning.

class BenchImpl final : public ::Bench::Server {
 protected:
  kj::Promise<void> ping(PingContext context) override { return kj::READY_NOW; }

  kj::Promise<void> echo(EchoContext context) override {
    context.getResults().setData(context.getParams().getData());
    return kj::READY_NOW;
  }
};

int childMain(int fd) {
  signal(SIGINT, SIG_IGN);
  auto io = kj::setupAsyncIo();
  auto stream = io.lowLevelProvider->wrapSocketFd(fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
  capnp::TwoPartyServer server(kj::heap<BenchImpl>());
  // Resolves (or fails with DISCONNECTED) when the parent closes its end.
  server.accept(*stream).then([]() {}, [](kj::Exception&&) {}).wait(io.waitScope);
  return 0;
}

std::string selfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  KJ_SYSCALL(n);
  return std::string(buf, size_t(n));
}

struct Spawned {
  pid_t pid;
  int fd;  // parent's end, CLOEXEC
};

// socketpair + posix_spawn("<self> -ipcfd N"). Only the child's end is inherited.
Spawned spawnChild(const std::string& exe) {
  int fds[2];
  KJ_SYSCALL(socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
  KJ_SYSCALL(fcntl(fds[0], F_SETFD, FD_CLOEXEC));
  std::string fdArg = std::to_string(fds[1]);
  char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>("-ipcfd"),
                  const_cast<char*>(fdArg.c_str()), nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, environ);
  close(fds[1]);
  if (rc != 0) KJ_FAIL_SYSCALL("posix_spawn", rc, exe);
  return {pid, fds[0]};
}

// Waits for a child whose socket has been closed; kills it if it has not exited in 2 s.
void reapChild(pid_t pid) {
  for (int i = 0; i < 200; i++) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return;
    usleep(10000);
  }
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
}

// A parent-side connection to a freshly spawned child.
struct Connection {
  pid_t pid;
  kj::Own<kj::AsyncIoStream> stream;
  kj::Own<capnp::TwoPartyClient> client;
  ::Bench::Client bench;

  Connection(kj::AsyncIoContext& io, const std::string& exe, pid_t pid, int fd)
      : pid(pid),
        stream(io.lowLevelProvider->wrapSocketFd(fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP)),
        client(kj::heap<capnp::TwoPartyClient>(*stream)),
        bench(client->bootstrap().castAs<::Bench>()) {}
};

// ---------------------------------------------------------------------------------------------
// P1: sequential pings.

constexpr int P1_WARMUP = 500;
constexpr int P1_BATCHES = 11;
constexpr int P1_BATCH_CALLS = 1000;

double runP1(kj::AsyncIoContext& io, ::Bench::Client& bench) {
  auto& ws = io.waitScope;
  for (int i = 0; i < P1_WARMUP; i++) bench.pingRequest().send().wait(ws);
  std::vector<double> perCall;
  for (int b = 0; b < P1_BATCHES; b++) {
    auto t0 = Clock::now();
    for (int i = 0; i < P1_BATCH_CALLS; i++) bench.pingRequest().send().wait(ws);
    perCall.push_back(microsSince(t0) / P1_BATCH_CALLS);
  }
  return median(perCall);
}

// ---------------------------------------------------------------------------------------------
// P2: 100 lanes, each making sequential pings, so 100 calls are always in flight.

constexpr int P2_LANES = 100;
constexpr int P2_WARMUP_CALLS_PER_LANE = 50;
constexpr int P2_BATCHES = 11;
constexpr int P2_BATCH_CALLS_PER_LANE = 50;

kj::Promise<void> lane(::Bench::Client& bench, int remaining) {
  if (remaining == 0) return kj::READY_NOW;
  return bench.pingRequest().send().then(
      [&bench, remaining](auto&&) { return lane(bench, remaining - 1); });
}

void runLanes(kj::AsyncIoContext& io, ::Bench::Client& bench, int callsPerLane) {
  auto promises = kj::heapArrayBuilder<kj::Promise<void>>(P2_LANES);
  for (int l = 0; l < P2_LANES; l++) promises.add(lane(bench, callsPerLane));
  kj::joinPromises(promises.finish()).wait(io.waitScope);
}

double runP2(kj::AsyncIoContext& io, ::Bench::Client& bench) {
  runLanes(io, bench, P2_WARMUP_CALLS_PER_LANE);
  std::vector<double> callsPerSecond;
  for (int b = 0; b < P2_BATCHES; b++) {
    auto t0 = Clock::now();
    runLanes(io, bench, P2_BATCH_CALLS_PER_LANE);
    double us = microsSince(t0);
    callsPerSecond.push_back(double(P2_LANES) * P2_BATCH_CALLS_PER_LANE / (us / 1e6));
  }
  return median(callsPerSecond);
}

// ---------------------------------------------------------------------------------------------
// P3: echo 1 MiB of Data.

constexpr size_t P3_SIZE = 1 << 20;
constexpr int P3_WARMUP = 20;
constexpr int P3_BATCHES = 9;
constexpr int P3_BATCH_CALLS = 40;

double runP3(kj::AsyncIoContext& io, ::Bench::Client& bench) {
  std::vector<uint8_t> payload(P3_SIZE);
  for (size_t i = 0; i < P3_SIZE; i++) payload[i] = uint8_t(i * 31 + 7);
  uint64_t acc = 0;
  auto call = [&]() {
    auto req = bench.echoRequest();
    req.setData(kj::arrayPtr(payload.data(), payload.size()));
    auto resp = req.send().wait(io.waitScope);
    auto data = resp.getData();
    KJ_REQUIRE(data.size() == P3_SIZE, "echo returned the wrong size", data.size());
    acc += data[0] + data[P3_SIZE - 1];
  };
  for (int i = 0; i < P3_WARMUP; i++) call();
  std::vector<double> perCall;
  for (int b = 0; b < P3_BATCHES; b++) {
    auto t0 = Clock::now();
    for (int i = 0; i < P3_BATCH_CALLS; i++) call();
    perCall.push_back(microsSince(t0) / P3_BATCH_CALLS);
  }
  sink = acc;
  return median(perCall);
}

// ---------------------------------------------------------------------------------------------
// P4: spawn, connect, first ping, reply. Median over 50 spawns after 3 warm-up spawns.

constexpr int P4_WARMUP = 3;
constexpr int P4_SPAWNS = 50;

double runP4(kj::AsyncIoContext& io, const std::string& exe) {
  std::vector<double> ms;
  for (int i = 0; i < P4_WARMUP + P4_SPAWNS; i++) {
    auto t0 = Clock::now();
    auto child = spawnChild(exe);
    pid_t pid = child.pid;
    {
      Connection conn(io, exe, child.pid, child.fd);
      conn.bench.pingRequest().send().wait(io.waitScope);
      double elapsed = microsSince(t0) / 1000.0;
      if (i >= P4_WARMUP) ms.push_back(elapsed);
    }  // closes the socket
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
  }
  return median(ms);
}

// ---------------------------------------------------------------------------------------------
// P6 / P6a: memory of an idle spawned child, after it has answered one ping.

constexpr int P6_IDLE_MS = 200;

// A "Name:   123 kB" line of /proc/<pid>/status, in kB.
long statusField(pid_t pid, const char* name) {
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  FILE* file = fopen(path.c_str(), "r");
  KJ_REQUIRE(file != nullptr, "cannot open", path);
  char line[256];
  long value = -1;
  size_t length = strlen(name);
  while (fgets(line, sizeof line, file) != nullptr) {
    if (strncmp(line, name, length) == 0 && line[length] == ':') {
      value = strtol(line + length + 1, nullptr, 10);
      break;
    }
  }
  fclose(file);
  KJ_REQUIRE(value >= 0, "no field in", name, path);
  return value;
}

double runP6(kj::AsyncIoContext& io, const std::string& exe, bool anonymous) {
  auto child = spawnChild(exe);
  double mb;
  {
    Connection conn(io, exe, child.pid, child.fd);
    conn.bench.pingRequest().send().wait(io.waitScope);
    usleep(P6_IDLE_MS * 1000);
    mb = statusField(child.pid, anonymous ? "RssAnon" : "VmRSS") / 1024.0;
    if (getenv("BENCH_VERBOSE") != nullptr) {
      fprintf(stderr, "bench-cxx: idle child threads=%ld\n", statusField(child.pid, "Threads"));
    }
  }  // closes the socket; the child exits
  reapChild(child.pid);
  return mb;
}

// ---------------------------------------------------------------------------------------------

int usage() {
  fprintf(stderr,
          "usage: bench-cxx P1|P2|P3|P4|P5|P5-check|P6|P6a\n"
          "       bench-cxx -ipcfd N   (child role)\n");
  return 2;
}

int run(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "-ipcfd") == 0) {
    char* end;
    long fd = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) {
      fprintf(stderr, "bench-cxx: -ipcfd needs a file descriptor number, got '%s'\n", argv[2]);
      return 2;
    }
    return childMain(int(fd));
  }
  if (argc != 2) return usage();
  std::string fig = argv[1];

  if (fig == "P5") {
    printf("%.2f\n", runP5());
    return 0;
  }
  if (fig == "P5-check") {
    printf("%llu\n", (unsigned long long)p5Iteration(42));
    return 0;
  }
  if (fig != "P1" && fig != "P2" && fig != "P3" && fig != "P4" && fig != "P6" && fig != "P6a") {
    if (!fig.empty() && fig[0] == 'P') return 3;  // a figure this binary does not have
    return usage();
  }

  std::string exe = selfExe();
  auto io = kj::setupAsyncIo();
  if (fig == "P4") {
    printf("%.3f\n", runP4(io, exe));
    return 0;
  }
  if (fig == "P6" || fig == "P6a") {
    printf("%.2f\n", runP6(io, exe, fig == "P6a"));
    return 0;
  }
  auto child = spawnChild(exe);
  double result;
  {
    Connection conn(io, exe, child.pid, child.fd);
    if (fig == "P1") {
      result = runP1(io, conn.bench);
    } else if (fig == "P2") {
      result = runP2(io, conn.bench);
    } else {
      result = runP3(io, conn.bench);
    }
  }  // closes the socket; the child exits
  reapChild(child.pid);
  if (fig == "P2") {
    printf("%.0f\n", result);
  } else {
    printf("%.2f\n", result);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const kj::Exception& e) {
    fprintf(stderr, "bench-cxx: %s\n", kj::str(e).cStr());
    return 1;
  }
}

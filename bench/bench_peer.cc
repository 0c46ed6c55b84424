// prid-bench-peer: a network-side libpri far end in its own process that
// answers every call, for the load benchmark (so that prid's measured CPU
// is prid's alone). Usage: prid-bench-peer SOCKET_PATH
#include <cstdio>

#include "bench/libpri_endpoint.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
    return 2;
  }
  ev::default_loop loop;
  auto listening = prid::dahdi_glue::SimTransport::Listen("bench-peer", argv[1]);
  if (!listening.ok()) {
    std::fprintf(stderr, "%s\n", listening.error().c_str());
    return 1;
  }
  prid::bench::LibpriEndpoint peer(loop, std::move(*listening), PRI_NETWORK, prid::bench::AnswerEverything);
  struct Acceptor {
    prid::bench::LibpriEndpoint* peer;
    void operator()(ev::io&, int) {
      if (peer->transport().AcceptPeer().ok()) peer->Watch();
    }
  } acceptor{&peer};
  ev::io accept(loop);
  accept.set(&acceptor);
  accept.start(peer.transport().listen_fd(), ev::READ);
  std::printf("ready\n");
  std::fflush(stdout);
  loop.run(0);
  return 0;
}

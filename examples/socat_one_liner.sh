#!/bin/sh
# One request to prid from the shell, its reply printed: no client library.
#   PRID_SOCKET=/run/prid/prid.sock examples/socat_one_liner.sh [METHOD]
# (METHOD defaults to daemon.status). The line itself:
echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"${1:-daemon.status}\"}" | socat -t 5 - "UNIX-CONNECT:${PRID_SOCKET:-/run/prid/prid.sock}"

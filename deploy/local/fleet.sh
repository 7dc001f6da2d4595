#!/bin/sh
# The local fleet (issue 18): three merino-go replicas behind HAProxy, sharing one
# redis-server. Run from the repository root.
#
#   deploy/local/fleet.sh deps          install haproxy and redis-server when missing (Debian,
#                                       as root or with password-less sudo); .ci/run runs it
#   deploy/local/fleet.sh up [flags]    build, then run the fleet until Ctrl-C (make fleet);
#                                       flags go to `go run ./deploy/local` (-port 8000, -replicas 3)
#   deploy/local/fleet.sh test          the fleet test: the firefox mix at 1500 requests/s through
#                                       HAProxy while every replica is rolled, one is killed, and
#                                       weather is served from every replica (make test-fleet)
set -eu

GO=${GO:-go}

# deps installs what is missing, or fails (status 3) saying what to install.
deps() {
	need=
	command -v haproxy >/dev/null 2>&1 || need="$need haproxy"
	command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
	[ -z "$need" ] && return 0
	if [ "$(id -u)" = 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo=sudo
	else
		echo "fleet: missing:$need (Debian: apt-get install -y$need)" >&2
		return 3
	fi
	echo "fleet: installing$need" >&2
	# shellcheck disable=SC2086 # $need is a list of package names
	DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
}

case "${1:-up}" in
deps)
	deps
	;;
up)
	[ $# -gt 0 ] && shift
	deps
	make --no-print-directory build data/wikipedia-index/enwiki/meta.json
	exec $GO run ./deploy/local "$@"
	;;
test)
	# make test runs this: without the packages, and no way to install them, skip as the
	# suite's Redis tests do.
	rc=0
	deps || rc=$?
	if [ $rc = 3 ]; then
		echo "SKIP: the fleet test needs haproxy and redis-server" >&2
		exit 0
	fi
	[ $rc = 0 ] || exit $rc
	MERINO_FLEET=1 exec $GO test -count=1 -run '^TestFleet$' -v -timeout 10m ./bench
	;;
*)
	echo "usage: $0 deps|up|test" >&2
	exit 2
	;;
esac

#!/usr/bin/env bash
# A PostgreSQL server of the tests' own (the ctest fixture `postgres`, tests/testing.cmake):
# initdb in DIR/data, listening on a Unix socket in DIR and on no TCP port at all (so two build
# trees' servers, or a system one, never collide), run as the user `postgres` when this runs
# as root (PostgreSQL refuses to run as root). Writes DIR/conninfo, which the tests read
# (tests/support/postgres.hpp). Each test then works in a schema of its own.
#   postgres_server.sh start DIR    (stops a server a killed run left in DIR first)
#   postgres_server.sh stop DIR
set -euo pipefail
action=${1:-} dir=${2:-}
[ -n "$dir" ] && { [ "$action" = start ] || [ "$action" = stop ]; } ||
  { echo "usage: postgres_server.sh start|stop DIR" >&2; exit 2; }
dir=$(realpath -m "$dir")  # the server runs in its data folder: every path it is given is absolute
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgres_server: no PostgreSQL server here (Debian package postgresql; tools/setup.sh installs it)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

case "$action" in
  stop)
    stop
    echo "postgres_server: stopped ($dir)"
    ;;
  start)
    stop
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    # --no-sync: a throwaway cluster; the server itself still fsyncs as configured.
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U bib -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-c listen_addresses='' -k $dir -p 5432 -c max_connections=200" start >/dev/null; then
      tail -n 20 "$dir/server.log" >&2
      exit 1
    fi
    echo "host=$dir port=5432 user=bib dbname=postgres" >"$dir/conninfo"
    echo "postgres_server: $("$bindir/postgres" --version) on $dir/.s.PGSQL.5432"
    ;;
esac

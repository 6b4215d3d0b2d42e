#!/usr/bin/env bash
# A local OpenSearch for the archive, on loopback only.
#
#   scripts/opensearch.sh fetch                    download the distribution (Maven Central)
#   scripts/opensearch.sh start [options]          start node(s), wait until the cluster is healthy
#   scripts/opensearch.sh stop [options]           stop node(s) started by `start`
#   scripts/opensearch.sh status [options]         print the cluster health
#   scripts/opensearch.sh installed                exit 0 if the distribution is in the cache
#
# Options:  --name NAME   a cluster's name and folder (default: dev)
#           --port PORT   HTTP port of the first node; transport ports are HTTP + 100 (default 9200)
#           --nodes N     1 (single node) or 2 (two processes on two ports; start only)
#           --node I      stop only node I (stop only)
#           --fresh       start on empty data folders (start only)
#
# The distribution is the integration-test zip (no security plugin, no bundled JDK); the
# analysis module (stemming, ASCII folding, CJK bigrams) comes from Maven Central beside it.
# Environment: NEWSARCHIVE_OPENSEARCH_HOME (cache; default ~/.cache/newsarchive/opensearch,
# /var/cache/newsarchive/opensearch when run as root), OPENSEARCH_VERSION, OPENSEARCH_HEAP
# (default 512m), OPENSEARCH_JAVA_HOME (a Java 11 to 21), OPENSEARCH_USER (the account nodes
# run as when the caller is root, since OpenSearch refuses root; default opensearch).
set -euo pipefail

VERSION="${OPENSEARCH_VERSION:-2.19.6}"
HEAP="${OPENSEARCH_HEAP:-512m}"
RUN_AS="${OPENSEARCH_USER:-opensearch}"
WAIT_SECONDS="${OPENSEARCH_WAIT_SECONDS:-180}"
if [[ -n "${NEWSARCHIVE_OPENSEARCH_HOME:-}" ]]; then
    CACHE="$NEWSARCHIVE_OPENSEARCH_HOME"
elif [[ $EUID -eq 0 ]]; then
    CACHE=/var/cache/newsarchive/opensearch
else
    CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/newsarchive/opensearch"
fi
DIST="$CACHE/opensearch-$VERSION"
HOST=127.0.0.1

die() {
    echo "opensearch.sh: $*" >&2
    exit 1
}

say() {
    echo "opensearch.sh: $*" >&2
}

# fetching -------------------------------------------------------------------------------

maven_copy() {  # maven_copy GROUP:ARTIFACT:VERSION:PACKAGING DIR
    local output
    output="$(mvn -B -Dstyle.color=never \
        org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
        -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.overWriteReleases=false 2>&1)" ||
        die "mvn could not fetch $1: $(grep -E 'ERROR|error' <<<"$output" | head -n 5)"
}

fetch() {
    [[ -f "$DIST/.complete" ]] && return 0
    command -v mvn >/dev/null || die "mvn (Maven) is needed to fetch OpenSearch"
    command -v unzip >/dev/null || die "unzip is needed to unpack OpenSearch"
    local started=$SECONDS downloads="$CACHE/downloads"
    mkdir -p "$downloads"
    say "fetching OpenSearch $VERSION from Maven Central"
    maven_copy "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip" "$downloads"
    maven_copy "org.opensearch.plugin:analysis-common:$VERSION:jar" "$downloads"
    rm -rf "$DIST" "$DIST.partial"
    mkdir -p "$DIST.partial"
    unzip -q "$downloads/opensearch-$VERSION.zip" -d "$DIST.partial"
    mv "$DIST.partial/opensearch-$VERSION" "$DIST"
    rmdir "$DIST.partial"
    install_analysis_module
    chmod -R a+rX "$CACHE"
    touch "$DIST/.complete"
    say "OpenSearch $VERSION unpacked in $DIST ($((SECONDS - started)) s)"
}

install_analysis_module() {
    local module="$DIST/modules/analysis-common"
    mkdir -p "$module"
    cp "$CACHE/downloads/analysis-common-$VERSION.jar" "$module/"
    cat >"$module/plugin-descriptor.properties" <<EOF
description=Adds "built in" analyzers to OpenSearch.
version=$VERSION
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
}

# Java -----------------------------------------------------------------------------------

java_major() {  # java_major JAVA_HOME -> the major version, or nothing
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

find_java() {
    local candidate major
    local candidates=("${OPENSEARCH_JAVA_HOME:-}" "${JAVA_HOME:-}")
    if command -v java >/dev/null; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    candidates+=(/usr/lib/jvm/*)
    for candidate in "${candidates[@]}"; do
        [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
        major="$(java_major "$candidate")"
        # OpenSearch 2.x runs on Java 11 to 21 (it needs the security manager, gone in 24)
        if [[ -n "$major" && $major -ge 11 && $major -le 21 ]]; then
            echo "$candidate"
            return 0
        fi
    done
    die "no Java 11 to 21 found; set OPENSEARCH_JAVA_HOME"
}

# nodes ----------------------------------------------------------------------------------

as_node_user() {  # run a command as the account the nodes use
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [[ $EUID -eq 0 ]] || return 0
    id -u "$RUN_AS" >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS" ||
        die "could not create the account $RUN_AS to run OpenSearch (it refuses to run as root)"
}

node_dir() {  # node_dir NAME INDEX
    echo "$CACHE/clusters/$1/node-$2"
}

node_pid() {  # node_pid DIR -> the pid of a running node, or nothing
    local pid
    [[ -f "$1/pid" ]] || return 0
    pid="$(cat "$1/pid")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
    fi
}

write_config() {  # write_config DIR NAME INDEX NODES PORT
    local dir=$1 name=$2 index=$3 nodes=$4 port=$5
    local http=$((port + index - 1)) transport=$((port + 100 + index - 1))
    mkdir -p "$dir/config" "$dir/data" "$dir/logs"
    cp "$DIST/config/log4j2.properties" "$dir/config/"
    # GC logs, heap dumps and crash files go to the node's own folders, not the shared install
    sed -e "s|file=logs/gc.log|file=$dir/logs/gc.log|" \
        -e "s|HeapDumpPath=data|HeapDumpPath=$dir/data|" \
        -e "s|ErrorFile=logs/|ErrorFile=$dir/logs/|" \
        -e "s|^-Xms.*|-Xms$HEAP|" -e "s|^-Xmx.*|-Xmx$HEAP|" \
        "$DIST/config/jvm.options" >"$dir/config/jvm.options"
    {
        echo "cluster.name: newsarchive-$name"
        echo "node.name: node-$index"
        echo "network.host: $HOST"
        echo "http.port: $http"
        echo "transport.port: $transport"
        echo "path.data: $dir/data"
        echo "path.logs: $dir/logs"
        echo "cluster.routing.allocation.disk.threshold_enabled: false"
        if [[ $nodes -eq 1 ]]; then
            echo "discovery.type: single-node"
        else
            echo "discovery.seed_hosts: [\"$HOST:$((port + 100))\", \"$HOST:$((port + 101))\"]"
            echo "cluster.initial_cluster_manager_nodes: [\"node-1\"]"
            # a two-node cluster can lose only a node that is not cluster-manager eligible
            # (one eligible node out of two is no quorum), so the second node holds data only
            if [[ $index -gt 1 ]]; then
                echo "node.roles: [data, ingest]"
            fi
        fi
    } >"$dir/config/opensearch.yml"
    if [[ $EUID -eq 0 ]]; then
        chown -R "$RUN_AS:" "$dir"
    fi
}

start_node() {  # start_node DIR JAVA
    local dir=$1 java=$2
    rm -f "$dir/pid"
    as_node_user env OPENSEARCH_PATH_CONF="$dir/config" OPENSEARCH_JAVA_HOME="$java" \
        OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP" \
        "$DIST/bin/opensearch" -d -p "$dir/pid" >"$dir/logs/console.log" 2>&1 ||
        die "node in $dir did not start: $(tail -n 20 "$dir/logs/console.log")"
}

health() {  # health PORT QUERY -> the health JSON, or nothing
    curl -sf --max-time 5 "http://$HOST:$1/_cluster/health?$2" 2>/dev/null || true
}

wait_healthy() {  # wait_healthy NAME NODES PORT
    local name=$1 nodes=$2 port=$3 deadline=$((SECONDS + WAIT_SECONDS)) begun=$SECONDS
    local answer index dir
    while ((SECONDS < deadline)); do
        answer="$(health "$port" "wait_for_status=yellow&wait_for_nodes=$nodes&timeout=2s")"
        if [[ "$answer" == *'"timed_out":false'* ]]; then
            return 0
        fi
        for ((index = 1; index <= nodes; index++)); do
            dir="$(node_dir "$name" "$index")"
            if [[ -f "$dir/pid" && -z "$(node_pid "$dir")" ]] ||
                { [[ ! -f "$dir/pid" ]] && ((SECONDS - begun > 60)); }; then
                die "node-$index is not running; see $dir/logs: $(tail -n 5 "$dir/logs/console.log")"
            fi
        done
        sleep 1
    done
    die "the cluster on $HOST:$port was not healthy after $WAIT_SECONDS s; see $CACHE/clusters/$name"
}

start() {  # start NAME NODES PORT FRESH
    local name=$1 nodes=$2 port=$3 fresh=$4 started=$SECONDS java index dir
    [[ $nodes -eq 1 || $nodes -eq 2 ]] || die "--nodes must be 1 or 2"
    fetch
    java="$(find_java)"
    ensure_user
    for ((index = 1; index <= nodes; index++)); do
        dir="$(node_dir "$name" "$index")"
        if [[ -n "$(node_pid "$dir")" ]]; then
            say "node-$index of $name is already running (pid $(node_pid "$dir"))"
            continue
        fi
        if curl -s --max-time 2 "http://$HOST:$((port + index - 1))" >/dev/null 2>&1; then
            die "port $((port + index - 1)) on $HOST is taken by another server"
        fi
        if [[ -n "$fresh" ]]; then
            rm -rf "$dir"
        fi
        write_config "$dir" "$name" "$index" "$nodes" "$port"
        start_node "$dir" "$java"
    done
    wait_healthy "$name" "$nodes" "$port"
    say "cluster $name healthy at http://$HOST:$port ($nodes node(s), $((SECONDS - started)) s)"
    echo "http://$HOST:$port"
}

stop_node() {  # stop_node DIR
    local dir=$1 pid waited=0
    pid="$(node_pid "$dir")"
    if [[ -z "$pid" ]]; then
        return 0
    fi
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= 60)); then
            say "pid $pid did not stop after 60 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    rm -f "$dir/pid"
    say "stopped $(basename "$dir") (pid $pid)"
}

stop() {  # stop NAME [INDEX]
    local name=$1 only=${2:-} dir
    for dir in "$CACHE/clusters/$name"/node-*; do
        [[ -d "$dir" ]] || continue
        if [[ -z "$only" || "$(basename "$dir")" == "node-$only" ]]; then
            stop_node "$dir"
        fi
    done
}

# command line ---------------------------------------------------------------------------

main() {
    local command=${1:-}
    [[ $# -gt 0 ]] && shift
    local name=dev port=9200 nodes=1 node="" fresh=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
        --fresh) fresh=1 && shift && continue ;;
        --name) name=$2 ;;
        --port) port=$2 ;;
        --nodes) nodes=$2 ;;
        --node) node=$2 ;;
        *) die "unknown option $1" ;;
        esac
        shift 2
    done
    [[ "$name" =~ ^[a-z0-9_-]+$ ]] || die "--name takes lower-case letters, digits, - and _"
    case "$command" in
    fetch) fetch ;;
    installed) [[ -f "$DIST/.complete" ]] ;;
    start) start "$name" "$nodes" "$port" "$fresh" ;;
    stop) stop "$name" "$node" ;;
    status) health "$port" "" | grep . || die "no cluster answers on $HOST:$port" ;;
    *) die "usage: opensearch.sh fetch|installed|start|stop|status [--name N] [--port P] [--nodes N] [--node I] [--fresh]" ;;
    esac
}

main "$@"

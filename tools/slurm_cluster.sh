#!/usr/bin/env bash
# A two-node Slurm cluster on this one machine, for trying multi-node runs
# (tools/slurm_train.sh, preemption and requeue) without a cluster. Root only.
#   bash tools/slurm_cluster.sh up DIR     # start; prints the environment to use
#   bash tools/slurm_cluster.sh down DIR   # stop everything it started
# Each node is a network namespace (m2f-node1, m2f-node2) with its own address
# (10.77.0.11, 10.77.0.12; NET=10.77.0 changes the prefix) on a bridge made here
# (m2fbr0, 10.77.0.1: slurmctld's address); one slurmd per namespace, one
# slurmctld, munge shared (started here when not running). Distributed jobs talk
# over the namespaces' interfaces (GLOO_SOCKET_IFNAME=m2f0), nowhere else. Needs
# Debian's slurm-wlm and munge: bash tools/setup.sh --with-slurm.
set -euo pipefail
ACTION=${1:-}
DIR=${2:-}
if [ -z "$ACTION" ] || [ -z "$DIR" ] || { [ "$ACTION" != up ] && [ "$ACTION" != down ]; }; then
    echo "usage: bash tools/slurm_cluster.sh up|down DIR" >&2
    exit 2
fi
NET=${NET:-10.77.0}
NODES=(node1 node2)
BRIDGE=m2fbr0

down() {
    # stop what up started (each step tolerates a half-built cluster)
    if [ -f "$DIR/slurm.conf" ]; then
        SLURM_CONF="$DIR/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true
    fi
    for pidfile in "$DIR"/slurmctld.pid "$DIR"/slurmd.*.pid "$DIR"/munged.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
    for i in 1 2; do
        ip netns pids "m2f-node$i" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip link del "m2fv$i" 2>/dev/null || true
        ip netns del "m2f-node$i" 2>/dev/null || true
    done
    ip link del "$BRIDGE" 2>/dev/null || true
}

if [ "$ACTION" = down ]; then
    down
    echo "[slurm_cluster] stopped ($DIR)"
    exit 0
fi

for program in slurmctld slurmd munged scontrol sinfo; do
    if ! command -v "$program" >/dev/null && [ ! -x "/usr/sbin/$program" ]; then
        echo "slurm_cluster.sh: $program is not installed: run bash tools/setup.sh --with-slurm" >&2
        exit 2
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "slurm_cluster.sh: network namespaces need root" >&2
    exit 2
fi
if ip link show "$BRIDGE" >/dev/null 2>&1; then
    echo "slurm_cluster.sh: $BRIDGE exists: a cluster is up (bash tools/slurm_cluster.sh down DIR)" >&2
    exit 2
fi
mkdir -p "$DIR/state" "$DIR/spool"
trap 'down; echo "[slurm_cluster] failed: logs in $DIR" >&2' ERR

# the network: a bridge, and one namespace per node on it
ip link add "$BRIDGE" type bridge
ip addr add "$NET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
for i in 1 2; do
    ns="m2f-node$i"
    ip netns add "$ns"
    ip link add "m2fv$i" type veth peer name m2f0 netns "$ns"
    ip link set "m2fv$i" master "$BRIDGE"
    ip link set "m2fv$i" up
    ip netns exec "$ns" ip addr add "$NET.1$i/24" dev m2f0
    ip netns exec "$ns" ip link set m2f0 up
    ip netns exec "$ns" ip link set lo up
done

# munge: one daemon for the machine (its socket is a file both nodes see)
if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=/run/munge/munged.pid"
    cp /run/munge/munged.pid "$DIR/munged.pid"
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }
cat > "$DIR/slurm.conf" <<EOF
ClusterName=m2ftwo
SlurmctldHost=$(hostname)($NET.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.%n.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.%n.log
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobRequeue=1
NodeName=node1 NodeAddr=$NET.11 CPUs=$(nproc) State=UNKNOWN
NodeName=node2 NodeAddr=$NET.12 CPUs=$(nproc) State=UNKNOWN
PartitionName=two Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF="$DIR/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF"
for i in 1 2; do
    mkdir -p "$DIR/spool/node$i"
    # nsenter: the node's network only (ip netns exec would remount /sys,
    # hiding the cgroup file system slurmd reads)
    nsenter --net="/run/netns/m2f-node$i" /usr/sbin/slurmd -f "$SLURM_CONF" -N "node$i"
done
for _ in $(seq 60); do
    if [ "$(sinfo -h -N -o %t 2>/dev/null | grep -c idle)" = 2 ]; then
        trap - ERR
        echo "[slurm_cluster] up: nodes node1 ($NET.11), node2 ($NET.12), partition 'two'"
        echo "export SLURM_CONF=$SLURM_CONF GLOO_SOCKET_IFNAME=m2f0"
        exit 0
    fi
    sleep 1
done
echo "slurm_cluster.sh: the nodes did not come up in 60 s: see $DIR/*.log" >&2
sinfo -N >&2 || true
false

#!/usr/bin/python3
"""A tiny stand-in for the kubelet's static-pod handling, for the lab only.

Every manifest in /etc/kubernetes/manifests (hidden files ignored, as the kubelet does) becomes
one "pod": its first container's command runs on the host with each hostPath volume bind-mounted
at the container's mountPath (so --data-dir and the etcd-data hostPath must change together, as on
a real node). A changed manifest restarts the pod, a removed one stops it, a crashed one is
restarted with back-off. State for tests: /run/lab/pods/<name>.pid and /var/log/pods/<name>.log.
"""
import hashlib, os, shlex, signal, subprocess, sys, time
import yaml

MANIFESTS = "/etc/kubernetes/manifests"
RUN = "/run/lab/pods"
LOGS = "/var/log/pods"
pods = {}  # file name -> dict(digest, proc, name, restarts, next_start)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def parse(path):
    with open(path, "rb") as f:
        raw = f.read()
    doc = yaml.safe_load(raw)
    spec = doc["spec"]
    c = spec["containers"][0]
    argv = list(c.get("command", [])) + list(c.get("args", []))
    vols = {v["name"]: v["hostPath"]["path"] for v in spec.get("volumes", []) if "hostPath" in v}
    mounts = [(vols[m["name"]], m["mountPath"]) for m in c.get("volumeMounts", []) if m["name"] in vols]
    return hashlib.sha256(raw).hexdigest(), doc["metadata"]["name"], argv, mounts


def start(pod, argv, mounts):
    os.makedirs(RUN, exist_ok=True)
    os.makedirs(LOGS, exist_ok=True)
    script = ["set -e"]
    for host_path, mount_path in mounts:
        script.append("mkdir -p %s %s" % (shlex.quote(host_path), shlex.quote(mount_path)))
        if os.path.normpath(host_path) != os.path.normpath(mount_path):
            script.append("mount --bind %s %s" % (shlex.quote(host_path), shlex.quote(mount_path)))
    script.append("exec " + " ".join(shlex.quote(a) for a in argv))
    out = open(os.path.join(LOGS, pod["name"] + ".log"), "ab")
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script)],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    pod["proc"] = proc
    with open(os.path.join(RUN, pod["name"] + ".pid"), "w") as f:
        f.write("%d\n" % proc.pid)
    log("started %s pid %d: %s" % (pod["name"], proc.pid, " ".join(argv)))


def stop(pod):
    proc = pod.get("proc")
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log("stopped %s" % pod["name"])
    pod["proc"] = None
    try:
        os.unlink(os.path.join(RUN, pod["name"] + ".pid"))
    except FileNotFoundError:
        pass


def sync():
    present = set()
    if os.path.isdir(MANIFESTS):
        present = {f for f in os.listdir(MANIFESTS) if not f.startswith(".") and f.endswith((".yaml", ".yml"))}
    for f in list(pods):
        if f not in present:
            stop(pods.pop(f))
    for f in sorted(present):
        try:
            digest, name, argv, mounts = parse(os.path.join(MANIFESTS, f))
        except Exception as e:  # a half-written or invalid manifest: the kubelet keeps the old pod
            log("cannot read %s: %s" % (f, e))
            continue
        pod = pods.get(f)
        if pod and pod["digest"] != digest:
            stop(pod)
            pod = None
        if pod is None:
            pod = pods[f] = {"digest": digest, "name": name, "proc": None, "restarts": 0, "next": 0}
            start(pod, argv, mounts)
        elif pod["proc"] is None or pod["proc"].poll() is not None:
            if pod["proc"] is not None:
                log("%s exited with %s" % (name, pod["proc"].returncode))
                pod["proc"] = None
                pod["restarts"] += 1
                pod["next"] = time.time() + min(10, 0.5 * 2 ** min(pod["restarts"], 5))
            if time.time() >= pod["next"]:
                start(pod, argv, mounts)


def main():
    signal.signal(signal.SIGTERM, lambda *_: (list(map(stop, pods.values())), sys.exit(0)))
    while True:
        sync()
        time.sleep(0.25)


if __name__ == "__main__":
    main()

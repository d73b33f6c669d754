"""The cluster recipes of docs/batch.md, run as written: their code blocks
are read from the doc at test time, so the doc cannot drift from what is
tested.  A one-node Slurm cluster (munged, slurmctld, slurmd) is started
in a temporary directory, on free ports, and stopped afterwards."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRINK = os.path.abspath(os.environ.get("BRINK", os.path.join(ROOT, "build", "brink")))
DOC = os.path.join(ROOT, "docs", "batch.md")
KOREA = os.path.join(ROOT, "scripts", "scenarios", "korea-2019.lua")
SKIP = os.environ.get("BRINK_NO_CLUSTER") == "1"
SKIP_WHY = "BRINK_NO_CLUSTER=1"
DEPS = "run tools/deps.sh as root (it installs slurm-wlm, munge and parallel)"


def doc_blocks(heading):
    """The fenced code blocks of docs/batch.md's section `heading`, in
    order, up to the next heading."""
    with open(DOC, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        i = lines.index(heading)
    except ValueError:
        raise AssertionError("docs/batch.md has no heading %r" % heading)
    blocks, cur = [], None
    for line in lines[i + 1:]:
        if cur is None and line.startswith("#"):
            break
        if line.startswith("```"):
            if cur is None:
                cur = []
            else:
                blocks.append("\n".join(cur) + "\n")
                cur = None
        elif cur is not None:
            cur.append(line)
    if not blocks:
        raise AssertionError("no code block under %r in docs/batch.md" % heading)
    return blocks


def need(*programs):
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        raise AssertionError("missing %s: %s" % (", ".join(missing), DEPS))


class Workdir:
    """A fresh directory holding a copy of the scenario (so nothing a recipe
    does, --cleanup included, can reach the repository's) and a bin/ whose
    `brink` is the one under test, first on the PATH the recipes see."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="brink-cluster-")
        # munged requires every directory above its socket to be searchable
        # by all; nothing here is secret but the key, which is 0400.
        os.chmod(self.dir, 0o711)
        self.scenario = os.path.join(self.dir, "korea-2019.lua")
        shutil.copyfile(KOREA, self.scenario)
        bindir = os.path.join(self.dir, "bin")
        os.mkdir(bindir)
        os.symlink(BRINK, os.path.join(bindir, "brink"))
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def sh(self, script, timeout=60, env=None, **settings):
        """Runs `script` with sh -e in the work directory; `settings` are
        the recipe's variables, given through the environment as the doc
        says they may be."""
        env = dict(env or self.env, **{k: str(v) for k, v in settings.items()})
        p = subprocess.run(["sh", "-ec", script], cwd=self.dir, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError("recipe exited %d\n--- script\n%s--- stdout\n%s"
                                 "--- stderr\n%s" % (p.returncode, script,
                                                     p.stdout, p.stderr))
        return p.stdout

    def one_batch(self, runs):
        """The summary one process prints for the same runs and seed."""
        p = subprocess.run([BRINK, "batch", self.scenario, "--runs", str(runs),
                            "--json"], cwd=self.dir, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        if p.returncode != 0:
            raise AssertionError("brink batch exited %d: %s"
                                 % (p.returncode, p.stderr.decode()))
        return p.stdout

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def free_ports(n):
    """n TCP ports free right now (held open together so they differ), so
    that a stale daemon of a killed run, or a real Slurm, is never hit."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # A test runner killed outright (no finally) takes its daemons with it.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def node_line():
    """What slurmd finds on this machine (CPUs, sockets, cores, memory),
    as a NodeName line: configured otherwise, slurmd drains the node."""
    p = subprocess.run(["slurmd", "-C"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=30)
    first = p.stdout.split("\n")[0]
    if p.returncode != 0 or not first.startswith("NodeName="):
        raise AssertionError("slurmd -C failed (%d): %s%s"
                             % (p.returncode, p.stdout, p.stderr))
    return first.split()[0].split("=", 1)[1], first


class Slurm:
    """A one-node Slurm cluster whose every file (key, sockets, state,
    spool, logs, pid files) is in `work`'s directory.  As a context
    manager: its daemons are stopped on the way out, whatever happened."""

    CONF = """\
ClusterName=brinktest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge.sock
StateSaveLocation={dir}/slurm/state
SlurmdSpoolDir={dir}/slurm/spool
SlurmctldPidFile={dir}/slurm/slurmctld.pid
SlurmdPidFile={dir}/slurm/slurmd.pid
SlurmctldLogFile={dir}/slurm/slurmctld.log
SlurmdLogFile={dir}/slurm/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
{node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=brink Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""

    def __init__(self, work):
        self.work = work
        self.procs = []
        self.conf = work.path("slurm", "slurm.conf")

    def log(self, name):
        try:
            with open(self.work.path("slurm", name), errors="replace") as f:
                return f.read()[-4000:]
        except OSError as e:
            return str(e)

    def logs(self):
        return "".join("--- %s\n%s\n" % (n, self.log(n)) for n in
                       ("munged.log", "slurmctld.log", "slurmd.log",
                        "slurmctld.out", "slurmd.out"))

    def _start(self, name, argv):
        out = open(self.work.path("slurm", name + ".out"), "w")
        self.procs.append(subprocess.Popen(
            argv, cwd=self.work.dir, env=self.env, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent))
        out.close()

    def _wait(self, what, ok, timeout=30):
        deadline = time.time() + timeout
        while not ok():
            for p in self.procs:
                if p.poll() is not None:
                    raise AssertionError("%s exited %d while waiting for %s\n%s"
                                         % (p.args[0], p.returncode, what,
                                            self.logs()))
            if time.time() > deadline:
                raise AssertionError("no %s after %d s\n%s"
                                     % (what, timeout, self.logs()))
            time.sleep(0.2)

    def __enter__(self):
        try:
            self._up()
        except BaseException:
            self.stop()
            raise
        return self

    def _up(self):
        if os.geteuid() != 0:
            raise AssertionError("the Slurm test starts slurmd, which must "
                                 "run as root (or set BRINK_NO_CLUSTER=1)")
        need("munged", "munge", "slurmctld", "slurmd", "sbatch", "squeue",
             "sinfo", "scancel")
        d = self.work.path("slurm")
        for sub in ("", "state", "spool"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        key = os.path.join(d, "munge.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400),
                  "wb") as f:
            f.write(os.urandom(1024))
        host, node = node_line()
        ctld_port, d_port = free_ports(2)
        with open(self.conf, "w") as f:
            f.write(self.CONF.format(host=host, node=node, dir=self.work.dir,
                                     ctld_port=ctld_port, d_port=d_port))
        self.env = dict(self.work.env, SLURM_CONF=self.conf)
        self.sock = self.work.path("munge.sock")
        self._start("munged", [
            "munged", "--foreground", "--socket=" + self.sock,
            "--key-file=" + key, "--pid-file=" + os.path.join(d, "munged.pid"),
            "--log-file=" + os.path.join(d, "munged.log"),
            "--seed-file=" + os.path.join(d, "munged.seed")])
        self._wait("munge socket", lambda: os.path.exists(self.sock))
        self._start("slurmctld", ["slurmctld", "-D", "-f", self.conf])
        self._start("slurmd", ["slurmd", "-D", "-f", self.conf])
        self._wait("idle node", lambda: self.run(
            "sinfo", "-h", "-o", "%T", check=False).strip() == "idle")

    def run(self, *argv, check=True):
        p = subprocess.run(argv, env=self.env, cwd=self.work.dir,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        if check and p.returncode != 0:
            raise AssertionError("%s exited %d: %s\n%s"
                                 % (" ".join(argv), p.returncode, p.stderr,
                                    self.logs()))
        return p.stdout

    def queue(self):
        """Jobs still in the queue, as 'id state reason' lines."""
        return self.run("squeue", "-h", "-o", "%i %T %r").strip()

    def drain(self, timeout):
        """Waits until every job has left the queue; fails early on a job
        that can never run."""
        deadline = time.time() + timeout
        while True:
            q = self.queue()
            if not q:
                return
            if "DependencyNeverSatisfied" in q:
                raise AssertionError("a shard failed; queue:\n%s\n%s"
                                     % (q, self.work_logs()))
            if time.time() > deadline:
                raise AssertionError("jobs still queued after %d s:\n%s\n%s\n%s"
                                     % (timeout, q, self.work_logs(),
                                        self.logs()))
            time.sleep(0.25)

    def work_logs(self):
        d = self.work.path("logs")
        if not os.path.isdir(d):
            return "(no logs/)"
        out = []
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), errors="replace") as f:
                out.append("--- logs/%s\n%s" % (n, f.read()[-2000:]))
        return "\n".join(out)

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if any(p.poll() is None for p in self.procs[1:]):
            self.run("scancel", "--full", "--user=root", check=False)
        # slurmd first, then the controller, then munge that both use.
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        self.procs = []

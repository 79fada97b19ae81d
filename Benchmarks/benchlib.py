"""Shared helpers for the Copydesk benchmarks in this folder (stdlib only).

Starts copydeskd the way systemd would (its own NOTIFY_SOCKET, so READY=1 and STATUS= are seen), reads peak RSS
from /proc, and summarises runs as median [min..max] the way ../shared/bench/peers/RESULTS.md does.
"""
import os, shutil, signal, socket, statistics, subprocess, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(REPO, '..', 'shared'))
PEERS = os.path.join(SHARED, 'bench', 'peers')


def release_binary(name):
    # COPYDESK_BIN_DIR runs another build's binaries (a base kept aside, to alternate it with the current one).
    path = os.path.join(os.environ.get('COPYDESK_BIN_DIR') or os.path.join(REPO, '.build', 'release'), name)
    if not os.path.exists(path):
        raise SystemExit(f'{path} missing: run swift build -c release --product {name} first')
    return path


def summary(values, digits=1):
    """median [min..max] (n=...)"""
    fmt = f'{{:,.{digits}f}}'
    return (f'{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]'
            f' (n={len(values)})')


def pct(values, p):
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]


class Departures:
    """Counts files leaving a folder (unlinked or renamed away) by inotify, so a benchmark can wait for a spool to
    drain without listing it: `os.listdir` of 10,000 entries costs about 4.4 ms of CPU here, and polling it every
    5 ms took about half a core from the daemon being measured on a 2-core machine.

    Falls back to polling (`overflowed` set) if the kernel's event queue overflows."""

    IN_MOVED_FROM, IN_DELETE, IN_Q_OVERFLOW, IN_NONBLOCK, IN_CLOEXEC = 0x40, 0x200, 0x4000, 0o4000, 0o2000000

    def __init__(self, folder):
        import ctypes, ctypes.util
        self._libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        self.fd = self._libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), 'inotify_init1')
        if self._libc.inotify_add_watch(self.fd, os.fsencode(folder), self.IN_MOVED_FROM | self.IN_DELETE) < 0:
            raise OSError(ctypes.get_errno(), 'inotify_add_watch ' + folder)
        self.count = 0
        self.overflowed = False

    def wait(self, n, deadline):
        """Blocks until `n` departures were seen (True) or `deadline` (time.time()) passed or the queue
        overflowed (False)."""
        import select, struct
        while self.count < n and not self.overflowed:
            left = deadline - time.time()
            if left <= 0:
                return False
            if not select.select([self.fd], [], [], min(left, 1.0))[0]:
                continue
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            offset = 0
            while offset + 16 <= len(data):
                _, mask, _, length = struct.unpack_from('iIII', data, offset)
                offset += 16 + length
                if mask & self.IN_Q_OVERFLOW:
                    self.overflowed = True
                elif mask & (self.IN_MOVED_FROM | self.IN_DELETE):
                    self.count += 1
        return self.count >= n

    def close(self):
        os.close(self.fd)


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET; collects every message with its arrival time."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='cdbench-', dir='/tmp')
        self.path = os.path.join(self.dir, 'notify.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []  # (time.time(), text)
        self.lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopped:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append((time.time(), data.decode('utf-8', 'replace')))

    def wait_for(self, predicate, timeout, start=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [m for m in self.messages[start:] if predicate(m[1])]
            if found:
                return found[0]
            time.sleep(0.002)
        return None

    def count(self):
        with self.lock:
            return len(self.messages)

    def close(self):
        self.stopped = True
        self.thread.join()
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Daemon:
    """copydeskd --root ROOT, with stderr to ROOT/../daemon.log."""

    def __init__(self, root, notify, extra=(), log_level=None, env=None):
        self.root = root
        self.log_path = os.path.join(os.path.dirname(root), 'daemon.log')
        e = dict(os.environ)
        e['NOTIFY_SOCKET'] = notify.path
        e.pop('JOURNAL_STREAM', None)
        e.pop('WATCHDOG_USEC', None)
        e.update(env or {})
        args = [release_binary('copydeskd'), '--root', root] + list(extra)
        if log_level:
            args += ['--log-level', log_level]
        self.log = open(self.log_path, 'ab')
        self.started = time.time()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=e)

    def peak_rss_mb(self):
        """VmHWM of the running process (peak resident set), MiB."""
        try:
            with open(f'/proc/{self.proc.pid}/status') as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float('nan')

    def cpu_seconds(self):
        """user + system CPU time of the process so far (all threads), seconds."""
        try:
            with open(f'/proc/{self.proc.pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        except OSError:
            return float('nan')

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def copydesk_cli(*args):
    out = subprocess.run([release_binary('copydesk')] + list(args), capture_output=True, text=True)
    return out.returncode, out.stdout, out.stderr


def corpus_names(docdir, n):
    names = sorted(f for f in os.listdir(docdir) if not f.startswith('.'))
    if len(names) < n:
        names = names * (n // len(names) + 1)
    return names[:n]

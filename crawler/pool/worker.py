"""One extraction worker process and the socket that joins it to the crawl's event loop.

Why not ``concurrent.futures.ProcessPoolExecutor``: it runs two helper threads in the crawl
process (one pickles and feeds jobs, one waits for results), and every time the reactor
thread released the GIL (a socket write, an SQLite commit) those threads took it, so the
reactor waited for the GIL again: measured with py-spy, about a fifth of the reactor's busy
time at 80 pages a second. Here each worker has a Unix socket pair whose crawl end the event
loop watches (non-blocking, buffered writes, results read as they arrive), so the crawl
process runs no thread at all for extraction.

Frames: an 8-byte big-endian length, then a pickle. A job is ``(job_id, ExtractionJob)``,
run by ``crawler.pool.job.run_job``; a result is ``(job_id, Extracted)``, announced by
``(job_id, STARTED)`` when the worker begins the job: the crawl times each job from then
(``ARCHIVE_EXTRACT_TIMEOUT``), not from when it was queued, and kills a worker whose job runs
past the limit (a page can keep the parser busy in C code, where no signal reaches it).

This module imports only the standard library (the job's module, which loads the parser, is
imported once the worker has started), so a worker's start-up costs little beyond the parser.
"""

import asyncio
import json
import logging
import pickle
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.pool.job import ExtractionJob

logger = logging.getLogger(__name__)

HEADER_BYTES = 8
# How long shutdown waits for a worker to finish its page and exit before killing it.
EXIT_TIMEOUT = 10.0
# What a worker sends in place of a result when it begins a job.
STARTED = "started"


def frame(payload: object) -> bytes:
    """``payload`` pickled, with its length in front."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER_BYTES, "big") + data


class FrameReader:
    """Cuts a byte stream into frames and unpickles each one."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= HEADER_BYTES:
            size = int.from_bytes(self._buffer[:HEADER_BYTES], "big")
            end = HEADER_BYTES + size
            if len(self._buffer) < end:
                break
            frames.append(pickle.loads(memoryview(self._buffer)[HEADER_BYTES:end]))
            del self._buffer[:end]
        return frames


# -- the worker process -------------------------------------------------------------------


def main(fd: int) -> None:
    """The worker process: serve the socket pair end it was given as file descriptor ``fd``."""
    serve(socket.socket(fileno=fd))


def serve(sock: socket.socket) -> None:
    """The worker's whole life: read a job, extract it, send the result, until end of input."""
    # A Ctrl-C meant for the crawl (sent to our group by hand, say) must not drop a page:
    # the crawl ends its workers itself once the pages in flight are done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from crawler.pool.job import run_job, warm_up  # the parser and packer: the real load

    warm_up()

    stream = sock.makefile("rb")
    try:
        while (job := _read_frame(stream)) is not None:
            job_id, work = job
            sock.sendall(frame((job_id, STARTED)))
            sock.sendall(frame((job_id, run_job(work))))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the crawl went away: nothing left to do
    finally:
        stream.close()
        sock.close()


def _read_frame(stream: Any) -> Any:
    header = stream.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES:
        return None  # end of input: the crawl closed our socket
    size = int.from_bytes(header, "big")
    data = stream.read(size)
    if len(data) < size:
        return None  # the crawl went away halfway through sending a job
    return pickle.loads(data)


# -- the crawl side ------------------------------------------------------------------------


def start_process(sock: socket.socket) -> subprocess.Popen[bytes]:
    """Start a worker on its end of the socket pair, in a process group of its own.

    Its own process group, because Ctrl-C at a terminal signals the whole foreground group:
    a worker still starting up would die of it mid-import, and one at work would drop its
    page. The crawl alone decides when its workers stop (it closes their sockets). A plain
    ``python -c`` (not ``multiprocessing``) so that the parent's ``__main__`` script is never
    re-imported in the worker; the parent's ``sys.path`` goes along so the worker imports
    the same ``crawler`` package.
    """
    bootstrap = (
        "import json, sys; sys.path[:0] = json.loads(sys.argv[2]);"
        " from crawler.pool.worker import main; main(int(sys.argv[1]))"
    )
    fd = sock.fileno()
    command = [sys.executable, "-c", bootstrap, str(fd), json.dumps(sys.path)]
    return subprocess.Popen(command, pass_fds=[fd], process_group=0, stdin=subprocess.DEVNULL)


class Channel:
    """The crawl's end of a worker's socket, driven by the event loop: frames out through a
    buffer that drains whenever the socket can take more, frames in as they arrive.

    Plain ``add_reader`` / ``add_writer`` rather than an asyncio transport: a transport can
    only be closed through its loop, and the pool must be able to end its workers after the
    loop has stopped (at the end of a crawl, or of ``asyncio.run``).
    """

    READ_SIZE = 256 * 1024

    def __init__(
        self, sock: socket.socket, on_frame: Callable[[Any], None], on_lost: Callable[[], None]
    ) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.fd = sock.fileno()
        self.on_frame = on_frame
        self.on_lost = on_lost
        self.reader = FrameReader()
        self.unsent = bytearray()
        self.loop = asyncio.get_running_loop()
        self.open = True
        self.loop.add_reader(self.fd, self._readable)

    def write(self, data: bytes) -> None:
        if not self.open:
            return
        if self.unsent:  # the socket is full; the writer callback sends it in order
            self.unsent += data
            return
        sent = self._send(data)
        if sent is not None and sent < len(data):
            self.unsent += data[sent:]
            self.loop.add_writer(self.fd, self._writable)

    def _writable(self) -> None:
        sent = self._send(self.unsent)
        if sent:
            del self.unsent[:sent]
        if not self.unsent and self.open:
            self.loop.remove_writer(self.fd)

    def _send(self, data: bytes | bytearray) -> int | None:
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError:  # the worker is gone
            self._lost()
            return None

    def _readable(self) -> None:
        try:
            data = self.sock.recv(self.READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        for received in self.reader.feed(data):
            self.on_frame(received)

    def _lost(self) -> None:
        if self.open:
            self.close()
            self.on_lost()

    def close(self) -> None:
        """Stop watching the socket and close it; safe when the loop has already closed."""
        if self.open:
            self.open = False
            if not self.loop.is_closed():
                self.loop.remove_reader(self.fd)
                self.loop.remove_writer(self.fd)
        self.unsent.clear()
        self.sock.close()


class Worker:
    """A worker process and the jobs it holds, each with the future its caller awaits.

    A job still running ``timeout`` seconds after the worker began it (0: no limit) gets
    ``JobTimedOut``; the worker is killed, and the jobs queued behind it get
    ``WorkerDied(innocent=True)`` so that the pool can send them elsewhere.
    """

    def __init__(self, on_lost: Callable[["Worker"], None], timeout: float = 0.0) -> None:
        self.on_lost = on_lost
        self.timeout = timeout
        self._deadline: asyncio.TimerHandle | None = None
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.dictionaries: set[int] = set()  # ids of the zstd dictionaries it has been sent
        ours, theirs = socket.socketpair()
        try:
            self.process = start_process(theirs)
        finally:
            theirs.close()  # the child has its own copy
        self.channel = Channel(ours, self._finished, self._lost)

    @property
    def pid(self) -> int:
        return self.process.pid

    def submit(self, job_id: int, job: "ExtractionJob") -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[job_id] = future
        self.channel.write(frame((job_id, job)))
        return future

    def _finished(self, result: tuple[int, Any]) -> None:
        job_id, extracted = result
        if extracted == STARTED:
            if self.timeout > 0:
                loop = asyncio.get_running_loop()
                self._deadline = loop.call_later(self.timeout, self._overran, job_id)
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        future = self.pending.pop(job_id, None)
        if future is not None and not future.done():
            future.set_result(extracted)

    def _overran(self, job_id: int) -> None:
        """The job began ``timeout`` seconds ago and is not done: kill the worker for it."""
        self._deadline = None
        if job_id not in self.pending:
            return
        logger.warning(
            "Extraction worker %s overran %g s on a page; killing it", self.pid, self.timeout
        )
        self.process.kill()
        pending, self.pending = self.pending, {}
        for queued_id, future in pending.items():
            if not future.done():
                error = JobTimedOut() if queued_id == job_id else WorkerDied(innocent=True)
                future.set_exception(error)
        self.channel.close()
        self.on_lost(self)

    def _lost(self) -> None:
        """The socket closed under us: the worker died. Its jobs get ``WorkerDied``."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerDied())
        self.on_lost(self)

    def stop(self) -> None:
        """End the worker: close its socket (it exits at end of input) and reap it."""
        if self._deadline is not None:
            self._deadline.cancel()
        for future in self.pending.values():
            future.cancel()
        self.pending = {}
        self.channel.close()  # unsent jobs are dropped
        try:
            self.process.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            logger.warning("Extraction worker %s did not exit; killing it", self.pid)
            self.process.kill()
            self.process.wait()


class WorkerDied(Exception):
    """A worker's connection ended while it held jobs (a crash in C code, the OOM killer).
    ``innocent``: the job was only queued behind the one that brought the worker down."""

    def __init__(self, innocent: bool = False) -> None:
        super().__init__()
        self.innocent = innocent


class JobTimedOut(Exception):
    """A job ran past the worker's ``timeout``; the worker was killed for it."""

"""Several uvicorn workers, each accepting connections on its own listening socket.

uvicorn's supervisor hands every worker one shared listening socket. The worker
that wakes first then accepts a whole burst of connections, and measured at 16
keep-alive clients, 3 runs in 8 put every connection on one worker and served
half the rate (README, "Speed"). Here each worker opens its own ``SO_REUSEPORT``
listener on the same address, and the kernel spreads new connections over them
by hash. uvicorn's supervisor (``Multiprocess``) still starts the workers,
restarts the dead, pings the hung and handles the signals: it is only given,
in place of a socket, an :class:`OwnListener` that becomes the worker's own
``SO_REUSEPORT`` socket when it is unpickled inside each spawned worker, where
asyncio listens on it once the model has loaded. The parent never holds a
listening socket, so a dead worker's listener closes with it and the kernel
stops sending it connections.

The supervisor also closes its copy of each worker's end of the health-ping
pipe. uvicorn keeps it open, so a worker killed while it was being pinged left
the supervisor waiting out the whole ping timeout (30 s, seen in 2 of 7 SIGKILL
tests) instead of reading end-of-file and replacing the worker at once.
"""

import logging
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

__all__ = ["OwnListener", "bind", "serve_workers"]

logger = logging.getLogger("uvicorn.error")


def _bound_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def bind(host: str, port: int) -> socket.socket:
    """This worker's own socket on HOST:PORT; a failure stops the supervisor.

    Runs inside the worker, while it unpickles its start-up arguments. The socket
    is bound, not listening: asyncio's ``create_server`` listens on it once the
    app's lifespan has loaded the model, so the kernel sends a starting worker
    no connections. Exiting with uvicorn's ``STARTUP_FAILURE`` makes the
    supervisor stop instead of starting the same failing worker again and again.
    """
    try:
        sock = _bound_socket(host, port, reuse_port=True)
    except OSError as error:
        logger.error("worker cannot listen on %s:%d: %s", host, port, error.strerror)
        sys.exit(STARTUP_FAILURE)
    return sock


class OwnListener:
    """Stands for the listening socket in the supervisor; a socket in each worker."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        return bind, (self.host, self.port)


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, holding only its own end of each ping pipe."""

    def keep_subprocess_alive(self) -> None:
        # Every worker here has started and holds its own copy of its end.
        for process in self.processes:
            process.child_conn.close()
        super().keep_subprocess_alive()


def serve_workers(config: uvicorn.Config) -> None:
    """Run ``config.workers`` workers under uvicorn's supervisor until a signal.

    A taken port fails here, before any worker starts, with an ``OSError``: the
    parent first binds a plain socket, which ``SO_REUSEPORT`` listeners of
    another server (even another ``tone serve``) refuse. It then binds, without
    listening, a ``SO_REUSEPORT`` socket that it keeps for its lifetime, so that
    no other program takes the port while a worker is being replaced. Port 0 is
    resolved once, so that every worker listens on the same port.

    Only Linux spreads connections over ``SO_REUSEPORT`` listeners; elsewhere the
    workers share one listening socket, as with ``uvicorn --workers``.
    """
    probe = _bound_socket(config.host, config.port, reuse_port=False)
    port = int(probe.getsockname()[1])
    config.port = port
    if not sys.platform.startswith("linux"):
        with probe:  # the probe is the one socket the workers share
            probe.set_inheritable(True)
            _Supervisor(config, sockets=[probe]).run()
        return
    probe.close()
    reserved = _bound_socket(config.host, port, reuse_port=True)
    with reserved:
        listener = OwnListener(config.host, port)
        logger.info(
            "tone serving on http://%s:%d with %d workers, each on its own listener",
            config.host,
            port,
            config.workers,
        )
        _Supervisor(config, sockets=[listener]).run()  # type: ignore[list-item]

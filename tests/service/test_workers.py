"""Each worker of ``tone serve --workers N`` accepts on its own listening socket."""

import logging
import pickle
import socket
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner
from uvicorn.config import STARTUP_FAILURE

from service.cli import app
from service.workers import OwnListener
from tests.conftest import OPINION_TEXT
from tests.service.live import live_server


def _sockets(pid: int, port: int, status: str) -> int:
    """PID's TCP sockets on PORT in STATUS (a ``psutil.CONN_*`` value)."""
    return sum(
        1
        for conn in psutil.Process(pid).net_connections(kind="tcp")
        if conn.status == status and conn.laddr.port == port
    )


@pytest.mark.slow
def test_each_worker_listens_and_connections_reach_both(
    model_dir: Path, tmp_path: Path
) -> None:
    with live_server(model_dir, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        workers = [worker.pid for worker in server.workers()]
        # One listener per worker, none in the supervisor (a dead worker's
        # listener closes with it).
        assert [_sockets(pid, port, psutil.CONN_LISTEN) for pid in workers] == [1, 1]
        assert _sockets(server.process.pid, port, psutil.CONN_LISTEN) == 0
        clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(32)]
        try:
            for client in clients:
                response = client.post(
                    "/v1/score?detail=false", json={"text": OPINION_TEXT}
                )
                assert response.status_code == 200
            # 32 keep-alive connections, spread by the kernel's hash: all on one
            # worker has a chance of 2 in 2**32.
            spread = Counter(
                {pid: _sockets(pid, port, psutil.CONN_ESTABLISHED) for pid in workers}
            )
        finally:
            for client in clients:
                client.close()
    assert sum(spread.values()) == 32
    assert min(spread.values()) > 0, spread


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "reuse-port"])
def test_a_taken_port_is_one_clear_line(reuse_port: bool, workers: str) -> None:
    """Another server, even another ``tone serve`` (SO_REUSEPORT), holds the port.

    One worker had loaded its model first and then failed in uvicorn's words.
    """
    with socket.socket() as taken:
        if reuse_port:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--workers", workers, "--port", str(port)]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"tone: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_own_listener_becomes_a_bound_socket_when_unpickled() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    first = pickle.loads(pickle.dumps(OwnListener("127.0.0.1", port)))
    second = pickle.loads(pickle.dumps(OwnListener("127.0.0.1", port)))
    with first, second:
        assert isinstance(first, socket.socket)
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
        # Bound, not listening: asyncio listens once the app has started.
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


def test_a_worker_that_cannot_bind_stops_the_supervisor(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn stops on STARTUP_FAILURE instead of restarting the worker forever."""
    # An earlier in-process ``tone serve`` gave uvicorn's loggers a handler on a
    # stream that has since closed; log through pytest's instead.
    monkeypatch.setattr(logging.getLogger("uvicorn"), "handlers", [])
    monkeypatch.setattr(logging.getLogger("uvicorn"), "propagate", True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        host, port = taken.getsockname()
        with pytest.raises(SystemExit) as stopped:
            pickle.loads(pickle.dumps(OwnListener(host, port)))
    assert stopped.value.code == STARTUP_FAILURE
    assert (
        f"worker cannot listen on 127.0.0.1:{port}: Address already in use"
        in caplog.text
    )


def test_without_linux_the_workers_share_one_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Elsewhere SO_REUSEPORT does not spread connections: uvicorn's shared socket."""
    import uvicorn

    import service.workers

    handed: list[object] = []

    class Supervisor:
        def __init__(self, config: uvicorn.Config, sockets: list[object]) -> None:
            handed.extend(sockets)

        def run(self) -> None:
            sock = handed[0]
            assert isinstance(sock, socket.socket)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0

    monkeypatch.setattr(service.workers.sys, "platform", "darwin")
    monkeypatch.setattr(service.workers, "_Supervisor", Supervisor)
    config = uvicorn.Config("service.main:create_app", port=0, workers=2)
    service.workers.serve_workers(config)
    assert len(handed) == 1 and config.port != 0

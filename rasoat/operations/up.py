"""`rasoat up` / `rasoat down`: a Prefect server (or the configured one), the `rasoat` work pool,
the deployments of prefect.yaml, a worker and the inbox watcher, as one supervised group.

Children's output goes to RASOAT_HOME/logs/{server,deploy,worker,watcher}.log; RASOAT_HOME/run/up.pid
records the supervising process and its children so `rasoat down` can stop a background start.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rasoat.config import PROJECT_ROOT, home
from rasoat.prefect_settings import configure_prefect

POOL = "rasoat"
STOP_GRACE_S = 10.0


class UpError(RuntimeError):
    """rasoat up cannot go on; the message is for the user (Vietnamese)."""


def run_dir() -> Path:
    path = home() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_file() -> Path:
    return run_dir() / "up.pid"


def log_dir() -> Path:
    path = home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def healthy(api_url: str, auth: str | None = None, timeout: float = 2.0) -> bool:
    import httpx

    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    try:
        response = httpx.get(api_url.rstrip("/") + "/health", headers=headers, timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def ui_url(api_url: str) -> str:
    return api_url.rstrip("/").removesuffix("/api")


def _prefect() -> str:
    return str(Path(sys.executable).with_name("prefect"))


@dataclass
class Group:
    """Child processes started by `up`, stopped in reverse order (watcher, worker, server)."""

    env: dict[str, str]
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        with (log_dir() / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                argv,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group: Ctrl-C reaches it only through us, in order
            )
        self.children.append((name, proc))
        return proc

    def dead(self) -> list[tuple[str, int]]:
        return [(name, proc.returncode) for name, proc in self.children if proc.poll() is not None]

    def stop(self, say: Callable[[str], None] = lambda _: None) -> None:
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                say(f"dừng {name} (pid {proc.pid})…")
                _terminate(proc.pid, proc.wait)
        self.children.clear()


def _terminate(pid: int, wait: Callable[..., object] | None = None) -> None:
    """SIGTERM the child's process group, SIGKILL it after STOP_GRACE_S."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline:
        if wait is not None:
            try:
                wait(timeout=0.2)
                return
            except subprocess.TimeoutExpired:
                continue
        if not _alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    if wait is not None:
        wait(timeout=5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


@dataclass
class UpOptions:
    host: str = "127.0.0.1"
    port: int = 4200
    auth: str | None = None
    deploy: bool = True
    watch: bool = True
    settle: float = 2.0
    server_timeout: float = 120.0


def _ensure_pool(env: dict[str, str]) -> None:
    """Create the `process` work pool unless it exists (prefect CLI: settings come from env)."""
    found = subprocess.run(
        [_prefect(), "work-pool", "inspect", POOL], env=env, capture_output=True, cwd=PROJECT_ROOT
    )
    if found.returncode == 0:
        return
    made = subprocess.run(
        [_prefect(), "work-pool", "create", POOL, "--type", "process"],
        env=env,
        capture_output=True,
        cwd=PROJECT_ROOT,
    )
    if made.returncode != 0:
        raise UpError(f"không tạo được work pool '{POOL}': {made.stdout.decode()[-500:]}")


def _deploy(env: dict[str, str]) -> None:
    with (log_dir() / "deploy.log").open("ab") as out:
        done = subprocess.run(
            [_prefect(), "--no-prompt", "deploy", "--all"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        raise UpError(f"`prefect deploy --all` thất bại; xem {log_dir() / 'deploy.log'}")


def up(options: UpOptions, say: Callable[[str], None] = print, stop: threading.Event | None = None) -> int:
    """Runs until SIGINT/SIGTERM (or `stop` is set); returns the exit code."""
    configure_prefect()
    stop = stop or threading.Event()
    env = dict(os.environ)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.setdefault("RASOAT_PROJECT_DIR", str(PROJECT_ROOT))
    env["RASOAT_HOME"] = str(home())
    # The worker asks for new runs every 2 s instead of 10: a corrected file's rerun starts sooner.
    env.setdefault("PREFECT_WORKER_QUERY_SECONDS", "2")
    if options.auth:
        env["PREFECT_API_AUTH_STRING"] = options.auth
    if pid_file().exists():
        recorded = json.loads(pid_file().read_text())
        if _alive(int(recorded["pid"])):
            raise UpError(
                f"rasoat up đang chạy (pid {recorded['pid']}, {recorded.get('ui')}); dùng `rasoat down`"
            )
        pid_file().unlink()

    group = Group(env)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        api_url = os.environ.get("PREFECT_API_URL")
        if api_url:
            if not healthy(api_url, options.auth):
                raise UpError(
                    f"không kết nối được máy chủ Prefect tại {api_url} (PREFECT_API_URL). "
                    "Kiểm tra máy chủ đang chạy và địa chỉ đúng, "
                    "hoặc bỏ PREFECT_API_URL để rasoat tự khởi động máy chủ."
                )
            say(f"dùng máy chủ Prefect có sẵn: {ui_url(api_url)}")
        else:
            api_url = f"http://{options.host}:{options.port}/api"
            if healthy(api_url, options.auth):
                say(f"dùng máy chủ Prefect đang chạy tại {ui_url(api_url)}")
            else:
                server_env = dict(env)
                # The UI asks /ui-settings where the API is; Prefect derives it from these settings,
                # not from `--port`, so without them the UI of a server on another port calls :4200.
                server_env["PREFECT_SERVER_API_HOST"] = options.host
                server_env["PREFECT_SERVER_API_PORT"] = str(options.port)
                if options.auth:
                    server_env["PREFECT_SERVER_API_AUTH_STRING"] = options.auth
                say(f"khởi động máy chủ Prefect tại {ui_url(api_url)}…")
                group.env = server_env
                group.start(
                    "server",
                    [_prefect(), "server", "start", "--host", options.host, "--port", str(options.port)],
                )
                group.env = env
                deadline = time.monotonic() + options.server_timeout
                while not healthy(api_url, options.auth):
                    if group.dead() or time.monotonic() > deadline or stop.is_set():
                        raise UpError(
                            f"máy chủ Prefect không khởi động được tại {ui_url(api_url)} "
                            f"(cổng {options.port} bận?); xem {log_dir() / 'server.log'}"
                        )
                    time.sleep(0.5)
        env["PREFECT_API_URL"] = api_url
        _ensure_pool(env)
        if options.deploy:
            say("triển khai các deployment trong prefect.yaml…")
            _deploy(env)
        group.start("worker", [_prefect(), "worker", "start", "--pool", POOL, "--type", "process"])
        if options.watch:
            group.start(
                "watcher",
                [sys.executable, "-m", "rasoat.operations.watcher", "--settle", str(options.settle)],
            )
        record = {
            "pid": os.getpid(),
            "ui": ui_url(api_url),
            "children": {name: proc.pid for name, proc in group.children},
        }
        pid_file().write_text(json.dumps(record))
        say(f"rasoat đang chạy. Giao diện Prefect: {ui_url(api_url)}")
        say(
            f"hộp thư: {home() / 'inbox'}/<năm>/<mã tỉnh>/ (đến năm 2024: <năm>/<mã huyện>/) "
            f"— nhật ký: {log_dir()}. Ctrl-C hoặc `rasoat down` để dừng."
        )
        while not stop.wait(1.0):
            gone = group.dead()
            if gone:
                say("tiến trình con đã dừng: " + ", ".join(f"{n} (mã {c})" for n, c in gone))
                return 1
        return 0
    finally:
        group.stop(say)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pid_file().exists() and json.loads(pid_file().read_text()).get("pid") == os.getpid():
            pid_file().unlink()


def down(timeout: float = 30.0, say: Callable[[str], None] = print) -> bool:
    """Stop a running `rasoat up`: SIGTERM to it (it stops its children), then each recorded child
    by its pid if anything is left. False when nothing was running."""
    path = pid_file()
    if not path.exists():
        return False
    record = json.loads(path.read_text())
    pid = int(record["pid"])
    if _alive(pid):
        say(f"dừng rasoat up (pid {pid})…")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    for name, child in record.get("children", {}).items():
        if _alive(int(child)):
            say(f"dừng {name} (pid {child})…")
            _terminate(int(child))
    path.unlink(missing_ok=True)
    return True

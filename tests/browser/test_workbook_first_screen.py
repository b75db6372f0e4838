"""The first screen a newcomer sees: `iaptlab lab`'s own command line on a fresh profile.

A learner workbook is written into a temporary folder, JupyterLab is started exactly as
``iaptlab lab`` starts it (``iaptlab.workbook.lab_command``, with the folder's shipped settings and
nothing from a user profile), and the address it prints is opened. The page must land on lesson 00
itself (not the Launcher), its kernel must start without a "Select Kernel" dialog, and no news
pop-up may appear.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import harness
import pytest

from iaptlab.workbook import FIRST_LESSON, lab_command, lab_url, write_workbook

#: Any visible dialog or toast, with its text (a news question, a kernel chooser, an error).
_INTERRUPTIONS_JS = """() => Array.from(document.querySelectorAll(
    '.jp-Dialog, .Toastify__toast, .jp-Notification-Toast'))
  .filter(e => e.getBoundingClientRect().width > 0)
  .map(e => (e.innerText || '').trim())"""
_CURRENT_TAB_JS = """() => {
  const tab = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
  return tab ? tab.innerText.trim() : '';
}"""


@pytest.fixture
def workbook_server(tmp_path):
    folder = tmp_path / "iaptlab-workbook"
    write_workbook(folder, source=harness.NOTEBOOKS)
    env = harness.isolated_env(tmp_path / "profile")
    port, token = harness.free_port(), secrets.token_hex(24)
    command = lab_command(folder, port, os.geteuid() == 0, token)
    command += ["--no-browser", "--ServerApp.port_retries=0"]
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = harness.Server("lab", folder, port, token, process, log_path, 0.0)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"JupyterLab did not start:\n{server.log()}") from None
            time.sleep(0.3)
    yield server
    server.stop()


def printed_address(server: harness.Server) -> str:
    """The address JupyterLab prints for the learner to open (with the token)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in server.log().splitlines():
            if f"http://127.0.0.1:{server.port}/" in line and "token=" in line:
                return line[line.index("http://"):].split()[0]
        time.sleep(0.3)
    raise AssertionError(f"no address with a token printed:\n{server.log()}")


def test_fresh_profile_lands_on_lesson_00_with_no_pop_up_and_no_kernel_dialog(
        workbook_server, page, guard, artefacts):
    # JupyterLab's banner hides a token it was given ("token=..."); `iaptlab lab` prints the full
    # address itself (lab_url). Both must point at lesson 00, not at /lab (the Launcher).
    banner = printed_address(workbook_server)
    address = lab_url(workbook_server.port, workbook_server.token)
    assert banner.split("?")[0] == address.split("?")[0] == f"{workbook_server.base}/lab/tree/{FIRST_LESSON}"
    page.goto(address, wait_until="commit")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    # the kernel starts by itself: a "Select Kernel" dialog would keep the status bar at "No Kernel"
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
        .some(e => / \\| Idle/.test(e.textContent) && !/No Kernel/.test(e.textContent))""",
                           timeout=90_000)
    page.wait_for_timeout(3000)  # the news question used to appear a moment after start-up
    page.screenshot(path=str(artefacts / "screenshots" / "workbook_first_screen.png"))
    assert FIRST_LESSON in page.evaluate(_CURRENT_TAB_JS)
    assert page.locator(".jp-Launcher").count() == 0 or not page.locator(".jp-Launcher").first.is_visible()
    assert page.evaluate(_INTERRUPTIONS_JS) == []
    assert guard.blocked == [], "the page tried to reach the internet"
    assert Path(workbook_server.root, FIRST_LESSON).is_file()

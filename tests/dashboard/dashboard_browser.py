#!/usr/bin/env python3
"""The dashboard (/__teapot/ui) in a real browser: headless Chromium driven over the DevTools
protocol (python3-websocket). After a scripted client run, the page shows the journal's rows,
each session's timeline marks and the verdicts verify gives; a filter, a request's detail and a
confirmed reset work; with --admin-token the page asks for the token in a field and never puts it
in the URL; a page of another origin can neither read nor drive the admin API, nor frame the page.

    dashboard_browser.py TEAPOT_BINARY [--screenshots DIR]

Screenshots of the main views go to DIR (docs/dashboard.md shows those of docs/images).
"""
import argparse
import base64
import http.server
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import requests
import websocket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, fail  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def start_teapot(binary, workdir, *flags):
    log = open(os.path.join(workdir, f"teapot{len(os.listdir(workdir))}.log"), "wb")
    process = subprocess.Popen([binary, "--port", "0", "--no-watch", "--scenarios", str(HERE / "scenarios"), *flags],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    check(line.startswith("teapot listening on http://"), f"teapot did not start: {line!r}")
    return process, line.split(" on ", 1)[1].strip()


class Browser:
    """Headless Chromium and one page of it, over the DevTools protocol."""

    def __init__(self, workdir):
        profile = os.path.join(workdir, "chromium")
        chromium = shutil.which("chromium") or fail("chromium is not installed (bash .ci/deps)")
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}",
             "--window-size=1400,1000", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = pathlib.Path(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            check(time.monotonic() < deadline and self.process.poll() is None, "chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split("\n")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")
        self.call("Network.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.1)
        fail(f"the page never showed {what} ({expression})")

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'", f"{url} loaded")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        pathlib.Path(path).write_bytes(base64.b64decode(data))

    def console(self):
        """What the browser logged (Log.entryAdded, Runtime.consoleAPICalled), as text."""
        texts = []
        for event in self.events:
            if event.get("method") == "Log.entryAdded":
                texts.append(event["params"]["entry"]["text"])
            elif event.get("method") == "Runtime.consoleAPICalled":
                texts.append(" ".join(str(a.get("value")) for a in event["params"]["args"]))
        return "\n".join(texts)

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait()


def run_clients(base):
    """Four sessions: one honours Retry-After, one does not, one waits for a slow answer, one gets a cut body."""
    def get(session, path):
        try:
            return requests.get(base + path, headers={"X-Test-Id": session}, timeout=10)
        except requests.RequestException:
            return None  # the truncated body: the client sees a broken answer

    def polite():
        for _ in range(3):
            answer = get("polite", "/orders")
            if answer.status_code == 503:
                time.sleep(int(answer.headers["Retry-After"]))

    threads = [threading.Thread(target=polite)]
    threads += [threading.Thread(target=lambda: [get("impatient", "/orders") for _ in range(3)])]
    threads += [threading.Thread(target=lambda: get("slowpoke", "/slow"))]
    threads += [threading.Thread(target=lambda: get("broken", "/broken"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def marks(browser, session):
    return browser.eval(f"""[...document.querySelectorAll('.session[data-session="{session}"] circle.mark')]
                            .map(m => Number(m.dataset.status))""")


def the_dashboard_shows_a_client_run(browser, base, shots):
    browser.open(base + "/__teapot/ui")
    browser.wait_for("document.getElementById('status').textContent === 'live'", "the event stream live")
    browser.wait_for("document.querySelector('#scenarios h3') !== null", "the loaded scenario")
    run_clients(base)
    browser.wait_for("document.querySelectorAll('#journal tbody tr').length === 8", "8 journal rows")
    browser.wait_for("document.querySelectorAll('.session').length === 4", "4 sessions")
    check(marks(browser, "polite") == [503, 503, 200], f"polite's marks: {marks(browser, 'polite')}")
    check(marks(browser, "impatient") == [503, 503, 200], f"impatient's marks: {marks(browser, 'impatient')}")
    colours = browser.eval("""[...document.querySelectorAll('.session[data-session="polite"] circle.mark')]
                              .map(m => getComputedStyle(m).color)""")
    check(colours[0] != colours[2], f"a 503 and a 200 are drawn in different colours: {colours}")
    check(browser.eval("""document.querySelectorAll('.session[data-session="slowpoke"] line.delay').length""") == 1,
          "the slow answer's wait is drawn")
    check(browser.eval("""document.querySelectorAll('.session[data-session="broken"] .fault-mark').length""") == 1,
          "the fault is drawn")
    check(browser.eval("""[...document.querySelectorAll('.session[data-session="polite"] .step-label')]
                          .map(t => t.textContent).join(' ')""") == "s1 s1 s2", "polite's steps are labelled")
    cursor = browser.eval("""document.querySelector('#scenarios tr[data-session="polite"]').textContent""")
    check("orders: step 2, done" in cursor, f"the scenario's cursor for polite: {cursor}")
    shots and browser.screenshot(os.path.join(shots, "dashboard-overview.png"))

    for session in ("polite", "impatient"):
        browser.eval(f"""document.querySelector('.session[data-session="{session}"] button.verify').click()""")
    browser.wait_for("""document.querySelector('.session[data-session="polite"] .verdict.pass') !== null""",
                     "polite's verdict: pass")
    verdict = browser.wait_for("""document.querySelector('.session[data-session="impatient"] .verdict.fail')
                                  ?.textContent""", "impatient's verdict: fail")
    check("honors_retry_after" in verdict, f"impatient's diff names the rule it broke: {verdict}")
    shots and browser.screenshot(os.path.join(shots, "dashboard-verdicts.png"))

    browser.eval("""(() => { const f = document.getElementById('filter'); f.value = 'impatient';
                            f.dispatchEvent(new Event('input')); })()""")
    check(browser.eval("document.querySelectorAll('#journal tbody tr').length") == 3, "the filter keeps 3 rows")
    browser.eval("document.querySelector('#journal tbody tr').click()")
    detail = browser.wait_for("!document.getElementById('detail').hidden && document.getElementById('detail').textContent",
                              "a request's detail")
    check('"X-Test-Id"' in detail and '"impatient"' in detail, f"the detail shows the request: {detail[:200]}")
    shots and browser.screenshot(os.path.join(shots, "dashboard-detail.png"))

    # A reset asks first: declined, nothing happens; confirmed, the session's entries go.
    browser.eval("window.confirm = () => false")
    browser.eval("""document.querySelector('.session[data-session="impatient"] button.reset').click()""")
    time.sleep(0.5)
    check(len(requests.get(base + "/__teapot/requests", params={"session": "impatient"}).json()["requests"]) == 3,
          "a declined reset resets nothing")
    browser.eval("window.confirm = () => true")
    browser.eval("""document.querySelector('.session[data-session="impatient"] button.reset').click()""")
    browser.wait_for("""document.querySelector('.session[data-session="impatient"]') === null""",
                     "the reset session gone from the page")
    check(requests.get(base + "/__teapot/requests", params={"session": "impatient"}).json()["requests"] == [],
          "the confirmed reset emptied the session's journal")
    check(len(requests.get(base + "/__teapot/requests", params={"session": "polite"}).json()["requests"]) == 3,
          "the other sessions kept theirs")
    print("ok: after a scripted client run the page shows 8 rows, 4 timelines with their marks, steps, delay "
          "and fault, both verdicts; filter, detail and a confirmed reset work")


def the_token_is_asked_for_and_never_in_the_url(browser, binary, workdir):
    process, base = start_teapot(binary, workdir, "--admin-token", "s3cret-token")
    try:
        browser.open(base + "/__teapot/ui")
        browser.wait_for("!document.getElementById('login').hidden", "the login field")
        browser.eval("""(() => { document.getElementById('token').value = 'wrong';
                                 document.getElementById('login-button').click(); })()""")
        browser.wait_for("document.getElementById('login-error').textContent.includes('refused')",
                         "a refused token said so")
        browser.eval("""(() => { document.getElementById('token').value = 's3cret-token';
                                 document.getElementById('login-button').click(); })()""")
        browser.wait_for("document.getElementById('status').textContent === 'live'", "the page live after login")
        requests.get(base + "/orders", headers={"X-Test-Id": "tokened"}, timeout=10)
        browser.wait_for("document.querySelectorAll('#journal tbody tr').length === 1", "the row of the client's request")
        check("s3cret" not in browser.eval("location.href"), "the token is not in the URL")
        check(browser.eval("document.getElementById('token').value") == "", "the field is emptied")
        print("ok: with --admin-token the page asks for the token in a field, refuses a wrong one, and the URL never holds it")
    finally:
        process.terminate()
        process.wait()


EVIL_PAGE = """<!doctype html><title>another origin</title>
<iframe id="frame" src="TEAPOT/__teapot/ui" width="600" height="300"></iframe>
<pre id="out"></pre>
<script>
const out = (line) => { document.getElementById('out').textContent += line + '\\n'; };
(async () => {
  try { await fetch('TEAPOT/__teapot/requests'); out('read: allowed'); }
  catch (e) { out('read: blocked'); }
  try { await fetch('TEAPOT/__teapot/reset', {method: 'POST', mode: 'no-cors'}); out('reset: sent'); }
  catch (e) { out('reset: blocked'); }
  try { await fetch('TEAPOT/__teapot/scenarios', {method: 'POST', mode: 'no-cors', body: 'name: evil',
                     headers: {'Content-Type': 'text/plain'}}); out('load: sent'); }
  catch (e) { out('load: blocked'); }
  out('done');
})();
</script>"""


def another_origin_cannot_read_or_drive_it(browser, base):
    before = len(requests.get(base + "/__teapot/requests").json()["requests"])
    page = EVIL_PAGE.replace("TEAPOT", base).encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.events.clear()
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/evil.html")
        out = browser.wait_for("document.getElementById('out').textContent.includes('done') && "
                               "document.getElementById('out').textContent", "the other origin's attempts")
        check("read: blocked" in out, f"a page of another origin cannot read the journal: {out}")
        time.sleep(0.5)
        after = requests.get(base + "/__teapot/requests").json()["requests"]
        check(len(after) == before, f"its reset did nothing: {before} entries before, {len(after)} after")
        names = [s["name"] for s in requests.get(base + "/__teapot/scenarios").json()["scenarios"]]
        check("evil" not in names, f"its scenario was not loaded: {names}")
        # The frame's request comes from another origin (Sec-Fetch-Site: same-site): the admin API
        # refuses it (403), and the page would refuse to be framed anyway (frame-ancestors 'none').
        framed = [e["params"]["response"]["status"] for e in browser.events
                  if e.get("method") == "Network.responseReceived"
                  and e["params"]["response"]["url"].endswith("/__teapot/ui")]
        frame_tree = browser.call("Page.getFrameTree")["frameTree"]
        child = (frame_tree.get("childFrames") or [{}])[0].get("frame", {})
        console = browser.console()
        refused = framed == [403] or child.get("url", "").startswith("chrome-error:") or "frame-ancestors" in console
        check(refused, f"the dashboard is not shown in another origin's frame: {framed}, {child}, {console[:300]}")
        print("ok: a page of another origin cannot read the journal, reset it, load a scenario, or frame the dashboard")
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("teapot")
    parser.add_argument("--screenshots", default=None)
    args = parser.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="teapot-dashboard-")
    teapot, base = start_teapot(args.teapot, workdir)
    browser = None
    try:
        browser = Browser(workdir)
        the_dashboard_shows_a_client_run(browser, base, args.screenshots)
        another_origin_cannot_read_or_drive_it(browser, base)
        the_token_is_asked_for_and_never_in_the_url(browser, args.teapot, workdir)
    finally:
        if browser:
            browser.close()
        teapot.terminate()
        teapot.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

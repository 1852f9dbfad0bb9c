#!/usr/bin/env python3
"""Drives Tsuna's administration panel (/admin/) in headless Chromium through Selenium, as an administrator would:
sign in (a non-admin cannot), search a user and deactivate them (their API token is then refused), verify a
channel, delete a comment, retry a failed mail, and find every action in the audit log. A form auto-submitted from
another origin changes nothing, and a user named <script>… renders as text.

Run by Tests/TsunaTests/AdminBrowserTests.swift, which starts the server and prepares the data through the API:
    python3 Tests/Browser/admin_panel.py --base http://127.0.0.1:PORT --fixture '{"admin_email": …}'
Needs Debian's chromium and chromium-driver, and selenium from PyPI (bash .ci/run installs them)."""
import argparse, http.server, json, shutil, sys, threading, time, urllib.error, urllib.request

STEP_TIMEOUT = 10


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def api_status(base, path, token):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Attacker:
    """A page on another origin (another port) that auto-submits a form to the panel, without its CSRF token."""
    def __init__(self, target):
        page = f"""<!doctype html><html><body><p>Win a prize!</p>
        <form method="post" action="{target}"><input type="hidden" name="confirm" value="yes"></form>
        <script>document.forms[0].submit()</script></body></html>""".encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--fixture", required=True, help="JSON: accounts, tokens and objects prepared through the API")
    args = parser.parse_args()
    base, f = args.base.rstrip("/"), json.loads(args.fixture)

    try:
        from selenium import webdriver
        from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                                StaleElementReferenceException, TimeoutException,
                                                WebDriverException)
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        fail("selenium is not installed: python3 -m pip install selenium (bash .ci/run installs it)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        fail("chromium or chromedriver is missing: apt-get install chromium chromium-driver (bash .ci/run installs them)")

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(STEP_TIMEOUT)
    started = time.monotonic()

    def step(name):
        print(f"[{time.monotonic() - started:5.1f}s] {name}", flush=True)

    # A node read while its page is being replaced: Chrome reports it as stale, or (in some versions) as a plain
    # WebDriverException "Node with given id does not belong to the document". Either way: look again.
    replaced = (NoSuchElementException, StaleElementReferenceException, WebDriverException)

    def main_text():
        try:
            return driver.find_element(By.TAG_NAME, "main").text
        except replaced:
            return ""

    def expect_text(text, where="the page"):
        # The previous page may still be showing, or go away while it is read: look again until the text appears.
        wait = WebDriverWait(driver, STEP_TIMEOUT, ignored_exceptions=replaced)
        try:
            wait.until(lambda d: text in d.find_element(By.TAG_NAME, "main").text)
        except TimeoutException:
            fail(f"{where} does not show {text!r}: {driver.current_url}\n{main_text()[:1500]}")

    def no_alert():
        try:
            alert = driver.switch_to.alert
            fail(f"a script ran: alert {alert.text!r}")
        except NoAlertPresentException:
            pass

    def sign_in(email, password):
        driver.get(base + "/admin/")
        driver.find_element(By.NAME, "email").send_keys(email)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form.signin button").click()

    def click(label, scope=None):
        root = scope or driver
        buttons = [b for b in root.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == label]
        if not buttons:
            fail(f"no button {label!r} on {driver.current_url}")
        buttons[0].click()

    try:
        step("a non-administrator is refused")
        sign_in(f["user_email"], f["user_password"])
        expect_text("Only site administrators can sign in here.")

        step("the administrator signs in")
        sign_in(f["admin_email"], f["admin_password"])
        expect_text("Dashboard")
        if "administrators" not in main_text():
            fail("the dashboard lacks its figures")

        step("search a user by email and deactivate them")
        driver.get(base + "/admin/users/")
        box = driver.find_element(By.NAME, "q")
        box.send_keys(f["victim_email"][:6])
        box.submit()
        expect_text(f["victim_email"])
        driver.find_element(By.LINK_TEXT, f["victim_email"]).click()
        expect_text("Actions")
        click("Deactivate")
        expect_text("The account is deactivated")
        status, body = api_status(base, "/accounts/v1/me/", f["victim_access"])
        if status != 401 or (body or {}).get("code") != "token_not_valid":
            fail(f"the deactivated user's token still works: {status} {body}")

        step("verify a channel")
        driver.get(base + f"/admin/channels/?q={f['channel_title'][:3]}")
        driver.find_element(By.LINK_TEXT, f["channel_title"]).click()
        click("Verify")
        expect_text("The channel is verified.")
        status, body = api_status(base, f"/channels/v1/{f['channel']}/", f["owner_access"])
        if status != 200 or body.get("is_verified") is not True:
            fail(f"the API does not see the channel verified: {status} {body}")

        step("delete a comment found by its words")
        driver.get(base + "/admin/comments/")
        box = driver.find_element(By.NAME, "q")
        box.send_keys(f["comment_words"])
        box.submit()
        expect_text(f["comment_body"])
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if f["comment_body"] in r.text]
        click("Delete", rows[0])
        expect_text("The comment and its replies were deleted.")
        status, _ = api_status(base, f"/comments/v1/video/{f['item']}/{f['comment']}/", f["owner_access"])
        if status != 404:
            fail(f"the comment is still there: {status}")

        step("retry a failed mail")
        driver.get(base + "/admin/mail/?status=queued")
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if f["mail_recipient"] in r.text]
        if not rows or "retrying" not in rows[0].text:
            fail(f"no failed message to {f['mail_recipient']}:\n{main_text()[:1500]}")
        attempts = int(rows[0].find_element(By.CSS_SELECTOR, "td[data-label=Attempts]").text)
        click("Retry now", rows[0])
        expect_text("The message will be sent again at once.")
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            driver.get(base + "/admin/mail/?status=queued")
            row = [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if f["mail_recipient"] in r.text][0]
            now = int(row.find_element(By.CSS_SELECTOR, "td[data-label=Attempts]").text)
            if now > attempts:
                break
            if time.monotonic() > deadline:
                fail(f"no new attempt after the retry ({attempts} attempts)")
            time.sleep(0.2)

        step("a form auto-submitted from another origin changes nothing")
        attacker = Attacker(base + f"/admin/users/{f['bystander_token']}/deactivate/")
        try:
            driver.get(attacker.url)
            WebDriverWait(driver, STEP_TIMEOUT).until(lambda d: d.current_url.startswith(base))
            expect_text("Nothing was changed", "the panel's answer to the forged form")
        finally:
            attacker.close()
        status, _ = api_status(base, "/accounts/v1/me/", f["bystander_access"])
        if status != 200:
            fail(f"the forged form deactivated the bystander: {status}")

        step("a user named <script>… renders as text")
        driver.get(base + "/admin/users/?by=name&q=%3Cscript")
        no_alert()
        expect_text(f["evil_name"])
        driver.find_element(By.PARTIAL_LINK_TEXT, f["evil_email"]).click()
        no_alert()
        expect_text(f["evil_name"])

        step("the audit log lists every action, newest first")
        driver.get(base + "/admin/audit/")
        text = main_text()
        actions = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td[data-label=Action]")]
        expected = ["retry", "delete", "verify", "deactivate"]   # newest first
        if [a for a in actions if a in expected] != expected:
            fail(f"audit log out of order or incomplete: {actions}")
        for label in [f["victim_email"], f["channel_title"], f["mail_recipient"]]:
            if label not in text:
                fail(f"the audit log does not name {label!r}")

        step("the layout fits a phone")
        driver.set_window_size(390, 844)
        driver.get(base + "/admin/users/")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        if width > 400:
            fail(f"the users page is {width}px wide on a 390px screen")

        step(f"done in {time.monotonic() - started:.1f}s")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

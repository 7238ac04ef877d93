# ruff: noqa: E501  -- the JavaScript run in the page keeps its own line lengths
"""PWA benchmark (not a test): offline cold start, syncing 1,000 queued mutations and
20 photos, IndexedDB footprint per 1,000 records. Prints figures; asserts nothing.

Start a server first (see client-pwa/README.md), then from the repository root:

    .venv/bin/python ops/bench/pwa_bench.py --url http://127.0.0.1:8000

Targets from issue 4: cold start < 1.5 s, the 1,000-mutation sync < 10 s.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# Queue mutations straight into the outbox, as enqueue() would have, so the benchmark
# measures the sync and not 1,000 form submissions.
INJECT = """
async ({ n, photos }) => {
  const session = JSON.parse(localStorage.getItem('workroom.session'));
  const open = indexedDB.open('workroom-u-' + session.user.id);
  const db = await new Promise((ok, ko) => { open.onsuccess = () => ok(open.result); open.onerror = ko; });
  const get = (store, key) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).get(key); r.onsuccess = () => ok(r.result);
  });
  const communities = (await get('meta', 'communities')).value;
  let seq = ((await get('meta', 'next_seq')) || { value: 1 }).value;
  const device = session.device_id;
  const ms = Date.now();
  const caseId = crypto.randomUUID();
  const blobs = [];
  for (let i = 0; i < photos; i++) {
    const c = document.createElement('canvas'); c.width = 1600; c.height = 1200;
    const g = c.getContext('2d');
    for (let k = 0; k < 40; k++) {
      g.fillStyle = `hsl(${Math.random() * 360},60%,50%)`;
      g.fillRect(Math.random() * 1600, Math.random() * 1200, 300, 200);
    }
    const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.82));
    const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())),
      (b) => b.toString(16).padStart(2, '0')).join('');
    blobs.push({ sha256: hash, blob, media_type: 'image/jpeg', size: blob.size, uploaded: 0 });
  }
  const muts = [];
  let counter = 0;
  const push = (kind, record_id, fields) => muts.push({
    id: crypto.randomUUID(), seq: seq++, hlc: `${ms}:${String(counter++).padStart(5, '0')}:${device}`,
    kind, record_id, community_id: communities[0].id, base_version: 0, fields, queued_at: ms });
  push('case', caseId, { title: '基准测试诉件', category: '其他', source: 'patrol' });
  for (const b of blobs) push('attachment', crypto.randomUUID(),
    { parent_kind: 'case', parent_id: caseId, sha256: b.sha256, media_type: 'image/jpeg' });
  while (muts.length < n) push('suggestion', crypto.randomUUID(), { content: '基准测试建议 ' + muts.length });
  await new Promise((ok, ko) => {
    const tx = db.transaction(['outbox', 'meta', 'blobs'], 'readwrite');
    for (const m of muts) tx.objectStore('outbox').add(m);
    for (const b of blobs) tx.objectStore('blobs').put(b);
    tx.objectStore('meta').put({ key: 'next_seq', value: seq });
    tx.objectStore('meta').put({ key: 'hlc', value: { ms, counter, device } });
    tx.oncomplete = ok; tx.onerror = ko;
  });
  db.close();
  return muts.length;
}
"""


def usage(page: Page) -> int:
    return int(page.evaluate("navigator.storage.estimate().then(e => e.usage || 0)"))


def offline(ctx: BrowserContext) -> None:
    ctx.route("**/*", lambda r: r.abort("internetdisconnected"))
    ctx.set_offline(True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="liaison01")
    ap.add_argument("--password", default="Workroom2026")
    ap.add_argument("--mutations", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=20)
    a = ap.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(a.url + "/app/")
        page.fill("input[name=username]", a.user)
        page.fill("input[name=password]", a.password)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=user]")
        page.wait_for_function("navigator.serviceWorker.ready.then(r => !!r.active)")
        page.wait_for_timeout(1000)

        offline(ctx)
        page.close()
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(a.url + "/app/")
        page.wait_for_selector("[data-testid=pending-today]")
        cold = time.perf_counter() - t0
        print(f"offline cold start to Today: {cold * 1000:.0f} ms (target < 1500)")

        u0 = usage(page)
        n = page.evaluate(INJECT, {"n": a.mutations, "photos": a.photos})
        u1 = usage(page)
        # Reopen offline so nothing syncs yet; the `online` event then starts the run.
        page.reload()
        page.wait_for_selector("[data-testid=user]")
        page.click("nav button[data-tab=sync]")
        page.wait_for_selector("[data-testid=pending-count]")
        before = page.get_attribute("[data-testid=last-sync]", "data-ms") or "0"
        t0 = time.perf_counter()
        ctx.unroute("**/*")
        ctx.set_offline(False)
        page.wait_for_function(
            """b => Number(document.querySelector('[data-testid=last-sync]').dataset.ms) > Number(b)
                 && document.querySelector('[data-testid=pending-count]').textContent.includes(' 0 ')""",
            arg=before,
            timeout=120_000,
            polling=50,
        )
        took = time.perf_counter() - t0
        rejected = page.locator("li.rejected").count()
        print(
            f"sync of {n} mutations incl. {a.photos} photos: {took:.1f} s (target < 10), "
            f"rejected {rejected}"
        )
        u2 = usage(page)
        print(
            f"IndexedDB: outbox +{(u1 - u0) / 1024:.0f} KB for {n} queued mutations and "
            f"{a.photos} photos; after sync {(u2 - u0) / 1024:.0f} KB "
            f"(records pulled back; photos kept)"
        )
        browser.close()


if __name__ == "__main__":
    main()

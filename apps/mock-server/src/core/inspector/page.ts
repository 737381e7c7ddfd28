import type { ApiView, DeliveryView, InspectorSnapshot, JobView, RequestSummary } from './snapshot.js';
import type { RequestRecord } from './request-log.js';

// The inspector page: server-rendered HTML that reads whole without JavaScript (filters are a GET
// form, details are <details>), and a small inline script that swaps in a fresh <main> when the
// stream says something changed. No asset is fetched from anywhere: the mock runs offline.

/** Where the page is served. */
export const INSPECTOR_PATH = '/_mock/';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => escapes[c] as string);

/** The whole page. `details` holds the full record of each listed request (bodies cut, secrets masked). */
export function renderPage(snapshot: InspectorSnapshot, details: ReadonlyMap<string, RequestRecord>, allKeys: ReadonlyArray<{ api: string; keys: readonly string[] }>): string {
  const { filter } = snapshot;
  const apiOptions = allKeys.map(({ api }) => `<option value="${esc(api)}"${filter.api === api ? ' selected' : ''}>${esc(api)}</option>`).join('');
  const keyOptions = allKeys
    .map(({ api, keys }) => `<optgroup label="${esc(api)}">${keys.map((key) => `<option value="${esc(key)}"${filter.key === key ? ' selected' : ''}>${esc(key)}</option>`).join('')}</optgroup>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mock inspector · imagegen</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Mock inspector</h1>
<form id="filters" method="get" action="${INSPECTOR_PATH}">
<label>API <select name="api"><option value="">all</option>${apiOptions}</select></label>
<label>Key <select name="key"><option value="">any</option>${keyOptions}</select></label>
<label>Rows <input name="limit" type="number" min="1" max="200" value="${filter.limit}"></label>
<button type="submit">Apply</button>
</form>
<p id="live" class="muted">Snapshot at ${esc(clockTime(snapshot.now))} (mock clock). Reload for news; with JavaScript the page updates itself.</p>
</header>
<main id="inspector-main">
${renderMain(snapshot, details)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** What `<main>` holds: the part the script swaps in when something changed. */
export function renderMain(snapshot: InspectorSnapshot, details: ReadonlyMap<string, RequestRecord>): string {
  return [
    renderViolations(snapshot),
    renderSummary(snapshot),
    section('requests', 'Requests', snapshot.apis.map((api) => renderRequests(api, details)).join('')),
    section('jobs', 'Jobs', snapshot.apis.map((api) => renderJobs(api, snapshot.now)).join('')),
    section('webhooks', 'Webhooks', renderWebhooks(snapshot)),
    section('money', 'Money and limits', snapshot.apis.map((api) => renderMoney(api, snapshot.now)).join('')),
    section('faults', 'Faults', renderFaults(snapshot)),
  ].join('\n');
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${title}</h2>${body}</section>`;
}

function renderViolations({ violations, drift }: InspectorSnapshot): string {
  const injected = drift.injected > 0 ? `, ${drift.injected} answer(s) changed on purpose by an armed job outcome (not the vendor's)` : '';
  const driftLine = drift.differences + drift.invalidRequests + drift.injected > 0
    ? `<p>Proxy drift: ${drift.differences} difference(s) from the spec, ${drift.invalidRequests} invalid request(s)${injected}; see <a href="/_mock/drift">/_mock/drift</a>.</p>`
    : '';
  if (violations.length === 0) return driftLine === '' ? '' : `<section id="violations" class="alert">${driftLine}</section>`;
  const rows = violations
    .map((v) => `<li data-api="${esc(v.api)}"><b>${esc(v.api)}</b> ${esc(v.method)} <code>${esc(v.path)}</code> ${v.status === 0 ? 'webhook payload' : esc(v.status)}: ${esc(v.message)}</li>`)
    .join('');
  return `<section id="violations" class="alert" role="alert"><h2>${violations.length} response(s) broke the spec</h2><p>A bug in the mock, never in your client: each was answered as a 500 (or the webhook withheld).</p><ul>${rows}</ul>${driftLine}</section>`;
}

function renderSummary(snapshot: InspectorSnapshot): string {
  const cells = snapshot.apis
    .map((api) => {
      const failedRequests = api.requests.recent.filter((r) => r.status === null || r.status >= 400).length;
      return `<li data-api="${esc(api.slug)}"><b>${esc(api.title)}</b> <span class="muted">/${esc(api.slug)}</span><br>${api.requests.kept} request(s) kept, ${failedRequests} refused or failed shown · ${api.jobs.total} job(s): ${phaseCounts(api.jobs.byPhase)}</li>`;
    })
    .join('');
  const hooks = snapshot.webhooks;
  return `<ul class="summary">${cells}<li><b>Webhooks</b><br>${hooks.total}: ${Object.entries(hooks.byStatus).map(([status, n]) => `${n} ${esc(status)}`).join(', ')}</li><li><b>Faults</b><br>${snapshot.faults.armed.length} armed, ${snapshot.faults.firedTotal} fired</li></ul>`;
}

function phaseCounts(byPhase: Record<string, number>): string {
  return Object.entries(byPhase).filter(([, n]) => n > 0).map(([phase, n]) => `<span class="phase ${esc(phase)}">${n} ${esc(phase)}</span>`).join(' ') || 'none';
}

function renderRequests(api: ApiView, details: ReadonlyMap<string, RequestRecord>): string {
  const rows = api.requests.recent.map((r) => renderRequest(r, details.get(r.id))).join('');
  const empty = rows === '' ? '<p class="muted">No requests yet.</p>' : '';
  return `<div class="api" data-api="${esc(api.slug)}"><h3>${esc(api.title)} <span class="muted">newest first · ${api.requests.kept} kept of the last ${api.requests.capacity}</span></h3>${empty}${rows}</div>`;
}

function renderRequest(r: RequestSummary, full: RequestRecord | undefined): string {
  const bad = r.status === null || r.status >= 400;
  const status = r.status === null ? esc(r.outcome ?? 'no answer') : String(r.status);
  const body = full
    ? `<div class="exchange"><div><h4>Request</h4>${headersTable(full.request.headers)}${full.request.body === undefined ? '' : `<pre>${esc(full.request.body)}</pre>`}</div><div><h4>Answer</h4>${headersTable(full.answer.headers)}${full.answer.body === undefined ? '' : `<pre>${esc(full.answer.body)}${full.answer.truncated ? '\n… (cut)' : ''}</pre>`}</div></div>`
    : '';
  return `<details class="request${bad ? ' bad' : ''}" id="${esc(r.id)}" data-status="${esc(r.status ?? 'none')}" data-key="${esc(r.key ?? '')}"><summary><span class="status s${esc(String(r.status ?? 0).charAt(0))}">${status}</span> <b>${esc(r.method)}</b> <code>${esc(r.path)}</code> <span class="muted">${esc(clockTime(r.at))} · ${r.durationMs} ms · ${r.key === null ? 'no key' : `key ${esc(r.key)}`}${r.operation ? ` · ${esc(r.operation)}` : ''}</span>${r.reason ? `<div class="reason">${esc(r.reason)}</div>` : ''}</summary>${body}</details>`;
}

function headersTable(headers: Record<string, string>): string {
  return `<table class="headers">${Object.entries(headers).map(([name, value]) => `<tr><th>${esc(name)}</th><td>${esc(value)}</td></tr>`).join('')}</table>`;
}

function renderJobs(api: ApiView, now: number): string {
  const { jobs } = api;
  const shown = jobs.recent.length;
  const head = `<h3>${esc(api.title)} <span class="muted">${jobs.total} job(s): ${phaseCounts(jobs.byPhase)}${jobs.total > shown ? ` · the ${shown} newest shown` : ''}</span></h3>`;
  if (shown === 0) return `<div class="api" data-api="${esc(api.slug)}">${head}<p class="muted">No jobs yet.</p></div>`;
  return `<div class="api" data-api="${esc(api.slug)}">${head}<table class="jobs"><thead><tr><th>Job</th><th>Status</th><th>Timeline (mock clock)</th><th>Outcome</th><th>Cost</th><th>Images</th></tr></thead><tbody>${jobs.recent.map((job) => renderJob(job, now)).join('')}</tbody></table></div>`;
}

function renderJob(job: JobView, now: number): string {
  const span = Math.max(1, job.settledAt - job.createdAt);
  const queued = ((job.startedAt - job.createdAt) / span) * 100;
  const elapsed = Math.min(100, Math.max(0, ((now - job.createdAt) / span) * 100));
  const outcome = job.failure
    ? `<span class="phase failed">${esc(job.failure.code ?? 'failed')}</span> ${esc(job.failure.message)}`
    : job.phase === job.outcome ? esc(job.outcome) : `<span class="muted">will end ${esc(job.outcome)}</span>`;
  const thumbnails = job.thumbnails.map((src, i) => `<img src="${esc(src)}" alt="image ${i + 1} of job ${esc(job.id)}" width="64" loading="lazy">`).join('');
  return `<tr id="job-${esc(job.id)}" data-phase="${esc(job.phase)}"><td><code>${esc(job.id)}</code><div class="muted">${esc(job.owner)}</div><div class="muted">${esc(job.label.slice(1, 4).join(' · '))}</div></td><td><span class="phase ${esc(job.phase)}">${esc(job.status)}</span></td><td><div class="bar" title="queued, then running, then settled"><span class="queued" style="width:${queued.toFixed(1)}%"></span><span class="now" style="left:${elapsed.toFixed(1)}%"></span></div><div class="muted">created ${esc(clockTime(job.createdAt))} · running ${relative(job.startedAt - job.createdAt)} · settled ${relative(job.settledAt - job.createdAt)}</div></td><td>${outcome}</td><td>${esc(job.charged)}${job.unit ? ` ${esc(job.unit)}` : ''}</td><td>${thumbnails}</td></tr>`;
}

function renderWebhooks(snapshot: InspectorSnapshot): string {
  const { webhooks } = snapshot;
  if (webhooks.recent.length === 0) return '<p class="muted">No webhooks or callbacks sent yet.</p>';
  return `<p class="muted">${webhooks.total} kept · newest first${snapshot.filter.key ? ' · deliveries are not tied to a key, so the key filter leaves them be' : ''}</p>${webhooks.recent.map((d) => renderDelivery(d, snapshot.now)).join('')}`;
}

function renderDelivery(d: DeliveryView, now: number): string {
  const signature = d.signature
    ? `<span class="sig ${d.signature.verified ? 'ok' : 'bad'}">signature ${d.signature.verified ? 'verifies' : 'does NOT verify'} with secret ${esc(d.signature.secret)}</span>`
    : '<span class="muted">unsigned</span>';
  const next = d.nextAttemptAt === null ? '' : ` · next attempt ${esc(clockTime(d.nextAttemptAt))} (in ${relative(d.nextAttemptAt - now)})`;
  const attempts = d.attempts
    .map((a) => `<tr><td>#${a.number}</td><td>${esc(clockTime(a.startedAt))}</td><td>${esc(a.outcome ?? 'in flight')}${a.httpStatus === null ? '' : ` ${a.httpStatus}`}${a.error ? ` <span class="muted">${esc(a.error)}</span>` : ''}</td><td>${a.signatureValid === null ? '' : a.signatureValid ? '✓ verifies' : '✗ does not verify'}</td><td>${a.responseBody === null ? '' : `<code>${esc(a.responseBody.slice(0, 200))}</code>`}</td></tr>`)
    .join('');
  const firstHeaders = d.attempts[0]?.requestHeaders;
  return `<details class="delivery ${esc(d.status)}" id="${esc(d.id)}" data-api="${esc(d.api)}" data-status="${esc(d.status)}"><summary><span class="phase ${d.status === 'delivered' ? 'succeeded' : d.status === 'pending' ? 'running' : 'failed'}">${esc(d.status)}</span> <b>${esc(d.api)}</b> ${esc(d.id)} → <code>${esc(d.url)}</code> <span class="muted">${d.attempts.length} attempt(s)${next}</span> ${signature}${d.reason ? `<div class="reason">${esc(d.reason)}</div>` : ''}${d.violation ? `<div class="reason">payload breaks the spec: ${esc(d.violation)}</div>` : ''}</summary>${d.signature ? `<p class="muted">${esc(d.signature.header)}: ${esc(d.signature.scheme)}</p>` : ''}<table class="attempts"><thead><tr><th>Attempt</th><th>Sent</th><th>Answer</th><th>Signature</th><th>Body</th></tr></thead><tbody>${attempts}</tbody></table>${firstHeaders ? headersTable(firstHeaders) : ''}<pre>${esc(d.payload)}</pre></details>`;
}

function renderMoney(api: ApiView, now: number): string {
  const ledgers = api.money
    .map((ledger) => `<table class="money"><thead><tr><th>Workspace</th><th>Balance</th><th>Started with</th><th>Charged</th><th>Refunded</th></tr></thead><tbody>${ledger.workspaces
      .map((w) => `<tr><td>${esc(w.workspace)}</td><td><b>${w.balance === null ? 'unlimited' : `${esc(w.balance)} ${esc(ledger.unit)}`}</b></td><td>${w.initial === null ? 'unlimited' : esc(w.initial)}</td><td>${esc(w.charged)} (${w.charges}×)</td><td>${esc(w.refunded)} (${w.refunds}×)</td></tr>`)
      .join('')}</tbody></table>`)
    .join('');
  const limits = api.rateLimits.length === 0
    ? '<p class="muted">No rate-limit window open.</p>'
    : `<table class="limits"><thead><tr><th>Window of</th><th>Left</th><th>Resets</th></tr></thead><tbody>${api.rateLimits.map((w) => `<tr><td>${esc(w.who)}</td><td>${w.remaining} of ${w.limit}</td><td>${esc(clockTime(w.resetAt))} (in ${relative(w.resetAt - now)})</td></tr>`).join('')}</tbody></table>`;
  return `<div class="api" data-api="${esc(api.slug)}"><h3>${esc(api.title)}</h3>${ledgers || '<p class="muted">No credit ledger: this API bills nothing the mock keeps a balance of.</p>'}${limits}</div>`;
}

function renderFaults({ faults }: InspectorSnapshot): string {
  const armed = faults.armed.length === 0 ? '<p class="muted">No fault plan armed (<code>POST /_mock/faults</code>).</p>' : `<h3>Armed</h3><ul>${faults.armed.map((plan) => `<li><code>${esc(JSON.stringify(plan))}</code></li>`).join('')}</ul>`;
  const fired = faults.fired.length === 0
    ? '<p class="muted">No fault fired yet.</p>'
    : `<h3>Fired (${faults.firedTotal})</h3><table class="fired"><thead><tr><th>When</th><th>API</th><th>Fault</th><th>Request</th><th>From</th></tr></thead><tbody>${faults.fired
        .map((f) => `<tr data-api="${esc(f.api)}"><td>${esc(clockTime(Number(f.at)))}</td><td>${esc(f.api)}</td><td><b>${esc(f.fault)}</b></td><td>${esc(f.method)} <code>${esc(f.path)}</code></td><td>plan ${esc(f.planId)}</td></tr>`)
        .join('')}</tbody></table>`;
  const preferred = faults.preferred.length === 0
    ? ''
    : `<h3>Asked for with Prefer</h3><table class="preferred"><thead><tr><th>When</th><th>Request</th><th>Prefer</th><th>Took effect</th><th>Answer</th></tr></thead><tbody>${faults.preferred
        .map((p) => `<tr data-api="${esc(p.api)}"><td>${esc(clockTime(p.at))}</td><td>${esc(p.method)} <code>${esc(p.path)}</code> <a href="#${esc(p.request)}">${esc(p.request)}</a></td><td><code>${esc(p.prefer)}</code></td><td><code>${esc(p.applied ?? (p.status === null ? 'connection dropped' : '-'))}</code></td><td>${esc(p.status ?? 'none')}</td></tr>`)
        .join('')}</tbody></table>`;
  return armed + fired + preferred;
}

/** `12:00:01.250` on the mock clock (UTC). */
function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 23);
}

function relative(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  return abs < 1000 ? `${sign}${abs} ms` : `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#667;--line:#d0d7de;--ok:#1a7f37;--bad:#cf222e;--run:#9a6700;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8b949e;--line:#30363d;--ok:#3fb950;--bad:#f85149;--run:#d29922;--card:#161b22}}
body{margin:0;font:14px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;z-index:1}
h1{font-size:1.1rem;margin:0}h2{font-size:1.05rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:.95rem;margin:.8rem 0 .3rem}h4{margin:.2rem 0}
main{padding:0 1rem 2rem}form{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}#live{margin:0}
.muted{color:var(--muted);font-weight:normal}code,pre{font:12px/1.4 ui-monospace,monospace}pre{background:var(--card);padding:.5rem;overflow:auto;max-height:18rem;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:.3rem 0}th,td{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
.summary{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}.summary li{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem}
details{border-bottom:1px solid var(--line);padding:.2rem 0}summary{cursor:pointer}details.bad>summary code{color:var(--bad)}
.reason{color:var(--bad);margin-left:3.2rem}.status{display:inline-block;min-width:2.6rem;font-weight:bold}.s2{color:var(--ok)}.s4,.s5,.s0{color:var(--bad)}.s3{color:var(--run)}
.phase{border-radius:4px;padding:0 .3rem;border:1px solid currentColor}.succeeded{color:var(--ok)}.failed,.cancelled{color:var(--bad)}.running,.queued{color:var(--run)}
.sig.ok{color:var(--ok)}.sig.bad{color:var(--bad);font-weight:bold}
.exchange{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.headers th{font-weight:normal;color:var(--muted)}
.bar{position:relative;height:6px;width:12rem;background:var(--ok);border-radius:3px;overflow:hidden}.bar .queued{position:absolute;left:0;top:0;bottom:0;background:var(--run)}.bar .now{position:absolute;top:0;bottom:0;width:2px;background:var(--fg)}
img{border:1px solid var(--line);margin-right:.2rem;image-rendering:auto}
.alert{border:2px solid var(--bad);border-radius:6px;padding:.2rem 1rem;margin-top:1rem}.alert h2{color:var(--bad);border:0}
`;

// Progressive enhancement: without it the page is complete; with it the filters apply at once and
// the stream's `change` events swap in a fresh <main>, keeping open <details> open.
const SCRIPT = `
(function(){
var form=document.getElementById('filters'),main=document.getElementById('inspector-main'),live=document.getElementById('live'),source=null,busy=false,again=false;
function query(){var p=new URLSearchParams(new FormData(form));['api','key','limit'].forEach(function(k){if(!p.get(k))p.delete(k)});return p.toString()}
function refresh(){if(busy){again=true;return}busy=true;var q=query();
fetch('${INSPECTOR_PATH}?'+(q?q+'&':'')+'fragment=main',{headers:{Accept:'text/html'}}).then(function(r){return r.ok?r.text():Promise.reject(r.status)}).then(function(html){
var open=Array.prototype.map.call(main.querySelectorAll('details[open]'),function(d){return d.id});main.innerHTML=html;
open.forEach(function(id){var d=document.getElementById(id);if(d)d.open=true});live.textContent='Live · updated '+new Date().toLocaleTimeString();live.dataset.state='live'})
.catch(function(){live.textContent='Live updates paused: the mock did not answer'}).then(function(){busy=false;if(again){again=false;refresh()}})}
function connect(){if(source)source.close();var q=query();source=new EventSource('/_mock/stream'+(q?'?'+q:''));
source.addEventListener('change',refresh);source.onopen=function(){live.textContent='Live';live.dataset.state='live'};source.onerror=function(){live.textContent='Live updates paused (reconnecting)'}}
form.addEventListener('change',function(){var q=query();history.replaceState(null,'','${INSPECTOR_PATH}'+(q?'?'+q:''));refresh();connect()});
form.addEventListener('submit',function(e){e.preventDefault();form.dispatchEvent(new Event('change'))});
connect();
})();
`;

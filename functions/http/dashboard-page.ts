import type { Config } from '#shared/config/schema.ts';

/**
 * The CX dashboard: a static page that reads the scores and alerts APIs with the
 * viewer's own token. It carries display names from the config, never tokens.
 */
export function dashboardPage(config: Readonly<Config>): string {
  const names = {
    brand: config.brand.name,
    stores: Object.fromEntries(config.stores.map((s) => [s.id, s.name])),
    departments: Object.fromEntries(config.departments.map((d) => [d.id, d.name])),
  };
  return `<!doctype html>
<html lang="${config.defaultLocale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ClosedLoop · ${escapeHtml(config.brand.name)}</title>
<style>
  :root{--ink:#1d2733;--muted:#5b6878;--line:#dde3ea;--bg:#f5f7fa;--good:#15803d;--warn:#b45309;--bad:#b91c1c}
  body{font:15px/1.45 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:var(--bg);color:var(--ink)}
  header{background:var(--ink);color:#fff;padding:12px 20px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
  header h1{font-size:18px;margin:0;flex:1}
  input,select,button{font:inherit;padding:6px 10px;border-radius:8px;border:1px solid var(--line)}
  button{background:#2563eb;color:#fff;border:0;cursor:pointer}
  main{max-width:1100px;margin:0 auto;padding:20px;display:grid;gap:20px}
  .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:16px}
  .tile,section{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px}
  .tile h2{font-size:14px;color:var(--muted);margin:0 0 6px;font-weight:600}
  .tile .value{font-size:34px;font-weight:700}
  .tile .sub{color:var(--muted);font-size:13px}
  table{width:100%;border-collapse:collapse}
  th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);font-size:14px}
  th{color:var(--muted);font-weight:600}
  .bad{color:var(--bad)} .good{color:var(--good)} .warn{color:var(--warn)}
  #message{color:var(--bad);margin:0}
  #message:empty{display:none}
</style></head>
<body>
<header><h1>${escapeHtml(config.brand.name)} · ClosedLoop</h1>
  <label>From <input type="date" id="from"></label><label>To <input type="date" id="to"></label>
  <input id="token" type="password" placeholder="access token" aria-label="access token" size="16">
  <button id="load">Load</button>
</header>
<main>
  <p id="message" role="status"></p>
  <div class="tiles" id="tiles"></div>
  <section><h2>NPS by store</h2><table id="stores"><thead><tr><th>Store</th><th>NPS</th><th>± (95%)</th><th>Answers</th><th>Promoters</th><th>Detractors</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Closed loop</h2><table id="closed-loop" aria-label="closed-loop figures by department"><thead><tr><th>Department</th><th>Alerts</th><th>Followed up</th><th>Loop closed</th><th>Median to first contact</th><th>Within SLA</th><th>Escalated</th><th>Recovered</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Open alerts</h2><table id="alerts"><thead><tr><th>Created</th><th>Department</th><th>Store</th><th>Score</th><th>Comment</th><th>Status</th><th>Due</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
const names = ${JSON.stringify(names).replace(/</g, '\\u003c')};
const $ = (id) => document.getElementById(id);
// The viewer's calendar dates: toISOString() would give the UTC date, a day behind in Asia every morning.
const localDate = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 6e4).toISOString().slice(0, 10);
const today = new Date();
$('to').value = localDate(today);
$('from').value = localDate(new Date(today.getTime() - 89 * 864e5));
$('token').value = localStorage.getItem('closedloop-token') || '';
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
async function api(path) {
  const res = await fetch(path, { headers: { authorization: 'Bearer ' + $('token').value } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}
async function load() {
  localStorage.setItem('closedloop-token', $('token').value);
  $('message').textContent = '';
  const range = 'from=' + $('from').value + '&to=' + $('to').value;
  try {
    const [nps, csat, ces, byStore, alerts, loop] = await Promise.all([
      api('/v1/scores?metric=nps&granularity=month&' + range),
      api('/v1/scores?metric=csat&granularity=month&' + range),
      api('/v1/scores?metric=ces&granularity=month&' + range),
      api('/v1/scores?metric=nps&granularity=month&groupBy=store&' + range),
      api('/v1/alerts?status=open'),
      api('/v1/closed-loop?groupBy=department&' + range),
    ]);
    const total = (r) => r.buckets.reduce((a, b) => ({ n: a.n + b.responses, p: a.p + (b.promoters ?? b.satisfied ?? b.easy ?? 0), d: a.d + (b.detractors ?? 0), s: a.s + (b.score * b.responses) }), { n: 0, p: 0, d: 0, s: 0 });
    const t = { nps: total(nps), csat: total(csat), ces: total(ces) };
    const npsValue = t.nps.n ? Math.round((t.nps.p - t.nps.d) / t.nps.n * 1000) / 10 : null;
    const tiles = [
      ['NPS', npsValue, t.nps.n, npsValue === null ? '' : npsValue >= 50 ? 'good' : npsValue >= 0 ? 'warn' : 'bad'],
      ['CSAT %', t.csat.n ? Math.round(t.csat.p / t.csat.n * 1000) / 10 : null, t.csat.n, ''],
      ['CES (1–7)', t.ces.n ? Math.round(t.ces.s / t.ces.n * 100) / 100 : null, t.ces.n, ''],
    ];
    $('tiles').replaceChildren(...tiles.map(([label, value, n, cls]) => {
      const div = document.createElement('div');
      div.className = 'tile';
      div.innerHTML = '<h2></h2><div class="value"></div><div class="sub"></div>';
      div.querySelector('h2').textContent = label;
      div.querySelector('.value').textContent = value === null ? '–' : value;
      if (cls) div.querySelector('.value').classList.add(cls);
      div.querySelector('.sub').textContent = n + ' answers';
      return div;
    }));
    const stores = new Map();
    for (const b of byStore.buckets) {
      const s = stores.get(b.group) || { n: 0, p: 0, d: 0 };
      stores.set(b.group, { n: s.n + b.responses, p: s.p + b.promoters, d: s.d + b.detractors });
    }
    $('stores').tBodies[0].replaceChildren(...[...stores].map(([id, s]) => {
      const p = s.p / s.n, d = s.d / s.n;
      const moe = 1.96 * 100 * Math.sqrt((p + d - (p - d) ** 2) / s.n);
      const tr = document.createElement('tr');
      tr.append(cell(names.stores[id] || id), cell(Math.round((p - d) * 1000) / 10), cell('±' + Math.round(moe * 10) / 10), cell(s.n), cell(s.p), cell(s.d));
      return tr;
    }));
    const pct = (v) => (v === null ? '–' : v + '%');
    const minutes = (m) => (m === null ? '–' : m < 120 ? m + ' min' : Math.round(m / 6) / 10 + ' h');
    const loopRow = (label, g) => {
      const tr = document.createElement('tr');
      tr.append(cell(label), cell(g.raised), cell(pct(g.followUpRate), g.followUpRate !== null && g.followUpRate < 100 ? 'warn' : ''),
        cell(pct(g.closedLoopRate)), cell(minutes(g.medianMinutesToFirstContact)), cell(pct(g.withinSlaRate)), cell(g.escalated, g.escalated ? 'bad' : ''),
        cell(g.recoveryDecided ? pct(g.recoveryRate) + ' (' + g.recovered + '/' + g.recoveryDecided + ')' : '–'));
      return tr;
    };
    $('closed-loop').tBodies[0].replaceChildren(...loop.groups.map((g) => loopRow(names.departments[g.group] || g.group, g)), loopRow('All', loop.overall));
    $('alerts').tBodies[0].replaceChildren(...alerts.alerts.map((a) => {
      const tr = document.createElement('tr');
      const late = new Date(a.dueAt) < new Date();
      tr.append(cell(new Date(a.createdAt).toLocaleString()), cell(names.departments[a.departmentId] || a.departmentId), cell(names.stores[a.storeId] || a.storeId),
        cell(a.surveyType.toUpperCase() + ' ' + a.score, 'bad'), cell(a.comment || ''), cell(a.status), cell(new Date(a.dueAt).toLocaleString(), late ? 'bad' : ''));
      return tr;
    }));
  } catch (error) {
    // No figures from an earlier load may stay on screen next to the error.
    $('tiles').replaceChildren();
    $('stores').tBodies[0].replaceChildren();
    $('alerts').tBodies[0].replaceChildren();
    $('closed-loop').tBodies[0].replaceChildren();
    $('message').textContent = error.message;
  }
}
$('load').onclick = load;
if ($('token').value) load();
</script>
</body></html>`;
}

const escapeHtml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

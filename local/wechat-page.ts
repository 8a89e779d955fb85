import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
import type { Config } from '#shared/config/schema.ts';

/**
 * The WeChat simulator: pick an openid, read the template messages the service account sent it
 * (as WeChat's 服务通知 shows them), open the link (the web survey on this stack), or make the
 * openid stop following the account, so the next message answers 43004 and the survey moves on.
 */
export function wechatPage(config: Readonly<Config>): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ClosedLoop · WeChat simulator</title>
${PAGE_ICON}
<style>
  body{font:16px/1.45 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#ededed;color:#191919;min-height:100vh;min-height:100dvh;display:flex;flex-direction:column}
  header{background:#2e2e2e;color:#fff;padding:12px 16px;display:flex;gap:8px 12px;align-items:center;flex-wrap:wrap}
  header h1{font-size:18px;margin:0;flex:1 0 100%}
  header input{flex:1 1 12em;min-width:0}
  select,input,button{font:inherit;padding:8px 10px;border-radius:8px;border:1px solid #c7c7c7}
  label.follow{display:flex;gap:6px;align-items:center}
  main{flex:1;width:100%;max-width:480px;margin:0 auto;padding:16px;box-sizing:border-box;display:flex;flex-direction:column;gap:12px}
  .card{background:#fff;border-radius:10px;padding:14px 16px}
  .card h2{font-size:15px;margin:0 0 8px;color:#191919}
  .card dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:4px 12px;font-size:15px}
  .card dt{color:#6b6b6b}
  .card dd{margin:0}
  .card a{display:block;margin-top:10px;padding-top:10px;border-top:1px solid #eee;color:#576b95;text-decoration:none}
  .meta{font-size:12px;color:#6b6b6b;text-align:center}
  .empty{color:#555;text-align:center;margin-top:20vh}
</style></head>
<body>
<header><h1>${escapeHtml(config.brand.name)} · WeChat simulator · 服务通知</h1>
  <label>OpenID <select id="openid" aria-label="openid"></select></label>
  <input id="custom" placeholder="another openid (28 characters)" aria-label="another openid">
  <label class="follow"><input type="checkbox" id="following" checked> follows the account</label>
</header>
<main id="messages" aria-live="polite"></main>
<script>
const $ = (id) => document.getElementById(id);
let current = (new URLSearchParams(location.search).get('openId') || '').trim();
// The link is the deployment's public one (PUBLIC_BASE_URL may be a tunnel or a made-up host):
// the survey it names is on this stack, so it opens here.
const local = (url) => { try { const u = new URL(url); return location.origin + u.pathname + u.search; } catch { return url; } };
async function loadOpenIds() {
  const { openIds } = await (await fetch('/dev/wechat/openids')).json();
  if (!current && openIds.length) current = openIds[openIds.length - 1];
  const all = [...new Set([...openIds, current].filter(Boolean))];
  $('openid').innerHTML = '';
  for (const id of all) { const o = document.createElement('option'); o.textContent = id; o.selected = id === current; $('openid').append(o); }
}
let latest = 0;
async function loadMessages() {
  if (!current) { $('messages').innerHTML = '<p class="empty">No messages yet: post a visit with customer.wechatOpenId at a store that reaches by WeChat.</p>'; return; }
  const request = ++latest;
  const [{ messages }, { following }] = await Promise.all([
    (await fetch('/dev/wechat/outbox?openId=' + encodeURIComponent(current))).json(),
    (await fetch('/dev/wechat/followers?openId=' + encodeURIComponent(current))).json(),
  ]);
  if (request !== latest) return;
  $('following').checked = following;
  if (!messages.length) { $('messages').innerHTML = '<p class="empty">Nothing sent to this openid yet.</p>'; return; }
  $('messages').replaceChildren(...messages.map((m) => {
    const card = document.createElement('article');
    card.className = 'card';
    const title = document.createElement('h2');
    title.textContent = ${JSON.stringify(config.brand.name)};
    const fields = document.createElement('dl');
    for (const [key, { value }] of Object.entries(m.data)) {
      const dt = document.createElement('dt'); dt.textContent = key;
      const dd = document.createElement('dd'); dd.textContent = value;
      fields.append(dt, dd);
    }
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = new Date(m.sentAt).toLocaleString();
    card.append(meta, title, fields);
    if (m.url) {
      const link = document.createElement('a');
      link.href = local(m.url);
      link.textContent = '详情 · Open';
      card.append(link);
    }
    return card;
  }));
}
$('openid').onchange = (e) => { current = e.target.value; loadMessages(); };
$('custom').onchange = (e) => { current = e.target.value.trim(); loadOpenIds().then(loadMessages); };
$('following').onchange = async (e) => {
  if (!current) return;
  await fetch('/dev/wechat/followers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openId: current, following: e.target.checked }) });
};
loadOpenIds().then(loadMessages);
setInterval(() => loadOpenIds().then(loadMessages), 2000);
</script>
</body></html>`;
}

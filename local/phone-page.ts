import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
import type { Config } from '#shared/config/schema.ts';

/** The SMS simulator's phone: pick a number, read its thread, reply as the customer. */
export function phonePage(config: Readonly<Config>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ClosedLoop · phone simulator</title>
${PAGE_ICON}
<style>
  body{font:16px/1.4 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#eef1f5;color:#1d2733;min-height:100vh;min-height:100dvh;display:flex;flex-direction:column}
  header{background:#1d2733;color:#fff;padding:12px 16px;display:flex;gap:8px 12px;align-items:center;flex-wrap:wrap}
  header h1{font-size:18px;margin:0;flex:1 0 100%}
  header input{flex:1 1 9em;min-width:0}
  select,input,button{font:inherit;padding:8px 10px;border-radius:8px;border:1px solid #c7ced8}
  button{background:#2563eb;color:#fff;border:0;cursor:pointer}
  main{flex:1;display:flex;flex-direction:column;width:100%;max-width:480px;margin:0 auto;padding:16px 16px 0;box-sizing:border-box}
  #thread{flex:1;display:flex;flex-direction:column;gap:8px}
  .msg{max-width:80%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-break:break-word}
  .outbound{background:#fff;align-self:flex-start;border-bottom-left-radius:4px}
  .inbound{background:#2563eb;color:#fff;align-self:flex-end;border-bottom-right-radius:4px}
  .meta{font-size:12px;opacity:.65;margin-top:2px}
  form{display:flex;gap:8px;margin-top:16px;position:sticky;bottom:0;background:#eef1f5;padding:8px 0 16px}
  form input{flex:1;min-width:0}
  .empty{color:#667;text-align:center;margin-top:20vh}
</style></head>
<body>
<header><h1>${escapeHtml(config.brand.name)} · phone simulator</h1>
  <label>Phone <select id="phone" aria-label="phone number"></select></label>
  <input id="custom" placeholder="+8613800138000" aria-label="another phone number" size="14">
</header>
<main>
  <div id="thread" aria-live="polite"></div>
  <form id="reply"><input id="text" autocomplete="off" placeholder="Reply: 9 / 九分 / STOP" aria-label="reply text"><button>Send</button></form>
</main>
<script>
const $ = (id) => document.getElementById(id);
// A '+' typed unencoded in the address bar (?phone=+86...) arrives as a space.
let current = (new URLSearchParams(location.search).get('phone') || '').replace(/^ (?=\\d)/, '+').trim();
async function loadPhones() {
  const { phones } = await (await fetch('/dev/sms/thread')).json();
  if (!current && phones.length) current = phones[phones.length - 1];
  const all = [...new Set([...phones, current].filter(Boolean))];
  $('phone').innerHTML = all.map((p) => '<option' + (p === current ? ' selected' : '') + '>' + p + '</option>').join('');
}
let latest = 0;
async function loadThread() {
  if (!current) { $('thread').innerHTML = '<p class="empty">No messages yet: post a service visit, or type a number above.</p>'; return; }
  // Polls overlap with sends and number switches: only the newest request may draw, never an older thread.
  const request = ++latest;
  const { messages } = await (await fetch('/dev/sms/thread?phone=' + encodeURIComponent(current))).json();
  if (request !== latest) return;
  $('thread').replaceChildren(...messages.map((m) => {
    const div = document.createElement('div');
    div.className = 'msg ' + m.direction;
    div.textContent = m.body;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = new Date(m.sentAt).toLocaleString();
    div.append(meta);
    return div;
  }));
}
$('phone').onchange = (e) => { current = e.target.value; loadThread(); };
$('custom').onchange = (e) => { current = e.target.value.trim(); loadPhones().then(loadThread); };
$('reply').onsubmit = async (e) => {
  e.preventDefault();
  const body = $('text').value;
  if (!current || !body) return;
  $('text').value = '';
  await fetch('/dev/sms/inbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: current, body }) });
  await loadThread();
};
loadPhones().then(loadThread);
setInterval(() => loadPhones().then(loadThread), 2000);
</script>
</body></html>`;
}

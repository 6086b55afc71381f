import uPlot from 'uplot';

/** The billing dashboard: reads only the public admin API, same origin, the token as Bearer. */
const TOKEN_KEY = 'tollgate-admin-token';

interface Invoice {
  id: string;
  number: string;
  organization: { id: string } | null;
  subscription: { id: string };
  plan: { id: string };
  currency: string;
  period_start: number;
  billable: number;
  total: number;
  status: string;
  lines?: { kind: string; description: string; quantity: number; unit_price: number; amount: number }[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? ''}`);
  return (await res.json()) as T;
}

/** Minor units as a decimal string, by the currency's exponent: never through a float. */
function money(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const whole = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${amount < 0 ? '-' : ''}${whole} ${currency}`;
}

function cell(row: HTMLTableRowElement, text: string, numeric = false): void {
  const td = row.insertCell();
  td.textContent = text;
  if (numeric) td.className = 'num';
}

async function allInvoices(): Promise<Invoice[]> {
  const out: Invoice[] = [];
  let next: string | null = '/invoices?size=1000';
  while (next !== null && out.length < 10_000) {
    const page: { data: Invoice[]; next: string | null } = await api(next);
    out.push(...page.data);
    next = page.next;
  }
  return out;
}

function chart(target: HTMLElement, title: string, xs: number[], ys: number[], time: boolean): void {
  target.replaceChildren();
  // Bars read right for one day or one plan as for many.
  const bars = uPlot.paths.bars!({ size: [0.6, 60] });
  new uPlot(
    { width: 640, height: 240, title, scales: { x: { time, range: (_u, min, max) => [min - 0.5 * (time ? 86_400 : 1), max + 0.5 * (time ? 86_400 : 1)] } }, series: [{}, { label: title, stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.35)', paths: bars, points: { show: false } }] },
    [xs, ys],
    target,
  );
}

async function revenue(organizations: string[]): Promise<void> {
  const to = Math.floor(Date.now() / 1000) + 86_400;
  const byDay = new Map<number, number>();
  let currency = '';
  for (const id of organizations) {
    const res: { data: { bucket: string; currency: string; total: number }[] } = await api(`/organizations/${id}/revenue?granularity=day&from=${to - 90 * 86_400}&to=${to}`);
    for (const b of res.data) {
      const day = Date.parse(b.bucket) / 1000;
      byDay.set(day, (byDay.get(day) ?? 0) + b.total);
      currency = b.currency;
    }
  }
  // Every day of the last 30, so quiet days show as zero.
  const today = Math.floor(Date.now() / 86_400_000) * 86_400;
  for (let d = today - 29 * 86_400; d <= today; d += 86_400) if (!byDay.has(d)) byDay.set(d, 0);
  const days = [...byDay.keys()].sort((a, b) => a - b);
  chart($('revenue-chart'), 'Revenue (minor units)', days, days.map((d) => byDay.get(d)!), true);
  const total = days.reduce((n, d) => n + byDay.get(d)!, 0);
  $('revenue-total').textContent = currency ? `Total: ${money(total, currency)}` : 'No revenue yet';
}

function requestsPerPlan(invoices: Invoice[]): void {
  const byPlan = new Map<string, number>();
  for (const i of invoices) if (i.status !== 'void') byPlan.set(i.plan.id, (byPlan.get(i.plan.id) ?? 0) + i.billable);
  const plans = [...byPlan.keys()];
  chart($('plans-chart'), 'Billable requests', plans.map((_, k) => k + 1), plans.map((p) => byPlan.get(p)!), false);
  $('plans-legend').replaceChildren(...plans.map((p, k) => Object.assign(document.createElement('li'), { textContent: `${k + 1}: plan ${p} — ${byPlan.get(p)} requests` })));
}

async function subscriptions(ids: string[]): Promise<void> {
  const body = $<HTMLTableElement>('subscriptions').tBodies[0]!;
  body.replaceChildren();
  for (const id of ids) {
    const u: { requests: number; billable: number; quota: { limit: number } | null; currency: string; projected_total: number } = await api(`/subscriptions/${id}/usage`);
    const row = body.insertRow();
    cell(row, id);
    cell(row, String(u.requests), true);
    cell(row, String(u.billable), true);
    cell(row, u.quota ? `${u.billable} / ${u.quota.limit}` : 'unlimited', true);
    cell(row, money(u.projected_total, u.currency), true);
  }
}

async function showLines(id: string): Promise<void> {
  const invoice: Invoice = await api(`/invoices/${id}`);
  const table = document.createElement('table');
  table.id = 'lines';
  for (const l of invoice.lines ?? []) {
    const row = table.insertRow();
    cell(row, l.kind);
    cell(row, l.description);
    cell(row, String(l.quantity), true);
    cell(row, money(l.amount, invoice.currency), true);
  }
  const heading = Object.assign(document.createElement('h3'), { textContent: `Invoice ${invoice.number}: ${money(invoice.total, invoice.currency)}` });
  $('invoice-lines').replaceChildren(heading, table);
}

function invoiceTable(invoices: Invoice[]): void {
  const body = $<HTMLTableElement>('invoices').tBodies[0]!;
  body.replaceChildren();
  for (const i of invoices) {
    const row = body.insertRow();
    row.className = 'invoice';
    row.dataset.id = i.id;
    cell(row, i.number);
    cell(row, new Date(i.period_start * 1000).toISOString());
    cell(row, i.status);
    cell(row, money(i.total, i.currency), true);
    row.addEventListener('click', () => void showLines(i.id));
  }
}

async function csvLink(): Promise<void> {
  const res = await fetch('/invoices?format=csv&size=1000', { headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` } });
  $<HTMLAnchorElement>('csv').href = URL.createObjectURL(await res.blob());
}

async function load(): Promise<void> {
  const me: { role: string; name: string; organization: { id: string } | null } = await api('/admin-tokens/me');
  $('who').textContent = `${me.name} (${me.role})`;
  const invoices = await allInvoices();
  const organizations = me.organization ? [me.organization.id] : [...new Set(invoices.flatMap((i) => (i.organization ? [i.organization.id] : [])))];
  const subs = me.role === 'provider' ? (await api<{ data: { id: string }[] }>('/subscriptions?size=1000')).data.map((s) => s.id) : [...new Set(invoices.map((i) => i.subscription.id))];
  invoiceTable(invoices);
  requestsPerPlan(invoices);
  await Promise.all([revenue(organizations), subscriptions(subs), csvLink()]);
  document.body.dataset.loaded = 'true';
}

function show(signedIn: boolean): void {
  $('sign-in').hidden = signedIn;
  $('board').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
}

async function start(): Promise<void> {
  if (!sessionStorage.getItem(TOKEN_KEY)) return show(false);
  show(true);
  try {
    await load();
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    show(false);
    $('sign-in-error').textContent = String(err instanceof Error ? err.message : err);
  }
}

$('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $<HTMLInputElement>('token').value.trim());
  void start();
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  show(false);
});
void start();

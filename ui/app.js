/* global document, window, fetch, location, URLSearchParams, uPlot */
// Bulwark dashboard: a small hand-written single-page app over /api/v1 (hash routes, no build step).
// Every value from the API is inserted as text (never as HTML).

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const SEV_SHORT = { CRITICAL: 'Crit', HIGH: 'High', MEDIUM: 'Med', LOW: 'Low', UNKNOWN: 'Unk' };
const SEV_COLORS = { CRITICAL: '#9b1c1c', HIGH: '#d9480f', MEDIUM: '#c98a00', LOW: '#2b8a3e', UNKNOWN: '#6b7280' };
const app = document.getElementById('app');

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

class Unauthenticated extends Error {}

async function api(path, init) {
  const res = await fetch('/api/v1' + path, { credentials: 'same-origin', ...init });
  if (res.status === 401) throw new Unauthenticated();
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + res.status);
  return body;
}

function sevBadge(sev) {
  return sev ? h('span', { class: 'sev sev-' + sev }, sev) : h('span', { class: 'sev sev-none' }, 'none');
}

function gateCell(scan) {
  if (!scan) return h('span', { class: 'muted' }, 'no scan yet');
  return h('span', { class: 'gate ' + (scan.gate.passed ? 'pass' : 'fail'), title: scan.gate.reason }, scan.gate.passed ? 'passed' : 'failed',
    scan.gate.profile ? h('span', { class: 'muted' }, ' (' + scan.gate.profile + ')') : null);
}

/** The server's own gate (every target's current inventory, the project's profile); null: not evaluated yet. */
function serverGateCell(g) {
  if (!g || g.passed === null) return h('span', { class: 'muted' }, 'pending');
  return h('span', { class: 'gate ' + (g.passed ? 'pass' : 'fail'), title: g.reasons.join('; ') }, g.passed ? 'passed' : 'failed',
    g.profile ? h('span', { class: 'muted' }, ' (' + g.profile + ')') : null);
}

const KIND_LABEL = { new: 'new', reopened: 'reopened', fixed: 'fixed', suppressed: 'suppressed', 'severity-changed': 'severity changed', 'fix-available': 'fix available', 'exception-expiring': 'exception expiring' };

/** An event's cause; an advisory update by its number, as the "what changed" page lists it ("#12"). */
function causeLabel(c) {
  if (c.kind === 'db-refresh') return 'advisory update' + (c.id ? ' #' + c.id : '');
  return c.kind + (c.id ? ' ' + c.id : '');
}

function eventRow(e) {
  return h('tr', { 'data-event': e.kind },
    h('td', { class: 'muted' }, when(e.occurredAt)),
    h('td', {}, h('span', { class: 'kind kind-' + e.kind }, KIND_LABEL[e.kind] || e.kind)),
    h('td', {}, projectLink(e.project.name), h('div', { class: 'aliases mono' }, e.target)),
    h('td', {}, sevBadge(e.finding.severity), ' ', h('span', { class: 'mono' }, e.finding.id)),
    h('td', {}, e.finding.package.name, ' ', h('span', { class: 'muted' }, e.finding.package.version)),
    h('td', { class: 'muted' }, causeLabel(e.cause), e.suppression ? ' · ' + e.suppression.reason + (e.suppression.expires ? ' (until ' + e.suppression.expires + ')' : '') : ''));
}

function eventTable(items, testid) {
  return h('table', { 'data-testid': testid },
    h('thead', {}, h('tr', {}, ['When', 'Change', 'Project / target', 'Vulnerability', 'Package', 'Cause'].map((t) => h('th', {}, t)))),
    h('tbody', {}, items.length ? items.map(eventRow) : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'Nothing changed.'))));
}

async function changesPage(params) {
  setNav('changes');
  const since = params.get('since') || new Date(Date.now() - 7 * 86400_000).toISOString().slice(0, 10);
  const project = params.get('project') || '';
  const sinceIso = new Date(since).toISOString();
  const q = new URLSearchParams({ since: sinceIso });
  if (project) q.set('project', project);
  const eq = new URLSearchParams({ since: sinceIso, kind: 'new,reopened', limit: '500' });
  if (project) eq.set('project', project);
  const [changes, events] = await Promise.all([api('/changes?' + q), api('/events?' + eq)]);
  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const f = new URLSearchParams({ since: e.target.elements.since.value });
    if (e.target.elements.project.value.trim()) f.set('project', e.target.elements.project.value.trim());
    location.hash = '#/changes?' + f;
  } },
    h('label', {}, 'Since ', h('input', { type: 'date', name: 'since', value: since.slice(0, 10) })),
    h('label', {}, 'Project ', h('input', { name: 'project', value: project, placeholder: 'all' })),
    h('button', { type: 'submit' }, 'Show'));
  const cols = ['new', 'reopened', 'fixed', 'suppressed', 'severity-changed', 'fix-available'];
  const per = h('table', { 'data-testid': 'changes' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Project'), cols.map((c) => h('th', { class: 'num' }, KIND_LABEL[c])))),
    h('tbody', {},
      h('tr', { class: 'total' }, h('td', {}, h('b', {}, 'Portfolio')), cols.map((c) => h('td', { class: 'num' }, changes.total[c] || 0))),
      changes.projects.map((p) => h('tr', {}, h('td', {}, projectLink(p.name)), cols.map((c) => h('td', { class: 'num' }, p[c] || 0))))));
  const caused = (r) => Object.entries(r.caused).map(([k, n]) => n + ' ' + (KIND_LABEL[k] || k)).join(', ');
  const advisories = (r) => r.advisories.join(', ') + (r.advisoryCount > r.advisories.length ? ' and ' + (r.advisoryCount - r.advisories.length) + ' more' : '');
  const causes = h('table', { 'data-testid': 'refreshes' },
    h('thead', {}, h('tr', {}, ['Advisory update', 'Source', 'Caused', 'Advisories', 'Added', 'Modified', 'Withdrawn', 'Inventories re-matched'].map((t) => h('th', {}, t)))),
    h('tbody', {}, changes.refreshes.length ? changes.refreshes.map((r) => h('tr', { 'data-refresh': r.id },
      h('td', {}, '#' + r.id + ' ' + when(r.finished_at)), h('td', { class: 'mono' }, r.source), h('td', {}, caused(r)), h('td', { class: 'mono' }, advisories(r)),
      h('td', { class: 'num' }, r.added), h('td', { class: 'num' }, r.modified), h('td', { class: 'num' }, r.withdrawn), h('td', { class: 'num' }, r.inventories))) :
      h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No advisory update caused a change since then.'))));
  app.replaceChildren(h('h1', {}, 'What changed'), form, per, h('h2', {}, 'New and reopened findings'), eventTable(events.items, 'change-events'), h('h2', {}, 'Advisory updates that caused them'), causes);
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function projectLink(name) {
  return h('a', { href: '#/project/' + encodeURIComponent(name) }, name);
}

function setNav(which) {
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.nav === which);
}

// ---- views -------------------------------------------------------------------------------------

async function portfolio(params) {
  setNav('portfolio');
  const limit = 50;
  const offset = Number(params.get('offset') || 0);
  const q = params.get('q') || '';
  const gate = params.get('gate') || '';
  const qs = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (q) qs.set('q', q);
  if (gate) qs.set('gate', gate);
  const [summary, page, gates] = await Promise.all([api('/summary'), api('/projects?' + qs), api('/portfolio/gates').catch(() => ({ projects: {} }))]);
  // Failing gates as the Gate column decides them (the server's, with each project's profile); the CLI's count only
  // when the server has decided none (no inventory monitored yet).
  const serverGates = Object.values(gates.projects);
  const failing = serverGates.length ? serverGates.filter((g) => g.passed === false).length : summary.failing;
  const cards = h('div', { class: 'cards', 'data-testid': 'summary' },
    h('div', { class: 'card' }, h('div', { class: 'n' }, summary.projects), h('div', { class: 'l' }, 'projects')),
    h('div', { class: 'card', 'data-testid': 'failing-gates', title: serverGates.length ? "decided by the server with each project's profile" : 'as the CLI reported it' },
      h('div', { class: 'n' }, failing), h('div', { class: 'l' }, 'failing gates')),
    SEVERITIES.map((s) => h('div', { class: 'card' }, h('div', { class: 'n', style: 'color:' + SEV_COLORS[s] }, summary.open[s]), h('div', { class: 'l' }, 'open ' + s.toLowerCase()))));
  const filter = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const f = new URLSearchParams();
    const fq = e.target.elements.q.value.trim();
    if (fq) f.set('q', fq);
    if (e.target.elements.gate.value) f.set('gate', e.target.elements.gate.value);
    location.hash = '#/?' + f;
  } },
    h('label', {}, 'Project ', h('input', { name: 'q', value: q, placeholder: 'name contains…' })),
    h('label', {}, 'Gate ', h('select', { name: 'gate' }, h('option', { value: '' }, 'any'), h('option', { value: 'failed', selected: gate === 'failed' }, 'failed'), h('option', { value: 'passed', selected: gate === 'passed' }, 'passed'))),
    h('button', { type: 'submit' }, 'Filter'));
  const rows = page.items.map((p) => {
    const s = p.latestScan;
    return h('tr', { 'data-project': p.name },
      h('td', {}, projectLink(p.name)),
      h('td', {}, p.team || h('span', { class: 'muted' }, '—')),
      h('td', {}, s ? sevBadge(s.worstSeverity) : ''),
      SEVERITIES.map((sev) => h('td', { class: 'num' }, s ? s.open[sev] : '')),
      h('td', { 'data-testid': 'server-gate' }, serverGateCell(gates.projects[p.name])),
      h('td', { class: 'muted' }, s ? gateCell(s) : ''),
      h('td', { class: 'muted' }, s ? when(s.receivedAt) : ''));
  });
  const table = h('table', { 'data-testid': 'projects' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Project'), h('th', {}, 'Team'), h('th', {}, 'Worst open'), SEVERITIES.map((s) => h('th', { class: 'num' }, SEV_SHORT[s])), h('th', { title: "decided by the server with the project's profile" }, 'Gate'), h('th', { title: 'as the CLI reported it' }, 'CI said'), h('th', {}, 'Last scan'))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No projects yet.'))));
  const pager = h('div', { class: 'pager' },
    h('span', { class: 'muted' }, `${page.total === 0 ? 0 : offset + 1}–${offset + page.items.length} of ${page.total}`),
    offset > 0 ? h('a', { href: '#/?' + new URLSearchParams({ ...Object.fromEntries(params), offset: String(Math.max(0, offset - limit)) }) }, '← previous') : null,
    page.nextCursor ? h('a', { href: '#/?' + new URLSearchParams({ ...Object.fromEntries(params), offset: String(offset + limit) }) }, 'next →') : null);
  app.replaceChildren(h('h1', {}, 'Portfolio'), cards, filter, table, pager);
}

/** A time-axis label in UTC (as every time on the dashboard), as fine as the tick step: seconds, minutes or days. */
function tickLabel(t, step) {
  const iso = new Date(t * 1000).toISOString();
  return step >= 86400 ? iso.slice(0, 10) : iso.slice(11, step >= 60 ? 16 : 19);
}

function trendChart(points) {
  const box = h('div', { class: 'chart', 'data-testid': 'trend' });
  if (points.length === 0 || typeof uPlot === 'undefined') {
    box.append(h('p', { class: 'muted' }, 'No scans yet.'));
    return box;
  }
  const xs = points.map((p) => Math.floor(Date.parse(p.at) / 1000));
  const data = [xs, ...SEVERITIES.map((s) => points.map((p) => p.open[s]))];
  // The canvas's time axis as text too (for screen readers, and for the dashboard's browser tests): what uPlot drew.
  const ticks = h('ul', { class: 'visually-hidden', 'data-testid': 'trend-x-ticks', 'aria-label': 'time axis (UTC)' });
  const caption = h('p', { class: 'muted', 'data-testid': 'trend-caption' },
    points.length === 1 ? `1 scan, ${when(points[0].at)}` : `${points.length} scans, ${when(points[0].at)} to ${when(points[points.length - 1].at)}`);
  const opts = {
    width: Math.min(1180, (app.clientWidth || 1200) - 20),
    height: 220,
    title: 'Open findings per severity',
    tzDate: (t) => uPlot.tzDate(new Date(t * 1000), 'Etc/UTC'),
    series: [{ value: (_u, t) => (t == null ? '--' : when(new Date(t * 1000).toISOString())) }, ...SEVERITIES.map((s) => ({ label: s, stroke: SEV_COLORS[s], width: 2, points: { show: points.length < 60, size: points.length === 1 ? 8 : 5 } }))],
    axes: [{
      // At least 80 px per tick: room for an HH:MM:SS label (uPlot's 50 px default let them run into each other).
      space: 80,
      values: (_u, splits, _axis, _space, step) => {
        const labels = splits.map((t, i) => tickLabel(t, step) + (i === 0 && step < 86400 ? '\n' + tickLabel(t, 86400) : ''));
        ticks.replaceChildren(...labels.map((l) => h('li', {}, l.replace('\n', ' '))));
        return labels;
      },
    }, { label: 'open findings' }],
    // One scan, or scans minutes apart: pad the time axis to at least ten minutes around the data. The bounds come
    // from the data itself: for a zero-width range uPlot hands the range function a min..max it has already
    // widened (by years), so padding its arguments spread the axis over 2027-2029.
    scales: { x: { time: true, range: (u) => {
      const x = u.data[0];
      const pad = Math.max((x[x.length - 1] - x[0]) * 0.05, 300);
      return [x[0] - pad, x[x.length - 1] + pad];
    } } },
  };
  box.append(caption, ticks);
  // Drawn after the box is in the page so uPlot can measure it.
  window.setTimeout(() => new uPlot(opts, data, box), 0);
  return box;
}

async function projectPage(name, params) {
  setNav('portfolio');
  const enc = encodeURIComponent(name);
  const filter = {
    severity: params.get('severity') || '',
    fixable: params.get('fixable') || '',
    suppressed: params.get('suppressed') || '',
    package: params.get('package') || '',
    status: params.get('status') || 'open',
  };
  const fq = new URLSearchParams({ limit: '100' });
  for (const [k, v] of Object.entries(filter)) if (v) fq.set(k, v);
  const [project, findings, scans, trend, monitor, timeline] = await Promise.all([
    api('/projects/' + enc),
    api('/projects/' + enc + '/findings?' + fq),
    api('/projects/' + enc + '/scans?limit=20'),
    api('/projects/' + enc + '/trend?limit=200'),
    api('/projects/' + enc + '/monitor').catch(() => null),
    api('/projects/' + enc + '/timeline?limit=100').catch(() => ({ items: [] })),
  ]);
  const s = project.latestScan;
  const head = h('div', {},
    h('h1', {}, project.name, ' ', s ? sevBadge(s.worstSeverity) : null),
    h('p', {}, 'Team: ', project.team || '—', ' · Gate (server): ', serverGateCell(monitor && monitor.gate !== null ? { passed: monitor.gate, reasons: monitor.targets.filter((t) => t.gate && !t.gate.passed).map((t) => t.target + ': ' + t.gate.reason), profile: (monitor.targets.find((t) => t.gate) || {}).gate?.profile } : null), ' · CI said: ', gateCell(s), s ? ` · fail-on ${s.gate.failOn} · ${s.packages} packages · last scan ${when(s.receivedAt)}` : ''),
    s ? h('p', { class: 'muted' }, s.gate.reason) : null);
  const sevSelected = new Set(filter.severity.split(',').filter(Boolean));
  const form = h('form', { class: 'filters', 'data-testid': 'finding-filters', onsubmit: (e) => {
    e.preventDefault();
    const el = e.target.elements;
    const out = new URLSearchParams();
    const sevs = SEVERITIES.filter((x) => el['sev-' + x].checked);
    if (sevs.length) out.set('severity', sevs.join(','));
    for (const k of ['fixable', 'suppressed', 'status']) if (el[k].value) out.set(k, el[k].value);
    if (el.package.value.trim()) out.set('package', el.package.value.trim());
    location.hash = '#/project/' + enc + '?' + out;
  } },
    h('span', {}, 'Severity: ', SEVERITIES.map((x) => h('label', {}, h('input', { type: 'checkbox', name: 'sev-' + x, checked: sevSelected.has(x) }), x.toLowerCase()))),
    h('label', {}, 'Fixable ', h('select', { name: 'fixable' }, h('option', { value: '' }, 'any'), h('option', { value: 'true', selected: filter.fixable === 'true' }, 'yes'), h('option', { value: 'false', selected: filter.fixable === 'false' }, 'no'))),
    h('label', {}, 'Suppressed ', h('select', { name: 'suppressed' }, h('option', { value: '' }, 'any'), h('option', { value: 'false', selected: filter.suppressed === 'false' }, 'no'), h('option', { value: 'true', selected: filter.suppressed === 'true' }, 'yes'))),
    h('label', {}, 'Package ', h('input', { name: 'package', value: filter.package, placeholder: 'name or purl contains…' })),
    h('label', {}, 'Status ', h('select', { name: 'status' }, h('option', { value: 'open' }, 'open'), h('option', { value: 'all', selected: filter.status === 'all' }, 'all (incl. resolved)'))),
    h('button', { type: 'submit' }, 'Apply'));
  const tbody = h('tbody', {});
  const addRows = (items) => {
    for (const f of items) {
      tbody.append(h('tr', { 'data-finding': f.id },
        h('td', {}, sevBadge(f.severity)),
        h('td', {}, h('span', { class: 'mono' }, f.id), f.aliases.length ? h('div', { class: 'aliases' }, f.aliases.join(', ')) : null),
        h('td', {}, f.package.name, ' ', h('span', { class: 'muted' }, f.package.version), h('div', { class: 'aliases mono' }, f.package.purl)),
        h('td', {}, f.fixedVersion || h('span', { class: 'muted' }, f.fixState)),
        h('td', {}, f.title || ''),
        h('td', {}, f.suppressed ? h('span', { title: f.suppressedBy || '' }, 'suppressed') : f.status),
        h('td', { class: 'muted' }, when(f.firstSeenAt))));
    }
  };
  addRows(findings.items);
  let cursor = findings.nextCursor;
  const more = h('button', { class: 'secondary', type: 'button', hidden: !cursor, onclick: async () => {
    const q2 = new URLSearchParams(fq);
    q2.set('cursor', cursor);
    const next = await api('/projects/' + enc + '/findings?' + q2);
    addRows(next.items);
    cursor = next.nextCursor;
    more.hidden = !cursor;
  } }, 'Load more');
  const ftable = h('table', { 'data-testid': 'findings' },
    h('thead', {}, h('tr', {}, ['Severity', 'Vulnerability', 'Package', 'Fixed in', 'Title', 'Status', 'First seen'].map((t) => h('th', {}, t)))), tbody);
  const stable = h('table', { 'data-testid': 'scans' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Scan'), h('th', {}, 'Received'), h('th', {}, 'Target'), h('th', {}, 'Gate'), SEVERITIES.map((x) => h('th', { class: 'num' }, SEV_SHORT[x])))),
    h('tbody', {}, scans.items.map((x) => h('tr', {}, h('td', {}, '#' + x.id), h('td', {}, when(x.receivedAt)), h('td', { class: 'mono' }, x.target.kind + ' ' + x.target.name), h('td', {}, gateCell(x)), SEVERITIES.map((sev) => h('td', { class: 'num' }, x.open[sev]))))));
  app.replaceChildren(head, h('h2', {}, 'Trend'), trendChart(trend.points),
    h('h2', {}, `Findings (${findings.total})`), form, ftable, h('div', { class: 'pager' }, more),
    h('h2', {}, 'Timeline'), eventTable(timeline.items, 'timeline'),
    h('h2', {}, 'Scan history'), stable);
}

async function searchPage(params) {
  setNav('search');
  const vuln = params.get('vuln') || '';
  const pkg = params.get('package') || '';
  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const kind = e.target.elements.kind.value;
    const term = e.target.elements.term.value.trim();
    if (term) location.hash = '#/search?' + new URLSearchParams({ [kind]: term });
  } },
    h('select', { name: 'kind' }, h('option', { value: 'vuln' }, 'Vulnerability (CVE, GHSA, …)'), h('option', { value: 'package', selected: !!pkg }, 'Package name')),
    h('input', { name: 'term', value: vuln || pkg, size: 40, placeholder: 'CVE-2021-44228 or lodash' }),
    h('button', { type: 'submit' }, 'Search'));
  const parts = [h('h1', {}, 'Search across projects'), form];
  if (vuln || pkg) {
    const r = await api('/search?' + new URLSearchParams(vuln ? { vuln, limit: '200' } : { package: pkg, limit: '200' }));
    parts.push(h('p', { class: 'muted' }, `${r.total} result(s) for ${vuln ? 'vulnerability' : 'package'} ${vuln || pkg}`));
    if (vuln) {
      parts.push(h('table', { 'data-testid': 'search-results' },
        h('thead', {}, h('tr', {}, ['Project', 'Severity', 'Vulnerability', 'Package', 'Fixed in'].map((t) => h('th', {}, t)))),
        h('tbody', {}, r.items.map((f) => h('tr', {}, h('td', {}, projectLink(f.project)), h('td', {}, sevBadge(f.severity)), h('td', { class: 'mono' }, f.id), h('td', {}, f.package.name + ' ' + f.package.version), h('td', {}, f.fixedVersion || '—'))))));
    } else {
      parts.push(h('table', { 'data-testid': 'search-results' },
        h('thead', {}, h('tr', {}, ['Project', 'Package', 'Version', 'Open findings', 'Worst'].map((t) => h('th', {}, t)))),
        h('tbody', {}, r.items.map((p) => h('tr', {}, h('td', {}, projectLink(p.project)), h('td', { class: 'mono' }, p.purl), h('td', {}, p.version), h('td', { class: 'num' }, p.openFindings), h('td', {}, p.worstSeverity ? sevBadge(p.worstSeverity) : '—'))))));
    }
  }
  app.replaceChildren(...parts);
}

// Admin: the notification dead-letter list, with a Retry button per delivery.
async function notificationsPage() {
  setNav('notifications');
  const r = await api('/deliveries?status=dead&limit=200');
  const counts = Object.entries(r.counts).map(([k, v]) => k + ' ' + v).join(', ') || 'no deliveries yet';
  const rows = r.items.map((d) => {
    const status = h('td', {}, d.status);
    const button = h('button', { type: 'button', 'data-testid': 'retry-' + d.id, onclick: async () => {
      button.disabled = true;
      try {
        await api('/deliveries/' + d.id + '/retry', { method: 'POST' });
        status.textContent = 'queued again';
      } catch (e) {
        status.textContent = 'retry failed: ' + (e.message || e);
        button.disabled = false;
      }
    } }, 'Retry');
    return h('tr', {}, h('td', { class: 'num' }, d.id), h('td', {}, d.channel), h('td', {}, d.project), h('td', { class: 'num' }, d.events), h('td', { class: 'num' }, d.attempts), h('td', { class: 'mono' }, d.lastError || ''), h('td', {}, when(d.updatedAt)), status, h('td', {}, button));
  });
  app.replaceChildren(
    h('h1', {}, 'Notifications: dead letters'),
    h('p', { class: 'muted' }, 'Deliveries: ' + counts + '. A dead delivery failed permanently or ran out of attempts; Retry sends it again.'),
    rows.length === 0 ? h('p', { 'data-testid': 'dead-empty' }, 'No dead deliveries.') :
      h('table', { 'data-testid': 'dead-letters' },
        h('thead', {}, h('tr', {}, ['#', 'Channel', 'Project', 'Events', 'Attempts', 'Last error', 'Updated', 'Status', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows)));
}

function loginPage(message) {
  setNav('');
  const err = h('p', { class: 'error' }, message || '');
  const form = h('form', { class: 'login', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: e.target.elements.apiKey.value.trim() }) });
      await render();
    } catch (x) {
      err.textContent = x instanceof Unauthenticated ? 'Unknown or revoked API key.' : String(x.message || x);
    }
  } },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste your Bulwark API key (bwk_…). The session is read-only.'),
    h('input', { name: 'apiKey', type: 'password', autocomplete: 'off', placeholder: 'bwk_…' }),
    h('button', { type: 'submit' }, 'Sign in'), err);
  app.replaceChildren(form);
}

async function showUser() {
  const who = document.getElementById('who');
  try {
    const me = await api('/me');
    who.replaceChildren(me.name + ' (' + me.role + ')', h('button', { class: 'secondary', type: 'button', onclick: async () => {
      await api('/logout', { method: 'POST' }).catch(() => {});
      who.replaceChildren();
      loginPage();
    } }, 'Sign out'));
  } catch {
    who.replaceChildren();
  }
}

async function render() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [route, qs] = hash.split('?');
  const params = new URLSearchParams(qs || '');
  try {
    if (route.startsWith('/project/')) await projectPage(decodeURIComponent(route.slice('/project/'.length)), params);
    else if (route === '/search') await searchPage(params);
    else if (route === '/notifications') await notificationsPage();
    else if (route === '/changes') await changesPage(params);
    else await portfolio(params);
    await showUser();
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (e instanceof Unauthenticated) loginPage();
    else app.replaceChildren(h('p', { class: 'error' }, 'Error: ' + (e.message || e)));
    document.body.dataset.ready = 'true';
  }
}

window.addEventListener('hashchange', () => {
  document.body.dataset.ready = 'false';
  void render();
});
void render();

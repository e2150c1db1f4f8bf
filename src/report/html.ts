import type { ScanReport } from '../core/report.js';
import { SEVERITIES, severityRank } from '../core/severity.js';
import { advisoryUrl, gateProfile, escapeHtml, findingBreaksGate, primaryLocation, severityCounts, sortedFindings } from './common.js';

/**
 * One self-contained HTML page: no external script, style, font or image (a Content-Security-Policy
 * forbids any fetch), sorting by column and filtering by text and severity in inline JS.
 */
const SCRIPT = `
(function () {
  var table = document.getElementById('findings');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById('q');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-sev]'));
  var showSuppressed = document.getElementById('suppressed');
  var shown = document.getElementById('shown');
  function apply() {
    var text = q.value.trim().toLowerCase();
    var sevs = {};
    boxes.forEach(function (b) { sevs[b.getAttribute('data-sev')] = b.checked; });
    var n = 0;
    rows.forEach(function (r) {
      var ok = sevs[r.getAttribute('data-severity')] && (showSuppressed.checked || r.getAttribute('data-suppressed') !== '1') &&
        (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  }
  var dir = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener('click', function () {
      var key = th.getAttribute('data-key');
      var d = dir[i] = -(dir[i] || -1);
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-v') || a.cells[i].textContent;
        var y = b.cells[i].getAttribute('data-v') || b.cells[i].textContent;
        if (key === 'num') return d * (parseFloat(x) - parseFloat(y));
        return d * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  q.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  showSuppressed.addEventListener('change', apply);
  apply();
})();
`;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}.passed{color:#1a7f37}.failed{color:#cf222e}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f6f8fa;user-select:none}th:hover{background:#eaeef2}
.CRITICAL{color:#fff;background:#8b0000}.HIGH{color:#fff;background:#cf222e}.MEDIUM{background:#f0c000}.LOW{background:#9ecbff}.UNKNOWN{background:#ddd}
.sev{padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600}
tr.suppressed td{opacity:.55}.controls{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}
code{font-size:12px}.counts span{margin-right:1em}
`;

export function renderHtml(report: ScanReport): string {
  const findings = sortedFindings(report);
  const counts = severityCounts(report);
  const e = escapeHtml;
  const rows = findings.map((f) => {
    const loc = primaryLocation(f);
    const url = advisoryUrl(f.id, f);
    const gate = findingBreaksGate(report, f);
    return `<tr data-severity="${f.severity}" data-suppressed="${f.suppressed ? '1' : '0'}"${f.suppressed ? ' class="suppressed"' : ''}>
<td data-v="${severityRank(f.severity)}"><span class="sev ${f.severity}">${f.severity}</span></td>
<td data-v="${f.cvss?.score ?? -1}">${f.cvss ? f.cvss.score.toFixed(1) : ''}</td>
<td>${url ? `<a href="${e(url)}" rel="noreferrer">${e(f.id)}</a>` : e(f.id)}${f.aliases.length ? `<br><small>${e(f.aliases.join(', '))}</small>` : ''}</td>
<td>${e(f.package.name)}${f.package.dev ? ' <small>(dev)</small>' : ''}<br><small><code>${e(f.package.purl)}</code></small></td>
<td>${e(f.package.version)}</td>
<td>${e(f.fixedVersion ?? (f.fixState === 'wont-fix' ? "won't fix" : 'no fix'))}</td>
<td>${loc ? e(`${loc.path}${loc.line ? `:${loc.line}` : ''}`) : ''}</td>
<td data-v="${gate ? 1 : 0}">${gate ? 'breaks gate' : ''}${f.suppressed ? `suppressed: ${e(f.suppressed.reason)} <small>(${e(f.suppressed.by)}${f.suppressed.expires ? `, until ${e(f.suppressed.expires)}` : ''})</small>` : ''}</td>
<td>${e(f.title ?? '')}</td>
</tr>`;
  });
  const warnings = report.errors.filter((x) => x.code.startsWith('BULWARK_W_'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark report: ${e(report.target.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Bulwark report: ${e(report.target.name)} <small>(${e(report.target.kind)}${report.os ? `, ${e(report.os.name)}` : ''})</small></h1>
<p class="${report.gate.passed ? 'passed' : 'failed'}"><strong>Gate ${report.gate.passed ? 'passed' : 'failed'}</strong>: ${e(report.gate.reason)}${gateProfile(report) ? ` (profile ${e(gateProfile(report) ?? '')})` : ''}</p>
<p class="counts">${SEVERITIES.map((s) => `<span><span class="sev ${s}">${s}</span> ${counts[s]}</span>`).join('')} <span>${report.packages.length} packages</span><span>${findings.filter((f) => f.suppressed).length} suppressed</span><span>${report.unknowns.length} not decided</span></p>
${warnings.length ? `<ul>${warnings.map((w) => `<li>${e(w.path)}: ${e(w.message)}</li>`).join('')}</ul>` : ''}
<p><small>Scanned ${e(report.createdAt)} by bulwark ${e(report.tool.version)}.</small></p>
<div class="controls">
<label>Filter <input id="q" type="search" placeholder="id, package, path…"></label>
${SEVERITIES.map((s) => `<label><input type="checkbox" data-sev="${s}" checked> ${s}</label>`).join('\n')}
<label><input type="checkbox" id="suppressed" checked> suppressed</label>
<span><span id="shown">${findings.length}</span> of ${findings.length} shown</span>
</div>
<table id="findings">
<thead><tr><th data-key="num">Severity</th><th data-key="num">CVSS</th><th>ID</th><th>Package</th><th>Installed</th><th>Fixed in</th><th>Location</th><th>Gate</th><th>Title</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${findings.length === 0 ? '<p>No known vulnerabilities.</p>' : ''}
<script>${SCRIPT}</script>
</body>
</html>`;
}

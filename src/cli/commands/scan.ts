import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { BulwarkError, FileError, UsageError } from '../../core/errors.js';
import { ciContextFromEnv } from '../../core/ci.js';
import type { ScanReport } from '../../core/report.js';
import type { Decision } from '../../policy/decide.js';
import { decide } from '../../policy/decide.js';
import { DEFAULT_GATE, parseFailOn, parseIncomplete, parseUnknownSeverity } from '../../policy/gate.js';
import type { GateOptions } from '../../policy/gate.js';
import { loadPolicy } from '../../policy/load.js';
import type { GateKey } from '../../policy/profile.js';
import { FORMAT_NAMES, render } from '../../report/registry.js';
import { inventoryOfSbom } from '../../sbom/index.js';
import { openScanDatabase } from '../../scan/database.js';
import type { Inventory } from '../../scan/scanner.js';
import { buildReport, targetName } from '../../scan/scanner.js';
import { inventoryOf } from '../../scan/targets.js';
import type { ImageCliOptions } from '../image-options.js';
import { addImageOptions, imageTargetOptions } from '../image-options.js';
import { noProgress, terminalProgress } from '../../util/progress.js';
import type { ProgressTask } from '../../util/progress.js';
import type { CliContext } from '../context.js';
import { writeResult } from '../output.js';
import { EXIT_GATE_FAILED } from '../exit-codes.js';
import { failOnFromSeverityList, formatDuration, parseDuration, parseExitCode } from '../scan-flags.js';
import { skipRules, splitList } from '../../source/host/index.js';
import type { HostWalkSkip } from '../../source/host/index.js';
import type { CliCommand } from './index.js';

export interface ScanOptions extends ImageCliOptions {
  /** Bulwark server to send the JSON report to (token from BULWARK_TOKEN). */
  upload?: string;
  spoolDir?: string;
  format: string;
  /** `FILE` (the --format output goes there) or `FORMAT=FILE`; repeatable. */
  output?: string | string[];
  failOn: string;
  includeUnfixed?: boolean;
  excludeDev?: boolean;
  /** fail | ignore: whether findings of UNKNOWN severity fail the gate (default: the profile's, else fail). */
  unknownSeverity?: string;
  /** fail | warn: whether an incomplete scan fails the gate (default: the profile's, else fail). */
  incomplete?: string;
  offline?: boolean;
  skipDbUpdate?: boolean;
  dbSource?: string;
  /** A security profile YAML file. */
  profile?: string;
  /** A profile repository (directory or git URL) with defaults.yaml and projects/<name>.yaml. */
  profileRepo?: string;
  project?: string;
  /** OpenVEX or CycloneDX VEX documents. */
  vex?: string[];
  /** Ignore file (default: .bulwarkignore in the scanned directory). */
  ignoreFile?: string;
  /**
   * Gate options given on the command line; they override a profile. When undefined, failOn counts
   * as given when it is not the default and the booleans when they are true.
   */
  explicitGate?: GateKey[];
  /** The clock exceptions expire against (tests). */
  now?: Date;
  /** Trivy aliases: `--severity LIST` (= --fail-on the lowest), `--ignore-unfixed` (= no --include-unfixed), `--exit-code N`. */
  severity?: string;
  ignoreUnfixed?: boolean;
  exitCode?: string;
  /** Record the CI pipeline (GitLab CI / GitHub Actions variables) in the report (default true; --no-ci-context). */
  ciContext?: boolean;
  /** Host walk: globs, filesystems, time limit. */
  skipDirs?: string[];
  skipFiles?: string[];
  allFilesystems?: boolean;
  timeout?: string;
  /** bulwark (default) or trivy: run an installed Trivy and import its report (src/scan/engine-trivy.ts). */
  engine?: 'bulwark' | 'trivy';
  /** --engine trivy: the Trivy binary (default: trivy on PATH). */
  trivy?: string;
}

/** Folds the Trivy spellings into Bulwark's own options; both spellings of one option at once is an error. */
export function resolveAliases(opts: ScanOptions, given: ReadonlySet<string>): ScanOptions {
  const out: ScanOptions = { ...opts };
  if (opts.severity !== undefined) {
    if (given.has('failOn')) throw new UsageError('--severity and --fail-on say the same thing: give one', '--severity CRITICAL,HIGH is --fail-on high');
    out.failOn = failOnFromSeverityList(opts.severity).toLowerCase();
  }
  if (opts.ignoreUnfixed === true) {
    if (opts.includeUnfixed === true) throw new UsageError('--ignore-unfixed and --include-unfixed contradict each other');
    out.includeUnfixed = false;
  }
  return out;
}

/** The exit status of a failed gate: 1, or --exit-code N. */
export function gateExitCode(opts: ScanOptions): number {
  return opts.exitCode === undefined ? EXIT_GATE_FAILED : parseExitCode(opts.exitCode);
}

export function gateOptions(opts: ScanOptions): GateOptions {
  return {
    failOn: parseFailOn(opts.failOn),
    includeUnfixed: opts.includeUnfixed === true,
    excludeDev: opts.excludeDev === true,
    unknownSeverity: opts.unknownSeverity === undefined ? DEFAULT_GATE.unknownSeverity : parseUnknownSeverity(opts.unknownSeverity),
    incomplete: opts.incomplete === undefined ? DEFAULT_GATE.incomplete : parseIncomplete(opts.incomplete),
  };
}

/** Renders a report in any registered format (src/report/registry.ts). */
export function renderReport(report: ScanReport, format: string, ctx: Pick<CliContext, 'color'>): Promise<string> {
  return render(report, format, { color: ctx.color });
}

export interface OutputPlan {
  /** Whether the --format output goes to stdout. */
  stdout: boolean;
  files: { format: string; file: string }[];
}

/**
 * `-o FILE` writes the --format output to FILE; `-o FORMAT=FILE` writes FORMAT there (repeatable).
 * stdout gets the --format output unless it was redirected: by a plain `-o FILE`, or by a
 * `-o FORMAT=FILE` whose FORMAT is the --format one.
 */
export function planOutputs(format: string, output: string | string[] | undefined): OutputPlan {
  const list = output === undefined ? [] : Array.isArray(output) ? output : [output];
  if (!FORMAT_NAMES.includes(format)) throw new UsageError(`unknown format ${JSON.stringify(format)}`, `use one of: ${FORMAT_NAMES.join(', ')}`);
  const files: OutputPlan['files'] = [];
  for (const o of list) {
    const eq = o.indexOf('=');
    const name = eq > 0 ? o.slice(0, eq) : '';
    if (eq > 0 && FORMAT_NAMES.includes(name)) {
      if (eq === o.length - 1) throw new UsageError(`--output ${o}: no file after "="`);
      files.push({ format: name, file: o.slice(eq + 1) });
    } else if (eq > 0 && /^[a-z-]+$/.test(name)) {
      throw new UsageError(`--output ${o}: unknown format ${JSON.stringify(name)}`, `use FORMAT=FILE with one of: ${FORMAT_NAMES.join(', ')}`);
    } else {
      files.push({ format, file: o });
    }
  }
  const seen = new Set<string>();
  for (const f of files) {
    const key = path.resolve(f.file);
    if (seen.has(key)) throw new UsageError(`--output ${f.file} is given twice`);
    seen.add(key);
    if (!fs.existsSync(path.dirname(key))) throw new FileError(path.dirname(key), `no such directory for --output ${f.file}`, { hint: 'create the directory first' });
  }
  return { stdout: !files.some((f) => f.format === format), files };
}

function explicitGateKeys(opts: ScanOptions): GateKey[] {
  if (opts.explicitGate) return opts.explicitGate;
  const keys: GateKey[] = [];
  if (parseFailOn(opts.failOn) !== DEFAULT_GATE.failOn) keys.push('failOn');
  if (opts.includeUnfixed === true || opts.ignoreUnfixed === true) keys.push('includeUnfixed');
  if (opts.excludeDev === true) keys.push('excludeDev');
  if (opts.unknownSeverity !== undefined) keys.push('unknownSeverity');
  if (opts.incomplete !== undefined) keys.push('incomplete');
  return keys;
}

async function inventoryFor(ctx: CliContext, target: string, opts: ScanOptions, signal: AbortSignal | undefined): Promise<Inventory> {
  if (target.startsWith('sbom:')) return inventoryOfSbom(target.slice(5));
  const progress = ctx.progress ? terminalProgress() : noProgress;
  // started by the first folder walked (an image scan shows its layers instead)
  let walk: ProgressTask | undefined;
  const skipped: HostWalkSkip[] = [];
  try {
    return await inventoryOf(target, {
      cacheDir: ctx.cacheDir,
      log: ctx.log,
      ...imageTargetOptions(opts),
      progress,
      host: {
        skip: skipRules(splitList(opts.skipDirs), splitList(opts.skipFiles)),
        allFilesystems: opts.allFilesystems === true,
        signal,
        // only on a terminal: the first toLocaleString loads ICU's number formatting (15 ms of a lockfile scan)
        ...(ctx.progress
          ? {
              onProgress: (p: { files: number; dirs: number }) => {
                walk ??= progress.start('walking files', 'files');
                walk.update(p.files, `${p.dirs.toLocaleString('en-US')} folders`);
              },
            }
          : {}),
        onSkip: (s) => skipped.push(s),
      },
    });
  } finally {
    walk?.stop();
    for (const s of skipped) ctx.log.debug(`not walked: ${s.path}: ${s.reason}`);
  }
}

/** Runs `work` under --timeout: the walk stops at the deadline and the scan fails (exit 2), never reports half a tree. */
async function withTimeout<T>(timeout: string | undefined, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (timeout === undefined) return work(undefined);
  const ms = parseDuration(timeout);
  const controller = new AbortController();
  const error = new BulwarkError('BULWARK_E_TIMEOUT', `the scan did not finish within --timeout ${formatDuration(ms)}`, {
    hint: 'raise --timeout, or leave parts of the tree out with --skip-dirs / --skip-files',
  });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(error);
      reject(error);
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends the report to a Bulwark server with the project's ingest token (BULWARK_TOKEN), retrying with back-off. */
async function uploadScan(ctx: CliContext, report: ScanReport, server: string, spoolDir: string | undefined): Promise<void> {
  const token = process.env.BULWARK_TOKEN;
  if (!token) throw new UsageError('--upload needs the project ingest token in BULWARK_TOKEN', 'create one with POST /api/v1/projects/<name>/tokens');
  const { uploadReport } = await import('../../server/client/upload.js');
  const result = await uploadReport(JSON.stringify(report), { server, token, ...(spoolDir ? { spoolDir } : {}) });
  if (result.status === 'accepted') ctx.log.info(`report uploaded to ${server}${result.scanId ? ` (scan ${result.scanId})` : ''}`);
  else ctx.log.warn(`the server could not be reached; the report is spooled in ${spoolDir} and will be sent on the next run`);
}

export async function runScan(ctx: CliContext, target: string, opts: ScanOptions): Promise<number> {
  const exitOnGate = gateExitCode(opts);
  const plan = planOutputs(opts.format, opts.output);
  const now = opts.now ?? new Date();
  const cli = gateOptions(opts);
  const policy = loadPolicy({
    target,
    profile: opts.profile,
    profileRepo: opts.profileRepo,
    project: opts.project,
    vex: opts.vex,
    ignoreFile: opts.ignoreFile,
    gate: Object.fromEntries(explicitGateKeys(opts).map((k) => [k, cli[k]])) as Partial<GateOptions>,
    display: targetName,
  });

  if (opts.trivy !== undefined && opts.engine !== 'trivy') throw new UsageError('--trivy goes with --engine trivy');
  let decision: Decision;
  if (opts.engine === 'trivy') {
    const { trivyScan } = await import('./scan-trivy.js');
    decision = decide(await trivyScan(ctx, target, opts), policy, now);
  } else {
    const { inventory, db } = await withTimeout(opts.timeout, async (signal) => {
      const inventory = await inventoryFor(ctx, target, opts, signal);
      signal?.throwIfAborted();
      const db = await openScanDatabase({
        cacheDir: ctx.cacheDir,
        offline: opts.offline === true || opts.skipDbUpdate === true,
        source: opts.dbSource,
        ecosystems: [...new Set(inventory.packages.map((p) => p.ecosystem))],
        log: ctx.log,
        progress: ctx.progress ? terminalProgress() : noProgress,
      });
      return { inventory, db };
    });
    try {
      decision = decide(buildReport(inventory, db, now), policy, now);
    } finally {
      db.close();
    }
  }
  // In a GitLab CI / GitHub Actions pipeline the report says which one (branch, commit, merge request): the server
  // answers on the merge request and keeps other branches out of the project's current state.
  const ci = opts.ciContext === false ? null : ciContextFromEnv(process.env);
  const report: ScanReport = ci ? { ...decision.report, ci } : decision.report;
  for (const w of decision.warnings) ctx.log.warn(w);
  for (const f of plan.files) {
    writeResult(ctx, await renderReport(report, f.format, { color: false }), f.file);
    ctx.log.info(`${f.format} report written to ${f.file}`);
  }
  if (plan.stdout) writeResult(ctx, await renderReport(report, opts.format, ctx));
  if (opts.upload) await uploadScan(ctx, report, opts.upload, opts.spoolDir);
  if (!report.gate.passed) ctx.log.info(`gate failed: ${report.gate.reason}`);
  return report.gate.passed ? 0 : exitOnGate;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const SCAN_EXAMPLES = `
Examples:
  # a source tree: every lockfile in it
  $ bulwark scan .
  # one lockfile, failing only on critical findings
  $ bulwark scan package-lock.json --fail-on critical
  # the same in Trivy's words
  $ bulwark scan . --severity CRITICAL --exit-code 1
  # a container image from a registry, an image archive, an SBOM
  $ bulwark scan registry:docker.io/library/alpine:3.19
  $ bulwark scan docker-archive:app.tar
  $ bulwark scan sbom:bom.cdx.json
  # this machine (installed OS packages and language packages), within 10 minutes
  $ bulwark scan rootfs:/ --skip-dirs '/home/**' --timeout 10m
  # SARIF for code scanning, and the table on the terminal
  $ bulwark scan . -o sarif=bulwark.sarif
  # Trivy's verdicts (an installed trivy), Bulwark's gate, profiles and formats
  $ bulwark scan --engine trivy docker-archive:app.tar --fail-on high

Exit status: 0 gate passed, 1 gate failed (or --exit-code N), 2 error (the target could not be scanned).
`;

export const scanCommand: CliCommand = {
  name: 'scan',
  register(program: Command, context) {
    addImageOptions(program
      .command('scan'))
      .description('scan a source tree, lockfile, container image or SBOM (sbom:<file>) for known vulnerabilities')
      .argument('<target>', 'a directory, dir:<path>, one lockfile, an image (docker-archive:, oci-dir:, oci-archive:, registry:, rootfs:, or auto-detected), or sbom:<CycloneDX or SPDX JSON>')
      .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMAT_NAMES]).default('table'))
      .option('-o, --output <[format=]file>', 'write the --format output to FILE, or FORMAT to FILE (repeatable: -o json=r.json -o sarif=r.sarif)', collect)
      .option('--fail-on <severity>', 'exit 1 when a finding this severe or worse has a fix: critical, high, medium, low, unknown (any finding), none', 'high')
      .option('--severity <list>', 'Trivy alias of --fail-on: CRITICAL,HIGH is --fail-on high (the list must run from CRITICAL down)')
      .option('--include-unfixed', 'count findings without a fix in the gate too')
      .option('--ignore-unfixed', 'Trivy alias: leave findings without a fix out of the gate (the default; overrides a profile that counts them)')
      .option('--exit-code <n>', 'Trivy alias: the exit status when the gate fails (default 1; 0 = report only, never fail)')
      .option('--exclude-dev', 'leave development-only dependencies out of the gate')
      .addOption(new Option('--unknown-severity <policy>', "findings of unknown severity with a fix: fail the gate whatever --fail-on says, or ignore = leave them to --fail-on (default: the profile's gate.unknownSeverity, else fail)").choices(['fail', 'ignore']))
      .addOption(new Option('--incomplete <policy>', "a scan that could not check everything (unparsable files, no advisory data, …): fail the gate, or warn and decide on what was checked (default: the profile's gate.incomplete, else fail; see docs/gate.md)").choices(['fail', 'warn']))
      .option('--profile <file>', 'apply a security profile (YAML: gate, exceptions)')
      .option('--profile-repo <dir|git-url>', 'a profile repository with defaults.yaml and projects/<name>.yaml')
      .option('--project <name>', "with --profile-repo: apply projects/<name>.yaml over the repository's defaults")
      .option('--vex <file>', 'honour an OpenVEX or CycloneDX VEX document (repeatable)', collect)
      .option('--ignore-file <file>', 'ignore file to use instead of .bulwarkignore in the scanned directory')
      .option('--upload <server-url>', 'send the JSON report to a Bulwark server (project ingest token in BULWARK_TOKEN)')
      .option('--spool-dir <dir>', 'with --upload: keep reports the server could not take, and send them on the next run')
      .option('--no-ci-context', 'do not record the CI pipeline (GitLab CI_* / GitHub GITHUB_* variables: project, branch, commit, merge request) in the report')
      .option('--skip-dirs <glob>', 'do not walk folders matching GLOB, relative to the target (** and * as in Trivy; repeatable or comma-separated)', collect)
      .option('--skip-files <glob>', 'do not read files matching GLOB, relative to the target (repeatable or comma-separated)', collect)
      .option('--all-filesystems', 'walk into other filesystems mounted below the target (pseudo filesystems such as proc and sysfs are never walked)')
      .option('--timeout <duration>', 'fail (exit 2) when the scan takes longer: 90s, 5m, 1h30m (default: no limit)')
      .option('--offline', 'use the advisory database as it is; never fetch')
      .option('--skip-db-update', 'same as --offline')
      .option('--db-source <url|dir>', 'where a scan refreshes stale feeds from (default: the source of the last `db update`)')
      .addOption(new Option('--engine <engine>', "bulwark, or trivy: run an installed Trivy and import its verdicts (Trivy's own database: TRIVY_CACHE_DIR); gate, profiles and formats as a native scan").choices(['bulwark', 'trivy']).default('bulwark'))
      .option('--trivy <path>', 'with --engine trivy: the Trivy binary (default: trivy on PATH)')
      .addHelpText('after', SCAN_EXAMPLES)
      .action(async (target: string, opts: ScanOptions, cmd: Command) => {
        const given = new Set(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
        const resolved = resolveAliases(opts, given);
        if (opts.severity !== undefined) given.add('failOn');
        if (opts.ignoreUnfixed === true) given.add('includeUnfixed');
        const explicitGate = (['failOn', 'includeUnfixed', 'excludeDev', 'unknownSeverity', 'incomplete'] as const).filter((k) => given.has(k));
        process.exitCode = await runScan(context(), target, { ...resolved, explicitGate });
      });
  },
};

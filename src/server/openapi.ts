/** The OpenAPI 3.1 description of `/api/v1`, served at GET /api/v1/openapi.json. */
export function openApiDocument(version: string, maxReportBytes: number): Record<string, unknown> {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const ref = (n: string) => ({ $ref: `#/components/schemas/${n}` });
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } };
  const limit = { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } };
  const offset = { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } };
  const cursor = { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' };
  const page = (item: unknown) => ({
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } },
  });
  const user = [{ apiKey: [] }, { session: [] }];
  const admin = [{ apiKey: [] }];
  const common = { '401': err('No or unknown credential'), '403': err('This credential may not do that (ingest tokens: everything but uploads)') };
  const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
  const counts = { type: 'object', properties: Object.fromEntries(severities.map((s) => [s, { type: 'integer' }])) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bulwark server API',
      version,
      description:
        'Ingests Bulwark scan reports from CI (write-only project tokens), stores them (SQLite or PostgreSQL) and serves the portfolio, findings and search to users and the dashboard.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A user API key (bwk_…), from `bulwark server init` or POST /api/v1/users' },
        ingestToken: { type: 'http', scheme: 'bearer', description: 'A project ingest token (bwi_…): may only POST /api/v1/reports' },
        session: { type: 'apiKey', in: 'cookie', name: 'bulwark_session', description: 'Dashboard session from POST /api/v1/login (read-only)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { enum: ['unauthenticated', 'forbidden', 'not_found', 'conflict', 'invalid_request', 'invalid_report', 'report_too_large', 'store_unavailable', 'internal'] },
                message: { type: 'string' },
                details: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
        Scan: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            receivedAt: { type: 'string', format: 'date-time' },
            reportCreatedAt: { type: 'string', format: 'date-time' },
            target: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
            toolVersion: { type: 'string' },
            gate: { type: 'object', properties: { passed: { type: 'boolean' }, failOn: { type: 'string' }, profile: { type: ['string', 'null'] }, reason: { type: 'string' } } },
            packages: { type: 'integer' },
            findings: { type: 'integer' },
            open: counts,
            suppressed: { type: 'integer' },
            fixable: { type: 'integer' },
            worstSeverity: { enum: [...severities, null] },
          },
        },
        Project: {
          type: 'object',
          properties: { name: { type: 'string' }, team: { type: ['string', 'null'] }, createdAt: { type: 'string' }, latestScan: { oneOf: [ref('Scan'), { type: 'null' }] } },
        },
        Finding: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            aliases: { type: 'array', items: { type: 'string' } },
            package: { type: 'object', properties: { ecosystem: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, purl: { type: 'string' }, dev: { type: 'boolean' } } },
            severity: { enum: severities },
            fixable: { type: 'boolean' },
            fixedVersion: { type: ['string', 'null'] },
            fixState: { type: 'string' },
            title: { type: ['string', 'null'] },
            suppressed: { type: 'boolean' },
            suppressedBy: { type: ['string', 'null'] },
            status: { enum: ['open', 'resolved'] },
            firstSeenAt: { type: 'string', format: 'date-time' },
            lastSeenAt: { type: 'string', format: 'date-time' },
          },
        },
        Accepted: {
          type: 'object',
          required: ['id', 'status', 'replay'],
          properties: {
            id: { type: 'integer', description: 'queue entry' },
            status: { enum: ['queued', 'processing', 'done', 'failed'] },
            scanId: { type: ['integer', 'null'], description: 'set when a replay hits an entry already stored' },
            replay: { type: 'boolean' },
          },
        },
      },
    },
    paths: {
      '/api/v1/health': { get: { summary: 'Liveness and store reachability', security: [], responses: { '200': json({ type: 'object' }), '503': json({ type: 'object' }, 'Store unreachable') } } },
      '/api/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': json({ type: 'object' }) } } },
      '/api/v1/login': {
        post: {
          summary: 'Dashboard login with an API key; sets the bulwark_session cookie (HttpOnly, SameSite=Strict)',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string' } } } } } },
          responses: { '200': json({ type: 'object' }), '401': err('Unknown key') },
        },
      },
      '/api/v1/logout': { post: { summary: 'Ends the dashboard session', security: user, responses: { '204': { description: 'Logged out' } } } },
      '/api/v1/me': { get: { summary: 'The calling user', security: user, responses: { '200': json({ type: 'object' }), ...common } } },
      '/api/v1/reports': {
        post: {
          summary: 'Upload a scan report (answers once it is durably queued)',
          description: `Body: a Bulwark JSON report (schemas/report.schema.json), at most ${maxReportBytes} bytes. A replay with the same Idempotency-Key or the same body for the project returns the first entry and stores one scan.`,
          security: [{ ingestToken: [] }],
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
          requestBody: { required: true, content: { 'application/json': { schema: { description: 'Bulwark scan report' } } } },
          responses: {
            '202': json(ref('Accepted'), 'Queued durably (or already queued/stored: replay)'),
            '400': err('Not JSON, or not a valid report; nothing stored'),
            '413': err('Too large; nothing stored'),
            '503': { ...err('Store unavailable; nothing acknowledged; retry after Retry-After seconds'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
            ...common,
          },
        },
      },
      '/api/v1/summary': { get: { summary: 'Portfolio totals over the latest scan of each visible project', security: user, responses: { '200': json({ type: 'object' }), ...common } } },
      '/api/v1/projects': {
        get: {
          summary: 'Projects with their latest scan, worst open severity first',
          security: user,
          parameters: [limit, offset, cursor, { name: 'q', in: 'query', schema: { type: 'string' } }, { name: 'gate', in: 'query', schema: { enum: ['passed', 'failed'] } }],
          responses: { '200': json(page(ref('Project'))), ...common },
        },
        post: {
          summary: 'Create a project (admin)',
          security: admin,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, team: { type: 'string' } } } } } },
          responses: { '201': json({ type: 'object' }), '409': err('Exists'), ...common },
        },
      },
      '/api/v1/projects/{name}': { get: { summary: 'One project', security: user, parameters: [name], responses: { '200': json(ref('Project')), '404': err('Unknown or not visible'), ...common } } },
      '/api/v1/projects/{name}/findings': {
        get: {
          summary: 'Findings of the project (open: in its latest scan), most severe first',
          security: user,
          parameters: [
            name,
            limit,
            cursor,
            { name: 'severity', in: 'query', schema: { type: 'string' }, description: 'comma-separated severities' },
            { name: 'fixable', in: 'query', schema: { type: 'boolean' } },
            { name: 'suppressed', in: 'query', schema: { type: 'boolean' } },
            { name: 'package', in: 'query', schema: { type: 'string' }, description: 'substring of the package name or purl' },
            { name: 'status', in: 'query', schema: { enum: ['open', 'all'], default: 'open' } },
          ],
          responses: { '200': json(page(ref('Finding'))), '404': err('Unknown or not visible'), ...common },
        },
      },
      '/api/v1/projects/{name}/scans': {
        get: { summary: 'Scan history, newest first', security: user, parameters: [name, limit, cursor], responses: { '200': json(page(ref('Scan'))), ...common } },
      },
      '/api/v1/projects/{name}/trend': {
        get: { summary: 'Open findings per severity at each recent scan', security: user, parameters: [name, limit], responses: { '200': json({ type: 'object' }), ...common } },
      },
      '/api/v1/projects/{name}/tokens': {
        post: { summary: 'Create a write-only ingest token (admin); the token is shown once', security: admin, parameters: [name], responses: { '201': json({ type: 'object', properties: { id: { type: 'integer' }, token: { type: 'string' } } }), ...common } },
        get: { summary: 'List the project ingest tokens (admin; never the secrets)', security: admin, parameters: [name], responses: { '200': json({ type: 'object' }), ...common } },
      },
      '/api/v1/projects/{name}/tokens/{id}': {
        delete: {
          summary: 'Revoke an ingest token (admin)',
          security: admin,
          parameters: [name, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { '204': { description: 'Revoked' }, '404': err('Unknown token'), ...common },
        },
      },
      '/api/v1/search': {
        get: {
          summary: 'Cross-project search: open findings known by an id or alias (vuln), or projects whose latest inventory has a package (package)',
          security: user,
          parameters: [{ name: 'vuln', in: 'query', schema: { type: 'string' } }, { name: 'package', in: 'query', schema: { type: 'string' } }, limit, offset, cursor],
          responses: { '200': json({ type: 'object' }), '400': err('Neither or both of vuln and package'), ...common },
        },
      },
      '/api/v1/teams': {
        get: { summary: 'Teams (admin)', security: admin, responses: { '200': json({ type: 'object' }), ...common } },
        post: { summary: 'Create a team (admin)', security: admin, responses: { '201': json({ type: 'object' }), ...common } },
      },
      '/api/v1/teams/{name}/members': {
        post: { summary: 'Add a user to a team (admin)', security: admin, parameters: [name], responses: { '204': { description: 'Added' }, ...common } },
      },
      '/api/v1/users': {
        get: { summary: 'Users (admin)', security: admin, responses: { '200': json({ type: 'object' }), ...common } },
        post: {
          summary: 'Create a user with an API key (admin); the key is shown once',
          security: admin,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, role: { enum: ['admin', 'member'] }, teams: { type: 'array', items: { type: 'string' } } } } } },
          },
          responses: { '201': json({ type: 'object' }), ...common },
        },
      },
    },
  };
}

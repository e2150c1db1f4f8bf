import type { Kysely, Selectable } from 'kysely';
import type { Database } from './types.js';
import { now } from './util.js';

export type ProjectRow = Selectable<Database['projects']>;
export type IngestTokenRow = Selectable<Database['ingest_tokens']>;

/** Projects and their write-only ingest tokens. */
export class ProjectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, teamId: number | null): Promise<number> {
    const r = await this.db.insertInto('projects').values({ name, team_id: teamId, created_at: now(), latest_scan_id: null }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async byName(name: string): Promise<Pick<ProjectRow, 'id' | 'name' | 'team_id' | 'latest_scan_id'> | undefined> {
    return this.db.selectFrom('projects').select(['id', 'name', 'team_id', 'latest_scan_id']).where('name', '=', name).executeTakeFirst();
  }

  async createIngestToken(projectId: number, tokenHash: string): Promise<number> {
    const r = await this.db
      .insertInto('ingest_tokens')
      .values({ project_id: projectId, token_hash: tokenHash, created_at: now(), revoked_at: null, last_used_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async listIngestTokens(projectId: number): Promise<Pick<IngestTokenRow, 'id' | 'created_at' | 'revoked_at' | 'last_used_at'>[]> {
    return this.db.selectFrom('ingest_tokens').select(['id', 'created_at', 'revoked_at', 'last_used_at']).where('project_id', '=', projectId).orderBy('id').execute();
  }

  /** Revokes a token of this project; false when there is no such token. */
  async revokeIngestToken(projectId: number, tokenId: number): Promise<boolean> {
    const r = await this.db
      .updateTable('ingest_tokens')
      .set({ revoked_at: now() })
      .where('id', '=', tokenId)
      .where('project_id', '=', projectId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const exists = await this.db.selectFrom('ingest_tokens').select('id').where('id', '=', tokenId).where('project_id', '=', projectId).executeTakeFirst();
    return exists !== undefined;
  }

  async ingestTokenByHash(tokenHash: string): Promise<Pick<IngestTokenRow, 'id' | 'project_id'> | undefined> {
    return this.db.selectFrom('ingest_tokens').select(['id', 'project_id']).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
  }
}

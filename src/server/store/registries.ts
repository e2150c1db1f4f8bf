import type { Kysely, Selectable } from 'kysely';
import type { Database } from './types.js';
import { now } from './util.js';

export type RegistryRow = Selectable<Database['registries']>;

export interface NewRegistry {
  name: string;
  url: string;
  insecure: boolean;
  /** Sealed (encrypted) credentials, or null for anonymous pulls. */
  credentials: string | null;
  webhookSecretHash: string;
  projectRules: string;
  watchIntervalS: number | null;
}

/** Configured registries and the tag -> digest history seen in them. */
export class RegistryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: NewRegistry): Promise<RegistryRow> {
    return this.db
      .insertInto('registries')
      .values({
        name: r.name,
        url: r.url,
        insecure: r.insecure ? 1 : 0,
        credentials: r.credentials,
        webhook_secret_hash: r.webhookSecretHash,
        project_rules: r.projectRules,
        watch_interval_s: r.watchIntervalS,
        last_watch_at: null,
        created_at: now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async byName(name: string): Promise<RegistryRow | undefined> {
    return this.db.selectFrom('registries').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async byId(id: number): Promise<RegistryRow | undefined> {
    return this.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<RegistryRow[]> {
    return this.db.selectFrom('registries').selectAll().orderBy('name').execute();
  }

  async remove(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registries').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Registries whose watch is due (interval set, last listing older than it). */
  async dueForWatch(at: Date): Promise<RegistryRow[]> {
    const rows = await this.db.selectFrom('registries').selectAll().where('watch_interval_s', 'is not', null).execute();
    return rows.filter((r) => r.last_watch_at === null || Date.parse(r.last_watch_at) + (r.watch_interval_s ?? 0) * 1000 <= at.getTime());
  }

  async watched(id: number): Promise<void> {
    await this.db.updateTable('registries').set({ last_watch_at: now() }).where('id', '=', id).execute();
  }

  /** Records that `repository:tag` points at `digest` now; true when this is a new observation (a new or moved tag). */
  async observeTag(registryId: number, repository: string, tag: string, digest: string): Promise<boolean> {
    const r = await this.db
      .insertInto('registry_tags')
      .values({ registry_id: registryId, repository, tag, digest, seen_at: now() })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  }

  /** The digests a tag has pointed at, oldest first. */
  async tagHistory(registryId: number, repository: string, tag: string): Promise<{ digest: string; seen_at: string }[]> {
    return this.db
      .selectFrom('registry_tags')
      .select(['digest', 'seen_at'])
      .where('registry_id', '=', registryId)
      .where('repository', '=', repository)
      .where('tag', '=', tag)
      .orderBy('id')
      .execute();
  }
}

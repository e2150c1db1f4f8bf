import type { Kysely, Selectable } from 'kysely';
import type { Database } from './types.js';
import { now, later } from './util.js';

export type UserRow = Selectable<Database['users']>;
export type TeamRow = Selectable<Database['teams']>;
export type ApiKeyRow = Selectable<Database['api_keys']>;
export type AuditRow = Selectable<Database['audit_log']>;

/** A user with the teams they belong to: what a credential resolves to. */
export type UserWithTeams = Pick<UserRow, 'id' | 'name' | 'role'> & { teamIds: number[] };

/** Users, teams, API keys, dashboard sessions and the audit log of admin actions. */
export class IdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async createTeam(name: string): Promise<number> {
    const r = await this.db.insertInto('teams').values({ name, created_at: now() }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async teamByName(name: string): Promise<Pick<TeamRow, 'id' | 'name'> | undefined> {
    return this.db.selectFrom('teams').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
  }

  async listTeams(): Promise<{ id: number; name: string; members: number; projects: number }[]> {
    const rows = await this.db
      .selectFrom('teams as t')
      .select((eb) => [
        't.id',
        't.name',
        eb.selectFrom('team_members as m').whereRef('m.team_id', '=', 't.id').select(eb.fn.countAll().as('n')).as('members'),
        eb.selectFrom('projects as p').whereRef('p.team_id', '=', 't.id').select(eb.fn.countAll().as('n')).as('projects'),
      ])
      .orderBy('t.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, members: Number(r.members ?? 0), projects: Number(r.projects ?? 0) }));
  }

  async addTeamMember(teamId: number, userId: number): Promise<void> {
    await this.db.insertInto('team_members').values({ team_id: teamId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
  }

  /** False when the user was not a member. */
  async removeTeamMember(teamId: number, userId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Creates a user with a first API key; returns the user id. */
  async createUser(name: string, role: UserRow['role'], keyHash: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const u = await trx.insertInto('users').values({ name, role, created_at: now() }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('api_keys').values({ user_id: u.id, key_hash: keyHash, created_at: now(), revoked_at: null }).execute();
      return u.id;
    });
  }

  async userByName(name: string): Promise<Pick<UserRow, 'id' | 'name' | 'role'> | undefined> {
    return this.db.selectFrom('users').select(['id', 'name', 'role']).where('name', '=', name).executeTakeFirst();
  }

  async listUsers(): Promise<(Pick<UserRow, 'id' | 'name' | 'role'> & { teams: string[] })[]> {
    const users = await this.db.selectFrom('users').select(['id', 'name', 'role']).orderBy('name').execute();
    const memberships = await this.db.selectFrom('team_members as m').innerJoin('teams as t', 't.id', 'm.team_id').select(['m.user_id', 't.name']).execute();
    return users.map((u) => ({ ...u, teams: memberships.filter((m) => m.user_id === u.id).map((m) => m.name) }));
  }

  async countAdmins(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('role', '=', 'admin').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Removes a user with their keys, sessions and memberships (foreign keys cascade). */
  async deleteUser(userId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Explicit deletes as well, so the outcome does not depend on SQLite's foreign_keys pragma.
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('api_keys').where('user_id', '=', userId).execute();
      await trx.deleteFrom('team_members').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users').where('id', '=', userId).execute();
    });
  }

  async addApiKey(userId: number, keyHash: string): Promise<number> {
    const r = await this.db.insertInto('api_keys').values({ user_id: userId, key_hash: keyHash, created_at: now(), revoked_at: null }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async listApiKeys(userId: number): Promise<Pick<ApiKeyRow, 'id' | 'created_at' | 'revoked_at'>[]> {
    return this.db.selectFrom('api_keys').select(['id', 'created_at', 'revoked_at']).where('user_id', '=', userId).orderBy('id').execute();
  }

  /** Revokes one key of this user; false when the user has no such key. Revoking twice is not an error. */
  async revokeApiKey(userId: number, keyId: number): Promise<boolean> {
    const key = await this.db.selectFrom('api_keys').select(['id', 'revoked_at']).where('id', '=', keyId).where('user_id', '=', userId).executeTakeFirst();
    if (!key) return false;
    if (key.revoked_at === null) await this.db.updateTable('api_keys').set({ revoked_at: now() }).where('id', '=', keyId).execute();
    return true;
  }

  /** The user owning an unrevoked API key, with the teams they belong to. */
  async userByKeyHash(keyHash: string): Promise<UserWithTeams | undefined> {
    const u = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select(['u.id', 'u.name', 'u.role'])
      .where('k.key_hash', '=', keyHash)
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    return u ? { ...u, teamIds: await this.teamIdsOf(u.id) } : undefined;
  }

  async userBySessionHash(idHash: string): Promise<UserWithTeams | undefined> {
    const u = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.id', 'u.name', 'u.role'])
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', now())
      .executeTakeFirst();
    return u ? { ...u, teamIds: await this.teamIdsOf(u.id) } : undefined;
  }

  private async teamIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.team_id);
  }

  async createSession(idHash: string, userId: number, ttlMs: number): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, created_at: now(), expires_at: later(ttlMs) }).execute();
    await this.db.deleteFrom('sessions').where('expires_at', '<', now()).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** Ends every dashboard session of a user; returns how many there were. */
  async endSessionsOf(userId: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async audit(entry: { actor: string; action: string; target: string; details?: Record<string, unknown> }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ at: now(), actor: entry.actor, action: entry.action, target: entry.target, details: entry.details ? JSON.stringify(entry.details) : null })
      .execute();
  }

  /** Newest first; `before` is an entry id (keyset pagination). */
  async auditLog(limit: number, before?: number): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
}

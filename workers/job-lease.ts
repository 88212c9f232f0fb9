import type PgBoss from "pg-boss";
import { JOB_POLICY, JOB_SCHEMA } from "./queues";

/**
 * Heartbeats for running jobs. pg-boss 10 has none: a job stays "active" until `expire_in` after
 * it started, then its maintenance retries it. Our queues expire a job after
 * `JOB_POLICY.leaseSeconds` (a killed worker's job is retried within about a minute), so a
 * live worker renews the lease of every job it runs every `JOB_POLICY.heartbeatSeconds` by
 * moving the job's `started_on` forward (pg-boss expires on `started_on + expire_in`).
 * A job that runs for an hour on a live worker is therefore never handed to a second one.
 */
export class JobLeases {
  private readonly running = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly boss: PgBoss,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.renew(), JOB_POLICY.heartbeatSeconds * 1000);
    this.timer.unref();
  }

  /** `handler`, with the lease of each job it is given renewed until it returns or throws. */
  hold<J extends { id: string }, R>(queue: string, handler: (jobs: J[]) => Promise<R>): (jobs: J[]) => Promise<R> {
    return async (jobs) => {
      const ids = this.running.get(queue) ?? new Set<string>();
      this.running.set(queue, ids);
      for (const job of jobs) ids.add(job.id);
      try {
        return await handler(jobs);
      } finally {
        for (const job of jobs) ids.delete(job.id);
      }
    };
  }

  async renew(): Promise<void> {
    for (const [queue, ids] of this.running) {
      if (!ids.size) continue;
      try {
        await this.boss
          .getDb()
          .executeSql(`update ${JOB_SCHEMA}.job set started_on = now() where name = $1 and id = any($2::uuid[]) and state = 'active'`, [queue, [...ids]]);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
